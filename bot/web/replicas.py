"""Which Rasa replica serves a conversation: a stable choice per sender, the next healthy one
when it is down. Plain logic; the HTTP side is bot/web/rasa_client.py.

Rendezvous (highest-random-weight) hashing: every replica gets a score per sender, and the
sender goes to the highest-scoring healthy one. The choice is the same in every web process,
and when a replica leaves only its own conversations move (to their second choice).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence

# A replica that failed is not tried first again until its health check passes, or until
# this long has passed without one (so a lost health checker cannot strand a replica).
DOWN_SECONDS = 30.0


def _score(replica: str, sender: str) -> int:
    digest = hashlib.blake2b(f"{replica}\n{sender}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def preference(sender: str, replicas: Sequence[str]) -> list[str]:
    """All replicas, the sender's own first, then its second choice, and so on."""
    return sorted(replicas, key=lambda replica: _score(replica, sender), reverse=True)


class ReplicaHealth:
    """What the web process knows about each replica: up, or down until a time."""

    def __init__(self, replicas: Sequence[str],
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not replicas:
            raise ValueError("at least one replica is needed")
        self.replicas = tuple(replicas)
        self._down_until: dict[str, float] = {}
        self._clock = clock

    def is_up(self, replica: str) -> bool:
        return self._down_until.get(replica, 0.0) <= self._clock()

    def mark_down(self, replica: str) -> None:
        self._down_until[replica] = self._clock() + DOWN_SECONDS

    def mark_up(self, replica: str) -> None:
        self._down_until.pop(replica, None)

    def order(self, sender: str) -> list[str]:
        """Where to send this sender's message, in order: healthy replicas by preference,
        then the ones believed down (better a try than no answer)."""
        ranked = preference(sender, self.replicas)
        return [r for r in ranked if self.is_up(r)] + [r for r in ranked if not self.is_up(r)]

    def snapshot(self) -> dict[str, bool]:
        return {replica: self.is_up(replica) for replica in self.replicas}
