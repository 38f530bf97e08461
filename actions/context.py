"""The resident's verified context, read from the metadata of the newest message.

The web gateway verifies the embedding portal's signed token on every message and forwards
only verified claims as `metadata.resident` (`verified` is false without a valid token),
sealed with an HMAC over sender, claims and time (bot/seal.py) that is checked here, so
the newest message always carries what is true now. Actions read it here when they need
it. A custom slot mapping used to copy it into slots on every message; that cost an
action-server round trip per message (~12% of Rasa's time, measured with py-spy).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

from rasa_sdk import Tracker

from actions.bootstrap import care_directory
from bot.care.routing import ResidentContext, resident_context
from bot.config import Settings
from bot.seal import internal_secret, unseal

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class VerifiedContext:
    resident_id: str | None = None
    listed_unit: str | None = None      # a care-directory id
    municipality: str | None = None     # a municipality name of the care directory
    age_years: float | None = None      # middle of the verified age band


@lru_cache(maxsize=1)
def _secret() -> bytes:
    return internal_secret(Settings.from_env().var_dir)


def verified_context(tracker: Tracker) -> VerifiedContext:
    sealed = (tracker.latest_message.get("metadata") or {}).get("resident") or {}
    if not isinstance(sealed, dict) or sealed.get("verified") is not True:
        return VerifiedContext()
    resident = unseal(sealed, tracker.sender_id, _secret())
    if resident is None:
        # Claims without the web app's seal (or an old one): not trusted, not a resident.
        logger.warning("resident context without a valid seal for %s", tracker.sender_id)
        return VerifiedContext()
    directory = care_directory()
    resident_id = resident.get("resident_id")
    unit = resident.get("listed_unit")
    place = directory.find_municipality(str(resident.get("municipality") or "")).municipality
    age = resident.get("age_years")
    return VerifiedContext(
        resident_id=resident_id if isinstance(resident_id, str) and resident_id else None,
        listed_unit=unit if unit in directory.units else None,
        municipality=place.name if place is not None else None,
        age_years=float(age) if isinstance(age, (int, float)) and not isinstance(age, bool)
        else None,
    )


def resident_id(tracker: Tracker) -> str | None:
    return verified_context(tracker).resident_id


def listed_unit(tracker: Tracker) -> str | None:
    return verified_context(tracker).listed_unit


def mentioned_municipality(tracker: Tracker) -> str | None:
    """The municipality the resident named most recently anywhere in the conversation
    ("ont i halsen, bor i Lerum" and later "öppettider vc?")."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        text = event.get("text") or ""
        for entity in (event.get("parse_data") or {}).get("entities") or []:
            if entity.get("entity") == "municipality" and isinstance(entity.get("value"), str):
                name = care_directory().named_in(entity["value"], text)
                if name is not None:
                    return name
    return None


def routing_context(tracker: Tracker, age_years: float | None = None) -> ResidentContext:
    """What care routing needs: place, listed unit and age (stated wins over the age band)."""
    verified = verified_context(tracker)
    return resident_context(
        tracker.get_slot("municipality"), mentioned_municipality(tracker), verified.municipality,
        verified.listed_unit, age_years if age_years is not None else verified.age_years)


def municipality(tracker: Tracker) -> str | None:
    return routing_context(tracker).municipality
