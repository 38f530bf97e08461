"""Phrase matching over folded Swedish text, with stems, typos and negation.

Phrase syntax (used in red_flags.yml and protocols/*.yml):
- words separated by spaces, written with or without å/ä/ö (both are folded);
- a word ending in `*` matches any word starting with it: `brost*` matches bröstet,
  bröstsmärta; other words must match whole, except that words of seven letters or more
  also match with one typo (a letter missing, extra, wrong or two swapped, but never the
  first letter), unless the text's word is a real word of its own
  (bot/content/real_words.yml: "tandvård" is no misspelt "tandvärk");
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from bot.content.loader import CONTENT_DIR, ContentError, get, get_date, read_yaml
from bot.triage.normalise import fold

NEGATIONS = frozenset({
    "inte", "int", "ej", "icke", "ingen", "inge", "inget", "inga", "utan", "aldrig", "varken",
    "not", "no", "without", "never", "dont", "doesnt", "isnt", "cant", "arent",
    "wasnt", "werent", "didnt", "havent", "hasnt", "neither", "nor",
})
# "fast" (although) is left out: it is also English "fast" ("breathing fast").
CLAUSE_WORDS = frozenset({"men", "but", "although", "dock"})
# Chat spellings read as the word they stand for, in messages and phrases alike:
# "dricker o kissar" is "dricker och kissar".
CHAT_SPELLINGS = {"o": "och"}
MAX_GAP = 2
# "jätte-" before a word is an intensifier written as one word or two ("jätteyr", "jätte
# yr"): it is read as two words, in messages and phrases alike, so "jätteyr" is "yr" and
# "jätteont i magen" is "ont i magen" with a word before it.
INTENSIFIER = "jatte"
_NOT_INTENSIFIED = frozenset({"jatten", "jattens"})   # a giant
NEGATION_WINDOW = 3
# One typo is tolerated only in long words: shorter ones have too many real neighbours
# ("hostar"/"höstas", "svimm"/"simma").
FUZZY_MIN_LENGTH = 7
# Longer tokens are no word of any vocabulary (keyboard noise, an attack): not cached.
MAX_CACHED_TOKEN = 40

# Words, with apostrophes dropped ("don't" -> "dont"), and clause punctuation as tokens.
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|[.,;!?\n]")
_BOUNDARY = "|"


def tokenize(text: str) -> Tokens:
    """Folded words; clause boundaries become '|'."""
    tokens = Tokens()
    for raw in _TOKEN.findall(fold(text)):
        if raw in ".,;!?\n" or raw in CLAUSE_WORDS:
            tokens.append(_BOUNDARY)
        else:
            word = raw.replace("'", "").replace("’", "")
            # "he's" is not "hes" (Swedish for hoarse).
            word = "he" if word == "hes" and raw != word else word
            word = CHAT_SPELLINGS.get(word, word)
            if _intensified(word):
                tokens.append(INTENSIFIER)
                word = word[len(INTENSIFIER):]
            tokens.append(word)
    return _read_expressions(tokens)


def _intensified(word: str) -> bool:
    return (word.startswith(INTENSIFIER) and len(word) > len(INTENSIFIER) + 1
            and word not in _NOT_INTENSIFIED)


REAL_WORDS_FILE = CONTENT_DIR / "real_words.yml"


@dataclass(frozen=True)
class RealWords:
    """bot/content/real_words.yml: words and stems never read as a typo of another word,
    and compounds of their own that a shorter stem does not reach."""
    whole: frozenset[str]
    stems: tuple[str, ...]        # the compounds too: they have no typo reading either
    compounds: tuple[str, ...]
    # Set expressions read as one word: first word -> ((words, reading), ...), longest first.
    readings: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = field(default_factory=dict)


@lru_cache(maxsize=1)
def real_words() -> RealWords:
    data = read_yaml(REAL_WORDS_FILE)
    get_date(data, "reviewed", REAL_WORDS_FILE)
    entries = [fold(str(w)) for w in get(data, "words", list, REAL_WORDS_FILE)]
    compounds = tuple(fold(str(w)).rstrip("*") for w in get(
        data, "compounds", list, REAL_WORDS_FILE, required=False, default=[]))
    readings: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for phrase, reading in get(data, "readings", dict, REAL_WORDS_FILE, required=False,
                               default={}).items():
        words = tuple(CHAT_SPELLINGS.get(w, w) for w in fold(str(phrase)).split())
        readings.setdefault(words[0], []).append((words, fold(str(reading))))
    return RealWords(frozenset(w for w in entries if not w.endswith("*")),
                     tuple(w[:-1] for w in entries if w.endswith("*")) + compounds, compounds,
                     {first: tuple(sorted(found, key=lambda r: -len(r[0])))
                      for first, found in readings.items()})


def _read_expressions(tokens: Tokens) -> Tokens:
    """Set expressions replaced by their one-word reading ("svimmade nästan" is no faint)."""
    readings = real_words().readings
    if not readings or readings.keys().isdisjoint(tokens):
        return tokens
    read, i = Tokens(), 0
    while i < len(tokens):
        for words, reading in readings.get(tokens[i], ()):
            if tuple(tokens[i:i + len(words)]) == words:
                read.append(reading)
                i += len(words)
                break
        else:
            read.append(tokens[i])
            i += 1
    return read


def is_real_word(token: str) -> bool:
    known = real_words()
    return token in known.whole or token.startswith(known.stems)


def _compound_length(token: str) -> int:
    """The length of the compound of its own the token starts with ("brostvartorna" ->
    "brostvart"), or 0: stems shorter than that do not match it."""
    return max((len(c) for c in real_words().compounds if token.startswith(c)), default=0)


def _within_one_edit(a: str, b: str) -> bool:
    """True if a and b differ by at most one insertion, deletion, substitution or swap,
    not in the first letter: a typo there joins words of opposite meaning ("ovaccinerad"
    and "vaccinerad") or other words ("kväljer" and "sväljer"), and is rare in typing."""
    if a == b:
        return True
    if not a or not b or a[0] != b[0]:
        return False
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
    # "brost*" or "ont": the word as written, the lexicon's key (strings hash once).
    key: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", self.text + "*" if self.prefix else self.text)

    def matches(self, token: str) -> bool:
        if token == _BOUNDARY:
            return False
        if self.prefix:
            if token.startswith(self.text):
                return len(self.text) >= _compound_length(token)
            if len(self.text) >= FUZZY_MIN_LENGTH and not is_real_word(token):
                # A typo inside the stem: compare with the token's start of similar length.
                return any(_within_one_edit(self.text, token[:n])
                           for n in (len(self.text) - 1, len(self.text), len(self.text) + 1)
                           if n <= len(token))
            return False
        if token == self.text:
            return True
        return (len(self.text) >= FUZZY_MIN_LENGTH and _within_one_edit(self.text, token)
                and not is_real_word(token))


@dataclass(frozen=True)
class Phrase:
    source: str
    words: tuple[Word, ...]

    @property
    def contains_negation(self) -> bool:
        return any(w.text in NEGATIONS for w in self.words)

    @cached_property
    def keys(self) -> frozenset[str]:
        """The lexicon keys of its words: all must occur in a text for it to match."""
        return frozenset(w.key for w in self.words)


def first_keys(phrases: tuple[Phrase, ...] | list[Phrase]) -> frozenset[str]:
    """The keys of the phrases' first words: a text where none occurs matches none of them,
    which one set operation tells (screening runs thousands of phrases per message)."""
    return frozenset(p.words[0].key for p in phrases)


def _deletions(text: str) -> set[str]:
    """The text and every string one letter shorter: two words within one edit of each
    other always share one of these keys (symmetric-delete indexing)."""
    return {text} | {text[:i] + text[i + 1:] for i in range(len(text))}


class WordIndex:
    """Every phrase word, indexed so that the words matching a token are found by a few
    dictionary lookups instead of a comparison with each of thousands of words.

    It answers exactly as Word.matches does (a unit test compares the two); it only
    saves time: red-flag screening runs on every message.
    """

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self._exact: dict[str, list[Word]] = {}
        self._prefix: dict[str, list[Word]] = {}
        self._fuzzy_exact: dict[str, list[Word]] = {}
        self._fuzzy_prefix: dict[str, list[Word]] = {}
        self._token_cache: dict[str, frozenset[str]] = {}
        # The longest word of each kind bounds the work per token: a 2000-letter "word"
        # costs no more than one of ordinary length (linear in the message, not cubic).
        self._longest_prefix = 0
        self._longest_fuzzy_exact = 0
        self._longest_fuzzy_prefix = 0
        self.version = 0

    def add(self, words: list[Word] | tuple[Word, ...]) -> None:
        for word in words:
            if word.key in self.keys:
                continue
            self.keys.add(word.key)
            self._token_cache.clear()
            self.version += 1
            (self._prefix if word.prefix else self._exact).setdefault(word.text, []).append(word)
            if word.prefix:
                self._longest_prefix = max(self._longest_prefix, len(word.text))
            if len(word.text) >= FUZZY_MIN_LENGTH:
                if word.prefix:
                    self._longest_fuzzy_prefix = max(self._longest_fuzzy_prefix, len(word.text))
                else:
                    self._longest_fuzzy_exact = max(self._longest_fuzzy_exact, len(word.text))
                fuzzy = self._fuzzy_prefix if word.prefix else self._fuzzy_exact
                for key in _deletions(word.text):
                    fuzzy.setdefault(key, []).append(word)

    def keys_matching(self, token: str) -> frozenset[str]:
        """The keys of all words that match the token."""
        cached = self._token_cache.get(token)
        if cached is not None:
            return cached
        found: set[Word] = set()
        size = len(token)
        # A real word that one typo joins to a vocabulary word has no typo reading.
        fuzzy = not is_real_word(token)
        if token != _BOUNDARY:
            hit = self._exact.get(token)
            if hit:
                found.update(hit)
            prefix = self._prefix
            # "bröst*" does not reach into "bröstvårtorna", a compound of its own.
            first = max(1, _compound_length(token))
            for stop in range(first, min(size, self._longest_prefix) + 1):
                hit = prefix.get(token[:stop])
                if hit:
                    found.update(hit)
            # One typo: only long words have it, so only tokens of about their length.
            if fuzzy and FUZZY_MIN_LENGTH - 1 <= size <= self._longest_fuzzy_exact + 1:
                for key in _deletions(token):
                    hit = self._fuzzy_exact.get(key)
                    if hit:
                        found.update(w for w in hit if _within_one_edit(w.text, token))
            # A typo inside a long stem: the token's starts of about the stem's length.
            for stop in range(FUZZY_MIN_LENGTH - 1,
                              min(size, self._longest_fuzzy_prefix + 1) + 1) if fuzzy else ():
                start = token[:stop]
                for key in _deletions(start):
                    hit = self._fuzzy_prefix.get(key)
                    if hit:
                        found.update(w for w in hit if abs(len(w.text) - stop) <= 1
                                     and _within_one_edit(w.text, start))
        result = frozenset(w.key for w in found)
        if len(token) <= MAX_CACHED_TOKEN:
            if len(self._token_cache) > 50_000:   # residents' vocabulary is open: stay bounded
                self._token_cache.clear()
            self._token_cache[token] = result
        return result


_INDEX = WordIndex()
_NOWHERE: frozenset[int] = frozenset()


class Tokens(list):  # type: ignore[type-arg]
    """Tokens of one text, remembering where each phrase word matches. Built once by
    tokenize and then only read: the memory is not refreshed when the list changes."""

    def __init__(self, tokens: list[str] | tuple[str, ...] = ()) -> None:
        super().__init__(tokens)
        self._where: dict[str, set[int]] = {}
        self._version = -1

    def where(self) -> dict[str, set[int]]:
        """Word key -> indexes of the tokens it matches."""
        if self._version != _INDEX.version:
            self._where = {}
            for index, token in enumerate(self):
                for key in _INDEX.keys_matching(token):
                    self._where.setdefault(key, set()).add(index)
            self._version = _INDEX.version
        return self._where

    def positions(self, word: Word) -> set[int] | frozenset[int]:
        if word.key not in _INDEX.keys:   # a word built outside compile_phrase
            _INDEX.add([word])
        return self.where().get(word.key, _NOWHERE)


@lru_cache(maxsize=4096)
def compile_phrase(source: str) -> Phrase:
    words = []
    for raw in fold(source).split():
        prefix = raw.endswith("*")
        text = raw.rstrip("*").replace("'", "").replace("’", "")
        text = text if prefix else CHAT_SPELLINGS.get(text, text)
        if not text or not re.fullmatch(r"[^\W\d_]+", text):
            raise ValueError(f"phrase {source!r}: {raw!r} is not a word (letters, optional *)")
        if _intensified(text):
            words.append(Word(INTENSIFIER, False))
            text = text[len(INTENSIFIER):]
        words.append(Word(text, prefix))
    if not words:
        raise ValueError("empty phrase")
    _INDEX.add(words)
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


def _match_at(phrase: Phrase, tokens: Tokens, start: int) -> tuple[int, bool] | None:
    """(index after the last matched token, a negation was skipped) if the phrase matches
    starting at `start`, where its first word matches."""
    position = start + 1
    skipped_negation = False
    for word in phrase.words[1:]:
        where = tokens.positions(word)
        for gap in range(MAX_GAP + 1):
            index = position + gap
            if index >= len(tokens) or tokens[index] == _BOUNDARY:
                return None
            if index in where:
                skipped_negation |= any(t in NEGATIONS for t in tokens[position:index])
                position = index + 1
                break
        else:
            return None
    return position, skipped_negation


_FUNCTION_WORDS = frozenset({"att", "pa", "om", "av", "for", "som", "at", "to", "of", "about",
                             "that"})
# "vet inte", "not sure": uncertainty, not a denial of what follows.
_UNCERTAIN_BEFORE = frozenset({"vet", "sure", "know"})


def _is_negator(tokens: list[str], index: int) -> bool:
    if tokens[index] not in NEGATIONS:
        return False
    return not (index > 0 and tokens[index - 1] in _UNCERTAIN_BEFORE)


_REFLEXIVES = frozenset({"sig", "sej", "mig", "mej", "dig", "dej", "oss"})


def _negated(tokens: list[str], start: int, end: int, phrase: Phrase) -> bool:
    if phrase.contains_negation:
        return False
    # "han sluddrar inte": a negation right after the phrase, or after a reflexive pronoun
    # ("rodnaden sprider sig inte").
    if end < len(tokens) and _is_negator(tokens, end):
        return True
    if end + 1 < len(tokens) and tokens[end] in _REFLEXIVES and _is_negator(tokens, end + 1):
        return True
    counted = 0
    for index in range(start - 1, -1, -1):
        # "hjälper inte och han kan knappt prata": a negation does not reach past "och".
        if tokens[index] == _BOUNDARY or tokens[index] in ("och", "and"):
            return False
        if _is_negator(tokens, index):
            return True
        # "inga tankar på att ta livet av mig": small words do not use up the window.
        if tokens[index] not in _FUNCTION_WORDS:
            counted += 1
            if counted >= NEGATION_WINDOW:
                return False
    return False


def matches(phrase: Phrase, tokens: list[str]) -> Iterator[Match]:
    """The phrase's matches in the tokens, in order (lazily: a caller that needs one affirmed
    match stops there)."""
    if not isinstance(tokens, Tokens):
        tokens = Tokens(tokens)
    if not _INDEX.keys >= phrase.keys:   # a phrase built outside compile_phrase
        _INDEX.add(phrase.words)
    if not tokens.where().keys() >= phrase.keys:
        return   # a word of the phrase occurs nowhere: the common case, kept cheap
    for start in sorted(tokens.positions(phrase.words[0])):
        found = _match_at(phrase, tokens, start)
        if found is not None:
            end, skipped_negation = found
            negated = skipped_negation or _negated(tokens, start, end, phrase)
            yield Match(phrase.source, start, end, negated)


def find(phrase: Phrase, tokens: list[str]) -> list[Match]:
    return list(matches(phrase, tokens))


def without(tokens: Tokens, phrases: tuple[Phrase, ...]) -> Tokens:
    """The tokens with every match of `phrases` blanked out (a clause boundary), so that a
    rule does not read words used in another sense there ("har druckit och kissat")."""
    blanked = list(tokens)
    for phrase in phrases:
        for match in matches(phrase, tokens):
            blanked[match.start:match.end] = [_BOUNDARY] * (match.end - match.start)
    return tokens if blanked == list(tokens) else Tokens(blanked)


def affirmed_or_denied(phrase: Phrase, tokens: Tokens) -> bool | None:
    """True if the phrase occurs affirmed, False if only negated, None if not at all."""
    denied = None
    for match in matches(phrase, tokens):
        if not match.negated:
            return True
        denied = False
    return denied


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


def first_affirmed(phrases: tuple[Phrase, ...] | list[Phrase], tokens: Tokens) -> str | None:
    """The first of the phrases that occurs affirmed (as `presence(...).affirmed[0]`),
    stopping there: screening every message needs no more."""
    present = tokens.where().keys()
    for phrase in phrases:
        if present >= phrase.keys and affirmed_or_denied(phrase, tokens):
            return phrase.source
    return None


class PhraseIndex:
    """A long phrase list grouped by the key of each phrase's first word, so that a message is
    checked only against phrases whose first word it contains. The TriageGuard's 11,000
    phrases cost ~8 ms a message as a plain list, in the one Rasa process (profiled)."""

    def __init__(self, phrases: tuple[Phrase, ...] | list[Phrase]) -> None:
        self.phrases = tuple(phrases)
        self._by_first: dict[str, list[int]] = {}
        for position, phrase in enumerate(self.phrases):
            self._by_first.setdefault(phrase.words[0].key, []).append(position)

    def candidates(self, tokens: Tokens) -> list[Phrase]:
        """The phrases whose first word occurs in the tokens, in list order."""
        keys = tokens.where().keys() & self._by_first.keys()
        return [self.phrases[i] for i in sorted(i for key in keys for i in self._by_first[key])]

    def any_in(self, tokens: Tokens) -> bool:
        """Whether any phrase occurs in the tokens, negated or not."""
        return any(find(phrase, tokens) for phrase in self.candidates(tokens))


def presence(phrases: tuple[Phrase, ...] | list[Phrase] | PhraseIndex, tokens: list[str]
             ) -> Presence:
    if not isinstance(tokens, Tokens):
        tokens = Tokens(tokens)
    affirmed: list[str] = []
    negated: list[str] = []
    present = tokens.where().keys()
    if isinstance(phrases, PhraseIndex):
        phrases = phrases.candidates(tokens)
    for phrase in phrases:
        if not present >= phrase.keys:   # the common case, kept cheap
            continue
        said = affirmed_or_denied(phrase, tokens)
        if said is not None:
            (affirmed if said else negated).append(phrase.source)
    return Presence(tuple(dict.fromkeys(affirmed)), tuple(dict.fromkeys(negated)))
