"""Which informational intent a message really names (framework-free; used by TriageGuard).

The classifier can give a long description of symptoms a confident errand intent. An errand
is believed when the message names one of its words (bot/nlp/errand_words.yml); a message
about symptoms that names none is read as symptoms.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from bot.triage.matcher import Phrase, PhraseIndex, Tokens, find, phrase_list, presence

ERRAND_WORDS_FILE = Path(__file__).with_name("errand_words.yml")


@lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.safe_load(ERRAND_WORDS_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def errand_words() -> dict[str, tuple[Phrase, ...]]:
    return {intent: phrase_list(words, ERRAND_WORDS_FILE, f"errands.{intent}")
            for intent, words in _data()["errands"].items()}


@lru_cache(maxsize=1)
def animal_words() -> tuple[tuple[Phrase, ...], tuple[Phrase, ...]]:
    """(words for an animal as the patient, words that bring a person in)."""
    animals = _data()["animals"]
    return (phrase_list(animals["patients"], ERRAND_WORDS_FILE, "animals.patients"),
            phrase_list(animals["people"], ERRAND_WORDS_FILE, "animals.people"))


@lru_cache(maxsize=1)
def conversation_words() -> tuple[Phrase, ...]:
    return phrase_list(_data()["conversation"], ERRAND_WORDS_FILE, "conversation")


@lru_cache(maxsize=1)
def not_urgent_words() -> PhraseIndex:
    return PhraseIndex(phrase_list(_data()["not_urgent"], ERRAND_WORDS_FILE, "not_urgent"))


def says_not_urgent(tokens: Tokens) -> bool:
    """Whether the resident says it is no emergency ("det är inte akut", "not an emergency"):
    then the classifier's "emergency" alone is not believed."""
    return not_urgent_words().any_in(tokens)   # compiled before the tokens are indexed


@lru_cache(maxsize=1)
def _on_topic_words() -> PhraseIndex:
    """Every errand's words and the words of talking with the bot."""
    return PhraseIndex(tuple(p for group in errand_words().values() for p in group)
                       + conversation_words())


def off_topic(tokens: Tokens) -> bool:
    """Whether a message names no errand's word and no word of talking with the bot: when the
    classifier could not place it either, it is about something else ("bygglov altan",
    "när går färjan"), not a question the bot misunderstood. One word is too little to tell."""
    words = [t for t in tokens if t != "|"]
    if len(words) < 2:
        return False
    # Compiled before the tokens are indexed: compiling adds words to the index, and an
    # index read before that misses them (the first message after a model load did).
    return not _on_topic_words().any_in(tokens)


def is_errand(intent: str | None) -> bool:
    return intent in errand_words()


def names_errand(intent: str, tokens: Tokens) -> bool:
    """Whether the message names a word of `intent`'s errand (negated or not: "jag vill inte
    boka om" is still about a booking)."""
    phrases = errand_words().get(intent, ())   # compiled before the tokens are indexed
    where = tokens.where()
    return any(phrase.words[0].key in where and find(phrase, tokens) for phrase in phrases)


def about_an_animal(tokens: Tokens) -> bool:
    """Whether an animal is the patient and no person is in the message: a vet's question."""
    patients, people = animal_words()
    return bool(presence(patients, tokens).present) and not presence(people, tokens).present
