"""Every triage case set through the engine: no red-flag case may end below emergency.

The dev set is also checked through the running system (tests/integration); the holdout
and blind sets measure generalisation, so only their red-flag cases are held to a rule
here, and their accuracy is reported by `python -m tests.tools eval --engine --cases <file>`.
"""

from __future__ import annotations

import pytest

from bot.config import ROOT
from bot.triage.engine import TriageEngine
from tests.tools.triage_eval import load_cases, run_case_engine, summarise

CASE_SETS = ("triage_cases.yaml", "triage_cases_holdout.yaml", "triage_cases_blind.yaml")


@pytest.mark.parametrize("name", CASE_SETS)
def test_no_red_flag_case_is_missed(name: str) -> None:
    engine = TriageEngine()
    cases = load_cases(ROOT / "tests" / name)
    report = summarise([run_case_engine(case, engine) for case in cases])
    assert report.total == len(cases) and report.total >= 60
    assert report.red_flag_misses == [], report.red_flag_misses
    assert report.no_advice == 0
