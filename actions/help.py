"""What the bot can do, how it handles data, and a fallback that offers likely meanings.

Thin adapters over bot.dialogue.help and the text catalogue.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.config import Settings
from bot.content.texts import render, texts
from bot.dialogue.help import MENU, buttons, likely_meanings


@lru_cache(maxsize=1)
def _retention_days() -> int:
    return Settings.from_env().retention_days


class ActionCapabilities(Action):
    def name(self) -> str:
        return "action_capabilities"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        catalogue = texts()
        dispatcher.utter_message(text=catalogue["capabilities"])
        dispatcher.utter_message(text=catalogue["capabilities_pick"],
                                 buttons=buttons(MENU, catalogue))
        return []


class ActionPrivacy(Action):
    def name(self) -> str:
        return "action_privacy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=render("privacy", retention_days=_retention_days()))
        dispatcher.utter_message(text=texts()["privacy_rights"])
        return []


class ActionFallbackSuggest(Action):
    """The first misunderstanding: the classifier's likeliest errands as buttons."""

    def name(self) -> str:
        return "action_fallback_suggest"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        catalogue = texts()
        # Mostly unknown words (another language, keyboard noise): the classifier's guesses
        # mean nothing there.
        unknown = bool(tracker.latest_message.get("language_guard"))
        meanings = [] if unknown else likely_meanings(
            tracker.latest_message.get("intent_ranking") or [])
        if meanings:
            dispatcher.utter_message(text=catalogue["fallback_suggest"],
                                     buttons=buttons(meanings, catalogue))
            dispatcher.utter_message(text=catalogue["fallback_symptoms_hint"])
        else:
            # Nothing likely (another language, keyboard noise): the main errands instead.
            dispatcher.utter_message(text=catalogue["fallback_suggest_none"],
                                     buttons=buttons(MENU[:4], catalogue))
        return []
