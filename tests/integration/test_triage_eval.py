"""The triage case set (tests/triage_cases.yaml) against the running system, played as
conversations (bot/triage_eval.py).

Its figures are printed in the test output; a red-flag case that does not end as an
emergency fails the build.
"""

from __future__ import annotations

import pytest

from bot.config import ROOT
from tests.integration.conftest import RunningSystem
from tests.tools.triage_eval import evaluate


def test_triage_case_set(system: RunningSystem, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print()
        report = evaluate(system.url,
                          results_file=ROOT / "var" / "test-results" / "triage_eval.json")
    assert report.red_flag_misses == [], f"red-flag misses: {report.red_flag_misses}"
    # A conversation without advice within five answers means the classifier sent it
    # elsewhere (booking, a human) or the questions ran long: at most 1 % of them, never
    # for red flags (checked above).
    assert report.no_advice <= report.total // 100, report.no_advice
