"""Copies verified resident context (from the web gateway's metadata) into slots.

Runs on every user message as the custom slot mapping of `listed_unit`, `municipality`,
`resident_age` and `resident_id` (see domain.yml). The gateway puts only claims from a
validly signed token into `metadata.resident`; without one, `verified` is false and the
listed vårdcentral and identity are forgotten.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.directory import care_directory


class ActionContextSlots(Action):
    def name(self) -> str:
        return "action_context_slots"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        resident = (tracker.latest_message.get("metadata") or {}).get("resident") or {}
        if not resident.get("verified"):
            return [SlotSet(slot, None) for slot in ("listed_unit", "resident_id")
                    if tracker.get_slot(slot)]
        directory = care_directory()
        events = []
        if resident.get("resident_id") and tracker.get_slot("resident_id") != resident[
                "resident_id"]:
            events.append(SlotSet("resident_id", resident["resident_id"]))
        unit = resident.get("listed_unit")
        if unit in directory.units and tracker.get_slot("listed_unit") != unit:
            events.append(SlotSet("listed_unit", unit))
        place = directory.find_municipality(resident.get("municipality") or "").municipality
        if place is not None and tracker.get_slot("municipality") is None:
            events.append(SlotSet("municipality", place.name))
        age = resident.get("age_years")
        if isinstance(age, (int, float)) and tracker.get_slot("resident_age") != age:
            events.append(SlotSet("resident_age", float(age)))
        return events
