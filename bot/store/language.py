"""A rough guess of a message's language for the staff console's filter: sv, en or other."""

from __future__ import annotations

import re

_SWEDISH = frozenset({
    "jag", "och", "har", "inte", "det", "en", "ett", "att", "som", "är", "ar", "på", "pa",
    "med", "min", "mitt", "mig", "du", "hon", "han", "vi", "ont", "av", "för", "for", "kan",
    "vill",
})
_ENGLISH = frozenset({
    "i", "and", "have", "has", "not", "the", "a", "an", "to", "my", "me", "you", "she", "he",
    "we", "is", "are", "with", "for", "pain", "can", "want",
})


def guess_language(text: str, unfamiliar: bool = False) -> str:
    if unfamiliar:
        return "other"
    words = re.findall(r"[^\W\d_]+", text.lower())
    swedish = sum(w in _SWEDISH for w in words)
    english = sum(w in _ENGLISH for w in words)
    return "en" if english > swedish else "sv"
