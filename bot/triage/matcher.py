"""Phrase matching over folded Swedish text, with stems, typos and negation.

Phrase syntax (used in red_flags.yml and protocols/*.yml):
- words separated by spaces, written with or without å/ä/ö (both are folded);
- a word ending in `*` matches any word starting with it: `brost*` matches bröstet,
  bröstsmärta; other words must match whole, except that words of seven letters or more
  also match with one typo (a letter missing, extra, wrong or two swapped);
- up to two other words may stand between the words of a phrase ("ont i hela bröstet"
  matches `ont i brost*`), but never across a clause boundary (. , ; ! ? "men", "but").

A match is *negated* when a negation word ("inte", "ingen", "utan", "not", ...) stands
among the three words before it in the same clause ("jag har inte ont i bröstet"), right
after it ("han sluddrar inte"), or among the words skipped inside it ("vill inte ta mitt
liv" against `vill ta mitt liv`). "vet inte" expresses doubt, not a denial.
Phrases that contain a negation themselves ("får ingen luft", "vaknar inte") are matched
as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.content.loader import ContentError
from bot.triage.normalise import fold

NEGATIONS = frozenset({
    "inte", "int", "ej", "icke", "ingen", "inge", "inget", "inga", "utan", "aldrig", "varken",
    "not", "no", "without", "never", "dont", "doesnt", "isnt", "cant",
})
# "fast" (although) is left out: it is also English "fast" ("breathing fast").
CLAUSE_WORDS = frozenset({"men", "but", "although", "dock"})
MAX_GAP = 2
NEGATION_WINDOW = 3
# One typo is tolerated only in long words: shorter ones have too many real neighbours
# ("hostar"/"höstas", "svimm"/"simma").
FUZZY_MIN_LENGTH = 7

# Words, with apostrophes dropped ("don't" -> "dont"), and clause punctuation as tokens.
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|[.,;!?\n]")
_BOUNDARY = "|"


def tokenize(text: str) -> list[str]:
    """Folded words; clause boundaries become '|'."""
    tokens: list[str] = []
    for raw in _TOKEN.findall(fold(text)):
        if raw in ".,;!?\n" or raw in CLAUSE_WORDS:
            tokens.append(_BOUNDARY)
        else:
            tokens.append(raw.replace("'", "").replace("’", ""))
    return tokens


def _within_one_edit(a: str, b: str) -> bool:
    """True if a and b differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    if la > lb:
        a, b = b, a
    # b is one longer than a: skipping one letter of b must give a.
    return any(b[:i] + b[i + 1:] == a for i in range(len(b)))


@dataclass(frozen=True)
class Word:
    text: str
    prefix: bool

    def matches(self, token: str) -> bool:
        if token == _BOUNDARY:
            return False
        if self.prefix:
            if token.startswith(self.text):
                return True
            if len(self.text) >= FUZZY_MIN_LENGTH:
                # A typo inside the stem: compare with the token's start of similar length.
                return any(_within_one_edit(self.text, token[:n])
                           for n in (len(self.text) - 1, len(self.text), len(self.text) + 1)
                           if n <= len(token))
            return False
        if token == self.text:
            return True
        return len(self.text) >= FUZZY_MIN_LENGTH and _within_one_edit(self.text, token)


@dataclass(frozen=True)
class Phrase:
    source: str
    words: tuple[Word, ...]

    @property
    def contains_negation(self) -> bool:
        return any(w.text in NEGATIONS for w in self.words)


@lru_cache(maxsize=4096)
def compile_phrase(source: str) -> Phrase:
    words = []
    for raw in fold(source).split():
        prefix = raw.endswith("*")
        text = raw.rstrip("*").replace("'", "").replace("’", "")
        if not text or not re.fullmatch(r"[^\W\d_]+", text):
            raise ValueError(f"phrase {source!r}: {raw!r} is not a word (letters, optional *)")
        words.append(Word(text, prefix))
    if not words:
        raise ValueError("empty phrase")
    return Phrase(source, tuple(words))


def phrase_list(raw: object, path: object, field: str) -> tuple[Phrase, ...]:
    """A content field holding a list of phrases, compiled; errors name file and field."""
    if not isinstance(raw, list) or not raw or not all(isinstance(p, str) for p in raw):
        raise ContentError(str(path), field, "must be a non-empty list of phrases")
    try:
        return tuple(compile_phrase(p) for p in raw)
    except ValueError as error:
        raise ContentError(str(path), field, str(error)) from None


@dataclass(frozen=True)
class Match:
    phrase: str
    start: int
    end: int
    negated: bool


def _match_at(phrase: Phrase, tokens: list[str], start: int) -> tuple[int, bool] | None:
    """(index after the last matched token, a negation was skipped) if the phrase matches
    starting at `start`."""
    if not phrase.words[0].matches(tokens[start]):
        return None
    position = start + 1
    skipped_negation = False
    for word in phrase.words[1:]:
        for gap in range(MAX_GAP + 1):
            index = position + gap
            if index >= len(tokens) or tokens[index] == _BOUNDARY:
                return None
            if word.matches(tokens[index]):
                skipped_negation |= any(t in NEGATIONS for t in tokens[position:index])
                position = index + 1
                break
        else:
            return None
    return position, skipped_negation


# "vet inte", "not sure": uncertainty, not a denial of what follows.
_UNCERTAIN_BEFORE = frozenset({"vet", "sure", "know"})


def _is_negator(tokens: list[str], index: int) -> bool:
    if tokens[index] not in NEGATIONS:
        return False
    return not (index > 0 and tokens[index - 1] in _UNCERTAIN_BEFORE)


def _negated(tokens: list[str], start: int, end: int, phrase: Phrase) -> bool:
    if phrase.contains_negation:
        return False
    # "han sluddrar inte": a negation right after the phrase.
    if end < len(tokens) and _is_negator(tokens, end):
        return True
    for index in range(start - 1, max(-1, start - 1 - NEGATION_WINDOW), -1):
        # "hjälper inte och han kan knappt prata": a negation does not reach past "och".
        if tokens[index] == _BOUNDARY or tokens[index] in ("och", "and"):
            return False
        if _is_negator(tokens, index):
            return True
    return False


def find(phrase: Phrase, tokens: list[str]) -> list[Match]:
    matches = []
    for start in range(len(tokens)):
        found = _match_at(phrase, tokens, start)
        if found is not None:
            end, skipped_negation = found
            negated = skipped_negation or _negated(tokens, start, end, phrase)
            matches.append(Match(phrase.source, start, end, negated))
    return matches


@dataclass(frozen=True)
class Presence:
    """Whether any of a list of phrases occurs affirmed, only negated, or not at all."""

    affirmed: tuple[str, ...]
    negated: tuple[str, ...]

    @property
    def present(self) -> bool:
        return bool(self.affirmed)

    @property
    def denied(self) -> bool:
        return not self.affirmed and bool(self.negated)


def presence(phrases: tuple[Phrase, ...] | list[Phrase], tokens: list[str]) -> Presence:
    affirmed: list[str] = []
    negated: list[str] = []
    for phrase in phrases:
        for match in find(phrase, tokens):
            (negated if match.negated else affirmed).append(phrase.source)
    return Presence(tuple(dict.fromkeys(affirmed)), tuple(dict.fromkeys(negated)))
