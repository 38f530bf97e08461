"""Recognises messages that are not Swedish or English (or are keyboard noise).

The intent classifier always picks *some* intent, so Finnish, Arabic or "asdf qwer" would
be answered as if understood. A message is unfamiliar when fewer than `min_known_share`
of its words occur in the training vocabulary (folded, so missing å/ä/ö do not matter).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.triage.normalise import words


@dataclass(frozen=True)
class Familiarity:
    known: int
    total: int

    @property
    def share(self) -> float:
        return self.known / self.total if self.total else 0.0


class KnownWords:
    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = frozenset(vocabulary)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> KnownWords:
        return cls(word for text in texts for word in words(text))

    def familiarity(self, text: str) -> Familiarity:
        tokens = words(text)
        return Familiarity(sum(1 for t in tokens if t in self.vocabulary), len(tokens))
