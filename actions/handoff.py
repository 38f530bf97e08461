"""The resident asks for a human: offer 1177 and, when known, their listed vårdcentral.

There is no live handoff yet, so the action points to the people who can help.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.bootstrap import care_directory
from actions.context import listed_unit
from bot.content.texts import render


class ActionOfferHuman(Action):
    def name(self) -> str:
        return "action_offer_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        unit = care_directory().units.get(listed_unit(tracker) or "")
        if unit is not None:
            dispatcher.utter_message(text=render("offer_human_listed", listed_unit=unit.name,
                                                 phone=unit.phone))
        else:
            dispatcher.utter_message(text=render("offer_human"))
        return []
