"""Who a rule or protocol applies to: everyone, children, adults, or an age range."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CHILD_MAX_YEARS = 16.0  # below this age, "child" (barn- och ungdomsmedicinsk gräns)


@dataclass(frozen=True)
class AgeRange:
    min_years: float = 0.0
    max_years: float = 130.0  # exclusive

    @classmethod
    def parse(cls, value: Any) -> AgeRange:
        """Accepts 'any', 'child', 'adult' or {min_years, max_years}."""
        if value is None or value == "any":
            return cls()
        if value == "child":
            return cls(0.0, CHILD_MAX_YEARS)
        if value == "adult":
            return cls(CHILD_MAX_YEARS, 130.0)
        if isinstance(value, dict) and set(value) <= {"min_years", "max_years"}:
            low = float(value.get("min_years", 0.0))
            high = float(value.get("max_years", 130.0))
            if low >= high:
                raise ValueError("min_years must be below max_years")
            return cls(low, high)
        raise ValueError("must be any, child, adult or {min_years: N, max_years: M}")

    @property
    def everyone(self) -> bool:
        return self.min_years <= 0 and self.max_years >= 130

    @property
    def children_only(self) -> bool:
        return self.max_years <= CHILD_MAX_YEARS

    @property
    def adults_only(self) -> bool:
        return self.min_years >= CHILD_MAX_YEARS

    def contains(self, age_years: float) -> bool:
        return self.min_years <= age_years < self.max_years

    def may_apply(self, age_years: float | None, child: bool) -> bool:
        """With an exact age decide on it; else use 'is a child mentioned' as the guess."""
        if age_years is not None:
            return self.contains(age_years)
        if self.children_only:
            return child
        if self.adults_only:
            return not child
        return True

    def may_apply_to_emergency(self, age_years: float | None, child: bool,
                               adult: bool) -> bool:
        """For red flags: without an exact age, adult rules apply when an adult patient is
        named, even beside a child word ("mamma har hög feber och är förvirrad, jag är
        hennes dotter"): missing an adult emergency costs more than a child's over-triage."""
        if age_years is None and self.adults_only and adult:
            return True
        return self.may_apply(age_years, child)
