"""The care actions as thin adapters, with tracker fixtures (no Rasa server, no database)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.care as care_actions
from bot.care.directory import content_directory
from bot.content.texts import texts


@pytest.fixture(autouse=True)
def directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(care_actions, "care_directory", content_directory)


def tracker(text: str, slots: dict[str, Any] | None = None,
            entities: list[dict[str, Any]] | None = None) -> Tracker:
    return Tracker(
        sender_id="conv-1", slots=slots or {}, latest_message={
            "text": text, "intent": {"name": "inform_municipality", "confidence": 0.9},
            "entities": entities or [], "metadata": {}},
        events=[], paused=False, followup_action=None, active_loop={},
        latest_action_name="action_listen")


def run(action: Any, track: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    return asyncio.run(action.run(dispatcher, track, {})), dispatcher.messages


def test_a_named_place_becomes_the_municipality_slot() -> None:
    events, messages = run(care_actions.ActionSetMunicipality(), tracker(
        "jag är i Varberg", entities=[{"entity": "municipality", "value": "Varberg"}]))
    assert {"event": "slot", "name": "municipality", "value": "Varberg",
            "timestamp": None} in events
    assert "Varberg" in messages[0]["text"]


def test_the_sources_wait_in_their_slot() -> None:
    _, messages = run(care_actions.ActionShowSources(), tracker("visa källor",
                                                               {"last_sources": "Källor: X"}))
    assert messages[0]["text"] == "Källor: X"
    _, messages = run(care_actions.ActionShowSources(), tracker("visa källor"))
    assert messages[0]["text"] == texts()["no_sources"]


def test_the_location_form_asks_only_without_a_place() -> None:
    form = care_actions.ValidateLocationForm()
    asked = asyncio.run(form.required_slots(["municipality"], CollectingDispatcher(),
                                            tracker("var ska jag åka"), {}))
    known = asyncio.run(form.required_slots(["municipality"], CollectingDispatcher(),
                                            tracker("var ska jag åka",
                                                    {"municipality": "Borås"}), {}))
    assert asked == ["municipality"] and known == []
