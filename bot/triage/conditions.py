"""Thresholds over facts: "temperature at least 38", "SpO2 below 92", "week 20 or later".

Content writes them as a mapping, all of which must hold:
    when: {glucose_at_least: 15, age_years_at_least: 16}
Used by red flags (a number can fire a rule), by questions (a stated number answers them)
and by concepts (a measured temperature of 38 means fever).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.content.loader import ContentError
from bot.triage.facts import Facts

# key -> (fact attribute, comparison). "at_least" is >=, "below" is <.
FACT_ATTRIBUTES = ("temperature", "spo2", "glucose", "systolic", "diastolic", "pulse",
                   "age_years", "duration_days", "pregnancy_week", "tablets")
KEYS = {f"{name}_{op}": (name, op) for name in FACT_ATTRIBUTES for op in ("at_least", "below")}


@dataclass(frozen=True)
class Condition:
    key: str
    value: float

    def holds(self, facts: Facts) -> bool | None:
        """True or False when the fact is known, None when it is not."""
        attribute, op = KEYS[self.key]
        known = getattr(facts, attribute)
        if known is None:
            return None
        return known >= self.value if op == "at_least" else known < self.value


@dataclass(frozen=True)
class Conditions:
    items: tuple[Condition, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.items)

    def holds(self, facts: Facts) -> bool | None:
        """True when all hold, False when one is known not to, else None (not known)."""
        results = [c.holds(facts) for c in self.items]
        if any(r is False for r in results):
            return False
        if results and all(r is True for r in results):
            return True
        return None


def parse_conditions(raw: Any, path: object, field: str) -> Conditions:
    if raw is None:
        return Conditions()
    if not isinstance(raw, dict) or not raw:
        raise ContentError(str(path), field, f"must be a mapping of {', '.join(sorted(KEYS))}")
    items = []
    for key, value in raw.items():
        if key not in KEYS:
            raise ContentError(str(path), f"{field}.{key}",
                               f"unknown condition; use one of {', '.join(sorted(KEYS))}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ContentError(str(path), f"{field}.{key}", "must be a number")
        items.append(Condition(key, float(value)))
    return Conditions(tuple(items))
