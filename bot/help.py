"""Help: what the bot can do, how it handles data, the fallback's suggestions, and the way
to a human, as `Reply`s.

Plain Python over the classifier's intent ranking, so the choice is unit-tested without
Rasa. A button sends the intent itself ("/ask_opening_hours"); the web gateway lets
exactly these payloads through (bot/web/input_rules.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.care.directory import CareUnit
from bot.content.texts import texts
from bot.reply import Reply

# Errands a button can start on its own, in the order the capabilities answer shows them.
# Triage is not among them: it needs the resident's own words.
CAPABILITY_INTENTS = (
    "ask_where_care",
    "ask_opening_hours",
    "book_appointment",
    "ask_care_guarantee",
    "ask_video_visit",
    "ask_change_unit",
    "ask_listed_unit",
    "list_bookings",
    "cancel_appointment",
    "rebook_appointment",
    "request_human",
    "ask_privacy",
    "ask_capabilities",
)
# What the capabilities answer offers as buttons (the rest are named in its text).
MENU = ("ask_where_care", "ask_opening_hours", "book_appointment", "ask_care_guarantee",
        "ask_video_visit", "request_human")
# A meaning below this confidence is no useful guess.
MIN_CONFIDENCE = 0.1
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Button:
    intent: str
    title: str

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "payload": f"/{self.intent}"}


def label_key(intent: str) -> str:
    """The text catalogue's key for an intent's button title."""
    return f"capability_{intent}"


def likely_meanings(ranking: Iterable[Mapping[str, Any]], limit: int = MAX_SUGGESTIONS
                    ) -> list[str]:
    """The most likely errands among the classifier's ranking, most likely first."""
    chosen: list[str] = []
    for entry in ranking:
        name = entry.get("name")
        confidence = entry.get("confidence") or 0.0
        if name in CAPABILITY_INTENTS and name not in chosen and confidence >= MIN_CONFIDENCE:
            chosen.append(name)
        if len(chosen) == limit:
            break
    return chosen


def buttons(intents: Iterable[str], labels: Mapping[str, str]) -> list[dict[str, str]]:
    return [Button(intent, labels[label_key(intent)]).to_dict() for intent in intents]


def _buttons(intents: Iterable[str]) -> tuple[tuple[str, str], ...]:
    return tuple((b["title"], b["payload"]) for b in buttons(intents, texts()))


def capabilities() -> Reply:
    return Reply().say("capabilities").say("capabilities_pick", buttons=_buttons(MENU))


def privacy(retention_days: int) -> Reply:
    return Reply().say("privacy", retention_days=retention_days).say("privacy_rights")


def fallback(ranking: Iterable[Mapping[str, Any]], unknown_language: bool) -> Reply:
    """The first misunderstanding: the classifier's likeliest errands as buttons. Mostly
    unknown words (another language, keyboard noise) make its guesses meaningless: the main
    errands instead."""
    meanings = [] if unknown_language else likely_meanings(ranking)
    if meanings:
        return Reply().say("fallback_suggest", buttons=_buttons(meanings)).say(
            "fallback_symptoms_hint")
    return Reply().say("fallback_suggest_none", buttons=_buttons(MENU[:4]))


def offer_human(listed_unit: CareUnit | None) -> Reply:
    """No live handoff yet: 1177 and, when known, the resident's listed vårdcentral."""
    if listed_unit is not None and listed_unit.phone:
        return Reply().say("offer_human_listed", listed_unit=listed_unit.name,
                           phone=listed_unit.phone)
    if listed_unit is not None:
        return Reply().say("offer_human_listed_no_phone", listed_unit=listed_unit.name)
    return Reply().say("offer_human")
