"""Talks to the Rasa servers' gateway channel (bot/dialogue/channel.py) over HTTP.

With several Rasa replicas (scale-out) each conversation goes to the replica its sender
hashes to, and to the next healthy one when that one is down or fails (bot/web/replicas.py).
Replicas share the tracker store, so any of them can continue a conversation. A background
health check keeps the list current, so residents do not discover a dead replica.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.web.replicas import ReplicaHealth

logger = logging.getLogger(__name__)

GATEWAY_WEBHOOK = "/webhooks/gateway/webhook"
HEALTH_INTERVAL_SECONDS = 2.0
HEALTH_TIMEOUT = aiohttp.ClientTimeout(total=1.5)


class DialogueUnavailable(RuntimeError):
    """No Rasa replica could be reached or gave a usable answer in time."""


@dataclass(frozen=True)
class DialogueTurn:
    messages: list[dict[str, Any]]
    intent: str | None = None
    confidence: float | None = None
    details: dict[str, Any] = field(default_factory=dict)


class RasaClient:
    def __init__(self, base_urls: str | Sequence[str], timeout: float,
                 session: aiohttp.ClientSession) -> None:
        urls = [base_urls] if isinstance(base_urls, str) else list(base_urls)
        self.health = ReplicaHealth([url.rstrip("/") for url in urls])
        self._timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=min(2.0, timeout))
        self._session = session

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> DialogueTurn:
        """The turn from the sender's replica, or from the next one if it fails. A replica
        killed mid-turn never stored the message (the tracker is saved at the end of a
        turn), so sending it again elsewhere loses nothing."""
        body = {"sender": sender, "message": text, "metadata": metadata}
        failures = []
        for replica in self.health.order(sender):
            try:
                turn = await self._post(replica, body)
            except DialogueUnavailable as error:
                self.health.mark_down(replica)
                failures.append(f"{replica}: {error}")
                logger.warning("replica %s failed for a message (%s); trying the next",
                               replica, error)
                continue
            self.health.mark_up(replica)
            return turn
        raise DialogueUnavailable("; ".join(failures))

    async def _post(self, replica: str, body: dict[str, Any]) -> DialogueTurn:
        try:
            async with self._session.post(replica + GATEWAY_WEBHOOK, json=body,
                                          timeout=self._timeout) as reply:
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

    async def check(self) -> dict[str, bool]:
        """One health check of every replica (Rasa answers GET / when it is serving)."""
        async def one(replica: str) -> None:
            try:
                async with self._session.get(replica + "/", timeout=HEALTH_TIMEOUT) as reply:
                    healthy = reply.status == 200
            except (aiohttp.ClientError, asyncio.TimeoutError):
                healthy = False
            if healthy:
                self.health.mark_up(replica)
            elif self.health.is_up(replica):
                logger.warning("replica %s failed its health check", replica)
                self.health.mark_down(replica)

        await asyncio.gather(*(one(replica) for replica in self.health.replicas))
        return self.health.snapshot()

    async def watch(self) -> None:
        """Health checks until cancelled (only worth it with more than one replica)."""
        while True:
            await self.check()
            await asyncio.sleep(HEALTH_INTERVAL_SECONDS)
