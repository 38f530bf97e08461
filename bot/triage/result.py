"""The `triage_result` custom message of the triage contract (ARCHITECTURE.md), built in one
place for the dialogue's actions and for the web app's degraded mode."""

from __future__ import annotations

from typing import Any

from bot.care.routing import CareOption
from bot.triage.engine import Disposition


def triage_result(disposition: Disposition, options: list[CareOption],
                  degraded: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = {
        "type": "triage_result",
        "level": disposition.level.id,
        "protocol": disposition.protocol,
        "protocols": list(disposition.protocols),
        "reasons": [reason.id for reason in disposition.reasons],
        "explanations": [reason.text for reason in disposition.reasons],
        # Why each reason holds: the words, numbers or answers behind it, for staff.
        "evidence": {reason.id: list(reason.evidence) for reason in disposition.reasons
                     if reason.evidence},
        "general": disposition.general,
        "red_flags": list(disposition.red_flags),
        "uncertain": list(disposition.uncertain),
        "emergency_department": disposition.emergency_department,
        "care_options": [option.to_dict() for option in options],
    }
    if degraded:
        result["degraded"] = True   # the dialogue was down: only the red flags were screened
    return result
