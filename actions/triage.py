"""Triage actions: thin adapters between the Rasa form and bot.triage.

The conversation state of a triage lives in the `triage_state` slot (a plain dict), so any
action server replica can continue any conversation.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.bootstrap import care_directory, triage_engine
from actions.context import routing_context
from actions.reply import send
from bot.care.calendar import now
from bot.care.routing import ResidentContext, route
from bot.content.texts import texts
from bot.contract import triage_result
from bot.triage.engine import Disposition, TriageState
from bot.triage.wording import ask_message, disposition_messages

DONE = "done"


def result_for(disposition: Disposition, context: ResidentContext) -> dict[str, Any]:
    """The triage contract's custom message, with care options for this resident."""
    return triage_result(disposition, route(disposition, now(), context, care_directory()))


def send_disposition(dispatcher: CollectingDispatcher, disposition: Disposition,
                     tracker: Tracker) -> None:
    for message in disposition_messages(disposition):
        send(dispatcher, message)
    context = routing_context(tracker, disposition.facts.age_years)
    dispatcher.utter_message(json_message=result_for(disposition, context))


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


class ValidateTriageForm(FormValidationAction):
    def name(self) -> str:
        return "validate_triage_form"

    async def validate_triage_answer(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: dict[str, Any]
                                     ) -> dict[str, Any]:
        # At activation no slot has been requested yet: nothing is pending, but what the
        # resident said earlier in the conversation still counts.
        state = TriageState.from_dict(tracker.get_slot("triage_state"))
        if tracker.get_slot("requested_slot") != "triage_answer":
            state.pending, state.retries = None, 0
        turn = triage_engine().advance(state, latest_text(tracker) or str(value or ""),
                                latest_intent(tracker))
        return {"triage_answer": DONE if turn.disposition else None,
                "triage_state": turn.state.to_dict()}


class ActionAskTriageAnswer(Action):
    """Asks the question the engine chose (the form calls it while the answer is missing)."""

    def name(self) -> str:
        return "action_ask_triage_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        state = TriageState.from_dict(tracker.get_slot("triage_state"))
        turn = triage_engine().ask_again(state)
        if turn.ask is not None:
            send(dispatcher, ask_message(turn.ask))
            return [SlotSet("triage_state", turn.state.to_dict())]
        # Nothing left to ask: let the form finish with the outcome.
        return [SlotSet("triage_state", turn.state.to_dict()), SlotSet("triage_answer", DONE)]


class ActionTriageResult(Action):
    def name(self) -> str:
        return "action_triage_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        state = TriageState.from_dict(tracker.get_slot("triage_state"))
        if state.disposition is None:
            state = triage_engine().conclude(state).state
        assert state.disposition is not None
        send_disposition(dispatcher, Disposition.from_dict(state.disposition), tracker)
        return [SlotSet("triage_state", state.to_dict()), SlotSet("triage_answer", None)]


class ActionEmergency(Action):
    """A red flag (or a stated emergency) in any state: 112 first, nothing else asked.
    Outside a triage the classifier's "emergency" alone is enough (a safety net for "det är
    akut, ring ambulans"); inside one, the red-flag rules decide."""

    def name(self) -> str:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        state = TriageState.from_dict(tracker.get_slot("triage_state"))
        text = latest_text(tracker)
        if state.texts and not triage_engine().rules_say_emergency(state, text):
            # Only the classifier said "emergency", in a conversation being triaged ("har
            # inte tagit nån alvedon än"): the rules decide, and the triage goes on.
            return [FollowupAction("triage_form")]
        disposition = triage_engine().emergency(state, text)
        send_disposition(dispatcher, disposition, tracker)
        return [SlotSet("triage_state", state.to_dict()), SlotSet("triage_answer", None)]


class ActionExplainQuestion(Action):
    """ "Varför frågar du det?" """

    def name(self) -> str:
        return "action_explain_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        state = TriageState.from_dict(tracker.get_slot("triage_state"))
        why = triage_engine().why(state) if not state.finished else None
        dispatcher.utter_message(text=why or texts()["why_generic"])
        return []
