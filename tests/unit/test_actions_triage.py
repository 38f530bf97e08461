"""The triage actions as thin adapters, with tracker fixtures (no Rasa server)."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.bootstrap import triage_engine as engine
from actions.triage import ActionEmergency


def tracker(text: str, state: dict[str, Any] | None, intent: str = "emergency",
            events: list[dict[str, Any]] | None = None) -> Tracker:
    return Tracker(
        sender_id="test", slots={"triage_state": state}, latest_message={
            "text": text, "intent": {"name": intent, "confidence": 0.7}, "metadata": {}},
        events=events or [], paused=False, followup_action=None, active_loop={},
        latest_action_name="action_listen")


def run(action: Any, track: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, track, {}))
    return events, dispatcher.messages


def ongoing_sore_throat() -> dict[str, Any]:
    return engine().advance(None, "jag har haft ont i halsen i två dagar").state.to_dict()


def test_a_red_flag_during_triage_gives_112_and_the_result() -> None:
    events, messages = run(ActionEmergency(), tracker("nu får jag ingen luft alls",
                                                      ongoing_sore_throat()))
    assert messages[0]["text"].startswith("Ring 112")
    result = messages[-1]["custom"]
    assert result["type"] == "triage_result" and result["level"] == "emergency"
    assert {"event": "slot", "name": "triage_answer", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events]


def test_the_classifier_alone_does_not_end_a_triage_with_112() -> None:
    events, messages = run(ActionEmergency(), tracker("har inte tagit nån alvedon än",
                                                      ongoing_sore_throat()))
    assert messages == []
    assert events[-1] == {"event": "followup", "name": "triage_form", "timestamp": None}
    kept = next(e["value"] for e in events if e.get("name") == "triage_state")
    assert kept["texts"][-1] == "har inte tagit nån alvedon än"   # read, not dropped


def test_outside_a_triage_a_stated_emergency_still_gets_112() -> None:
    _events, messages = run(ActionEmergency(), tracker("det är akut, ring ambulans", None))
    assert messages[0]["text"].startswith("Ring 112")
    assert messages[-1]["custom"]["level"] == "emergency"


def test_outside_a_triage_112_reads_the_message_before() -> None:
    said = ["pappa satte i halsen på köttet", "han kan inte hosta och blir blå"]
    _, messages = run(ActionEmergency(), tracker(said[1], None, events=[
        {"event": "user", "text": text} for text in said]))
    result = messages[-1]["custom"]
    assert result["level"] == "emergency" and "choking" in result["reasons"]
