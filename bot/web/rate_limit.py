"""Rate limits for the chat API and the staff login: fixed windows per key ("address",
"conversation", "account"), kept in memory or, with several web processes, in Redis.

A limit of 0 switches a rule off. The limiter answers how many seconds the caller must wait,
or None when the request may go on.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    name: str          # "chat_address", "chat_conversation", "login_address", "login_account"
    limit: int         # requests per window; 0 = off
    window: int = 60   # seconds


class Limiter(Protocol):
    async def wait_for(self, rule: Rule, key: str) -> int | None:
        """Seconds to wait when over the limit, else None (the hit is counted)."""


class MemoryLimiter:
    """One process: counters in a dict, bounded so that many addresses cannot fill memory."""

    MAX_KEYS = 100_000

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str, int], int] = {}
        self._now = time.time

    async def wait_for(self, rule: Rule, key: str) -> int | None:
        if rule.limit <= 0:
            return None
        now = self._now()
        window = int(now // rule.window)
        slot = (rule.name, key, window)
        if len(self._counts) > self.MAX_KEYS:
            self._counts = {k: v for k, v in self._counts.items() if k[2] >= window}
        count = self._counts.get(slot, 0) + 1
        self._counts[slot] = count
        if count > rule.limit:
            return max(1, int((window + 1) * rule.window - now))
        return None


class RedisLimiter:
    """Several web processes share the counters (INCR with an expiry). If Redis cannot be
    reached the request goes on: a limiter must never stop a resident from getting help."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    async def wait_for(self, rule: Rule, key: str) -> int | None:
        if rule.limit <= 0:
            return None
        now = time.time()
        window = int(now // rule.window)
        name = f"vardlotsen:rate:{rule.name}:{key}:{window}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                count, _ = await pipe.incr(name).expire(name, rule.window + 1).execute()
        except (OSError, asyncio.TimeoutError, Exception) as error:
            logger.warning("rate limiter unavailable, request allowed: %s", error)
            return None
        if int(count) > rule.limit:
            return max(1, int((window + 1) * rule.window - now))
        return None

    async def close(self) -> None:
        await self._redis.close()


def is_trusted(address: str, trusted_proxies: tuple[str, ...]) -> bool:
    """An address named in TRUSTED_PROXIES, or inside a network named there ("10.0.0.0/8":
    an Ingress controller's pods change address)."""
    if address in trusted_proxies:
        return True
    networks = [p for p in trusted_proxies if "/" in p]
    if not networks:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def client_address(remote: str | None, forwarded_for: str | None,
                   trusted_proxies: tuple[str, ...]) -> str:
    """The client's address: behind trusted proxies, the last address in X-Forwarded-For
    that is not one of them (the nearest hop we can believe)."""
    address = remote or "unknown"
    if not forwarded_for or not is_trusted(address, trusted_proxies):
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if is_trusted(hop, trusted_proxies):
            continue
        try:
            return str(ipaddress.ip_address(hop))
        except ValueError:
            return address
    return address


@dataclass(frozen=True)
class Limits:
    """A route's two limits: per client address and per a key of the request (the
    conversation for the chat, the account name for the staff login)."""

    limiter: Limiter
    per_address: Rule
    per_key: Rule
    trusted_proxies: tuple[str, ...] = ()

    async def wait_for(self, remote: str | None, forwarded_for: str | None,
                       key: str) -> int | None:
        address = client_address(remote, forwarded_for, self.trusted_proxies)
        return (await self.limiter.wait_for(self.per_address, address)
                or await self.limiter.wait_for(self.per_key, key))

