"""Symptom protocols: one YAML file per chief complaint in bot/content/protocols/.

Every question is phrased so that "ja" is the worrying answer: "ja" raises the level to the
question's `if_yes` level, "vet inte" to its `if_unknown` level (by default the same, to be
safe), "nej" changes nothing. A question names the concepts it asks about (`asks`), so the
evidence of the whole conversation answers it without asking; `when` thresholds let a stated
number answer it. The schema is checked on load; errors name the file and the field.

Kinds: `triage` (a complaint), `administrative` (an errand, no questions) and `general` (the
one protocol for what no other fits: universal danger questions and a careful route).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.content.loader import CONTENT_DIR, ContentError, get, get_date, read_yaml
from bot.content.texts import SOURCE_LANGUAGE, T, translated
from bot.triage.ages import AgeRange
from bot.triage.concepts import Concept, concept_ids, concepts, phrases
from bot.triage.conditions import Conditions, parse_conditions
from bot.triage.levels import Level
from bot.triage.matcher import Phrase

PROTOCOL_DIR = CONTENT_DIR / "protocols"
TRIAGE, ADMINISTRATIVE, GENERAL = "triage", "administrative", "general"
KINDS = (TRIAGE, ADMINISTRATIVE, GENERAL)
DESTINATION_ED = "akutmottagning"


@dataclass(frozen=True)
class Question:
    id: str                 # "<protocol>.<question>", used in reasons, logs and tests
    text: str
    why: str
    yes: Level
    unknown: Level
    reason: str             # resident-facing "because ...", used when the answer raised the level
    asks: tuple[str, ...]   # concept ids: any present answers "ja", all absent "nej"
    # Concepts that must all be present too ("fever AND faster breathing"): one absent
    # answers "nej"; one not mentioned leaves the question to be asked.
    requires: tuple[str, ...]
    yes_terms: tuple[Phrase, ...]   # further wordings that mean "ja" to this question only
    when: Conditions        # numbers that answer it ("duration at least 7 days")
    applies_to: AgeRange
    # "akutmottagning": an urgent "ja" means going straight to an emergency department
    # (1177's "sök vård direkt på akutmottagning"), not the vårdcentral.
    to_emergency_department: bool = False


@dataclass(frozen=True)
class AgeRule:
    applies_to: AgeRange
    level: Level
    reason: str
    id: str


@dataclass(frozen=True)
class Protocol:
    id: str
    title: str
    kind: str
    terms: tuple[Phrase, ...]
    # Wordings that name the condition as a background ("jag har astma"): with another
    # complaint the protocol is context (its questions may raise the level, its default
    # level and title do not lead); alone, it is the complaint.
    context_terms: tuple[Phrase, ...]
    applies_to: AgeRange
    default_level: Level
    digital_ok: bool
    questions: tuple[Question, ...]
    age_rules: tuple[AgeRule, ...]
    self_care: tuple[str, ...]
    seek_care_if: tuple[str, ...]
    summary: str            # one plain sentence on what the protocol covers
    source: str
    reviewed: dt.date
    path: str


def _level(entry: dict[str, Any], key: str, path: Path, prefix: str,
           default: Level | None = None) -> Level:
    raw = entry.get(key)
    if raw is None:
        if default is None:
            raise ContentError(path, f"{prefix}{key}", "is missing")
        return default
    try:
        return Level.parse(str(raw))
    except ValueError as error:
        raise ContentError(path, f"{prefix}{key}", str(error)) from None


def _ages(entry: dict[str, Any], path: Path, field: str) -> AgeRange:
    try:
        return AgeRange.parse(entry.get("applies_to"))
    except ValueError as error:
        raise ContentError(path, field, str(error)) from None


def _phrases(raw: Any, path: Path, field: str, required: bool,
             known: dict[str, Concept]) -> tuple[Phrase, ...]:
    if raw is None and not required:
        return ()
    return phrases(raw, path, field, known)


def _texts(raw: Any, path: Path, field: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(t, str) and t.strip()
                                                          for t in raw):
        raise ContentError(path, field, "must be a non-empty list of texts")
    return tuple(" ".join(t.split()) for t in raw)


def _question(protocol_id: str, entry: Any, index: int, path: Path,
              known: dict[str, Concept], language: str) -> Question:
    prefix = f"questions[{index}]."
    if not isinstance(entry, dict):
        raise ContentError(path, f"questions[{index}]", "must be a mapping")
    short_id = get(entry, "id", str, path, prefix)
    prefix = f"questions[{short_id}]."
    # Keys are if_yes/if_unknown: YAML 1.1 reads a bare `yes:` key as the boolean True.
    yes = _level(entry, "if_yes", path, prefix)
    destination = get(entry, "destination", str, path, prefix, required=False)
    if destination not in (None, DESTINATION_ED):
        raise ContentError(path, f"{prefix}destination", f"may only be {DESTINATION_ED!r}")
    if destination and yes != Level.URGENT:
        raise ContentError(path, f"{prefix}destination", "is only for if_yes: urgent")
    question_id = f"{protocol_id}.{short_id}"

    def text_of(key: str) -> str:
        swedish = " ".join(get(entry, key, str, path, prefix).split())
        return translated(language, f"protocol.{question_id}.{key}", swedish)

    text = text_of("text")
    if not text.endswith("?"):
        raise ContentError(path, f"{prefix}text", "a question must end with '?'")
    return Question(
        id=question_id,
        text=text,
        why=text_of("why"),
        yes=yes,
        unknown=_level(entry, "if_unknown", path, prefix, default=yes),
        reason=text_of("reason"),
        asks=(concept_ids(entry["asks"], path, f"{prefix}asks", known)
              if entry.get("asks") is not None else ()),
        requires=(concept_ids(entry["requires"], path, f"{prefix}requires", known)
                  if entry.get("requires") is not None else ()),
        yes_terms=_phrases(entry.get("yes_terms"), path, f"{prefix}yes_terms", False, known),
        when=parse_conditions(entry.get("when"), path, f"{prefix}when"),
        applies_to=_ages(entry, path, f"{prefix}applies_to"),
        to_emergency_department=destination == DESTINATION_ED,
    )


def load_protocol(path: Path, known: dict[str, Concept] | None = None,
                  language: str = SOURCE_LANGUAGE) -> Protocol:
    known = concepts() if known is None else known
    data = read_yaml(path)
    protocol_id = get(data, "id", str, path)
    if protocol_id != path.stem:
        raise ContentError(path, "id", f"must equal the file name ({path.stem!r})")
    kind = get(data, "kind", str, path, required=False, default=TRIAGE)
    if kind not in KINDS:
        raise ContentError(path, "kind", f"must be one of {', '.join(KINDS)}")
    questions_raw = get(data, "questions", list, path, required=False, default=[])
    if kind != ADMINISTRATIVE and not questions_raw:
        raise ContentError(path, "questions", f"a {kind} protocol needs questions")
    questions = tuple(_question(protocol_id, q, i, path, known, language)
                      for i, q in enumerate(questions_raw))

    def text_of(key: str, swedish: T) -> T:
        # Clinical texts are catalogue entries: protocol.<id>.<field>, per language.
        return translated(language, f"protocol.{protocol_id}.{key}", swedish)

    ids = [q.id for q in questions]
    if len(ids) != len(set(ids)):
        raise ContentError(path, "questions", "question ids must be unique")
    age_rules = []
    for i, rule in enumerate(get(data, "age_rules", list, path, required=False, default=[])):
        prefix = f"age_rules[{i}]."
        if not isinstance(rule, dict):
            raise ContentError(path, f"age_rules[{i}]", "must be a mapping")
        rule_id = get(rule, "id", str, path, prefix)
        age_rules.append(AgeRule(
            applies_to=_ages(rule, path, f"{prefix}applies_to"),
            level=_level(rule, "level", path, prefix),
            reason=text_of(f"{rule_id}.reason",
                           " ".join(get(rule, "reason", str, path, prefix).split())),
            id=f"{protocol_id}.{rule_id}",
        ))
    advice = get(data, "advice", dict, path)
    return Protocol(
        id=protocol_id,
        title=text_of("title", get(data, "title", str, path)),
        kind=kind,
        terms=_phrases(data.get("terms"), path, "terms", kind != GENERAL, known),
        context_terms=_phrases(data.get("context_terms"), path, "context_terms", False, known),
        applies_to=_ages(data, path, "applies_to"),
        default_level=_level(data, "default_level", path, ""),
        digital_ok=bool(get(data, "digital_ok", bool, path)),
        questions=questions,
        age_rules=tuple(age_rules),
        self_care=text_of("self_care",
                          _texts(advice.get("self_care"), path, "advice.self_care")),
        seek_care_if=text_of("seek_care_if",
                             _texts(advice.get("seek_care_if"), path, "advice.seek_care_if")),
        summary=text_of("summary", " ".join(get(data, "summary", str, path).split())),
        source=get(data, "source", str, path),
        reviewed=get_date(data, "reviewed", path),
        path=str(path),
    )


def load_protocols(directory: Path = PROTOCOL_DIR,
                   known: dict[str, Concept] | None = None,
                   language: str = SOURCE_LANGUAGE) -> dict[str, Protocol]:
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise ContentError(directory, "<dir>", "no protocol files found")
    found = {p.id: p for p in (load_protocol(path, known, language) for path in files)}
    general = [p.id for p in found.values() if p.kind == GENERAL]
    if len(general) > 1:
        raise ContentError(directory, "kind", f"only one general protocol, found {general}")
    return found


@cache
def protocols(language: str = SOURCE_LANGUAGE) -> dict[str, Protocol]:
    return load_protocols(language=language)
