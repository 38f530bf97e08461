"""The resilience suite's hostile corpus: large, varied, repeatable, and its red-flag
messages are red flags by the rules themselves (so a miss in the suite is the service's)."""

from __future__ import annotations

import json

from bot.triage.degraded import messages_when_unavailable
from bot.web.input_rules import parse_chat_request
from tests.tools.resilience import (
    RED_FLAG_MESSAGES,
    hostile_corpus,
    is_emergency_answer,
    recovery_seconds,
)


def test_corpus_is_large_varied_and_repeatable() -> None:
    probes = hostile_corpus()
    assert len(probes) >= 1000
    kinds = {p.kind for p in probes}
    assert {"unicode", "control", "binary", "too_long", "deep_json", "compressed", "long_word",
            "xss_sql", "slash", "smuggled", "red_flag_in_junk", "other_language"} <= kinds
    assert [p.body for p in hostile_corpus()] == [p.body for p in probes]
    assert len(hostile_corpus(scale=2)) == 2 * len(probes)


def test_every_red_flag_message_in_junk_is_an_emergency_by_the_rules() -> None:
    for message in RED_FLAG_MESSAGES:
        assert is_emergency_answer(messages_when_unavailable(message)), message
    for probe in hostile_corpus():
        if probe.emergency:
            text = parse_chat_request(json.loads(probe.body)).text
            assert is_emergency_answer(messages_when_unavailable(text)), text


def test_recovery_is_counted_to_the_first_normal_answer_after_the_outage() -> None:
    answers = [(1.0, True), (2.0, False), (3.0, False), (4.0, True), (5.0, True)]
    assert recovery_seconds(answers, 1.5) == 2.5
    assert recovery_seconds([(2.0, False)], 1.5) is None
    assert recovery_seconds([(2.0, True)], 1.5) == 0.5
