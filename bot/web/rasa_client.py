"""Talks to the Rasa server's gateway channel (bot/dialogue/channel.py) over HTTP."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import aiohttp

GATEWAY_WEBHOOK = "/webhooks/gateway/webhook"


class DialogueUnavailable(RuntimeError):
    """Rasa could not be reached or gave no usable answer in time."""


@dataclass(frozen=True)
class DialogueTurn:
    messages: list[dict[str, Any]]
    intent: str | None = None
    confidence: float | None = None
    details: dict[str, Any] = field(default_factory=dict)


class RasaClient:
    def __init__(self, base_url: str, timeout: float, session: aiohttp.ClientSession) -> None:
        self._url = base_url + GATEWAY_WEBHOOK
        self._timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=min(2.0, timeout))
        self._session = session

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> DialogueTurn:
        body = {"sender": sender, "message": text, "metadata": metadata}
        try:
            async with self._session.post(self._url, json=body, timeout=self._timeout) as reply:
                if reply.status != 200:
                    raise DialogueUnavailable(f"Rasa answered HTTP {reply.status}")
                data = await reply.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise DialogueUnavailable(f"{type(error).__name__}: {error}") from error
        if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
            raise DialogueUnavailable("Rasa answered in an unexpected shape")
        turn = data.get("turn") or {}
        return DialogueTurn(
            messages=[m for m in data["messages"] if isinstance(m, dict)],
            intent=turn.get("intent"),
            confidence=turn.get("confidence"),
            details={k: v for k, v in turn.items() if k not in ("intent", "confidence")},
        )
