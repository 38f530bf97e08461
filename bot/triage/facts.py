"""Facts residents state in free text: age, temperature and how long it has lasted.

"min son är 3 år och har haft 39 graders feber i två dagar" gives age 3, temperature 39.0
and duration 2 days, so the bot never asks for them again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.triage.normalise import fold

_NUMBER_WORDS = {
    "en": 1, "ett": 1, "one": 1, "a": 1, "tva": 2, "two": 2, "tre": 3, "three": 3, "fyra": 4,
    "four": 4, "fem": 5, "five": 5, "sex": 6, "six": 6, "sju": 7, "seven": 7, "atta": 8,
    "eight": 8, "nio": 9, "nine": 9, "tio": 10, "ten": 10, "elva": 11, "tolv": 12,
    "tretton": 13, "fjorton": 14, "femton": 15, "sexton": 16, "sjutton": 17, "arton": 18,
    "nitton": 19, "tjugo": 20, "trettio": 30, "fyrtio": 40, "femtio": 50, "sextio": 60,
    "sjuttio": 70, "attio": 80, "nittio": 90, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "nagra": 3, "flera": 4, "several": 4, "few": 3, "par": 2, "couple": 2,
}
_NUMBER = r"(\d+(?:[.,]\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
# Words in front of a time span that make it a duration rather than an age.
_DURATION_MARKERS = r"(?:i|sedan|sen|under|in|for|since|over|mer an|drygt|nastan|ungefar)"

_UNIT_DAYS = {
    "timm": 1 / 24, "hour": 1 / 24, "dag": 1, "dygn": 1, "day": 1, "veck": 7, "week": 7,
    "manad": 30, "month": 30, "ar": 365, "year": 365,
}
_UNIT = r"(timm\w*|hours?|dag\w*|dygn\w*|days?|veck\w*|weeks?|manad\w*|months?|ars?|years?)"

_CHILD_WORDS = re.compile(
    r"\b(barn\w*|son|sonen|dotter\w*|doter\w*|pojk\w*|flick\w*|bebis\w*|baby|babies|spadbarn\w*|"
    r"nyfodd\w*|lillen|lillan|grabben|tjejen|tonaring\w*|child\w*|kid|kids|toddler|infant|"
    r"my son|my daughter|my boy|my girl|our boy|our girl|\d+[- ]?aring\w*)\b"
)
# An adult patient named by relation ("mamma har hög feber"). A parent word right after
# "hans"/"hennes" names the speaker instead ("jag är hans mamma"), so it does not count.
_ADULT_WORDS = re.compile(
    r"\b(?:(\w+)\s+)?(mamma|mamman|pappa|pappan|min mor|min far|mormor|morfar|farmor|farfar|"
    r"min man|maken|min fru|frun|sambo\w*|pojkvan\w*|flickvan\w*|svarmor|svarfar|granne\w*|"
    r"kollega\w*|pensionar\w*|my mom|my mum|my dad|my mother|my father|my husband|my wife|"
    r"my partner|grandma|grandpa|grandmother|grandfather)\b"
)
_SPEAKER_OWNERS = frozenset({"hans", "hennes", "barnets", "deras", "his", "her", "their"})
_INFANT_WORDS = re.compile(r"\b(bebis\w*|baby|spadbarn\w*|nyfodd\w*|newborn|infant)\b")
# Words for a person right before an age: "dotter 2 år", "bebis 6 veckor".
_PERSON = re.compile(
    r"son|sonen|dotter|dottern|barn|barnet|bebis|bebisen|baby|pojke|pojken|flicka|flickan|"
    r"grabben|tjejen|killen|ungen|lillen|lillan|bror|brodern|syster|systern|mamma|pappa|"
    r"mormor|morfar|farmor|farfar|man|maken|fru|frun|sambo|infant|daughter|boy|girl"
)

_RELATIVE_DAYS = (
    (re.compile(r"\b(i forrgar|iforrgar|forrgar)\b"), 2.0),
    (re.compile(r"\b(i gar|igar|yesterday)\b"), 1.0),
    (re.compile(r"\b(i morse|imorse|i natt|inatt|idag|i dag|ikvall|i kvall|today|tonight|"
                r"this morning|plotsligt|precis|nyss|just nu)\b"), 0.0),
    (re.compile(r"\b(i helgen|sedan helgen|over helgen)\b"), 3.0),
    (re.compile(r"\b(forra veckan|last week)\b"), 7.0),
)


@dataclass(frozen=True)
class Facts:
    age_years: float | None = None
    child: bool = False          # the text is about a child (age may be unknown)
    adult: bool = False          # the text names an adult patient ("mamma", "min man")
    temperature: float | None = None
    duration_days: float | None = None

    def merged(self, newer: Facts) -> Facts:
        """Newer statements win; a child stays a child."""
        return replace(
            self,
            age_years=newer.age_years if newer.age_years is not None else self.age_years,
            child=self.child or newer.child,
            adult=self.adult or newer.adult,
            temperature=(newer.temperature if newer.temperature is not None
                         else self.temperature),
            duration_days=(newer.duration_days if newer.duration_days is not None
                           else self.duration_days),
        )

    @property
    def is_child(self) -> bool:
        if self.age_years is not None:
            return self.age_years < 16
        return self.child

    def to_dict(self) -> dict[str, float | bool | None]:
        return {"age_years": self.age_years, "child": self.child, "adult": self.adult,
                "temperature": self.temperature, "duration_days": self.duration_days}

    @classmethod
    def from_dict(cls, data: dict | None) -> Facts:
        data = data or {}
        return cls(age_years=data.get("age_years"), child=bool(data.get("child")),
                   adult=bool(data.get("adult")),
                   temperature=data.get("temperature"), duration_days=data.get("duration_days"))


def _value(raw: str) -> float:
    raw = raw.replace(",", ".")
    return float(_NUMBER_WORDS[raw]) if raw in _NUMBER_WORDS else float(raw)


def _unit_days(unit: str) -> float:
    for stem, days in _UNIT_DAYS.items():
        if unit.startswith(stem):
            return days
    raise ValueError(unit)


def _age(text: str) -> float | None:
    # "3-åring", "treåring", "3 åring"
    match = re.search(r"\b" + _NUMBER + r"\s*-?\s*arig?\w*", text)
    if match and re.search(r"arings?|aringar|aringen", match.group(0)):
        return _value(match.group(1))
    compact = re.search(r"\b(" + "|".join(_NUMBER_WORDS) + r")aring", text)
    if compact:
        return _value(compact.group(1))
    # "är 3 år", "3 år gammal", "dotter 2 år", "bebis 2 veckor", "is 3 years old"
    pattern = re.compile(
        r"(?:\b(\w+)\s+)?" + r"\b" + _NUMBER + r"\s*" +
        r"(ars?|years?|manaders|manader|manad|mnd|months?|veckors|veckor|vecka|weeks?)\b"
        r"(?:\s+(gammal|gamla|old))?"
    )
    for m in pattern.finditer(text):
        before, number, unit, old = m.group(1), m.group(2), m.group(3), m.group(4)
        if before and re.fullmatch(_DURATION_MARKERS, before) and not old:
            continue  # "i 3 år", "sedan 2 veckor": how long, not how old
        if unit.startswith(("ar", "year")):
            return _value(number)  # a number of years outside a duration is an age
        person = bool(before and _PERSON.fullmatch(before))
        # "på en vecka" is a span ("gått upp 3 kilo på en vecka"), so no "på" here.
        if old or person or (unit.endswith("s") and unit != "months") or (
            before in ("ar", "is", "blir", "fyllt", "of")
        ):
            days = _value(number) * (7 if unit.startswith(("veck", "week")) else 30)
            return round(days / 365, 3)
    # "jag är 45", "mamma är 82"
    bare = re.search(
        r"\b(?:jag ar|i am|i'm|im|hon ar|han ar)\s+(\d{1,3})\b(?!\s*(?:grader|%))", text
    )
    if bare and 0 < int(bare.group(1)) < 120:
        return float(bare.group(1))
    return None


def _temperature(text: str) -> float | None:
    found: list[float] = []
    for m in re.finditer(r"(\d{2}(?:[.,]\d{1,2})?)\s*(grader|graders|grad|°|c\b)?", text):
        value = float(m.group(1).replace(",", "."))
        if not 34.0 <= value <= 43.5:
            continue
        window = text[max(0, m.start() - 25): m.end() + 25]
        decimal = "," in m.group(1) or "." in m.group(1)
        if m.group(2) or re.search(r"feber|temp|fever|febrig", window) or (
                decimal and 37.5 <= value <= 42.5):  # "har 38,2" is a temperature
            found.append(value)
    return max(found) if found else None


def _duration(text: str) -> float | None:
    pattern = re.compile(
        r"\b" + _DURATION_MARKERS + r"\s+(?:(?:ca|cirka|typ|about|around|minst|at least)\s+)?"
        + _NUMBER + r"\s*" + _UNIT
    )
    spans = [_value(m.group(1)) * _unit_days(m.group(2)) for m in pattern.finditer(text)]
    # "feber 2 veckor", "ont 3 dagar": a span without a marker, unless it is an age
    bare = re.compile(r"(?:\b(\w+)\s+)?\b" + _NUMBER + r"\s*(timm\w*|dag\w*|dygn\w*|veck\w*|"
                      r"manad\w*|hours?|days?|weeks?|months?)\b(?:\s+(\w+))?")
    for m in bare.finditer(text):
        before, after = m.group(1), m.group(4) or ""
        is_age = (before and _PERSON.fullmatch(before)) or _PERSON.fullmatch(after) or (
            after in ("gammal", "gamla", "old"))
        if not is_age:
            spans.append(_value(m.group(2)) * _unit_days(m.group(3)))
    # Plain "i veckor", "i flera månader"
    for m in re.finditer(r"\b(?:i|sedan|sen|for)\s+(veckor|manader|flera ar|weeks|months)\b", text):
        spans.append(14.0 if m.group(1).startswith(("veck", "week")) else 60.0)
    if spans:
        return max(spans)
    relative = [days for regex, days in _RELATIVE_DAYS if regex.search(text)]
    return max(relative) if relative else None


def extract_facts(text: str) -> Facts:
    folded = fold(text)
    age = _age(folded)
    child = bool(_CHILD_WORDS.search(folded)) or (age is not None and age < 16)
    if age is None and _INFANT_WORDS.search(folded):
        child = True
    adult = any(m.group(1) not in _SPEAKER_OWNERS for m in _ADULT_WORDS.finditer(folded))
    return Facts(age_years=age, child=child, adult=adult, temperature=_temperature(folded),
                 duration_days=_duration(folded))


def mentions_infant(text: str) -> bool:
    return bool(_INFANT_WORDS.search(fold(text)))


__all__ = ["Facts", "extract_facts", "mentions_infant"]
