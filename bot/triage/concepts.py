"""Symptom concepts: one shared vocabulary for protocol choice, questions and red flags.

A concept (bot/content/concepts/*.yml) is something a resident can say they have or do not
have: "svårt att andas", "feber", "gravid". It has Swedish and English surface forms in the
phrase syntax of bot/triage/matcher.py, optional forms that state its absence ("andas
normalt"), and optional thresholds over numbers that make it present or absent (a measured
38.5 is fever). Any phrase list in the content may name a concept as `@id`, which stands for
its forms; a question names the concepts it asks about with `asks`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from bot.content.loader import CONTENT_DIR, ContentError, get, get_date, read_yaml
from bot.triage.conditions import Conditions, parse_conditions
from bot.triage.matcher import Phrase, first_keys, phrase_list

CONCEPT_DIR = CONTENT_DIR / "concepts"
REFERENCE = "@"


@dataclass(frozen=True)
class Concept:
    id: str
    title: str                      # for staff: what the concept means, in Swedish
    topic: str                      # the kind of fact, shared by related concepts
    forms: tuple[Phrase, ...]
    absent_forms: tuple[Phrase, ...]
    present_when: Conditions
    absent_when: Conditions
    source: str
    reviewed: dt.date
    # Broader concepts it is a kind of: "hög feber" is fever, so "ingen feber" also denies
    # it, and a high fever affirms fever.
    kind_of: tuple[str, ...] = ()

    @cached_property
    def keys(self) -> frozenset[str]:
        """First words of all its wordings: a message with none of them says nothing of it."""
        return first_keys(self.forms + self.absent_forms)


def _concept(entry: Any, index: int, path: Path, source: str, reviewed: dt.date) -> Concept:
    if not isinstance(entry, dict):
        raise ContentError(path, f"concepts[{index}]", "must be a mapping")
    concept_id = get(entry, "id", str, path, f"concepts[{index}].")
    prefix = f"concepts[{concept_id}]."
    if not concept_id.replace("_", "").isalnum() or not concept_id.islower():
        raise ContentError(path, f"{prefix}id", "use lower case letters, digits and _")
    forms = phrase_list(entry.get("forms"), path, f"{prefix}forms")
    absent = (phrase_list(entry["absent_forms"], path, f"{prefix}absent_forms")
              if entry.get("absent_forms") is not None else ())
    return Concept(
        id=concept_id,
        title=get(entry, "title", str, path, prefix),
        topic=get(entry, "topic", str, path, prefix, required=False, default=concept_id),
        forms=forms,
        absent_forms=absent,
        present_when=parse_conditions(entry.get("present_when"), path, f"{prefix}present_when"),
        absent_when=parse_conditions(entry.get("absent_when"), path, f"{prefix}absent_when"),
        source=source,
        reviewed=reviewed,
        kind_of=tuple(get(entry, "kind_of", list, path, prefix, required=False, default=[])),
    )


def load_concepts(directory: Path = CONCEPT_DIR) -> dict[str, Concept]:
    """Every concept of every file. A file may also add wordings to a concept defined in
    another (`more_forms: {id: [...]}`): an area's own words for a shared sign."""
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise ContentError(directory, "<dir>", "no concept files found")
    found: dict[str, Concept] = {}
    more: list[tuple[Path, str, Any]] = []
    for path in files:
        data = read_yaml(path)
        reviewed = get_date(data, "reviewed", path)
        source = get(data, "source", str, path)
        for index, entry in enumerate(get(data, "concepts", list, path, required=False,
                                          default=[])):
            concept = _concept(entry, index, path, source, reviewed)
            if concept.id in found:
                raise ContentError(path, f"concepts[{concept.id}].id", "is defined twice")
            found[concept.id] = concept
        extra = get(data, "more_forms", dict, path, required=False, default={})
        more += [(path, concept_id, raw) for concept_id, raw in extra.items()]
    for concept in found.values():
        for broader in concept.kind_of:
            if broader not in found or broader == concept.id:
                raise ContentError(concept.source, f"concepts[{concept.id}].kind_of",
                                   f"unknown concept {broader!r}")
    for path, concept_id, raw in more:
        if concept_id not in found:
            raise ContentError(path, f"more_forms.{concept_id}", "unknown concept")
        forms = phrase_list(raw, path, f"more_forms.{concept_id}")
        concept = found[concept_id]
        found[concept_id] = replace(concept,
                                    forms=tuple(dict.fromkeys(concept.forms + forms)))
    return found


@lru_cache(maxsize=1)
def concepts() -> dict[str, Concept]:
    return load_concepts()


def concept_ids(raw: Any, path: object, field: str,
                known: dict[str, Concept] | None = None) -> tuple[str, ...]:
    """A list of concept ids (`asks: [fever, vomiting]`), each checked to exist."""
    known = concepts() if known is None else known
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw or not all(isinstance(i, str) for i in raw):
        raise ContentError(str(path), field, "must be a concept id or a list of them")
    for concept_id in raw:
        if concept_id not in known:
            raise ContentError(str(path), field, f"unknown concept {concept_id!r}")
    return tuple(raw)


def phrases(raw: Any, path: object, field: str,
            known: dict[str, Concept] | None = None) -> tuple[Phrase, ...]:
    """A phrase list in which `@id` stands for the forms of concept `id`."""
    if not isinstance(raw, list) or not raw or not all(isinstance(p, str) for p in raw):
        raise ContentError(str(path), field, "must be a non-empty list of phrases")
    own = [p for p in raw if not p.startswith(REFERENCE)]
    result: list[Phrase] = list(phrase_list(own, path, field)) if own else []
    refs = [p[len(REFERENCE):] for p in raw if p.startswith(REFERENCE)]
    if refs:
        known = concepts() if known is None else known
        for concept_id in refs:
            if concept_id not in known:
                raise ContentError(str(path), field, f"unknown concept @{concept_id}")
            result.extend(known[concept_id].forms)
    return tuple(dict.fromkeys(result))
