"""Help actions: what the bot can do, how it handles data, the fallback, a human."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.bootstrap import care_directory
from actions.context import listed_unit
from actions.reply import events
from bot.config import Settings
from bot.help import capabilities, fallback, offer_human, privacy

Events = list[dict[str, Any]]


@lru_cache(maxsize=1)
def _retention_days() -> int:
    return Settings.from_env().retention_days


class ActionCapabilities(Action):
    def name(self) -> str:
        return "action_capabilities"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> Events:
        return events(dispatcher, capabilities())


class ActionPrivacy(Action):
    def name(self) -> str:
        return "action_privacy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> Events:
        return events(dispatcher, privacy(_retention_days()))


class ActionFallbackSuggest(Action):
    def name(self) -> str:
        return "action_fallback_suggest"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> Events:
        return events(dispatcher, fallback(
            tracker.latest_message.get("intent_ranking") or [],
            unknown_language=bool(tracker.latest_message.get("language_guard"))))


class ActionOfferHuman(Action):
    def name(self) -> str:
        return "action_offer_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> Events:
        unit = care_directory().units.get(listed_unit(tracker) or "")
        return events(dispatcher, offer_human(unit))
