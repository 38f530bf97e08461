"""The reply contract: every custom message the bot sends, built here and nowhere else.

The widget (bot/web/static/chat.js), the conversation log and the staff console read these
payloads; `SCHEMA` is what they may rely on, and tests check every builder against it.
Types: `triage_question`, `triage_result` (ARCHITECTURE.md), `care_options`, `booking`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:   # only for type hints: the contract imports no service at run time
    from bot.booking.service import Booking
    from bot.care.options import CareOption
    from bot.triage.engine import Disposition

LEVELS = ["self_care", "primary_care", "urgent", "emergency"]

_CARE_OPTION = {
    "type": "object",
    "required": ["kind", "name", "why"],
    "properties": {
        "kind": {"type": "string"}, "name": {"type": "string"}, "why": {"type": "string"},
        "phone": {"type": "string"}, "address": {"type": "string"}, "url": {"type": "string"},
        "open_now": {"type": "boolean"}, "next_opening": {"type": "string"},
        "hours_verified": {"type": "boolean"}, "unit_id": {"type": "string"},
        "distance_km": {"type": "integer"},
    },
    "additionalProperties": False,
}
_STRINGS = {"type": "array", "items": {"type": "string"}}
# What was said behind a reason: the source (red_flag, number, answer, ...) and the words.
_EVIDENCE = {"type": "array", "items": {
    "type": "object", "required": ["source", "detail"],
    "properties": {"source": {"type": "string"}, "detail": {"type": "string"}}}}

SCHEMA: dict[str, dict[str, Any]] = {
    "triage_question": {
        "type": "object",
        "required": ["type", "question_id"],
        "properties": {"type": {"const": "triage_question"},
                       "question_id": {"type": "string"},
                       "protocol": {"type": ["string", "null"]}},
        "additionalProperties": False,
    },
    "triage_result": {
        "type": "object",
        "required": ["type", "level", "protocol", "reasons", "care_options"],
        "properties": {
            "type": {"const": "triage_result"},
            "level": {"enum": LEVELS},
            "protocol": {"type": ["string", "null"]},
            "protocols": _STRINGS, "reasons": _STRINGS, "explanations": _STRINGS,
            "evidence": {"type": "object", "additionalProperties": _EVIDENCE},
            "general": {"type": "boolean"},
            "red_flags": _STRINGS, "uncertain": _STRINGS,
            "emergency_department": {"type": "boolean"},
            "care_options": {"type": "array", "items": _CARE_OPTION},
            "degraded": {"const": True},
        },
        "additionalProperties": False,
    },
    "care_options": {
        "type": "object",
        "required": ["type", "options"],
        "properties": {"type": {"const": "care_options"},
                       "options": {"type": "array", "items": _CARE_OPTION}},
        "additionalProperties": False,
    },
    "booking": {
        "type": "object",
        "required": ["type", "action", "reference"],
        "properties": {
            "type": {"const": "booking"},
            "action": {"enum": ["booked", "rebooked", "cancelled"]},
            "reference": {"type": "string", "pattern": "^VL-[A-Z0-9]{6}$"},
            "unit": {"type": "string"},
            "starts_at": {"type": "string"},
            "kind": {"enum": ["visit", "phone", "video"]},
        },
        "additionalProperties": False,
    },
}


def triage_question(question_id: str, protocol: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"type": "triage_question", "question_id": question_id}
    if protocol is not None:
        payload["protocol"] = protocol
    return payload


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


def care_options(options: list[CareOption]) -> dict[str, Any]:
    return {"type": "care_options", "options": [option.to_dict() for option in options]}


def booking_payload(action: str, booking: Booking, unit_name: str | None = None
                    ) -> dict[str, Any]:
    """A booking made, moved or cancelled; a cancellation carries only the reference."""
    payload: dict[str, Any] = {"type": "booking", "action": action,
                               "reference": booking.reference}
    if action != "cancelled":
        payload.update(unit=unit_name or booking.unit_id,
                       starts_at=booking.starts_at.isoformat(timespec="minutes"),
                       kind=booking.kind)
    return payload


def violations(payload: dict[str, Any]) -> list[str]:
    """What in `payload` breaks the contract (empty when it keeps it). Needs jsonschema,
    which Rasa installs; only tests and the integration checks call it."""
    import jsonschema

    schema = SCHEMA.get(str(payload.get("type")))
    if schema is None:
        return [f"unknown custom message type {payload.get('type')!r}"]
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'/'.join(map(str, error.path)) or '(top)'}: {error.message}"
            for error in validator.iter_errors(payload)]
