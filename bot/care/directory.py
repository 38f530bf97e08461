"""The care directory: municipalities and care units with opening hours, validated on load.

Content lives in bot/content/municipalities.yml and care_units.yml; the seed step copies it
into the app database, where staff may edit it and an HSA export may update it
(bot/care/hsa.py). Every path produces the same `CareUnit`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.care.calendar import DAY_KEYS, HOLIDAY_KEY, day_key, local
from bot.content.loader import CONTENT_DIR, ContentError, get, get_date, read_yaml
from bot.triage.normalise import fold

MUNICIPALITIES_FILE = CONTENT_DIR / "municipalities.yml"
UNITS_FILE = CONTENT_DIR / "care_units.yml"
UNIT_KINDS = ("vardcentral", "digital", "jourcentral", "kvall_helg", "narakut",
              "akutmottagning", "barnakut")
REGIONS = ("VGR", "Halland")
SERVICES = ("children", "adults", "digital_visits", "booking", "drop_in")
STATUSES = ("demo", "verified")
CERTAINTIES = ("SRC", "SRC-OLD", "KNOW", "UNVERIFIED", "ILLUSTRATIVE")
HOUR_KEYS = (*DAY_KEYS, HOLIDAY_KEY)
_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
PHONE = re.compile(r"[0-9 +\-]{3,20}")
# HSA-id: "SE" + the catalogue owner's 10-digit organisation number + "-" + letters and/or
# digits, at most 31 characters (Inera's rule as quoted in openEHR Sweden's guide "HSA-identitet
# och Organisationsnummer").
HSA_ID = re.compile(r"SE\d{10}-[A-Za-z0-9]+")
HSA_ID_MAX = 31
HSA_ID_RULE = "SE + 10 digits + '-' + letters or digits, at most 31 characters"


def is_hsa_id(text: str) -> bool:
    return bool(HSA_ID.fullmatch(text)) and len(text) <= HSA_ID_MAX


def is_phone(text: str) -> bool:
    return bool(PHONE.fullmatch(text)) and any(c.isdigit() for c in text)

# SCB kommunkod: two digits of the county (län 13 Halland, 14 Västra Götaland) + two more.
COUNTY_CODES = {"Halland": "13", "VGR": "14"}

Minutes = tuple[int, int]   # [start, end) in minutes after midnight


def parse_hours(text: str) -> tuple[Minutes, ...]:
    """'08:00-12:00, 13:00-17:00' -> ((480, 720), (780, 1020)); 'closed' -> ()."""
    text = text.strip()
    if text == "closed":
        return ()
    ranges = []
    for part in text.split(","):
        match = _RANGE.match(part.strip())
        if not match:
            raise ValueError(f"{part.strip()!r} is not HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if not (0 <= start < end <= 24 * 60) or m1 > 59 or m2 > 59:
            raise ValueError(f"{part.strip()!r} is not a valid time range")
        ranges.append((start, end))
    ranges.sort()
    for (_, end), (start, _) in itertools.pairwise(ranges):
        if start < end:
            raise ValueError(f"{text!r} has overlapping ranges")
    return tuple(ranges)


def format_hours(ranges: tuple[Minutes, ...]) -> str:
    if not ranges:
        return "stängt"
    return ", ".join(f"{s // 60:02d}:{s % 60:02d}–{e // 60:02d}:{e % 60:02d}" for s, e in ranges)


@dataclass(frozen=True)
class Municipality:
    name: str
    region: str
    lat: float
    lon: float
    population: int
    aliases: tuple[str, ...] = ()
    code: str = ""             # SCB kommunkod, e.g. "1480" for Göteborg


@dataclass(frozen=True)
class CareUnit:
    id: str
    name: str
    kind: str   # vardcentral, jourcentral, narakut, ...; as CareOption.kind
    region: str
    municipality: str          # "" for a digital unit serving a whole region
    address: str               # "" when not known (an HSA export without a visiting address)
    phone: str                 # "" when no verified number is known: never a made-up one
    url: str
    services: tuple[str, ...]
    hours: dict[str, tuple[Minutes, ...]]
    exceptions: dict[dt.date, tuple[Minutes, ...]] = field(default_factory=dict)
    min_age_years: float = 0.0
    max_age_years: float = 130.0
    status: str = "demo"
    hours_verified: bool = False
    certainty: str = "ILLUSTRATIVE"
    source: str = ""
    hsa_id: str = ""           # the unit's identity in the national catalogue HSA
    lat: float | None = None   # WGS84 decimal degrees, when the source gives a position
    lon: float | None = None
    imported: str = ""         # ISO date of the HSA import that last set the facts

    @property
    def verified(self) -> bool:
        """Hours (and phone) from a verified source: only then are they shown to residents."""
        return self.hours_verified and self.status == "verified"

    @property
    def always_open(self) -> bool:
        full = ((0, 24 * 60),)
        return all(self.hours[key] == full for key in HOUR_KEYS) and not self.exceptions

    def ranges_on(self, day: dt.date) -> tuple[Minutes, ...]:
        if day in self.exceptions:
            return self.exceptions[day]
        return self.hours[day_key(day)]

    def is_open(self, when: dt.datetime) -> bool:
        when = local(when)
        minute = when.hour * 60 + when.minute
        return any(start <= minute < end for start, end in self.ranges_on(when.date()))

    def open_until(self, when: dt.datetime) -> dt.datetime | None:
        when = local(when)
        minute = when.hour * 60 + when.minute
        for start, end in self.ranges_on(when.date()):
            if start <= minute < end:
                return _at(when.date(), end, when)
        return None

    def next_opening(self, when: dt.datetime, horizon_days: int = 14) -> dt.datetime | None:
        """The next time the unit opens after `when` (None if open now or never soon)."""
        when = local(when)
        if self.is_open(when):
            return None
        minute = when.hour * 60 + when.minute
        for offset in range(horizon_days + 1):
            day = when.date() + dt.timedelta(days=offset)
            for start, _ in self.ranges_on(day):
                if offset > 0 or start > minute:
                    return _at(day, start, when)
        return None

    def serves_age(self, age_years: float | None) -> bool:
        if age_years is None:
            return True
        return self.min_age_years <= age_years < self.max_age_years


def _at(day: dt.date, minute: int, like: dt.datetime) -> dt.datetime:
    if minute >= 24 * 60:
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=like.tzinfo)
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=like.tzinfo)


def _distance_km(a: Municipality, b: Municipality) -> float:
    return _great_circle_km(a.lat, a.lon, b.lat, b.lon)


def _great_circle_km(lat_a: float, lon_a: float, lat_b: float, lon_b: float) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (lat_a, lon_a, lat_b, lon_b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371 * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class PlaceMatch:
    """A resident's place name: the municipality, or suggestions when unsure."""

    municipality: Municipality | None
    suggestions: tuple[str, ...] = ()



# Municipality names that are also everyday words ("kan det vara farligt?"): a place only
# after a preposition ("i Vara", "från Vara") or as the whole message.
WORD_LIKE_NAMES = frozenset({"vara"})
_PLACE_PREPOSITION = re.compile(r"\b(?:i|från|fran|till|nära|nara|vid|in|near)\s+(\w+)", re.I)


class CareDirectory:
    def __init__(self, municipalities: list[Municipality], units: list[CareUnit]) -> None:
        self.municipalities = {m.name: m for m in municipalities}
        self.units = {u.id: u for u in units}
        self._names: dict[str, str] = {}
        for m in municipalities:
            for name in (m.name, *m.aliases):
                self._names[fold(name)] = m.name
        for unit in units:
            if unit.municipality and unit.municipality not in self.municipalities:
                raise ValueError(f"unit {unit.id}: unknown municipality {unit.municipality!r}")

    # --- places ---------------------------------------------------------------------
    def find_municipality(self, text: str) -> PlaceMatch:
        """Exact (folded) name, a name inside the text, or close spellings as suggestions."""
        folded = fold(text).strip(" .!?,")
        folded = re.sub(r"\b(kommun|kommunen|stad|i|bor|jag|vi|we|live|in)\b", " ", folded)
        folded = " ".join(folded.split())
        if folded in self._names:
            return PlaceMatch(self.municipalities[self._names[folded]])
        words = re.findall(r"[a-z-]+", folded)
        for size in (3, 2, 1):
            for i in range(len(words) - size + 1):
                candidate = " ".join(words[i:i + size])
                if candidate in self._names:
                    return PlaceMatch(self.municipalities[self._names[candidate]])
        close = []
        for word in [folded, *words]:
            close += difflib.get_close_matches(word, list(self._names), n=3, cutoff=0.75)
        suggestions = tuple(dict.fromkeys(self._names[c] for c in close))
        if len(suggestions) == 1 and difflib.SequenceMatcher(
            None, fold(suggestions[0]), folded
        ).ratio() >= 0.9:
            return PlaceMatch(self.municipalities[suggestions[0]])
        return PlaceMatch(None, suggestions[:3])

    def named_in(self, value: str, text: str) -> str | None:
        """The municipality an extracted place `value` names within `text`; a name that is
        also an everyday word counts only after a preposition or as the whole message."""
        match = self.find_municipality(value)
        if match.municipality is None:
            return None
        folded = value.strip().lower()
        if folded in WORD_LIKE_NAMES:
            after_preposition = {w.lower() for w in _PLACE_PREPOSITION.findall(text)}
            if folded not in after_preposition and text.strip().lower() != folded:
                return None
        return match.municipality.name

    def places_in_question(self, text: str) -> tuple[str, ...]:
        """Municipalities a question seems to name although no entity was found: one close
        spelling per word of five letters or more, or a short name written with a capital
        ("Hjo"). Everyday words that are also names ("vara", "alla" ~ Ale) are no place."""
        if text.startswith("/"):
            return ()
        found: list[str] = []
        for word in re.findall(r"[^\W\d_][\w-]*", text):
            if word.lower() in WORD_LIKE_NAMES or len(word) < 3:
                continue
            match = self.find_municipality(word)
            if match.municipality is not None and (len(word) >= 5 or word[0].isupper()):
                found.append(match.municipality.name)
            elif len(word) >= 5 and len(match.suggestions) == 1:
                found.append(match.suggestions[0])
        return tuple(dict.fromkeys(found))[:3]

    def distance_km(self, unit: CareUnit, municipality: Municipality) -> float:
        """From the municipality's centre to the unit: its own position when the directory
        has one (an HSA export), else its municipality's centre."""
        if unit.lat is not None and unit.lon is not None:
            return _great_circle_km(unit.lat, unit.lon, municipality.lat, municipality.lon)
        if not unit.municipality:
            return 0.0
        return _distance_km(self.municipalities[unit.municipality], municipality)

    # --- units ------------------------------------------------------------------------
    def of_kind(self, *kinds: str) -> list[CareUnit]:
        return [u for u in self.units.values() if u.kind in kinds]

    def nearest(self, municipality: Municipality, kinds: tuple[str, ...],
                age_years: float | None = None) -> list[CareUnit]:
        """Units of these kinds serving the age, nearest first (same region breaks ties)."""
        units = [u for u in self.of_kind(*kinds) if u.municipality and u.serves_age(age_years)]
        return sorted(units, key=lambda u: (round(self.distance_km(u, municipality)),
                                            u.region != municipality.region, u.name))

    def digital(self, region: str | None) -> list[CareUnit]:
        units = self.of_kind("digital")
        return sorted(units, key=lambda u: u.region != region)

    def vardcentraler(self, municipality: str) -> list[CareUnit]:
        return [u for u in self.of_kind("vardcentral") if u.municipality == municipality]


# --- loading and validation ---------------------------------------------------------------
def _municipalities(path: Path) -> list[Municipality]:
    data = read_yaml(path)
    get_date(data, "reviewed", path)
    result = []
    codes: set[str] = set()
    for i, entry in enumerate(get(data, "municipalities", list, path)):
        prefix = f"municipalities[{i}]."
        region = get(entry, "region", str, path, prefix)
        if region not in REGIONS:
            raise ContentError(path, f"{prefix}region", f"must be one of {REGIONS}")
        code = get(entry, "code", str, path, prefix)
        if not re.fullmatch(r"\d{4}", code) or code[:2] != COUNTY_CODES[region]:
            raise ContentError(path, f"{prefix}code", f"{code!r} is not a kommunkod of {region} "
                               f"(four digits starting {COUNTY_CODES[region]})")
        if code in codes:
            raise ContentError(path, f"{prefix}code", f"{code!r} is used twice")
        codes.add(code)
        result.append(Municipality(
            name=get(entry, "name", str, path, prefix), region=region,
            lat=float(get(entry, "lat", (int, float), path, prefix)),
            lon=float(get(entry, "lon", (int, float), path, prefix)),
            population=int(get(entry, "population", int, path, prefix)),
            aliases=tuple(get(entry, "aliases", list, path, prefix, required=False,
                              default=[])),
            code=code,
        ))
    return result


def unit_from_dict(entry: dict[str, Any], path: Path | str, prefix: str,
                   municipalities: set[str]) -> CareUnit:
    """Builds a CareUnit from content or a database row, naming the field that is wrong."""
    def choice(key: str, allowed: tuple[str, ...]) -> str:
        value = get(entry, key, str, path, prefix)
        if value not in allowed:
            raise ContentError(path, f"{prefix}{key}", f"must be one of {', '.join(allowed)}")
        return value

    kind = choice("kind", UNIT_KINDS)
    municipality = entry.get("municipality") or ""
    if municipality and municipality not in municipalities:
        raise ContentError(path, f"{prefix}municipality", f"unknown municipality {municipality!r}")
    if not municipality and kind != "digital":
        raise ContentError(path, f"{prefix}municipality", "only digital units may omit it")
    phone = _optional_text(entry, "phone", path, prefix, required=True)
    if phone and not is_phone(phone):
        raise ContentError(path, f"{prefix}phone", f"{phone!r} is not a phone number")
    hsa_id = _optional_text(entry, "hsa_id", path, prefix)
    if hsa_id and not is_hsa_id(hsa_id):
        raise ContentError(path, f"{prefix}hsa_id", f"{hsa_id!r} is not an HSA-id ({HSA_ID_RULE})")
    lat, lon = _position(entry, path, prefix)
    raw_imported = entry.get("imported")
    imported = (raw_imported.isoformat() if isinstance(raw_imported, dt.date)
                else _optional_text(entry, "imported", path, prefix))
    if imported:
        try:
            dt.date.fromisoformat(imported)
        except ValueError:
            raise ContentError(path, f"{prefix}imported",
                               f"must be a date YYYY-MM-DD, got {imported!r}") from None
    services = tuple(get(entry, "services", list, path, prefix))
    for service in services:
        if service not in SERVICES:
            raise ContentError(path, f"{prefix}services", f"unknown service {service!r}")
    raw_hours = get(entry, "hours", dict, path, prefix)
    hours: dict[str, tuple[Minutes, ...]] = {}
    for key in HOUR_KEYS:
        raw = raw_hours.get(key)
        if not isinstance(raw, str):
            raise ContentError(path, f"{prefix}hours.{key}", "is missing (HH:MM-HH:MM or closed)")
        try:
            hours[key] = parse_hours(raw)
        except ValueError as error:
            raise ContentError(path, f"{prefix}hours.{key}", str(error)) from None
    exceptions: dict[dt.date, tuple[Minutes, ...]] = {}
    for j, exception in enumerate(entry.get("exceptions") or []):
        try:
            day = exception["date"]
            day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
            exceptions[day] = parse_hours(str(exception["hours"]))
        except (KeyError, TypeError, ValueError) as error:
            raise ContentError(path, f"{prefix}exceptions[{j}]", f"invalid: {error}") from None
    return CareUnit(
        id=get(entry, "id", str, path, prefix), name=get(entry, "name", str, path, prefix),
        kind=kind, region=choice("region", REGIONS), municipality=municipality,
        address=_optional_text(entry, "address", path, prefix, required=True), phone=phone,
        url=get(entry, "url", str, path, prefix), services=services, hours=hours,
        exceptions=exceptions,
        min_age_years=float(entry.get("min_age_years") or 0.0),
        max_age_years=float(entry.get("max_age_years") or 130.0),
        status=choice("status", STATUSES),
        hours_verified=bool(entry.get("hours_verified")),
        certainty=choice("certainty", CERTAINTIES),
        source=get(entry, "source", str, path, prefix),
        hsa_id=hsa_id, lat=lat, lon=lon, imported=imported,
    )


def _optional_text(entry: dict[str, Any], key: str, path: Path | str, prefix: str,
                   required: bool = False) -> str:
    """A text that may be empty ("" = not known); `required` keys must still be present."""
    value = entry.get(key)
    if value is None:
        if required:
            raise ContentError(path, f"{prefix}{key}", "is missing (\"\" when not known)")
        return ""
    if not isinstance(value, str):
        raise ContentError(path, f"{prefix}{key}", f"must be str, got {type(value).__name__}")
    return value.strip()


def _position(entry: dict[str, Any], path: Path | str,
              prefix: str) -> tuple[float | None, float | None]:
    lat, lon = entry.get("lat"), entry.get("lon")
    if lat is None and lon is None:
        return None, None
    for key, value, limit in (("lat", lat, 90), ("lon", lon, 180)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not -limit <= value <= limit:
            raise ContentError(path, f"{prefix}{key}", f"must be decimal degrees (WGS84) "
                               f"between -{limit} and {limit}, got {value!r}; give lat and "
                               "lon together")
    return float(lat), float(lon)


def load_directory(municipalities_file: Path = MUNICIPALITIES_FILE,
                   units_file: Path = UNITS_FILE) -> CareDirectory:
    municipalities = _municipalities(municipalities_file)
    names = {m.name for m in municipalities}
    data = read_yaml(units_file)
    get_date(data, "reviewed", units_file)
    units: list[CareUnit] = []
    seen: set[str] = set()
    for i, entry in enumerate(get(data, "units", list, units_file)):
        if not isinstance(entry, dict):
            raise ContentError(units_file, f"units[{i}]", "must be a mapping")
        unit = unit_from_dict(entry, units_file, f"units[{entry.get('id', i)}].", names)
        if unit.id in seen:
            raise ContentError(units_file, f"units[{unit.id}].id", "is used twice")
        seen.add(unit.id)
        units.append(unit)
    return CareDirectory(municipalities, units)


@lru_cache(maxsize=1)
def content_directory() -> CareDirectory:
    return load_directory()
