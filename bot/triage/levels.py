"""The four triage levels of the triage contract, least to most urgent."""

from __future__ import annotations

from enum import IntEnum


class Level(IntEnum):
    SELF_CARE = 0
    PRIMARY_CARE = 1
    URGENT = 2
    EMERGENCY = 3

    @property
    def id(self) -> str:
        """The stable identifier used in payloads, logs, content and tests."""
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Level:
        try:
            return cls[value.strip().upper()]
        except (KeyError, AttributeError):
            raise ValueError(
                f"unknown level {value!r}; use one of {', '.join(level.id for level in cls)}"
            ) from None


LEVEL_IDS = tuple(level.id for level in Level)
