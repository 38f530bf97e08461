"""Care navigation actions: the tracker into a `CareTurn`, bot.care's `Reply` back out."""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.bootstrap import care_directory
from actions.context import routing_context
from actions.reply import StepAction, slots
from bot.care.calendar import now
from bot.care.conversation import CARE_QUESTIONS, SOURCES_SLOT, CareConversation, CareTurn

Events = list[dict[str, Any]]


def last_care_question(tracker: Tracker) -> tuple[str | None, str]:
    """The most recent care question's intent and text (the form came in between). A button
    chosen after a misunderstanding ("/ask_opening_hours") stands for the resident's own
    words just before it, which may name the place or the unit."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    for index in range(len(users) - 1, -1, -1):
        event = users[index]
        intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
        if intent in CARE_QUESTIONS:
            text = event.get("text") or ""
            if text.startswith("/") and index > 0:
                before = users[index - 1].get("text") or ""
                text = "" if before.startswith("/") else before
            return intent, text
    return None, ""


def turn(tracker: Tracker) -> CareTurn:
    return CareTurn(
        text=tracker.latest_message.get("text") or "", now=now(),
        resident=routing_context(tracker),
        place_said=next(tracker.get_latest_entity_values("municipality"), None),
        question=last_care_question(tracker), triage_state=tracker.get_slot("triage_state"),
        sources=tracker.get_slot(SOURCES_SLOT))


class CareAction(StepAction):
    def service(self) -> CareConversation:
        return CareConversation(care_directory())

    def turn(self, tracker: Tracker) -> CareTurn:
        return turn(tracker)


class ActionSetMunicipality(CareAction):
    action_name, step = "action_set_municipality", "set_municipality"


class ActionAskMunicipality(CareAction):
    action_name, step = "action_ask_municipality", "ask_municipality"


class ActionAnswerCareQuestion(CareAction):
    action_name, step = "action_answer_care_question", "answer_care_question"


class ActionListedUnit(CareAction):
    action_name, step = "action_listed_unit", "listed_unit"


class ActionVideoVisit(CareAction):
    action_name, step = "action_video_visit", "video_visit"


class ActionChangeUnit(CareAction):
    action_name, step = "action_change_unit", "change_unit"


class ActionCareGuarantee(CareAction):
    action_name, step = "action_care_guarantee", "care_guarantee"


class ActionShowSources(CareAction):
    action_name, step = "action_show_sources", "show_sources"


class ValidateLocationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_location_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: dict[str, Any]) -> list[str]:
        return domain_slots if CareConversation.needs_municipality(turn(tracker)) else []

    async def validate_municipality(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: dict[str, Any]) -> dict:
        return slots(dispatcher, CareConversation(care_directory()).validate_municipality(
            turn(tracker), value))
