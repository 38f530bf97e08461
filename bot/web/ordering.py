"""Two messages of one conversation are never processed at once: in this web process an
asyncio lock per sender, and across several web processes a Redis lock that expires.

Rasa's own RedisLockStore issues its tickets with a GET and then a SET (not atomic), so it
cannot be what guarantees order between web processes; this lock is. If Redis cannot be
reached the message goes on (after the in-process lock): a resident must get an answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator

logger = logging.getLogger(__name__)

# Longer than any turn may take (the upstream timeout and a failover): a web process that
# dies holding the lock blocks its conversation at most this long.
LOCK_SECONDS = 45.0
WAIT_SECONDS = 60.0
POLL_SECONDS = 0.05
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class SenderLocks:
    def __init__(self, redis_url: str | None = None) -> None:
        self._local: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}
        self._redis = None
        if redis_url:
            import redis.asyncio as redis

            self._redis = redis.from_url(redis_url, socket_timeout=1.0,
                                         socket_connect_timeout=1.0)

    @contextlib.asynccontextmanager
    async def hold(self, sender: str) -> AsyncIterator[None]:
        lock = self._local.setdefault(sender, asyncio.Lock())
        self._users[sender] = self._users.get(sender, 0) + 1
        try:
            async with lock:
                token = await self._acquire_shared(sender)
                try:
                    yield
                finally:
                    await self._release_shared(sender, token)
        finally:
            self._users[sender] -= 1
            if not self._users[sender]:
                del self._users[sender]
                del self._local[sender]

    async def _acquire_shared(self, sender: str) -> str | None:
        if self._redis is None:
            return None
        token, key = secrets.token_hex(8), _key(sender)
        deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
        try:
            while not await self._redis.set(key, token, nx=True, px=int(LOCK_SECONDS * 1000)):
                if asyncio.get_running_loop().time() > deadline:
                    logger.warning("conversation lock still held after %.0f s; going on",
                                   WAIT_SECONDS)
                    return None
                await asyncio.sleep(POLL_SECONDS)
        except Exception as error:  # any Redis failure: the resident still gets an answer
            logger.warning("conversation lock unavailable, going on: %s", type(error).__name__)
            return None
        return token

    async def _release_shared(self, sender: str, token: str | None) -> None:
        if self._redis is None or token is None:
            return
        try:
            await self._redis.eval(_RELEASE, 1, _key(sender), token)
        except Exception as error:  # it expires by itself after LOCK_SECONDS
            logger.warning("conversation lock not released: %s", type(error).__name__)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.close()


def _key(sender: str) -> str:
    return f"vardlotsen:conversation-lock:{sender}"
