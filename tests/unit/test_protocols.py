"""Every protocol in bot/content/protocols against its cases in protocol_cases.yml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.triage.engine import MAX_QUESTIONS, TriageEngine
from bot.triage.levels import Level
from bot.triage.protocols import GENERAL, protocols

CASES = yaml.safe_load((Path(__file__).parent / "protocol_cases.yml").read_text("utf-8"))
CASES = CASES["protocols"]
PROTOCOLS = protocols()
ENGINE = TriageEngine()

SELECTS = [(pid, text) for pid, c in CASES.items() for text in c.get("selects", [])]
NOT_SELECTED = [(pid, text) for pid, c in CASES.items() for text in c.get("not_selected", [])]
OUTCOMES = [(pid, o) for pid, c in CASES.items() for o in c.get("outcomes", [])]


def test_at_least_35_protocols_each_with_cases() -> None:
    triage = [p for p in PROTOCOLS.values() if p.kind == "triage"]
    assert len(triage) >= 35
    assert set(PROTOCOLS) <= set(CASES), f"without cases: {set(PROTOCOLS) - set(CASES)}"
    for pid, case in CASES.items():
        # The general protocol is chosen when no words name another: nothing selects it.
        assert len(case.get("selects", [])) >= 4 or PROTOCOLS[pid].kind == GENERAL, pid
        assert case.get("not_selected"), pid
        assert len(case.get("outcomes", [])) >= 2 or PROTOCOLS[pid].kind != "triage", pid


def test_protocols_are_well_formed() -> None:
    for protocol in PROTOCOLS.values():
        assert protocol.self_care and protocol.seek_care_if, protocol.id
        if protocol.kind == "triage":
            raising = [q for q in protocol.questions if q.yes > protocol.default_level]
            assert raising, f"{protocol.id}: no question can raise the level"
            assert any(q.yes == Level.EMERGENCY or q.to_emergency_department or
                       q.yes == Level.URGENT for q in protocol.questions), protocol.id


def _offered(text: str) -> set[str]:
    return set(ENGINE.advance(None, text).state.protocols)


@pytest.mark.parametrize(("protocol_id", "text"), SELECTS)
def test_text_selects_protocol(protocol_id: str, text: str) -> None:
    assert protocol_id in _offered(text)


@pytest.mark.parametrize(("protocol_id", "text"), NOT_SELECTED)
def test_negated_text_does_not_select(protocol_id: str, text: str) -> None:
    assert protocol_id not in _offered(text)


@pytest.mark.parametrize(("protocol_id", "outcome"), OUTCOMES)
def test_dialogue_outcome(protocol_id: str, outcome: dict) -> None:
    turn = ENGINE.advance(None, outcome["text"])
    by_question = outcome.get("answers") if isinstance(outcome.get("answers"), dict) else None
    answers = [] if by_question is not None else list(outcome.get("answers", []))
    # The answers in order, then "nej" to whatever else is asked (another complaint in the
    # text may add questions).
    for _ in range(MAX_QUESTIONS + 2):
        if turn.disposition is not None:
            break
        if by_question is not None:
            reply = by_question.get(turn.ask.id if turn.ask else "", "nej")
        else:
            reply = answers.pop(0) if answers else "nej"
        turn = ENGINE.advance(turn.state, reply)
    assert turn.disposition is not None, turn.ask
    assert turn.disposition.level == Level.parse(outcome["expected"]), turn.disposition.reasons
