"""Red flags: deterministic rules that force a triage level, checked on every message.

Loaded from bot/content/red_flags.yml. A red flag fires when, for each of its groups, at
least one phrase of the group occurs in the text and is not negated (`@id` in a group stands
for a concept's forms), every threshold in its `when` holds ("spo2_below: 90"), and no
phrase of its `unless` occurs ("genom näsan"). Red flags
never depend on the intent classifier, and nothing later in a conversation lowers them.
"""

from __future__ import annotations

from collections.abc import KeysView
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from bot.content.loader import CONTENT_DIR, ContentError, get, get_date, read_yaml
from bot.content.phone_book import phone_book
from bot.content.texts import SOURCE_LANGUAGE, translated
from bot.triage.ages import AgeRange
from bot.triage.concepts import Concept, concepts, phrases
from bot.triage.conditions import KEYS, Conditions, parse_conditions
from bot.triage.facts import Facts, extract_facts
from bot.triage.levels import Level
from bot.triage.matcher import (
    Phrase,
    PhraseIndex,
    Tokens,
    first_affirmed,
    first_keys,
    tokenize,
    without,
)

RED_FLAGS_FILE = CONTENT_DIR / "red_flags.yml"


@dataclass(frozen=True)
class RedFlag:
    id: str
    level: Level
    title: str            # for staff: what the rule catches
    reason: str           # for the resident: "because ..."
    response: str         # what the bot says, phone numbers filled in
    groups: tuple[tuple[Phrase, ...], ...]
    # Per group, the number thresholds of its `@concept`s ("@fever" is also 38.9 degrees).
    group_numbers: tuple[tuple[Conditions, ...], ...]
    when: Conditions
    # Wordings that show the phrases mean something harmless here ("ingen luft genom
    # näsan"): kept narrow, since they silence the rule for the whole text.
    unless: tuple[Phrase, ...]
    applies_to: AgeRange
    phones: tuple[str, ...]
    to_emergency_department: bool = False  # urgent: straight to an akutmottagning
    # Wordings whose words the rule does not read ("har druckit och kissat", "febern gick
    # ner av alvedon"): unlike `unless`, the rest of the text can still fire it.
    ignore: tuple[Phrase, ...] = ()

    @cached_property
    def group_keys(self) -> tuple[frozenset[str], ...]:
        """Per group, the first words of its phrases: a group none of which occurs rules
        the flag out with one set operation."""
        return tuple(first_keys(group) for group in self.groups)

    @cached_property
    def gate(self) -> frozenset[str] | None:
        """The first words of the smallest group without numbers: a text that has none of
        them cannot fire the flag. None when every group can also hold by a number."""
        plain = [keys for keys, numbers in zip(self.group_keys, self.group_numbers, strict=True)
                 if not numbers]
        return min(plain, key=len) if plain else None

    @cached_property
    def indexes(self) -> tuple[PhraseIndex, ...]:
        """Each group's phrases by their first word: a concept's hundreds of forms are not
        tried one by one on every message."""
        return tuple(PhraseIndex(group) for group in self.groups)


@dataclass(frozen=True)
class RedFlagHit:
    flag: RedFlag
    evidence: tuple[str, ...]  # the phrase that matched in each group

    def to_dict(self) -> dict[str, object]:
        return {"id": self.flag.id, "level": self.flag.level.id, "evidence": list(self.evidence)}


def load_red_flags(path: Path = RED_FLAGS_FILE, known: dict[str, Concept] | None = None,
                   language: str = SOURCE_LANGUAGE) -> tuple[RedFlag, ...]:
    data = read_yaml(path)
    get_date(data, "reviewed", path)
    get(data, "source", str, path)
    entries = get(data, "red_flags", list, path)
    numbers = {key: entry.number for key, entry in phone_book().items()}
    flags: list[RedFlag] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        prefix = f"red_flags[{index}]."
        if not isinstance(entry, dict):
            raise ContentError(path, f"red_flags[{index}]", "must be a mapping")
        flag_id = get(entry, "id", str, path, prefix)
        prefix = f"red_flags[{flag_id}]."
        if flag_id in seen:
            raise ContentError(path, f"{prefix}id", "is used twice")
        seen.add(flag_id)
        try:
            level = Level.parse(get(entry, "level", str, path, prefix))
            applies_to = AgeRange.parse(entry.get("applies_to"))
        except ValueError as error:
            raise ContentError(path, prefix + "level/applies_to", str(error)) from None
        if level < Level.URGENT:
            raise ContentError(path, f"{prefix}level", "a red flag forces urgent or emergency")
        destination = get(entry, "destination", str, path, prefix, required=False)
        if destination not in (None, "akutmottagning") or (destination and level != Level.URGENT):
            raise ContentError(path, f"{prefix}destination",
                               "may only be 'akutmottagning', with level urgent")
        when = parse_conditions(entry.get("when"), path, f"{prefix}when")
        if "all_of" in entry:
            raw_groups = get(entry, "all_of", list, path, prefix)
        elif "any_of" in entry or not when:
            raw_groups = [entry.get("any_of")]
        else:
            raw_groups = []  # a threshold alone: "spo2_below: 88"
        field = "all_of" if "all_of" in entry else "any_of"
        groups = tuple(phrases(g, path, f"{prefix}{field}[{i}]", known)
                       for i, g in enumerate(raw_groups))
        vocabulary = concepts() if known is None else known
        group_numbers = tuple(
            tuple(vocabulary[item[1:]].present_when for item in raw
                  if isinstance(item, str) and item.startswith("@")
                  and vocabulary[item[1:]].present_when)
            for raw in raw_groups)
        phones = tuple(get(entry, "phones", list, path, prefix, required=False, default=[]))
        for phone in phones:
            if phone not in numbers:
                raise ContentError(path, f"{prefix}phones", f"unknown phone key {phone!r}")
        response = get(entry, "response", str, path, prefix)
        try:
            response = " ".join(response.format(**numbers).split())
        except (KeyError, ValueError) as error:
            raise ContentError(path, f"{prefix}response", f"bad placeholder {error}") from None
        reason = get(entry, "reason", str, path, prefix)
        flags.append(RedFlag(
            id=flag_id, level=level, title=get(entry, "title", str, path, prefix),
            # Resident-facing texts are catalogue entries: red_flag.<id>.<field>.
            reason=translated(language, f"red_flag.{flag_id}.reason", reason),
            response=translated(language, f"red_flag.{flag_id}.response", response),
            groups=groups, group_numbers=group_numbers, when=when,
            unless=(phrases(entry["unless"], path, f"{prefix}unless", known)
                    if entry.get("unless") is not None else ()),
            applies_to=applies_to, phones=phones,
            to_emergency_department=destination == "akutmottagning",
            ignore=(phrases(entry["ignore"], path, f"{prefix}ignore", known)
                    if entry.get("ignore") is not None else ()),
        ))
    return tuple(flags)


@cache
def red_flags(language: str = SOURCE_LANGUAGE) -> tuple[RedFlag, ...]:
    return load_red_flags(language=language)


class _Gates:
    """Which flags a word can open: a message is checked against the few flags whose gate
    group it touches, not all of them (screening runs on every message, in the one Rasa
    process)."""

    def __init__(self, flags: tuple[RedFlag, ...]) -> None:
        self.flags = flags
        self.always: list[int] = []
        self.by_key: dict[str, list[int]] = {}
        for position, flag in enumerate(flags):
            if flag.gate is None:
                self.always.append(position)
            for key in flag.gate or ():
                self.by_key.setdefault(key, []).append(position)

    def candidates(self, present: KeysView[str]) -> list[RedFlag]:
        """The flags that may fire on a text with these word keys, in file order."""
        chosen = set(self.always)
        for key in present & self.by_key.keys():
            chosen.update(self.by_key[key])
        return [self.flags[i] for i in sorted(chosen)]


_GATES: dict[int, _Gates] = {}


def _gates(flags: tuple[RedFlag, ...]) -> _Gates:
    known = _GATES.get(id(flags))
    if known is None or known.flags is not flags:
        known = _GATES[id(flags)] = _Gates(flags)
        if len(_GATES) > 8:   # tests load small flag sets of their own
            _GATES.pop(next(iter(_GATES)))
    return known


def screen(text: str, facts: Facts | None = None,
           flags: tuple[RedFlag, ...] | None = None,
           tokens: Tokens | None = None, text_facts: Facts | None = None) -> list[RedFlagHit]:
    """All red flags that fire on `text`, most urgent first.

    `facts` (age, child, numbers) may come from earlier messages; facts in `text` are added
    (pass them as `text_facts` when already extracted, and its `tokens`).
    """
    flags = red_flags() if flags is None else flags
    own = extract_facts(text) if text_facts is None else text_facts
    known = own if facts is None else facts.merged(own)
    tokens = tokenize(text) if tokens is None else tokens
    present = tokens.where().keys()
    hits: list[RedFlagHit] = []
    for flag in _gates(flags).candidates(present):
        if not flag.applies_to.may_apply_to_emergency(known.age_years, known.child,
                                                      known.adult):
            continue
        if flag.when and not flag.when.holds(known):
            continue
        read, seen = tokens, present
        if flag.ignore:
            read = without(tokens, flag.ignore)
            seen = read.where().keys()
        if any(seen.isdisjoint(keys) and not any(c.holds(known) for c in numbers)
               for keys, numbers in zip(flag.group_keys, flag.group_numbers, strict=True)):
            continue
        evidence = [f"{name} {getattr(known, name):g}"
                    for name in dict.fromkeys(KEYS[c.key][0] for c in flag.when.items)]
        for index, numbers in zip(flag.indexes, flag.group_numbers, strict=True):
            found = first_affirmed(index.candidates(read), read)
            if found is not None:
                evidence.append(found)
                continue
            by_number = [c for c in numbers if c.holds(known)]
            if not by_number:
                break
            evidence.append(", ".join(f"{KEYS[c.key][0]} {getattr(known, KEYS[c.key][0]):g}"
                                      for c in by_number[0].items))
        else:
            if flag.unless and first_affirmed(flag.unless, read) is not None:
                continue
            hits.append(RedFlagHit(flag, tuple(evidence)))
    hits.sort(key=lambda hit: hit.flag.level, reverse=True)
    return hits
