"""Every red flag in bot/content/red_flags.yml against its cases in red_flag_cases.yml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.triage.engine import TriageEngine
from bot.triage.levels import Level
from bot.triage.red_flags import red_flags, screen

CASES = yaml.safe_load((Path(__file__).parent / "red_flag_cases.yml").read_text("utf-8"))["cases"]
FLAGS = {flag.id: flag for flag in red_flags()}
FIRES = [(c["flag"], text) for c in CASES for text in c.get("fires", [])]
SILENT = [(c["flag"], text) for c in CASES for text in c.get("silent", [])]
EMERGENCY_TEXTS = [text for flag_id, text in FIRES if FLAGS[flag_id].level == Level.EMERGENCY]

ORDINARY = [
    "jag har ont i halsen",
    "hosta och snuva sedan tre dagar",
    "min dotter har 38,5 i feber men är pigg",
    "ont i ryggen efter träning",
    "huvudvärk sen igår",
    "jag har inte ont i bröstet",
    "jag vill förnya mitt recept",
    "mitt barn har utslag på magen",
    "jag har inte svårt att andas",
    "jag mår bra, har ingen feber",
    "Hej! Jag undrar när vårdcentralen öppnar",
]


def test_there_are_enough_red_flags_and_each_has_cases() -> None:
    assert len(FLAGS) >= 25
    covered = {c["flag"] for c in CASES}
    assert set(FLAGS) <= covered, f"flags without cases: {set(FLAGS) - covered}"
    for case in CASES:
        assert len(case.get("fires", [])) >= 4, case["flag"]
        assert len(case.get("silent", [])) >= 2, case["flag"]


@pytest.mark.parametrize(("flag_id", "text"), FIRES)
def test_flag_fires(flag_id: str, text: str) -> None:
    assert flag_id in {hit.flag.id for hit in screen(text)}


@pytest.mark.parametrize(("flag_id", "text"), SILENT)
def test_flag_stays_silent(flag_id: str, text: str) -> None:
    assert flag_id not in {hit.flag.id for hit in screen(text)}


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_messages_fire_nothing(text: str) -> None:
    assert screen(text) == []


def test_every_flag_response_gives_a_phone_number() -> None:
    for flag in FLAGS.values():
        assert any(ch.isdigit() for ch in flag.response), flag.id
        if flag.level == Level.EMERGENCY:
            assert "112" in flag.response, flag.id


ENGINE = TriageEngine()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.text(max_size=60), red_flag=st.sampled_from(EMERGENCY_TEXTS),
       answers=st.lists(st.sampled_from(["ja", "nej", "vet inte", "/deny", "hmm"]), max_size=3))
def test_appending_a_red_flag_never_lowers_the_level(prefix: str, red_flag: str,
                                                     answers: list[str]) -> None:
    """Any message plus a red-flag phrase, with any later answers, ends as an emergency."""
    turn = ENGINE.advance(None, f"{prefix}. {red_flag}")
    for answer in answers:
        if turn.state.finished:
            break
        turn = ENGINE.advance(turn.state, answer)
    assert turn.disposition is not None
    assert turn.disposition.level == Level.EMERGENCY


@settings(max_examples=100, deadline=None)
@given(start=st.sampled_from(ORDINARY), red_flag=st.sampled_from(EMERGENCY_TEXTS))
def test_a_red_flag_in_a_later_answer_wins(start: str, red_flag: str) -> None:
    turn = ENGINE.advance(None, start)
    if not turn.state.finished:
        turn = ENGINE.advance(turn.state, red_flag)
    else:
        turn = ENGINE.advance(None, red_flag)
    assert turn.disposition is not None and turn.disposition.level == Level.EMERGENCY


def test_gates_only_skip_flags_that_cannot_fire(monkeypatch: pytest.MonkeyPatch) -> None:
    """Screening looks only at the flags whose gate group a message touches; checking every
    flag gives the same hits and evidence on every case text and pairs of them."""
    import bot.triage.red_flags as module

    texts = [text for _, text in FIRES + SILENT] + ORDINARY
    texts += [a + " " + b for a, b in zip(texts[::5], texts[2::5], strict=False)]
    gated = [[(h.flag.id, h.evidence) for h in screen(text)] for text in texts]

    class Everything:
        def __init__(self, flags: tuple) -> None:
            self.flags = flags

        def candidates(self, present: object) -> list:
            return list(self.flags)

    monkeypatch.setattr(module, "_gates", Everything)
    every = [[(h.flag.id, h.evidence) for h in screen(text)] for text in texts]
    assert gated == every
    assert sum(1 for hits in gated if hits) > len(FIRES) // 2
