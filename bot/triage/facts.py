"""Facts residents state in free text: age, how long it has lasted, and numbers from home
devices — temperature, oxygen saturation, blood glucose, blood pressure, pulse — and the
week of a pregnancy.

"min son är 3 år och har haft 39 graders feber i två dagar" gives age 3, temperature 39.0
and duration 2 days, so the bot never asks for them again; "saturationen är 89" and
"blodsockret 27" can drive red flags (bot/triage/conditions.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.triage.ages import CHILD_MAX_YEARS
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


def _trie(words: list[str]) -> str:
    """A regex alternation of words as a trie: one branch per letter instead of a try of
    every word at every position (the facts run on every message, up to 2000 characters)."""
    tree: dict = {}
    for word in words:
        node = tree
        for letter in word:
            node = node.setdefault(letter, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(letter) + pattern(child) for letter, child in sorted(node.items())
                    if letter]
        optional = "" in node
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not optional else \
            "(?:" + "|".join(branches) + ")"
        return body + ("?" if optional else "")

    return pattern(tree)


_NUMBER = r"(\d+(?:[.,]\d+)?|" + _trie(list(_NUMBER_WORDS)) + r")"
# Words in front of a time span that make it a duration rather than an age.
_DURATION_MARKERS = r"(?:i|sedan|sen|under|in|for|since|over|mer an|drygt|nastan|ungefar)"

_UNIT_DAYS = {
    "timm": 1 / 24, "hour": 1 / 24, "dag": 1, "dar": 1, "dygn": 1, "day": 1, "veck": 7, "week": 7,
    "manad": 30, "mnd": 30, "man": 30, "month": 30, "ar": 365, "year": 365, "min": 1 / 1440,
}
# "3 dar" is how "3 dagar" is often typed ("där" folds to the same, but not after a number).
# "mån" and "mnd" are how "månader" is often typed; after a digit only ("en man" is a man).
_MONTH_SHORT = frozenset({"man", "mnd"})


def _a_man(number: str, unit: str) -> bool:
    """"en man", "ett par man": a man, not a month ("mån" folds to "man")."""
    return unit in _MONTH_SHORT and not number[0].isdigit()

_UNIT = (r"(timm\w*|hours?|dag\w*|dar|dygn\w*|days?|veck\w*|weeks?|manad\w*|mnd|man|months?|"
         r"ars?|years?)")

_CHILD_WORDS = re.compile(
    r"\b(barn|barnet|barnen|barnens|barnets|barns|barnbarn\w*|smabarn\w*|son|sonen|dotter\w*|doter\w*|pojk\w*|flick\w*|bebis\w*|baby|babies|spadbarn\w*|"
    r"nyfodd\w*|lillen|lillan|lillkillen|lilltjejen|lillgrabben|minstingen|grabben|tjejen|"
    r"tonaring\w*|child\w*|kid|kids|toddler|infant|"
    r"my son|my daughter|my boy|my girl|our boy|our girl|\d+[- ]?aring\w*)\b"
)
# An adult patient named by relation ("mamma har hög feber"). A parent word right after
# "hans"/"hennes" names the speaker instead ("jag är hans mamma"), so it does not count.
_ADULT_WORDS = re.compile(
    r"\b(?:(\w{1,24})\s+)?(mamma|mamman|pappa|pappan|min mor|min far|mormor|morfar|farmor|farfar|"
    r"min man|maken|min fru|frun|sambo\w*|pojkvan\w*|flickvan\w*|svarmor|svarfar|granne\w*|"
    r"kollega\w*|pensionar\w*|my mom|my mum|my dad|my mother|my father|my husband|my wife|"
    r"my partner|grandma|grandpa|grandmother|grandfather)\b"
)
_PREGNANT = re.compile(r"\b(gravid\w*|pregnan\w*|fosterror\w*|vantar barn)")
_NURSING = re.compile(r"\b(?:jag ammar|ammar jag|nar jag ammar|jag har ammat|ammande mamma|"
                      r"i am breastfeeding|im breastfeeding|when i breastfeed|"
                      r"while breastfeeding|when breastfeeding)\b")
_BREAST = re.compile(r"\b(?:brost\w*|vart\w*|mjolkstockning\w*|mastit\w*|nipple\w*|breast\w*)")
_SPEAKER_OWNERS = frozenset({"hans", "hennes", "barnets", "deras", "his", "her", "their"})
_INFANT_WORDS = re.compile(r"\b(bebis\w*|baby|spadbarn\w*|nyfodd\w*|newborn|infant)\b")
# Words for a person right before an age: "dotter 2 år", "bebis 6 veckor".
_PERSON = re.compile(
    r"son|sonen|dotter|dottern|barn|barnet|bebis|bebisen|baby|pojke|pojken|flicka|flickan|"
    r"grabben|tjejen|killen|ungen|lillen|lillan|lillkillen|lilltjejen|lillgrabben|minstingen|"
    r"tonaring|tonaringen|"
    r"bror|brodern|syster|systern|mamma|pappa|"
    r"mormor|morfar|farmor|farfar|man|maken|fru|frun|sambo|infant|daughter|boy|girl|"
    # English relatives ("my grandfather is 87", set V).
    r"mother|mum|mom|dad|father|grandfather|grandmother|grandma|grandpa|granny|grandad|"
    r"husband|wife|partner|brother|sister|toddler|child|kid"
)

_RELATIVE_DAYS = (
    (re.compile(r"\b(i forrgar|iforrgar|forrgar)\b"), 2.0),
    (re.compile(r"\b(i gar|igar|yesterday)\b"), 1.0),
    (re.compile(r"\b(i morse|imorse|i natt|inatt|idag|i dag|ikvall|i kvall|today|tonight|"
                r"this morning|plotsligt|precis|nyss|just nu)\b"), 0.0),
    (re.compile(r"\b(i helgen|sedan helgen|over helgen)\b"), 3.0),
    (re.compile(r"\b(forra veckan|last week|senaste veckan|sista veckan|nan vecka|"
                r"nagon vecka|past week)\b"), 7.0),
    (re.compile(r"\b(senaste veckorna|sista veckorna|ett par veckor|past few weeks|"
                r"last few weeks)\b"), 14.0),
    (re.compile(r"\b(senaste manaden|sista manaden|senaste tiden|nan manad|nagon manad|"
                r"forra manaden|past month|last month)\b"), 30.0),
    (re.compile(r"\b(senaste manaderna|flera manader|several months|past few months)\b"),
     60.0),
    # "bebisen är ett halvår", "en bebis på ett halvår" is an age.
    (re.compile(r"(?<!\bar )(?<!\bpa )\b(ett halvar|ett halvt ar|halvaret|half a year)\b"), 182.0),
    (re.compile(r"\b(i varas|i hostas|i somras|i vintras|sedan varen|sedan hosten|"
                r"since the spring|since the autumn|since the summer)\b"), 90.0),
)
_AGO = re.compile(r"\s*(sen|sedan|ago)\b")


@dataclass(frozen=True)
class Facts:
    age_years: float | None = None
    child: bool = False          # the text is about a child (age may be unknown)
    adult: bool = False          # the text names an adult patient ("mamma", "min man")
    temperature: float | None = None
    duration_days: float | None = None
    spo2: float | None = None            # oxygen saturation, %
    glucose: float | None = None         # blood glucose, mmol/l
    systolic: float | None = None        # blood pressure, mmHg
    diastolic: float | None = None
    pulse: float | None = None           # beats per minute
    pregnancy_week: float | None = None
    tablets: float | None = None         # tablets taken at one time ("tog 20 alvedon")

    def merged(self, newer: Facts) -> Facts:
        """Newer statements win, except that the longest duration and the highest
        temperature stay ("feber i fyra dagar" … "tog en alvedon nyss" is still four days of
        fever); a child stays a child."""
        values = {name: getattr(newer, name) if getattr(newer, name) is not None
                  else getattr(self, name) for name in NUMBERS}
        for name in ("duration_days", "temperature"):
            known = [v for v in (getattr(self, name), getattr(newer, name)) if v is not None]
            values[name] = max(known) if known else None
        return replace(self, child=self.child or newer.child, adult=self.adult or newer.adult,
                       **values)

    def vital_signs(self) -> Facts:
        """Only the measured signs (temperature, saturation, glucose, blood pressure, pulse):
        what a message before a triage may add to it without saying whose age it is."""
        return Facts(**{name: getattr(self, name) for name in VITAL_SIGNS})

    def to_dict(self) -> dict[str, float | bool | None]:
        return {"child": self.child, "adult": self.adult,
                **{name: getattr(self, name) for name in NUMBERS}}

    @classmethod
    def from_dict(cls, data: dict | None) -> Facts:
        data = data or {}
        return cls(child=bool(data.get("child")), adult=bool(data.get("adult")),
                   **{name: data.get(name) for name in NUMBERS})


NUMBERS = ("age_years", "temperature", "duration_days", "spo2", "glucose", "systolic",
           "diastolic", "pulse", "pregnancy_week", "tablets")
VITAL_SIGNS = ("temperature", "spo2", "glucose", "systolic", "diastolic", "pulse")


def _value(raw: str) -> float:
    raw = raw.replace(",", ".")
    return float(_NUMBER_WORDS[raw]) if raw in _NUMBER_WORDS else float(raw)


def _unit_days(unit: str) -> float:
    for stem, days in _UNIT_DAYS.items():
        if unit.startswith(stem):
            return days
    raise ValueError(unit)


# Compiled once: the facts are read from every message.
_AGE_ARING = re.compile(r"\b" + _NUMBER + r"\s*-?\s*arig?\w*")
_ARING = re.compile(r"arings?|aringar|aringen")
_AGE_COMPACT = re.compile(r"\b(" + _trie(list(_NUMBER_WORDS)) + r")aring")
_AGE_UNIT = re.compile(
    r"(?:\b(\w{1,24})\s+)?" + r"\b" + _NUMBER + r"\s*" +
    r"(ars?|years?|yrs?|yo|y/o|manaders|manader|manad|mnd|man|months?|veckors|veckor|vecka|"
    r"weeks?|v|dagar|days?)\b"
    r"(?:\s+(gammal|gamla|old))?"
)
# "bebis på 6 veckor", "son på 4 mån", "a baby of 6 weeks": an age after a person and "på".
_PERSON_PA = re.compile(r"\b(?:" + _PERSON.pattern + r")\s+(?:pa|of)\s+$")
# "jag e 38": "e" is how many write "är".
_AGE_BARE = re.compile(r"\b(?:jag ar|jag e|i am|i'm|im|hon ar|hon e|han ar|han e|he is|she is|"
                       r"he's|she's)\s+"
                       r"(\d{1,3})\b(?![.,]\d)"
                       r"(?!\s*(?:grader|%|dag|dygn|day|timm|hour|man\b|mana|mnd|veck|v\b|month|week))")
_MARKER = re.compile(_DURATION_MARKERS)
_AGO = re.compile(r"\s+(?:sen|sedan|ago|tillbaka)\b")
_PERSON_AFTER = re.compile(r"\s+(?:gamla?\s+)?(?:" + _PERSON.pattern + r")\b")
_AGE_AFTER_PERSON = re.compile(
    r"\b(?:" + _PERSON.pattern + r")\s+(?:(?:ar|is)\s+)?(\d{1,3})\b(?![.,]\d)"
    r"(?!\s*(?:grader|grad|%|kg|kilo|mmol|st\b|stycken|slag|cm|mm|min|timm|dag|dar|dygn|veck|"
    r"manad|man\b|mnd|month|week|day|hour|year|ar\b|gang|ggr|alvedon|tablett|piller|/))")


def _age(text: str) -> float | None:
    # "3-åring", "treåring", "3 åring"
    match = _AGE_ARING.search(text)
    if match and _ARING.search(match.group(0)):
        return _value(match.group(1))
    compact = _AGE_COMPACT.search(text)
    if compact:
        return _value(compact.group(1))
    # "är 3 år", "3 år gammal", "dotter 2 år", "bebis 2 veckor", "is 3 years old"
    for m in _AGE_UNIT.finditer(text):
        before, number, unit, old = m.group(1), m.group(2), m.group(3), m.group(4)
        if before and _MARKER.fullmatch(before) and not old:
            continue  # "i 3 år", "sedan 2 veckor": how long, not how old
        if _a_man(number, unit):
            continue
        if _AGO.match(text, m.end()):
            continue  # "a few years ago", "för 2 år sen": when, not how old
        if unit.startswith(("ar", "year", "yr", "yo", "y/")):
            return _value(number)  # a number of years outside a duration is an age
        person = bool(before and _PERSON.fullmatch(before)) or bool(
            before in ("pa", "of") and _PERSON_PA.search(text, 0, m.start(2)))
        # A parent's shorthand opening the message ("8 mån, dreglar massor"), or the age
        # before the person ("min 8 mån bebis"): the baby's age.
        person = person or (unit in ("man", "mnd", "v", "manader", "veckor") and (
            (m.start() == 0 and before is None and not _AGO.match(text, m.end()))
            or bool(_PERSON_AFTER.match(text, m.end()))))
        if unit == "man" and not (person or old or (before in _AGE_VERBS and (
                _INFANT_WORDS.search(text) or _CHILD_WORDS.search(text)))):
            continue  # "mån" is also "man": an age only beside a person ("bebis 3 mån",
            # "bebisen är 7 mån", "min son e 4 mån")
        # "6v" is weeks of a baby ("dottern är 6v"), never of a pregnancy ("är 8 v gravid").
        if unit == "v" and not ((person or (before in _AGE_VERBS and (
                _INFANT_WORDS.search(text) or _CHILD_WORDS.search(text))))
                and not _PREGNANT.search(text)):
            continue
        # "på en vecka" is a span ("gått upp 3 kilo på en vecka"), so no "på" here.
        in_days = unit.startswith(("dag", "day"))
        # "bebisen är 10 dagar" is an age; "det är 3 dagar" is how long.
        if in_days and before in ("ar", "is") and _IT.search(text, 0, m.start(2)):
            continue
        if old or person or (unit.endswith("s") and unit not in ("months", "days")) or (
            before in ("ar", "e", "is", "blir", "fyllt", "of")
        ):
            days = _value(number) * (7 if unit.startswith(("veck", "week", "v"))
                                     else 1 if in_days else 30)
            return round(days / 365, 3)
    # "jag är 45", "mamma är 82"
    # "dottern 15 tog…", "mamma 84 har…": a number right after a person word
    named = _AGE_AFTER_PERSON.search(text)
    if named and 0 < int(named.group(1)) < 110:
        return float(named.group(1))
    bare = _AGE_BARE.search(text)
    if bare and 0 < int(bare.group(1)) < 120:
        return float(bare.group(1))
    return None


_STATED_BEFORE = re.compile(r"\b(har|hade|visar|visade|matte|ligger pa|uppe i|pa)\s*$")
_OTHER_UNIT_AFTER = re.compile(r"\s*(ar|kg|kilo|%|mm|cm|st|slag|i puls|bpm|i socker)")


_DEGREES = re.compile(r"(\d{2}(?:[.,]\d{1,2})?)\s*(grader|graders|grad|°|c\b)?")
_FEVER_WORD = re.compile(r"feber|temp|fever|febrig")


def _temperature(text: str) -> float | None:
    found: list[float] = []
    for m in _DEGREES.finditer(text):
        value = float(m.group(1).replace(",", "."))
        if not 34.0 <= value <= 43.5:
            continue
        likely = 37.5 <= value <= 42.5
        if m.group(2) or (likely and ("," in m.group(1) or "." in m.group(1))):
            found.append(value)   # "39 grader", or "har 38,2": a decimal in fever range
            continue
        # "har 39" (said of a person, not "39 år" or "39 kilo"), or a fever word nearby
        stated = likely and bool(_STATED_BEFORE.search(text, max(0, m.start() - 12),
                                                       m.start())) \
            and not _OTHER_UNIT_AFTER.match(text, m.end())
        if stated or _FEVER_WORD.search(text, max(0, m.start() - 25), m.end() + 25):
            found.append(value)
    return max(found) if found else None


# Minutes only after a marker ("näsblod sen 40 min", "i 25 minuter"): a bare "5 min" is too
# often something else. The longest span of a message wins, so minutes count only alone.
_SPAN = re.compile(
    r"\b" + _DURATION_MARKERS + r"\s+(?:(?:ca|cirka|typ|about|around|minst|at least)\s+)?"
    + _NUMBER + r"\s*" + r"(?:" + _UNIT + r"|(minut\w*|minutes?|mins?)\b)"
)
_BARE_SPAN = re.compile(r"(?:\b(\w{1,24})\s+)?\b" + _NUMBER + r"\s*(timm\w*|dag\w*|dar|dygn\w*|"
                        r"veck\w*|manad\w*|mnd|man|hours?|days?|weeks?|months?)\b"
                        r"(?:\s+(\w{1,24}))?")
# "hon är 10 månader", "she is 10 months": an age, not how long
# "e" is how many write "är" ("min bebis e 4 mån").
_AGE_VERBS = frozenset({"ar", "e", "is", "blir", "fyllt", "fyller", "aged", "of"})
_IT = re.compile(r"\b(?:det|it|that)\s+\w{1,4}\s*$")
_VAGUE_SPAN = re.compile(r"\b(?:i|sedan|sen|for)\s+(veckor|manader|flera ar|weeks|months)\b")


def _duration(text: str) -> float | None:
    # "för 3 år sedan" (vaccinated, operated) is a date, not how long a problem has lasted.
    spans = [_value(m.group(1)) * _unit_days(m.group(2) or m.group(3))
             for m in _SPAN.finditer(text)
             if m.group(3) or (not (m.group(2).startswith(("ar", "year"))
                                    and _AGO.match(text, m.end()))
                               and not _a_man(m.group(1), m.group(2)))]
    # "feber 2 veckor", "ont 3 dagar": a span without a marker, unless it is an age
    for m in _BARE_SPAN.finditer(text):
        before, after = m.group(1), m.group(4) or ""
        # "hon är 10 dagar" is an age, "det är 3 dagar" how long.
        said_of_it = bool(_IT.search(text, 0, m.start(2)))
        is_age = (before and (_PERSON.fullmatch(before)
                              or (before in _AGE_VERBS and not said_of_it))) or \
            bool(before in ("pa", "of") and _PERSON_PA.search(text, 0, m.start(2))) or \
            _PERSON.fullmatch(after) or after in ("gammal", "gamla", "old") or \
            (m.group(3) in ("man", "mnd", "manader", "veckor")   # as _age reads a baby's
             and ((m.start(2) == 0 and not _AGO.match(text, m.end(3)))
                  or (before == "pa" and m.group(3) in _MONTH_SHORT)   # "blöjutslag på 10 mån"
                  or bool(_PERSON_AFTER.match(text, m.end(3)))))
        if not is_age and not _a_man(m.group(2), m.group(3)):
            spans.append(_value(m.group(2)) * _unit_days(m.group(3)))
    # Plain "i veckor", "i flera månader"
    for m in _VAGUE_SPAN.finditer(text):
        spans.append(14.0 if m.group(1).startswith(("veck", "week")) else 60.0)
    if spans:
        return max(spans)
    relative = [days for regex, days in _RELATIVE_DAYS if regex.search(text)]
    return max(relative) if relative else None


# Numbers from home devices, each found next to its label ("saturation 89", "89 % syre",
# "blodsockret 2,8", "27 mmol", "blodtryck 190/110", "puls 150", "gravid i vecka 32").
# Where one is found its text is blanked, so "vecka 32" is no age and "38,5 mmol" no fever.
_DECIMAL = r"(\d{1,3}(?:[.,]\d{1,2})?)"
_GAP = r"[^\d\n]{0,18}?"
# "saturationen på min mätare säger 94": the device may stand between label and value.
_LONG_GAP = r"[^\d\n]{0,30}?"
_MEASURES: tuple[tuple[str, re.Pattern[str], float, float], ...] = (
    ("spo2", re.compile(
        r"\b(?:saturation\w*|saturering\w*|sat|sats|saturationen|syremattnad\w*|syresattning\w*"
        r"|syrehalt\w*|syreniva\w*|syremattning\w*|syret|syre|spo2|sp02|o2|oxygen\w*|"
        r"pulsoxi\w*|pulsoxy\w*|oximeter\w*|mattnaden|mattningen|syremat\w*|fingermat\w*"
        # the oximeter as residents name it: "the finger thing", "mätaren på fingret"
        r"|finger ?(?:thing|clip|monitor|device|grej\w*|klamm\w*)"
        r"|(?:matare\w*|grej\w*|klamm\w*|thing|clip|monitor|device) (?:pa|on) (?:fingret|the finger"
        r"|my finger|her finger|his finger))\b" + _LONG_GAP + _DECIMAL
        + r"\s*%?"), 50.0, 100.0),
    ("spo2", re.compile(
        r"\b" + _DECIMAL + r"\s*(?:%|procent|percent)\s*(?:\w{1,12}\s+){0,2}?"
        r"(?:syre\w*|saturation\w*|sat\w*|o2|oxygen\w*|pa pulsoxi\w*|pa oximeter\w*)"),
        50.0, 100.0),
    ("glucose", re.compile(
        r"\b(?:blodsock\w*|sockret|sockervarde\w*|socker|bs|p-glukos|glukos\w*|glucose|"
        r"blood sugar|sugar|bg|b-glukos)\b" + _GAP + _DECIMAL), 0.5, 45.0),
    ("glucose", re.compile(r"\b" + _DECIMAL + r"\s*(?:mmol\w*|mm/l)"), 0.5, 45.0),
    # "har diabetes och mina värden har legat på 13-15": "värden" are glucose readings only
    # beside diabetes.
    ("glucose", re.compile(r"\bdiabet\w*\b[^\d\n]{0,60}?\b(?:varden\w*|vardet)\b" + _GAP
                           + _DECIMAL), 0.5, 45.0),
    ("pulse", re.compile(
        r"\b(?:puls|pulsen|pulsklock\w*|pulsmatar\w*|hjartfrekvens\w*|pulse|heart rate|hr)\b"
        + _GAP + r"(\d{2,3})\b"),
        20.0, 260.0),
    ("pulse", re.compile(r"\b(\d{2,3})\s*(?:slag\s*(?:i|per|/)\s*min\w*|bpm|slag/min|i puls)"),
        20.0, 260.0),
    ("pregnancy_week", re.compile(
        r"\b(?:gravid\w*|pregnant)\s+(?:i\s+|in\s+)?(?:vecka|v\.?|week|graviditetsvecka)\s*"
        r"(\d{1,2})\b"), 3.0, 44.0),
    ("pregnancy_week", re.compile(
        r"\b(?:graviditetsvecka|gravidvecka|graviditetsv)\s*(\d{1,2})\b"), 3.0, 44.0),
    ("pregnancy_week", re.compile(
        r"\b(?:gravid\w*|pregnant)\s+(?:i\s+)?(\d{1,2})\s*(?:\+\s*\d\s*)?"
        r"(?:veckor|v\b|weeks?)"), 3.0, 44.0),
    ("pregnancy_week", re.compile(
        r"\b(\d{1,2})\s*(?:\+\s*\d\s*)?(?:veckor|v\.?|weeks?)\s*(?:gravid\w*|pregnant|along)"),
        3.0, 44.0),
    ("pregnancy_week", re.compile(
        r"\b(?:i |in )?(?:vecka|v\.?|week)\s*(\d{1,2})(?:\s*\+\s*\d)?\b(?=[^\n]{0,40}?"
        r"(?:gravid|pregnan|graviditet|bebis|barnet|magen|fostret|foster|mf|bm|mvc|bf))"),
        3.0, 44.0),
    ("pregnancy_week", re.compile(
        r"\b(\d{1,2})\s*\+\s*\d\b(?=[^\n]{0,40}?(?:gravid|pregnan|graviditet))"), 3.0, 44.0),
    # A message that opens with the week ("vecka 32, jätteont i huvudet…", "v 28 och …"):
    # how pregnant women write; a calendar week does not open a description of symptoms.
    ("pregnancy_week", re.compile(r"^\s*(?:i\s+)?(?:vecka|v\.?)\s*(1[2-9]|[23]\d|4[0-2])\b"
                                  r"(?!\s*(?:dag|dar|tim|veck|man|ar\b))"), 12.0, 42.0),
    ("pregnancy_week", re.compile(
        r"(?:gravid|pregnan|graviditet)[^\n]{0,40}?\b(?:i |in )?(?:vecka|v\.?|week)\s*"
        r"(\d{1,2})\b"), 3.0, 44.0),
)
# "tog typ 20 alvedon", "har svalt 15 sömntabletter": a number of tablets after a verb of
# taking them (not "har 20 alvedon hemma").
_TABLETS = re.compile(
    r"\b(?:tog|tagit|tar|svalt|svalde|atit|at|druckit|took|taken|swallowed|ate)\b[^\d\n]{0,20}?"
    r"\b(\d{1,3})\s*(?:st\.?|stycken|x)?\s*(?:\w+\s+)?(?:alvedon|panodil|paracetamol|pamol|ipren|"
    r"ibuprofen|treo|magnecyl|tabletter|tablett|piller|pills|tablets|somntablett\w*|"
    r"sovtablett\w*|sobril|stesolid|imovane|zopiklon|atarax|propavan|lergigan|tramadol|"
    r"citodon|oxikodon|metformin|waran|insulin)\b")
# A pregnancy told in months ("5 mån gravid", "5 months pregnant", "gravid i 5:e månaden",
# "i sjätte månaden"), read as weeks: a month is about 4.3 weeks; "i 5:e" is its middle.
_ORDINAL_MONTHS = {"tredje": 3, "fjarde": 4, "femte": 5, "sjatte": 6, "sjunde": 7,
                   "attonde": 8, "nionde": 9}
_PREGNANCY_MONTHS = re.compile(
    r"\b([1-9])\s*(?:manader|man|mnd|months?)\s+(?:gravid\w*|pregnant)\b"
    r"|\b(?:gravid\w*|pregnant)\s+(?:i\s+|in\s+)?([1-9])\s*(?:manader|man|mnd|months?)\b")
_ORDINAL_MONTH = (r"(?:the\s+)?(?:([1-9])\s*(?::?e|:?a|nd|rd|th|st)|("
                  + "|".join(_ORDINAL_MONTHS) + r"))\s+")
_PREGNANCY_MONTH_ORDINAL = re.compile(
    r"\b(?:i|in)\s+" + _ORDINAL_MONTH + r"(?:manaden|graviditetsmanaden|month)\b"
    r"(?=[^\n]{0,40}?(?:gravid|pregnan|graviditet))"
    r"|(?:gravid\w*|pregnan\w*|graviditet\w*)[^\n]{0,20}?\b(?:i|in)\s+" + _ORDINAL_MONTH
    + r"(?:manaden|month)\b")
WEEKS_PER_MONTH = 4.3
_RANGE_END = re.compile(r"\s*(?:-|–|till|to)\s*(\d{1,3}(?:[.,]\d{1,2})?)")
_BLOOD_PRESSURE = re.compile(r"\b(\d{2,3})\s*/\s*(\d{2,3})\b")
_BP_LABEL = re.compile(r"blodtryck\w*|\bbt\b|\bbp\b|blood pressure|trycket|\btryck\b|mmhg|mm hg"
                       r"|overtryck\w*")


def _measures(text: str) -> tuple[dict[str, float], str]:
    """The device readings in `text`, and the text with their spans blanked."""
    found: dict[str, float] = {}
    spans: list[tuple[int, int]] = []
    for name, pattern, low, high in _MEASURES:
        for m in pattern.finditer(text):
            value = float(m.group(1).replace(",", "."))
            upper = _RANGE_END.match(text, m.end(1))
            if upper and name in ("glucose", "spo2"):
                # "sockret har legat på 14-16": the worse end of a range
                other = float(upper.group(1).replace(",", "."))
                value = min(value, other) if name == "spo2" else max(value, other)
            if low <= value <= high and not any(s <= m.start(1) < e for s, e in spans):
                found.setdefault(name, value)
                spans.append((m.start(), m.end()))
    for m in _BLOOD_PRESSURE.finditer(text):
        systolic, diastolic = float(m.group(1)), float(m.group(2))
        window = text[max(0, m.start() - 30): m.end() + 12]
        if 60 <= systolic <= 300 and 30 <= diastolic <= 200 and systolic > diastolic and (
                _BP_LABEL.search(window) or systolic >= 140):
            found.setdefault("systolic", systolic)
            found.setdefault("diastolic", diastolic)
            spans.append((m.start(), m.end()))
    for m in _TABLETS.finditer(text):
        found.setdefault("tablets", float(m.group(1)))
        spans.append((m.start(1), m.end(1)))
    for m in _PREGNANCY_MONTHS.finditer(text):
        found.setdefault("pregnancy_week", round(int(m.group(1) or m.group(2)) * WEEKS_PER_MONTH))
        spans.append((m.start(), m.end()))
    for m in _PREGNANCY_MONTH_ORDINAL.finditer(text):
        number = next(g for g in m.groups() if g)
        month = int(number) if number.isdigit() else _ORDINAL_MONTHS[number]
        found.setdefault("pregnancy_week", round((month - 0.5) * WEEKS_PER_MONTH))
        spans.append((m.start(), m.end()))
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return found, text


def extract_facts(text: str) -> Facts:
    measures, folded = _measures(fold(text))
    age = _age(folded)
    # In a pregnancy "bebisen" is the unborn baby: only a stated age makes a child then.
    pregnant = "pregnancy_week" in measures or bool(_PREGNANT.search(folded))
    named_child = bool(_CHILD_WORDS.search(folded)) or (
        age is None and bool(_INFANT_WORDS.search(folded)))
    adult = any(m.group(1) not in _SPEAKER_OWNERS for m in _ADULT_WORDS.finditer(folded))
    # "ont i bröstvårtorna när jag ammar, bebisen är 1 vecka": the nursing mother is the
    # patient, and the baby's age is not hers.
    if _NURSING.search(folded) and _BREAST.search(folded):
        age, named_child, adult = None, False, True
    child = (age is not None and age < CHILD_MAX_YEARS) or (named_child and not pregnant)
    return Facts(age_years=age, child=child, adult=adult, temperature=_temperature(folded),
                 duration_days=_duration(folded), **measures)


# "nej förresten, det är 3 dagar": the resident corrects something said before.
_CORRECTION = re.compile(r"\b(?:forresten|tankte fel|skrev fel|menade|ratta mig|rattelse|"
                         r"i meant|actually|correction|i was wrong)\b")


def corrects(text: str) -> bool:
    """Whether a message says it corrects an earlier one (then its duration replaces the
    earlier; numbers that could fire a red flag are never lowered this way)."""
    return bool(_CORRECTION.search(fold(text)))


def mentions_pregnancy(text: str) -> bool:
    """Whether a text speaks of a pregnancy (then "bebisen" is the unborn baby)."""
    return bool(_PREGNANT.search(fold(text)))


__all__ = ["Facts", "extract_facts", "mentions_pregnancy"]
