"""Small helpers for conversations in integration tests."""

from __future__ import annotations

import uuid
from typing import Any


def new_sender(prefix: str = "it") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def texts(messages: list[dict[str, Any]]) -> str:
    return " ".join(m.get("text", "") for m in messages)


def custom(messages: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    for message in messages:
        payload = message.get("custom") or {}
        if payload.get("type") == kind:
            return payload
    return None


def buttons(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for m in messages for b in (m.get("buttons") or [])]
