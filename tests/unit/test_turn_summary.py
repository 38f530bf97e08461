"""The gateway channel's reads of Rasa's SQL tracker store: the newest turn's summary for the
web app's log, and the previous message for the NLU guards, against a real SQLite store."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue.channel import PreviousMessage, previous_message, turn_summary


def user(text: str, intent: str, confidence: float) -> UserUttered:
    return UserUttered(text, intent={"name": intent, "confidence": confidence},
                       parse_data={"intent": {"name": intent, "confidence": confidence},
                                   "intent_ranking": [{"name": intent, "confidence": confidence},
                                                      {"name": "greet", "confidence": 0.01}],
                                   "red_flags": [], "text": text, "entities": []})


def agent_with(tmp_path, events) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    tracker = DialogueStateTracker.from_events("resident-1", events)
    asyncio.run(store.save(tracker))
    return SimpleNamespace(tracker_store=store)


def test_the_newest_turn_is_summarised_from_its_rows(tmp_path) -> None:  # type: ignore[no-untyped-def]
    agent = agent_with(tmp_path, [
        ActionExecuted("action_listen"), user("hej", "greet", 0.99),
        ActionExecuted("utter_greet"), ActionExecuted("action_listen"),
        user("när öppnar vc", "ask_opening_hours", 0.87), ActionExecuted("location_form"),
        SlotSet("requested_slot", "municipality"), ActionExecuted("action_listen"),
    ])
    summary = asyncio.run(turn_summary(agent, "resident-1"))
    assert summary["intent"] == "ask_opening_hours" and summary["confidence"] == 0.87
    assert summary["actions"] == ["location_form"]
    assert summary["top_intents"] == [["ask_opening_hours", 0.87], ["greet", 0.01]]
    assert asyncio.run(previous_message(agent, "resident-1")) == PreviousMessage(
        "ask_opening_hours", "när öppnar vc", ())


def test_a_new_conversation_has_no_previous_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    agent = agent_with(tmp_path, [ActionExecuted("action_listen")])
    assert asyncio.run(previous_message(agent, "resident-2")) == PreviousMessage()
    assert asyncio.run(previous_message(agent, "resident-1")) == PreviousMessage()


def test_the_previous_message_brings_its_red_flags(tmp_path) -> None:  # type: ignore[no-untyped-def]
    said = UserUttered("ont i bröstet", intent={"name": "describe_symptom", "confidence": 1.0},
                       parse_data={"intent": {"name": "describe_symptom", "confidence": 1.0},
                                   "red_flags": [{"id": "chest_pain", "level": "urgent"}],
                                   "text": "ont i bröstet", "entities": []})
    agent = agent_with(tmp_path, [ActionExecuted("action_listen"), said])
    assert asyncio.run(previous_message(agent, "resident-1")).red_flags == ("chest_pain",)
