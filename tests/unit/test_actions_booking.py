"""The booking actions as thin adapters, with tracker fixtures and the in-memory service."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.booking as booking_actions
from bot.care.directory import content_directory
from tests.unit.test_booking_conversation import FakeBookingService


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeBookingService:
    service = FakeBookingService()
    monkeypatch.setattr(booking_actions, "booking_service", lambda: service)
    monkeypatch.setattr(booking_actions, "care_directory", content_directory)
    # A verified resident listed at Majorna, without the web app's seal machinery.
    monkeypatch.setattr(booking_actions, "resident_id", lambda tracker: "resident-1")
    monkeypatch.setattr(booking_actions, "listed_unit", lambda tracker: "narhalsan_majorna")
    return service


def tracker(text: str, slots: dict[str, Any] | None = None,
            intent: str = "book_appointment") -> Tracker:
    return Tracker(
        sender_id="conv-1", slots=slots or {}, latest_message={
            "text": text, "intent": {"name": intent, "confidence": 0.9}, "metadata": {}},
        events=[], paused=False, followup_action=None, active_loop={},
        latest_action_name="action_listen")


def test_start_turns_the_reply_into_slot_events_and_the_form(
        fake: FakeBookingService) -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(booking_actions.ActionBookStart().run(
        dispatcher, tracker("boka tid för mitt eksem"), {}))
    assert events[-1] == {"event": "followup", "name": "booking_form", "timestamp": None}
    assert {"event": "slot", "name": "booking_reason", "value": "boka tid för mitt eksem",
            "timestamp": None} in events
    assert dispatcher.messages == []


def test_a_validator_returns_the_slots_and_sends_the_texts(fake: FakeBookingService) -> None:
    dispatcher = CollectingDispatcher()
    result = asyncio.run(booking_actions.ValidateBookingForm().validate_booking_kind(
        "vet inte", dispatcher, tracker("vet inte"), {}))
    assert result == {"booking_kind": None}
    assert dispatcher.messages[0]["text"]


def test_submit_sends_the_text_and_the_booking_payload(fake: FakeBookingService) -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(booking_actions.ActionSubmitBooking().run(dispatcher, tracker(
        "ja", {"booking_confirm": "yes", "booking_slot": "3"}, "affirm"), {}))
    assert 3 in fake.taken
    assert dispatcher.messages[-1]["custom"]["type"] == "booking"
    assert all(event["value"] is None for event in events)
