"""Understanding a resident's answer to a yes/no question, in Swedish or English.

Quick-reply buttons send the payloads /affirm, /deny and /dont_know; typed answers are
read from their words, with the NLU intent as a hint for wordings this list lacks.
"""

from __future__ import annotations

from enum import Enum

from bot.triage.matcher import tokenize


class Answer(str, Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


PAYLOADS = {"/affirm": Answer.YES, "/deny": Answer.NO, "/dont_know": Answer.UNKNOWN}
INTENTS = {"affirm": Answer.YES, "deny": Answer.NO, "dont_know": Answer.UNKNOWN}

_UNKNOWN_PHRASES = (
    ("vet", "inte"), ("vet", "ej"), ("ingen", "aning"), ("inte", "saker"),
    ("kan", "inte", "saga"), ("svart", "att", "saga"), ("dont", "know"), ("not", "sure"),
    ("no", "idea"), ("har", "inte", "matt"), ("har", "inte", "kollat"),
    ("ingen", "termometer"),
)
_UNKNOWN_WORDS = frozenset({"osaker", "kanske", "vetinte", "vetej", "unsure", "maybe", "idk",
                            "ovisst"})
_YES_WORDS = frozenset({"ja", "jaa", "jaaa", "japp", "jepp", "jo", "joo", "jadå", "jada",
                        "absolut", "precis", "stammer", "yes", "yep", "yeah", "yup", "mm",
                        "mhm", "aa", "visst", "definitivt", "sure"})
_NO_WORDS = frozenset({"nej", "nejdå", "nejda", "nä", "na", "naa", "nää", "nope", "no", "icke",
                       "inte", "aldrig", "ingalunda", "nix", "nah", "never", "nada",
                       # "ingen svullnad", "inga utslag": a denial of what was asked
                       "ingen", "inga", "inget", "none", "nothing"})
# Longer replies carry their meaning in their words; the classifier's guess is used only
# for short ones ("japp det stämmer"), where it is reliable.
MAX_WORDS_FOR_INTENT = 4


def _contains(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i:i + n]) == phrase for i in range(len(tokens) - n + 1))


def parse_answer(text: str, intent: str | None = None) -> Answer | None:
    """Yes, no, don't know, or None when the text does not answer the question."""
    stripped = text.strip().lower()
    if stripped in PAYLOADS:
        return PAYLOADS[stripped]
    tokens = [t for t in tokenize(text) if t != "|"]
    if any(_contains(tokens, phrase) for phrase in _UNKNOWN_PHRASES) or (
        _UNKNOWN_WORDS & set(tokens)
    ):
        return Answer.UNKNOWN
    first = tokens[0] if tokens else ""
    if first in _YES_WORDS:
        return Answer.YES
    if first in _NO_WORDS or (first in ("det", "han", "hon", "jag") and "inte" in tokens[:4]):
        return Answer.NO
    if intent in INTENTS and len(tokens) <= MAX_WORDS_FOR_INTENT:
        return INTENTS[intent]
    return None
