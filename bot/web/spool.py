"""A bounded spool for conversation-log writes that failed (database restarting, locked):
kept in memory and retried in order, so a short database outage loses no row."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)


class Spool:
    def __init__(self, limit: int = 10_000, retry_seconds: float = 2.0) -> None:
        self._pending: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()
        self._limit = limit
        self._retry_seconds = retry_seconds
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
        if len(self._pending) >= self._limit:
            self.dropped += 1   # bounded: an endless outage must not exhaust memory
            logger.error("conversation-log spool full, %d writes dropped", self.dropped)
            return
        self._pending.append((function, args))

    async def flush(self) -> int:
        """Writes what is pending, oldest first, until one fails; returns how many went."""
        written = 0
        loop = asyncio.get_running_loop()
        while self._pending:
            function, args = self._pending[0]
            try:
                await loop.run_in_executor(None, function, *args)
            except Exception as error:  # the database is still away: try again later
                logger.warning("conversation-log spool: still failing (%s), %d waiting",
                               type(error).__name__, len(self._pending))
                return written
            self._pending.popleft()
            written += 1
        return written

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._retry_seconds)
            if self._pending:
                await self.flush()
