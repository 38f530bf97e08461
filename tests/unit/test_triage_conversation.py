"""The triage conversation service: every message read, questions, outcome, 112, why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.care.calendar import TZ
from bot.care.directory import content_directory
from bot.care.routing import ResidentContext
from bot.content.texts import texts
from bot.contract import violations
from bot.triage.conversation import ANSWER, DONE, FORM, STATE, TriageConversation, TriageTurn
from bot.triage.engine import TriageEngine

NOW = dt.datetime(2026, 12, 8, 10, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def triage() -> TriageConversation:
    return TriageConversation(TriageEngine(), content_directory())


def turn(text: str, state: dict[str, Any] | None = None, **changes: Any) -> TriageTurn:
    return TriageTurn(text=text, now=NOW, state=state, **changes)


def customs(reply: Any) -> list[dict[str, Any]]:
    return [m.custom for m in reply.messages if m.custom]


def test_a_complaint_is_read_and_a_question_asked(triage: TriageConversation) -> None:
    read = triage.read(turn("ont i halsen sen tre dagar"), None)
    assert read.slots[ANSWER] is None and read.slots[STATE]["texts"]
    asked = triage.ask(turn("", read.slots[STATE], pending=True))
    question = customs(asked)[0]
    assert question["type"] == "triage_question" and violations(question) == []
    assert asked.messages[0].buttons[0] == (texts()["button_yes"], "/affirm")


def test_an_answer_to_the_last_question_gives_the_outcome(triage: TriageConversation) -> None:
    state = triage.read(turn("jag är förkyld och snorig sen igår"), None).slots[STATE]
    for _ in range(8):
        asked = triage.ask(turn("", state, pending=True))
        if asked.slots.get(ANSWER) == DONE:
            break
        read = triage.read(turn("nej", asked.slots[STATE], pending=True, intent="deny"), None)
        state = read.slots[STATE]
        if read.slots[ANSWER] == DONE:
            break
    outcome = triage.outcome(turn("", state, resident=ResidentContext(municipality="Borås")))
    result = customs(outcome)[-1]
    assert result["type"] == "triage_result" and violations(result) == []
    assert result["care_options"] and outcome.slots[ANSWER] is None


def test_a_red_flag_gives_112_first(triage: TriageConversation) -> None:
    reply = triage.emergency(turn("min pappa har blivit sned i ansiktet och pratar sluddrigt"))
    assert reply.messages[0].text.startswith("Ring 112")
    assert customs(reply)[-1]["level"] == "emergency"


def test_the_classifier_alone_does_not_end_a_triage(triage: TriageConversation) -> None:
    state = triage.read(turn("ont i halsen sen tre dagar"), None).slots[STATE]
    reply = triage.emergency(turn("har inte tagit nån alvedon än", state))
    assert reply.next_action == FORM and not reply.messages
    assert reply.slots[STATE]["texts"][-1] == "har inte tagit nån alvedon än"


def test_a_message_the_classifier_called_an_emergency_is_still_read(
        triage: TriageConversation) -> None:
    """The form rejects an "emergency" message, so the 112 step is what reads it: a
    saturation of 92 and fast breathing in an old man's fever make it urgent, not 112."""
    state = triage.read(turn("my father is 77, he has had fever 38.9 and a bad cough for "
                             "three days"), None).slots[STATE]
    state = triage.ask(turn("", state, pending=True)).slots[STATE]
    reply = triage.emergency(turn("he breathes faster than normal, the oximeter shows 92, "
                                  "he is tired but knows where he is", state))
    kept = reply.slots[STATE]
    assert len(kept["texts"]) == 2 and kept["facts"]["spo2"] == 92
    assert "oxygen_saturation_borderline_with_infection" in kept["red_flags"]
    assert reply.next_action == FORM and not reply.messages   # the form asks on


def test_why_a_question_is_asked(triage: TriageConversation) -> None:
    state = triage.read(turn("ont i magen"), None).slots[STATE]
    state = triage.ask(turn("", state, pending=True)).slots[STATE]
    assert triage.explain(turn("varför frågar du det?", state)).messages[0].text
    assert triage.explain(turn("varför?")).messages[0].text == texts()["why_generic"]


def test_a_question_back_or_a_request_for_a_nurse_is_still_read(
        triage: TriageConversation) -> None:
    """The form takes no "ask_why", "request_human" or "bot_challenge" message as an answer;
    what such a message says besides is kept, and the pending question stays."""
    state = triage.read(turn("ont i halsen sen tre dagar"), None).slots[STATE]
    state = triage.ask(turn("", state, pending=True)).slots[STATE]
    pending = state["pending"]
    why = triage.explain(turn("varför frågar du det? hon har 39,5 i feber nu", state))
    assert why.messages[0].text and why.slots[STATE]["facts"]["temperature"] == 39.5
    assert why.slots[STATE]["pending"] == pending
    human = triage.aside(turn("kan jag få prata med en sköterska istället",
                              why.slots[STATE]))
    assert human.slots[STATE]["texts"] == why.slots[STATE]["texts"]   # nothing new: not kept
    finished = triage.outcome(turn("", state)).slots[STATE]
    assert triage.aside(turn("hon har 40 nu", finished)).slots[STATE] == finished


def test_outside_a_triage_the_112_answer_reads_the_message_before(
        triage: TriageConversation) -> None:
    """"PAPPA SATTE I HALSEN PÅ KÖTTET" (no triage started), then the signs: the 112 answer
    is the one for choking, with its first aid."""
    reply = triage.emergency(turn("han kan inte hosta eller prata och blir blå",
                                  earlier="pappa satte i halsen på köttet"))
    result = customs(reply)[-1]
    assert result["level"] == "emergency" and "choking" in result["reasons"]


def test_a_triage_keeps_the_measured_signs_of_the_message_before(
        triage: TriageConversation) -> None:
    """Set U: "blodtryck 210/120 hemma nyss" was not understood alone; the next message,
    "har huvudvärk", starts the triage and the pressure still counts. Not the earlier
    message's age: it may be someone else's."""
    read = triage.read(turn("har huvudvärk o ser lite flimmer i ögonen",
                            earlier="blodtryck 210/120 hemma nyss"), None)
    state = read.slots[STATE]
    assert state["facts"]["systolic"] == 210 and "very_high_blood_pressure_with_symptoms" in (
        state["red_flags"])
    read = triage.read(turn("jag har ont i halsen", earlier="min dotter är 2 år"), None)
    assert read.slots[STATE]["facts"]["age_years"] is None
