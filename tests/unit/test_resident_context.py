"""Verified resident context in actions: only what the gateway verified, read per message."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.context import (
    _secret,
    listed_unit,
    municipality,
    resident_id,
    routing_context,
    verified_context,
)
from bot.seal import SEAL, seal


def tracker(resident: Any, slots: dict[str, Any] | None = None, sealed: bool = True,
            sender: str = "r") -> Tracker:
    """A tracker whose newest message carries `resident`, sealed as the web app does."""
    if sealed and isinstance(resident, dict):
        resident = seal(resident, "r", _secret())
    message = {"text": "hej", "intent": {"name": "greet"}, "entities": [],
               "metadata": {"resident": resident} if resident is not None else {}}
    return Tracker(sender, slots or {}, message, [], False, None, None, None)


VERIFIED = {"verified": True, "resident_id": "r-1", "listed_unit": "narhalsan_lundby",
            "municipality": "goteborg", "age_years": 40}


def test_verified_claims_are_read() -> None:
    context = verified_context(tracker(VERIFIED))
    assert context.resident_id == "r-1" and context.listed_unit == "narhalsan_lundby"
    assert context.municipality == "Göteborg" and context.age_years == 40.0


def test_unverified_or_missing_context_is_empty() -> None:
    claimed = {**VERIFIED, "verified": False}
    for resident in (None, claimed, {"verified": "true", **{k: v for k, v in VERIFIED.items()
                                                            if k != "verified"}}, "x"):
        assert verified_context(tracker(resident)).resident_id is None
        assert listed_unit(tracker(resident)) is None


def test_unknown_unit_and_odd_values_are_dropped() -> None:
    context = verified_context(tracker({**VERIFIED, "listed_unit": "Falsk VC",
                                        "age_years": True, "resident_id": ""}))
    assert context.listed_unit is None and context.age_years is None
    assert resident_id(tracker({**VERIFIED, "resident_id": ""})) is None


def test_what_the_resident_said_wins_over_the_registered_municipality() -> None:
    assert municipality(tracker(VERIFIED, {"municipality": "Halmstad"})) == "Halmstad"
    assert municipality(tracker(VERIFIED)) == "Göteborg"
    assert municipality(tracker(None)) is None


def test_routing_context_prefers_stated_age_and_place() -> None:
    context = routing_context(tracker(VERIFIED, {"municipality": "Halmstad"}), age_years=7.0)
    assert (context.municipality, context.listed_unit, context.age_years) == (
        "Halmstad", "narhalsan_lundby", 7.0)
    assert routing_context(tracker(VERIFIED)).age_years == 40.0
    assert routing_context(tracker(None)).listed_unit is None


def test_claims_without_the_web_apps_seal_are_not_trusted() -> None:
    """Anything that can reach the action server could claim to be any resident."""
    assert verified_context(tracker(VERIFIED, sealed=False)).resident_id is None
    forged = {**seal(VERIFIED, "r", _secret()), "resident_id": "someone-else"}
    assert verified_context(tracker(forged, sealed=False)).resident_id is None
    wrong_key = seal(VERIFIED, "r", b"not-the-secret")
    assert verified_context(tracker(wrong_key, sealed=False)).resident_id is None


def test_a_seal_is_for_one_conversation_and_a_short_time() -> None:
    assert verified_context(tracker(VERIFIED, sender="another")).resident_id is None
    old = seal(VERIFIED, "r", _secret(), now=0)
    assert SEAL in old and verified_context(tracker(old, sealed=False)).resident_id is None

