"""The reply contract: every builder's payload keeps the schema the widget and console read."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.booking.service import Booking
from bot.care.calendar import TZ
from bot.care.directory import content_directory
from bot.care.routing import ResidentContext, route
from bot.care.wording import where_care_options
from bot.contract import (
    SCHEMA,
    booking_payload,
    care_options,
    triage_question,
    triage_result,
    violations,
)
from bot.triage.degraded import emergency_messages, messages_when_unavailable
from bot.triage.engine import TriageEngine
from bot.triage.wording import ask_message

NOW = dt.datetime(2026, 12, 7, 21, 30, tzinfo=TZ)


@pytest.fixture(scope="module")
def engine() -> TriageEngine:
    return TriageEngine()


@pytest.mark.parametrize("text", [
    "jag har ont i halsen sen tre dagar och feber",
    "plötsligt sned i ansiktet och kan inte prata",
    "min son 2 år har kräkts i natt",
])
def test_triage_results_keep_the_contract(engine: TriageEngine, text: str) -> None:
    state = engine.advance(None, text).state
    disposition = engine.conclude(state).disposition
    assert disposition is not None
    options = route(disposition, NOW, ResidentContext(municipality="Borås"),
                    content_directory())
    assert violations(triage_result(disposition, options)) == []
    assert violations(triage_result(disposition, options, degraded=True)) == []


def test_questions_keep_the_contract(engine: TriageEngine) -> None:
    turn = engine.advance(None, "ont i magen")
    assert turn.ask is not None
    assert violations(ask_message(turn.ask).custom) == []
    assert violations(triage_question("__age__")) == []


def test_care_options_and_bookings_keep_the_contract() -> None:
    options = where_care_options(NOW, ResidentContext(municipality="Varberg"),
                                 content_directory())
    assert options and violations(care_options(options)) == []
    booking = Booking("VL-ACDEFH", "narhalsan_majorna",
                      dt.datetime(2026, 12, 8, 10, tzinfo=TZ), "video", "booked")
    for action in ("booked", "rebooked", "cancelled"):
        assert violations(booking_payload(action, booking, "Närhälsan Majorna")) == []


def test_the_degraded_answer_keeps_the_contract() -> None:
    text = "jag har jätteont i bröstet och kallsvettas"
    for messages in (emergency_messages(text), messages_when_unavailable(text)):
        customs = [m["custom"] for m in messages or [] if "custom" in m]
        assert customs and all(violations(custom) == [] for custom in customs)


def test_the_schema_catches_what_the_widget_cannot_read() -> None:
    assert violations({"type": "triage_result", "level": "soon", "protocol": None,
                       "reasons": [], "care_options": []})
    assert violations({"type": "booking", "action": "booked", "reference": "123"})
    assert violations({"type": "surprise"})
    assert set(SCHEMA) == {"triage_question", "triage_result", "care_options", "booking"}
