"""How `make questions` judges a conversation: capability, fallback, echoed identifiers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tools.questions_eval import (
    CASES_FILE,
    Outcome,
    load_cases,
    read_transcript,
    summarise,
)


def outcome(expected: str, messages: list[str], intents: list[str | None],
            actions: list[list[str]], replies: list[str] | None = None) -> Outcome:
    return Outcome({"id": "x", "category": "c", "expected": expected, "messages": messages},
                   intents, actions, replies or [])


def test_the_capability_needs_its_intent_and_its_action() -> None:
    asked = outcome("opening_hours", ["öppettider vc?", "Lerum"],
                    ["ask_opening_hours", "inform_municipality"],
                    [["location_form", "action_ask_municipality"],
                     ["location_form", "action_answer_care_question"]])
    assert asked.right and not asked.fell_back
    wrong = outcome("opening_hours", ["öppettider vc?"], ["ask_where_care"],
                    [["location_form", "action_answer_care_question"]])
    assert not wrong.right
    rescued = outcome("privacy", ["sparas mitt pnr?", "/ask_privacy"],
                      ["nlu_fallback", "ask_privacy"],
                      [["action_fallback_suggest"], ["action_privacy"]])
    assert rescued.right and rescued.fell_back


def test_a_112_answered_by_the_web_app_counts_as_the_emergency_it_read() -> None:
    read = outcome("triage", ["hej", "min man har tryck över bröstet"], [], [])
    read_transcript(read, [
        {"role": "user", "intent": "greet", "payload": {"actions": ["utter_greet"]}},
        {"role": "bot", "intent": None, "payload": None},
        {"role": "user", "intent": None, "payload": None},
        {"role": "event", "intent": None, "payload": {"kind": "emergency_answered_in_web"}},
        {"role": "bot", "intent": None, "payload": None},
    ])
    assert read.intents == ["greet", "emergency"] and read.right


def test_an_identifier_the_resident_wrote_must_not_come_back() -> None:
    echo = outcome("listed_unit", ["mitt pnr 19850101-1234, vilken vc?"], ["ask_listed_unit"],
                   [["action_listed_unit"]], ["Du skrev 850101 1234, din vårdcentral är ..."])
    assert echo.echoed == ["198501011234"]   # repeated without the century
    exact = outcome("human", ["ring mig på 070-123 45 67"], ["request_human"],
                    [["action_offer_human"]], ["Vi ringer 0701234567."])
    assert exact.echoed == ["0701234567"]
    not_an_identifier = outcome("care_guarantee", ["vad betyder 0-3-90-90"],
                                ["ask_care_guarantee"], [["action_care_guarantee"]],
                                ["Vårdgarantin 0–3–90–90 innebär ..."])
    assert not_an_identifier.echoed == []
    our_number = outcome("human", ["ring mig"], ["request_human"], [["action_offer_human"]],
                         ["Ring 1177 eller 0771-900 600."])
    assert our_number.echoed == []


def test_summary_counts_in_scope_fallbacks_only() -> None:
    report = summarise([
        outcome("out_of_scope", ["vädret?"], ["nlu_fallback"], [["action_fallback_suggest"]]),
        outcome("greet", ["hej"], ["greet"], [["utter_greet"]]),
        outcome("capabilities", ["vad kan du"], ["nlu_fallback"], [["action_fallback_suggest"]]),
    ])
    assert (report.right, report.in_scope, report.fallback_in_scope) == (1, 2, 1)
    assert report.confusions == {"out_of_scope -> nlu_fallback": 1,
                                 "capabilities -> nlu_fallback": 1}


def test_the_committed_case_set_is_well_formed() -> None:
    if not CASES_FILE.exists():
        pytest.skip("no committed case set yet")
    cases = load_cases(CASES_FILE)
    assert len({case["id"] for case in cases}) == len(cases) >= 150


def test_unknown_capabilities_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "cases.yaml"
    bad.write_text('cases:\n  - {id: a, expected: weather, messages: ["x"]}\n', encoding="utf-8")
    with pytest.raises(ValueError):
        load_cases(bad)
