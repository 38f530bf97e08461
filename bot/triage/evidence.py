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
from bot.triage.matcher import Tokens, presence, tokenize


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


def read_messages(texts: list[str], facts: Facts, concepts: dict[str, Concept],
                  tokens: list[Tokens] | None = None) -> Evidence:
    """The evidence in the resident's messages and the numbers they gave."""
    evidence: Evidence = {}
    tokens = tokens if tokens is not None else [tokenize(text) for text in texts]
    present = [message.where().keys() for message in tokens]
    for concept in concepts.values():
        for index, message in enumerate(tokens):
            if present[index].isdisjoint(concept.keys):
                continue
            found = presence(concept.forms, message)
            if found.present:
                add(evidence, Finding(concept.id, Status.PRESENT, "message",
                                      found.affirmed[0], index))
                break
            if found.denied:
                add(evidence, Finding(concept.id, Status.ABSENT, "message",
                                      "inte " + found.negated[0], index))
            elif concept.absent_forms:
                opposite = presence(concept.absent_forms, message)
                if opposite.present:
                    add(evidence, Finding(concept.id, Status.ABSENT, "message",
                                          opposite.affirmed[0], index))
        if concept.present_when and concept.present_when.holds(facts):
            add(evidence, Finding(concept.id, Status.PRESENT, "number",
                                  _describe(concept.present_when, facts)))
        elif concept.absent_when and concept.absent_when.holds(facts):
            add(evidence, Finding(concept.id, Status.ABSENT, "number",
                                  _describe(concept.absent_when, facts)))
    implied(evidence, concepts)
    return evidence


def implied(evidence: Evidence, concepts: dict[str, Concept]) -> None:
    """A kind affirms what it is a kind of ("hög feber" is fever); denying the broader
    concept denies its kinds ("ingen feber": no high fever either)."""
    for concept in concepts.values():
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
