"""Risk groups lift any complaint one tier (bot/content/risk_groups.yml), with the real
content, and never lower anything."""

from __future__ import annotations

import pytest

from bot.triage.engine import TriageEngine, Turn
from bot.triage.levels import Level
from bot.triage.risk import risk_groups

ENGINE = TriageEngine()


def conclude(*messages: str) -> Turn:
    turn = ENGINE.advance(None, messages[0])
    for message in messages[1:]:
        turn = ENGINE.advance(turn.state, message)
    for _ in range(8):
        if turn.disposition is not None:
            return turn
        turn = ENGINE.advance(turn.state, "nej")
    raise AssertionError("no outcome")


def test_every_risk_group_loads_with_a_reason() -> None:
    groups = risk_groups()
    assert {g.id for g in groups} >= {"immunosuppressed", "immunosuppressed_fever",
                                      "chronic_illness"}
    assert all(g.reason and g.level >= Level.PRIMARY_CARE for g in groups)


@pytest.mark.parametrize(("text", "level", "reason"), [
    ("jag har KOL och har blivit förkyld, snuva och lite hosta", Level.PRIMARY_CARE,
     "risk.chronic_illness"),
    ("jag får cellgiftsbehandling och har fått feber 38,6 och ont i halsen", Level.URGENT,
     "risk.immunosuppressed_fever"),
    ("har ingen mjälte sen en olycka, nu 39,6 och frossa", Level.URGENT, "risk.asplenia_fever"),
    ("farmor 85 hostar och har 38,5, hon äter och dricker sämre än vanligt", Level.URGENT,
     "risk.old_fever_eating_less"),
    ("pappa 82 har feber och äter nästan ingenting", Level.URGENT, "risk.old_fever_not_eating"),
    ("har diabetes och har fått ett sår på lilltån av nya skor", Level.PRIMARY_CARE,
     "risk.diabetes_foot_wound"),
])
def test_a_risk_group_lifts_the_complaint(text: str, level: Level, reason: str) -> None:
    disposition = conclude(text).disposition
    assert disposition is not None and disposition.level >= level
    assert reason in [r.id for r in disposition.reasons]


def test_without_the_risk_group_the_same_complaint_is_self_care() -> None:
    disposition = conclude("har blivit förkyld, snuva och lite hosta").disposition
    assert disposition is not None and disposition.level == Level.SELF_CARE


def test_eating_less_with_fever_lifts_only_the_old() -> None:
    disposition = conclude("jag är 35, feber 38,5 sen igår och äter sämre").disposition
    assert disposition is not None and disposition.level == Level.SELF_CARE


def test_a_foot_wound_without_diabetes_is_self_care() -> None:
    disposition = conclude("har fått ett litet sår på lilltån av nya skor").disposition
    assert disposition is not None and disposition.level == Level.SELF_CARE


def test_an_errand_is_not_lifted() -> None:
    disposition = conclude("jag har diabetes och behöver förnya mitt recept").disposition
    assert disposition is not None and disposition.administrative
