"""Evidence: what the conversation says about each concept, with where it was said.

Every resident message is read for every concept, whatever the bot was waiting for. A
concept is `present` when some message affirms it (or a number shows it), `absent` when a
message denies it or says the opposite ("andas normalt"), and `unknown` when the resident
answered "vet inte" about it. Present wins over absent, so a later "nu har hon feber" after
"ingen feber" counts, and a denial never hides a sign stated elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from bot.triage.concepts import Concept
from bot.triage.conditions import KEYS, Conditions
from bot.triage.facts import Facts
from bot.triage.matcher import Phrase, Tokens, affirmed_or_denied, matches, tokenize


class Status(str, Enum):
    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"


_RANK = {Status.UNKNOWN: 0, Status.ABSENT: 1, Status.PRESENT: 2}


@dataclass(frozen=True)
class Finding:
    concept: str
    status: Status
    source: str                 # "message", "number" or "answer"
    detail: str                 # the phrase matched, the number, or the question answered
    message: int | None = None  # index of the resident message, when from text

    def to_dict(self) -> dict[str, Any]:
        return {"concept": self.concept, "status": self.status.value, "source": self.source,
                "detail": self.detail, "message": self.message}


Evidence = dict[str, Finding]


def add(evidence: Evidence, finding: Finding) -> None:
    """Keeps the stronger finding: present over absent over unknown, earlier over later."""
    known = evidence.get(finding.concept)
    if known is None or _RANK[finding.status] > _RANK[known.status]:
        evidence[finding.concept] = finding


class _Vocabulary:
    """The concepts' wordings indexed by their first word, so that reading a message looks
    only at the wordings that can match it, not at thousands that cannot."""

    def __init__(self, concepts: dict[str, Concept]) -> None:
        self.concepts = concepts
        self.by_key: dict[str, list[tuple[str, Phrase, bool]]] = {}
        for concept in concepts.values():
            for phrase, absent in [(p, False) for p in concept.forms] + \
                    [(p, True) for p in concept.absent_forms]:
                self.by_key.setdefault(phrase.words[0].key, []).append(
                    (concept.id, phrase, absent))
        self.with_numbers = [c for c in concepts.values() if c.present_when or c.absent_when]
        self.kinds = [c for c in concepts.values() if c.kind_of]


_VOCABULARIES: dict[int, _Vocabulary] = {}


def _vocabulary(concepts: dict[str, Concept]) -> _Vocabulary:
    known = _VOCABULARIES.get(id(concepts))
    if known is None or known.concepts is not concepts:
        known = _VOCABULARIES[id(concepts)] = _Vocabulary(concepts)
        if len(_VOCABULARIES) > 8:   # tests build small vocabularies of their own
            _VOCABULARIES.pop(next(iter(_VOCABULARIES)))
    return known


def read_messages(texts: list[str], facts: Facts, concepts: dict[str, Concept],
                  tokens: list[Tokens] | None = None) -> Evidence:
    """The evidence in the resident's messages and the numbers they gave."""
    evidence: Evidence = {}
    vocabulary = _vocabulary(concepts)
    tokens = tokens if tokens is not None else [tokenize(text) for text in texts]
    for index, message in enumerate(tokens):
        present = message.where().keys()
        # concept -> (affirmed form, denied form, absence form), the first of each found
        said: dict[str, list[str | None]] = {}
        for key in present:
            for concept_id, phrase, absent in vocabulary.by_key.get(key, ()):
                slot = said.get(concept_id)
                if ((slot is not None and slot[0] and (slot[2] or not absent))
                        or not present >= phrase.keys):
                    continue   # already affirmed (and an absence seen), or cannot match
                found = affirmed_or_denied(phrase, message)
                if found is None or (absent and not found):
                    continue   # "andas inte normalt" says nothing of its absence
                slot = said.setdefault(concept_id, [None, None, None])
                which = 2 if absent else (0 if found else 1)
                slot[which] = slot[which] or phrase.source
        for concept_id, (affirmed, denied, opposite) in said.items():
            if affirmed and opposite and _only_inside_absences(concepts[concept_id], message):
                affirmed = None
            if affirmed:
                add(evidence, Finding(concept_id, Status.PRESENT, "message", affirmed, index))
            elif denied:
                add(evidence, Finding(concept_id, Status.ABSENT, "message",
                                      "inte " + denied, index))
            elif opposite:
                add(evidence, Finding(concept_id, Status.ABSENT, "message", opposite, index))
    for concept in vocabulary.with_numbers:
        if concept.present_when and concept.present_when.holds(facts):
            add(evidence, Finding(concept.id, Status.PRESENT, "number",
                                  _describe(concept.present_when, facts)))
        elif concept.absent_when and concept.absent_when.holds(facts):
            add(evidence, Finding(concept.id, Status.ABSENT, "number",
                                  _describe(concept.absent_when, facts)))
    implied(evidence, concepts)
    return evidence


def _only_inside_absences(concept: Concept, tokens: Tokens) -> bool:
    """Whether every affirmed form of the concept lies inside a longer absence form of it:
    "aldrig ont i bröstet när jag anstränger mig" holds "när jag anstränger mig" but denies
    it. Longer in words, not in span: "kan gapa" spans "kan knappt gapa" without denying it."""
    spans = [(m.start, m.end, len(phrase.words)) for phrase in concept.absent_forms
             for m in matches(phrase, tokens) if not m.negated]
    return all(any(start <= m.start and m.end <= end and size > len(phrase.words)
                   for start, end, size in spans)
               for phrase in concept.forms for m in matches(phrase, tokens) if not m.negated)


def implied(evidence: Evidence, concepts: dict[str, Concept]) -> None:
    """A kind affirms what it is a kind of ("hög feber" is fever); denying the broader
    concept denies its kinds ("ingen feber": no high fever either)."""
    for concept in _vocabulary(concepts).kinds:
        mine = evidence.get(concept.id)
        for broader_id in concept.kind_of:
            broader = evidence.get(broader_id)
            if mine is not None and mine.status == Status.PRESENT:
                add(evidence, Finding(broader_id, Status.PRESENT, mine.source,
                                      mine.detail, mine.message))
            elif broader is not None and broader.status == Status.ABSENT and mine is None:
                evidence[concept.id] = Finding(concept.id, Status.ABSENT, broader.source,
                                               broader.detail, broader.message)


def _describe(conditions: Conditions, facts: Facts) -> str:
    names = dict.fromkeys(KEYS[c.key][0] for c in conditions.items)
    return ", ".join(f"{name} {getattr(facts, name):g}" for name in names)
