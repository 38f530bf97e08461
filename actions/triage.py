"""Triage actions: the tracker into a `TriageTurn`, bot.triage's `Reply` back out."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.bootstrap import care_directory, triage_engine
from actions.context import routing_context
from actions.reply import StepAction, slots
from bot.care.calendar import now
from bot.triage.conversation import ANSWER, STATE, TriageConversation, TriageTurn

Events = list[dict[str, Any]]


def conversation() -> TriageConversation:
    return TriageConversation(triage_engine(), care_directory())


def turn(tracker: Tracker) -> TriageTurn:
    return TriageTurn(
        text=tracker.latest_message.get("text") or "", now=now(),
        intent=(tracker.latest_message.get("intent") or {}).get("name"),
        state=tracker.get_slot(STATE), pending=tracker.get_slot("requested_slot") == ANSWER,
        resident=routing_context(tracker))


def earlier_text(tracker: Tracker) -> str | None:
    """The text of the resident's message before the newest one."""
    said = (event.get("text") for event in reversed(tracker.events)
            if event.get("event") == "user")
    next(said, None)
    return next(said, None)


class TriageAction(StepAction):
    def service(self) -> TriageConversation:
        return conversation()

    def turn(self, tracker: Tracker) -> TriageTurn:
        return turn(tracker)


class ActionAskTriageAnswer(TriageAction):
    """Asks the question the engine chose (the form calls it while the answer is missing)."""
    action_name, step = "action_ask_triage_answer", "ask"


class ActionTriageResult(TriageAction):
    action_name, step = "action_triage_result", "outcome"


class ActionEmergency(TriageAction):
    """A red flag (or a stated emergency) in any state: 112 first, nothing else asked."""
    action_name, step = "action_emergency", "emergency"

    def turn(self, tracker: Tracker) -> TriageTurn:
        # Outside a triage the message before may hold half of the danger sign.
        return replace(turn(tracker), earlier=earlier_text(tracker))


class ActionExplainQuestion(TriageAction):
    """ "Varför frågar du det?" """
    action_name, step = "action_explain_question", "explain"


class ActionNoteTriageMessage(TriageAction):
    """During a triage, reads a message the form did not take (a request for a nurse, "är du
    en robot?"), so what else it says counts."""
    action_name, step = "action_note_triage_message", "aside"


class ValidateTriageForm(FormValidationAction):
    def name(self) -> str:
        return "validate_triage_form"

    async def validate_triage_answer(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: dict[str, Any]) -> dict:
        return slots(dispatcher, conversation().read(
            replace(turn(tracker), earlier=earlier_text(tracker)), value))
