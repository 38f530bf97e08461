"""Reading an export of the national catalogue HSA (Inera) into care-directory units.

HSA holds every care unit's name, address, phone, hours, position and type; 1177's contact
cards ("Hitta vård") are drawn from it. A region deploying Vårdlotsen exports its units and
`python -m bot import-directory FILE` loads them (bot/care/importer.py writes the database).

The file is JSON: a list of unit records, or {"metadata": {...}, "units": [...]}. A record
maps HSA's LDAP attribute names (matched without regard to case, as LDAP does) to a text or,
for a multi-valued attribute, a list of texts. No published JSON shape of an HSA export was
found, so this one stays as close to the directory's own attributes (as in LDIF) as JSON can.

Attributes read, and where their format is documented:
  [TKB]  Inera, infrastructure:directory:organization, Tjänstekontraktsbeskrivning 5.0
         (2025-10-13), GetUnit, https://rivta.se/tkview/#/domain/infrastructure:directory:organization
         (it refers to "Informationsspecifikation för Katalogtjänst HSA", www.inera.se/hsa/dokument)
  [HJV]  Inera, 1177 Hitta vård guidelines for HSA attributes,
         https://inera.atlassian.net/wiki/spaces/OHJV/pages/2986244 (required attributes,
         hsaBusinessType codes), /2986355 (street, geographicalCoordinates), /2986279
         (businessClassificationCode), /2986336 (red-day hours only as free text)
  [ID]   openEHR Sweden, "HSA-identitet och Organisationsnummer",
         https://openehr.atlassian.net/wiki/spaces/healthmod/pages/1922990156 (quotes Inera)
  [KIV]  VGR's catalogue tools (kivtools/hriv, LGPL, VGR's own HSA client): legacy hsa-prefixed
         names, the stored time format "1-5#08:30#10:00", RT90 "X: 6414080, Y: 1276736",
         businessClassificationCode 1500 for duty units and 1000/1100/1500 for emergency units

  hsaIdentity                 SE + 10-digit organisation number + "-" + letters/digits, <= 31 [ID]
  ou (cn, o)                  the unit's (function's, organisation's) name [TKB]
  hsaBusinessType             enhetstyp: 01 sjukhus, 02 vårdcentral, 03 distansenhet [HJV]
  businessClassificationCode  verksamhetskod, kodverk OID 1.2.752.129.2.2.1.3; e.g. 1506
                              Distriktssköterskeverksamhet [HJV]; see KIND_BY_CLASSIFICATION
  municipalityCode, countyCode  SCB kommunkod / länskod [TKB]
  street, l                   visiting address (unstructured) and locality [TKB, HJV]
  telephoneNumber, hsaSwitchboardNumber  public direct number, else the switchboard [TKB]
  labeledURI, hsaVpwWebPage   the unit's web site (full URL), else its 1177 card [TKB]
  surgeryHours (dropInHours)  time spans, 4 to 7 parts separated by "#": from-day, to-day,
                              from-time, to-time, optional comment, optional from-date,
                              optional to-date; days Monday (1) to Sunday (7) [TKB]. The
                              stored form seen in [KIV] joins the days: "1-5#08:00#17:00";
                              both are read. Dates: YYYYMMDD (the only date example in [TKB])
                              or YYYY-MM-DD.
  hsaSweref99Latitude/-Longitude  SWEREF 99 TM northing/easting in metres [TKB, since 2019]
  geographicalCoordinates     RT 90 2.5 gon V, "X: 6414080, Y: 1276736" [KIV, HJV]
  hsaVisitingRuleAge          "from;to[;comment]", 00 newborn, 99 no upper limit [TKB];
                              [KIV] stores "0-99"
  hsaDestinationIndicator     03 = shown to the public [KIV, HJV]; other records are skipped
  endDate                     a unit whose end date has passed is skipped [TKB]
Legacy names accepted as the same attribute: hsaBusinessClassificationCode,
hsaMunicipalityCode, hsaCountyCode, hsaStreetAddress, hsaPublicTelephoneNumber,
hsaSurgeryHours, hsaDropInHours, hsaGeographicalCoordinates [KIV].
Not read: careType (vård- och omsorgsform; its codes were not confirmed), telephoneHours /
hsaTelephoneTime (the directory has no field for them), hsaHealthCareUnitManager,
hsaVisitingAddress (structured, HSA schema 5.2; its text format was not confirmed).

Not confirmed, our choices (said again where they are made): holidays take Sunday's spans,
because HSA's days are 1-7 only and 1177 gives red-day hours as free text [HJV]; a dated
span with equal from- and to-time means closed that day; which kind codes 1000 and 1100 are;
kvälls-/helgmottagning and närakut told apart from jourcentral by their names.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.care.calendar import DAY_KEYS, HOLIDAY_KEY
from bot.care.directory import (
    COUNTY_CODES,
    HSA_ID_RULE,
    Minutes,
    Municipality,
    is_hsa_id,
    is_phone,
    unit_from_dict,
)
from bot.content.loader import ContentError
from bot.triage.normalise import fold

# --- kind -------------------------------------------------------------------------------
# hsaBusinessType (enhetstyp) codes as 1177 Hitta vård defines them [HJV].
KIND_BY_BUSINESS_TYPE = {
    "02": "vardcentral",   # Vårdcentral
    "03": "digital",       # Distansenhet: no visiting address, no map
}
# businessClassificationCode (verksamhetskod). The two-digit groups are Inera's (10 Barn- och
# ungdomsverksamhet, 11 Medicinsk verksamhet, 15 Primärvårdsverksamhet: kodverk 4.1 as in
# Inera's sklintyg). VGR's own unit search [KIV] uses 1500 for its duty units and 1000, 1100,
# 1500 (with 1600, 1800-1812) for its emergency units. Which of the emergency codes is a
# barnakut and which an akutmottagning is our reading of the groups: confirm with the
# region's HSA administrators, and add the region's codes here. An unlisted code is an error.
KIND_BY_CLASSIFICATION = {
    "1000": "barnakut",        # emergency code in group 10 (children and young people)
    "1100": "akutmottagning",  # emergency code in group 11 (medicine)
    "1500": "jourcentral",     # VGR's duty units (primary care)
}
# Precedence when a record carries several codes. hsaBusinessType says what the unit itself
# is and is set only on that unit, not on the units below it [HJV]; then the most specific
# place first.
KIND_ORDER = ("digital", "vardcentral", "barnakut", "akutmottagning", "jourcentral")
# HSA has no code that tells a kvälls-/helgmottagning or a närakut from a jourcentral; their
# names do (Halland's "Kvälls- och helgmottagning", "Närakuten Kungsbacka"). Folded stems.
DUTY_KIND_BY_NAME = (("narakut", "narakut"), ("helgmottagning", "kvall_helg"),
                     ("kvallsmottagning", "kvall_helg"))

# --- attributes -------------------------------------------------------------------------
# Our name for an attribute -> the HSA names that carry it, current name first.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "hsaIdentity": ("hsaIdentity",),
    "name": ("ou", "cn", "o"),
    "hsaBusinessType": ("hsaBusinessType",),
    "businessClassificationCode": ("businessClassificationCode",
                                   "hsaBusinessClassificationCode"),
    "municipalityCode": ("municipalityCode", "hsaMunicipalityCode"),
    "countyCode": ("countyCode", "hsaCountyCode"),
    "street": ("street", "hsaStreetAddress"),
    "l": ("l", "localityName"),
    "telephoneNumber": ("telephoneNumber", "hsaPublicTelephoneNumber"),
    "hsaSwitchboardNumber": ("hsaSwitchboardNumber",),
    "labeledURI": ("labeledURI",),
    "hsaVpwWebPage": ("hsaVpwWebPage",),
    "surgeryHours": ("surgeryHours", "hsaSurgeryHours"),
    "dropInHours": ("dropInHours", "hsaDropInHours"),
    "hsaSweref99Latitude": ("hsaSweref99Latitude",),
    "hsaSweref99Longitude": ("hsaSweref99Longitude",),
    "geographicalCoordinates": ("geographicalCoordinates", "hsaGeographicalCoordinates"),
    "hsaVisitingRuleAge": ("hsaVisitingRuleAge",),
    "hsaDestinationIndicator": ("hsaDestinationIndicator",),
    "endDate": ("endDate",),
}
PUBLIC = "03"                      # hsaDestinationIndicator: Internet / the public
FALLBACK_URL = "https://www.1177.se"
EXCEPTION_HORIZON_DAYS = 120       # dated spans become exceptions this far ahead; re-import
SWEDEN = (55.0, 69.5, 10.5, 24.5)  # lat and lon bounds; 1177 hides units outside Sweden [HJV]


@dataclass(frozen=True)
class RecordError:
    """A problem in one record: which record (hsaIdentity or position) and which field."""

    record: str
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.record}: {self.field}: {self.problem}"


@dataclass
class HsaExport:
    """Units in the directory's own shape (as care_units.yml entries), or what went wrong."""

    file_name: str
    exported: str                       # the export's date, or the import date
    demo: bool                          # a sample made by us, not an HSA extract
    units: list[dict[str, Any]] = field(default_factory=list)
    hours_from_export: set[str] = field(default_factory=set)  # unit ids
    ages_from_export: set[str] = field(default_factory=set)
    errors: list[RecordError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)           # records left out on purpose


class _Invalid(Exception):
    def __init__(self, field_name: str, problem: str) -> None:
        super().__init__(problem)
        self.field = field_name
        self.problem = problem


def unit_id(hsa_id: str) -> str:
    """Our id for a unit first seen in an export: 'hsa_se2321000131_e000000000101'."""
    return "hsa_" + re.sub(r"[^a-z0-9]+", "_", hsa_id.lower()).strip("_")


# --- reading ----------------------------------------------------------------------------
def read_export(path: Path, municipalities: Iterable[Municipality],
                today: dt.date) -> HsaExport:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        result = HsaExport(path.name, today.isoformat(), demo=False)
        result.errors.append(RecordError("file", path.name, f"cannot be read as JSON: {error}"))
        return result
    return parse_export(data, path.name, municipalities, today)


def parse_export(data: Any, file_name: str, municipalities: Iterable[Municipality],
                 today: dt.date) -> HsaExport:
    """Maps every record; a record with an error adds errors and no unit."""
    records, metadata, problem = _records(data)
    exported = _export_date(metadata, today)
    result = HsaExport(file_name, exported or today.isoformat(),
                       demo=metadata.get("demo") is True)
    if problem:
        result.errors.append(RecordError("file", file_name, problem))
        return result
    if exported is None:
        result.errors.append(RecordError("file", "metadata.exported",
                                         "must be a date YYYY-MM-DD"))
    by_code = {m.code: m for m in municipalities}
    seen: dict[str, str] = {}
    for index, record in enumerate(records):
        label = f"record {index + 1}"
        if not isinstance(record, dict):
            result.errors.append(RecordError(label, "<record>", "must be a JSON object"))
            continue
        attributes = {key.lower(): value for key, value in record.items()}
        identity = attributes.get("hsaidentity")
        if isinstance(identity, str) and identity.strip():
            label = identity.strip()
        try:
            mapped = _map_record(attributes, result, by_code, today)
        except _Invalid as invalid:
            result.errors.append(RecordError(label, invalid.field, invalid.problem))
            continue
        if mapped is None:
            continue
        unit, from_hours, from_ages = mapped
        key = unit["hsa_id"].lower()
        if key in seen:
            result.errors.append(RecordError(label, "hsaIdentity",
                                             f"also used by {seen[key]}"))
            continue
        seen[key] = label
        try:
            unit_from_dict(unit, file_name, "", {m.name for m in by_code.values()})
        except ContentError as error:
            result.errors.append(RecordError(label, error.field, error.problem))
            continue
        result.units.append(unit)
        if from_hours:
            result.hours_from_export.add(unit["id"])
        if from_ages:
            result.ages_from_export.add(unit["id"])
    return result


def _records(data: Any) -> tuple[list[Any], dict[str, Any], str]:
    if isinstance(data, list):
        return data, {}, ""
    if isinstance(data, dict) and isinstance(data.get("units"), list):
        metadata = data.get("metadata") or {}
        if not isinstance(metadata, dict):
            return [], {}, "metadata must be an object"
        return data["units"], metadata, ""
    return [], {}, 'must be a list of records or {"metadata": {...}, "units": [...]}'


def _export_date(metadata: dict[str, Any], today: dt.date) -> str | None:
    raw = metadata.get("exported")
    if raw is None:
        return today.isoformat()
    try:
        return dt.date.fromisoformat(str(raw)[:10]).isoformat()
    except ValueError:
        return None


def _map_record(attributes: dict[str, Any], export: HsaExport,
                municipalities: dict[str, Municipality],
                today: dt.date) -> tuple[dict[str, Any], bool, bool] | None:
    def named(name: str) -> str:
        """The attribute's name as the record spells it (errors name what the file says)."""
        return next((n for n in ATTRIBUTES[name] if n.lower() in attributes), name)

    def values(name: str) -> list[str]:
        if named(name).lower() not in attributes:
            return []
        return _texts(attributes[named(name).lower()], named(name))

    def one(name: str) -> str:
        found = values(name)
        return found[0] if found else ""

    hsa_id = one("hsaIdentity")
    if not hsa_id:
        raise _Invalid("hsaIdentity", "is missing")
    if not is_hsa_id(hsa_id):
        raise _Invalid("hsaIdentity", f"{hsa_id!r} is not an HSA-id ({HSA_ID_RULE})")
    destinations = values("hsaDestinationIndicator")
    if destinations and PUBLIC not in destinations:
        export.skipped.append(f"{hsa_id}: not shown to the public (hsaDestinationIndicator "
                              f"{', '.join(destinations)})")
        return None
    end = one("endDate")
    if end and _date(end, "endDate") < today:
        export.skipped.append(f"{hsa_id}: closed (endDate {end})")
        return None
    name = one("name")
    if not name:
        raise _Invalid("ou", "the unit's name (ou, or cn/o) is missing")
    kind = _kind(values("hsaBusinessType"), values("businessClassificationCode"), name)
    municipality, region = _place(one("municipalityCode"), one("countyCode"), kind,
                                  municipalities)
    phone_attribute = "telephoneNumber" if values("telephoneNumber") else "hsaSwitchboardNumber"
    phone = one(phone_attribute)
    if phone and not is_phone(phone):
        raise _Invalid(named(phone_attribute), f"{phone!r} is not a phone number")
    spans_attribute = "surgeryHours" if values("surgeryHours") else "dropInHours"
    spans = values(spans_attribute)
    hours, exceptions = _hours(spans, named(spans_attribute), today) if spans else (None, [])
    ages = values("hsaVisitingRuleAge")
    min_age, max_age = _ages(ages) if ages else (0.0, 130.0)
    lat, lon = _coordinates(values, named)
    unit: dict[str, Any] = {
        "id": unit_id(hsa_id),
        "hsa_id": hsa_id,
        "name": name,
        "kind": kind,
        "region": region,
        "municipality": municipality,
        "address": _address(one("street"), one("l")),
        "phone": phone,
        "url": one("labeledURI") or one("hsaVpwWebPage") or FALLBACK_URL,
        "services": _services(kind, min_age, max_age, bool(values("dropInHours"))),
        "hours": hours or {key: "closed" for key in (*DAY_KEYS, HOLIDAY_KEY)},
        "exceptions": exceptions,
        "min_age_years": min_age,
        "max_age_years": max_age,
        "lat": lat,
        "lon": lon,
        "status": "demo" if export.demo else "verified",
        "hours_verified": hours is not None and not export.demo,
        "certainty": "ILLUSTRATIVE" if export.demo else "SRC",
        "source": _source(export),
        "imported": today.isoformat(),
    }
    return unit, hours is not None, bool(ages)


def _source(export: HsaExport) -> str:
    if export.demo:
        return f"HSA-export {export.file_name}, {export.exported} (demo sample, not from HSA)"
    return f"HSA-export {export.file_name}, {export.exported}"


def _texts(value: Any, name: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise _Invalid(name, f"must be text or a list of texts, got {item!r}")
        text = str(item).strip()
        if text:
            found.append(text)
    return found


# --- kind and place ---------------------------------------------------------------------
def _kind(business_types: Sequence[str], classifications: Sequence[str], name: str) -> str:
    kinds = {KIND_BY_BUSINESS_TYPE[c] for c in business_types if c in KIND_BY_BUSINESS_TYPE}
    kinds |= {KIND_BY_CLASSIFICATION[c] for c in classifications
              if c in KIND_BY_CLASSIFICATION}
    if not kinds:
        given = ", ".join([*(f"hsaBusinessType {c}" for c in business_types),
                           *(f"businessClassificationCode {c}" for c in classifications)])
        raise _Invalid("businessClassificationCode",
                       f"no known kind code ({given or 'none given'}); known: hsaBusinessType "
                       f"{', '.join(KIND_BY_BUSINESS_TYPE)}, businessClassificationCode "
                       f"{', '.join(KIND_BY_CLASSIFICATION)}")
    kind = next(k for k in KIND_ORDER if k in kinds)
    if kind == "jourcentral":
        folded = fold(name)
        kind = next((k for stem, k in DUTY_KIND_BY_NAME if stem in folded), kind)
    return kind


def _place(municipality_code: str, county_code: str, kind: str,
           municipalities: dict[str, Municipality]) -> tuple[str, str]:
    """(municipality name, region) from kommunkod and länskod."""
    regions = {code: region for region, code in COUNTY_CODES.items()}
    if municipality_code:
        found = municipalities.get(municipality_code)
        if found is None:
            raise _Invalid("municipalityCode", f"{municipality_code!r} is not a municipality "
                                               "in VGR or Halland")
        if county_code and county_code != municipality_code[:2]:
            raise _Invalid("countyCode", f"{county_code!r} does not match municipalityCode "
                                         f"{municipality_code}")
        if kind == "digital":
            return "", found.region   # a distance unit serves its whole region
        return found.name, found.region
    if kind != "digital":
        raise _Invalid("municipalityCode", "is missing (only a distance unit may omit it)")
    if county_code not in regions:
        raise _Invalid("countyCode", f"{county_code or 'missing'}: a distance unit needs "
                                     f"countyCode {' or '.join(regions)}")
    return "", regions[county_code]


def _address(street: str, locality: str) -> str:
    """'Blå stråket 5' + 'Göteborg' -> 'Blå stråket 5, Göteborg' (street may hold the town)."""
    if street and locality and not fold(street).endswith(fold(locality)):
        return f"{street}, {locality}"
    return street


def _services(kind: str, min_age: float, max_age: float, drop_in: bool) -> list[str]:
    """Services are Vårdlotsen's own facts: a new unit gets what its ages and kind say."""
    services = []
    if min_age < 18:
        services.append("children")
    if max_age > 18:
        services.append("adults")
    if kind == "digital":
        services.append("digital_visits")
    if drop_in:
        services.append("drop_in")
    return services


def _ages(rules: Sequence[str]) -> tuple[float, float]:
    """'18;99' -> (18, 130): from-age and to-age inclusive, 99 without upper limit."""
    lows, highs = [], []
    for rule in rules:
        parts = [p.strip() for p in re.split(r"[;-]", rule, maxsplit=2)]
        if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit() \
                or int(parts[0]) > int(parts[1]):
            raise _Invalid("hsaVisitingRuleAge", f"{rule!r} is not from-age;to-age (e.g. 00;17)")
        lows.append(int(parts[0]))
        highs.append(130 if int(parts[1]) == 99 else int(parts[1]) + 1)
    return float(min(lows)), float(max(highs))


# --- hours ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Span:
    days: tuple[int, ...]          # ISO weekdays, 1 = Monday
    ranges: tuple[Minutes, ...]    # one range, or two when it runs past midnight
    first: dt.date | None = None
    last: dt.date | None = None
    closed: bool = False           # a dated span with equal times: closed those days


def parse_span(text: str, name: str = "surgeryHours") -> Span:
    """'1#5#08:00#17:00', '1-5#08:00#17:00', '4-4#10:00#14:00#Julafton#20261224#20261224'."""
    parts = text.split("#")
    example = "e.g. 1-5#08:00#17:00 or 1#5#08:00#17:00"
    if re.fullmatch(r"\d-\d", parts[0].strip()):     # the stored form [KIV]: days joined
        parts = [*parts[0].split("-"), *parts[1:]]
    if not 4 <= len(parts) <= 7:
        raise _Invalid(name, f"{text!r} is not day#day#from#to (4 to 7 parts by '#'; {example})")
    from_day, to_day = (_day(p, text, name) for p in parts[:2])
    start, end = (_clock(p, text, name) for p in parts[2:4])
    first = _date(parts[5], name) if len(parts) > 5 and parts[5].strip() else None
    last = _date(parts[6], name) if len(parts) > 6 and parts[6].strip() else None
    if first and last and last < first:
        raise _Invalid(name, f"{text!r}: to-date is before from-date")
    days = [from_day]
    while days[-1] != to_day:
        days.append(days[-1] % 7 + 1)
    dated = first is not None or last is not None
    if start == end:
        if not dated:
            raise _Invalid(name, f"{text!r}: from-time equals to-time (write 00:00#24:00 for "
                                 "all day)")
        return Span(tuple(days), (), first, last, closed=True)
    if end == 0:
        end = 24 * 60
    if end < start:   # past midnight: the rest runs on the next day
        return Span(tuple(days), ((start, 24 * 60), (0, end)), first, last)
    return Span(tuple(days), ((start, end),), first, last)


def _day(text: str, whole: str, name: str) -> int:
    text = text.strip()
    if not re.fullmatch(r"[0-7]", text):
        raise _Invalid(name, f"{whole!r}: day {text!r} is not 1 (Monday) to 7 (Sunday)")
    return int(text) or 7      # 0 was Sunday in older data [KIV]


def _clock(text: str, whole: str, name: str) -> int:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::00)?", text.strip())
    if not match or int(match.group(2)) > 59 or int(match.group(1)) > 24 \
            or (int(match.group(1)) == 24 and match.group(2) != "00"):
        raise _Invalid(name, f"{whole!r}: time {text.strip()!r} is not HH:MM")
    return int(match.group(1)) * 60 + int(match.group(2))


def _date(text: str, name: str) -> dt.date:
    text = text.strip()
    digits = text.replace("-", "")[:8]
    try:
        if not re.fullmatch(r"\d{8}", digits):
            raise ValueError
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise _Invalid(name, f"date {text!r} is not YYYYMMDD") from None


def _hours(texts: Sequence[str], name: str,
           today: dt.date) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Weekly spans -> mon..sun (holiday = Sunday: an assumption, HSA has no holiday day);
    dated spans -> exceptions for the days ahead, replacing those days' weekly hours."""
    weekly: dict[int, list[Minutes]] = {day: [] for day in range(1, 8)}
    dated: dict[dt.date, list[Minutes]] = {}
    horizon = today + dt.timedelta(days=EXCEPTION_HORIZON_DAYS)
    for index, text in enumerate(texts):
        span = parse_span(text, f"{name}[{index}]" if len(texts) > 1 else name)
        if span.first is None and span.last is None:
            _add(weekly, span.days, span.ranges)
            continue
        day = max(span.first or today, today)
        while day <= min(span.last or horizon, horizon):
            if day.isoweekday() in span.days:
                dated.setdefault(day, [])
                _add_day(dated, day, span.ranges)
            day += dt.timedelta(days=1)
    hours = {key: _format(weekly[number]) for number, key in enumerate(DAY_KEYS, start=1)}
    hours[HOLIDAY_KEY] = hours["sun"]
    exceptions = [{"date": day.isoformat(), "hours": _format(dated[day])}
                  for day in sorted(dated)]
    return hours, exceptions


def _add(weekly: dict[int, list[Minutes]], days: Sequence[int],
         ranges: Sequence[Minutes]) -> None:
    for day in days:
        weekly[day].append(ranges[0])
        if len(ranges) > 1:           # the part after midnight belongs to the next day
            weekly[day % 7 + 1].append(ranges[1])


def _add_day(dated: dict[dt.date, list[Minutes]], day: dt.date,
             ranges: Sequence[Minutes]) -> None:
    if ranges:
        dated[day].append(ranges[0])
    if len(ranges) > 1:
        dated.setdefault(day + dt.timedelta(days=1), []).append(ranges[1])


def _format(ranges: list[Minutes]) -> str:
    """Union of the ranges as 'HH:MM-HH:MM, ...', or 'closed'."""
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if not merged:
        return "closed"
    return ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in merged)


# --- coordinates ------------------------------------------------------------------------
@dataclass(frozen=True)
class Projection:
    """A Gauss-Krüger (transverse Mercator) grid on the GRS 80 ellipsoid."""

    central_meridian: float   # degrees
    scale: float
    false_northing: float
    false_easting: float
    axis: float = 6378137.0
    flattening: float = 1 / 298.257222101


# Lantmäteriet's parameters: SWEREF 99 TM (EPSG:3006), and RT 90 2.5 gon V projected
# directly from SWEREF 99 ("RT 90 2.5 gon V 0:-15", within about a metre of RT 90).
SWEREF99_TM = Projection(15.0, 0.9996, 0.0, 500000.0)
RT90 = Projection(15 + 48 / 60 + 22.624306 / 3600, 1.00000561024, -667.711, 1500064.274)


def _series(p: Projection) -> tuple[float, float, float]:
    n = p.flattening / (2 - p.flattening)
    a_hat = p.axis / (1 + n) * (1 + n ** 2 / 4 + n ** 4 / 64)
    e2 = p.flattening * (2 - p.flattening)
    return n, a_hat, e2


def grid_to_geodetic(northing: float, easting: float,
                     p: Projection = SWEREF99_TM) -> tuple[float, float]:
    """Gauss-Krüger inverse (Krüger's series to n^4, as Lantmäteriet gives them):
    grid metres -> (latitude, longitude) in degrees on SWEREF 99 (= WGS84 within a metre)."""
    n, a_hat, e2 = _series(p)
    d1 = n / 2 - 2 * n ** 2 / 3 + 37 * n ** 3 / 96 - n ** 4 / 360
    d2 = n ** 2 / 48 + n ** 3 / 15 - 437 * n ** 4 / 1440
    d3 = 17 * n ** 3 / 480 - 37 * n ** 4 / 840
    d4 = 4397 * n ** 4 / 161280
    xi = (northing - p.false_northing) / (p.scale * a_hat)
    eta = (easting - p.false_easting) / (p.scale * a_hat)
    xi_p, eta_p = xi, eta
    for k, d in enumerate((d1, d2, d3, d4), start=1):
        xi_p -= d * math.sin(2 * k * xi) * math.cosh(2 * k * eta)
        eta_p -= d * math.cos(2 * k * xi) * math.sinh(2 * k * eta)
    phi_star = math.asin(math.sin(xi_p) / math.cosh(eta_p))
    d_lambda = math.atan(math.sinh(eta_p) / math.cos(xi_p))
    a_ = e2 + e2 ** 2 + e2 ** 3 + e2 ** 4
    b_ = -(7 * e2 ** 2 + 17 * e2 ** 3 + 30 * e2 ** 4) / 6
    c_ = (224 * e2 ** 3 + 889 * e2 ** 4) / 120
    d_ = -(4279 * e2 ** 4) / 1260
    s = math.sin(phi_star) ** 2
    phi = phi_star + math.sin(phi_star) * math.cos(phi_star) * (a_ + b_ * s + c_ * s ** 2
                                                                + d_ * s ** 3)
    return math.degrees(phi), p.central_meridian + math.degrees(d_lambda)


def geodetic_to_grid(lat: float, lon: float,
                     p: Projection = SWEREF99_TM) -> tuple[float, float]:
    """Gauss-Krüger forward: degrees -> (northing, easting) in metres."""
    n, a_hat, e2 = _series(p)
    a_ = e2
    b_ = (5 * e2 ** 2 - e2 ** 3) / 6
    c_ = (104 * e2 ** 3 - 45 * e2 ** 4) / 120
    d_ = 1237 * e2 ** 4 / 1260
    b1 = n / 2 - 2 * n ** 2 / 3 + 5 * n ** 3 / 16 + 41 * n ** 4 / 180
    b2 = 13 * n ** 2 / 48 - 3 * n ** 3 / 5 + 557 * n ** 4 / 1440
    b3 = 61 * n ** 3 / 240 - 103 * n ** 4 / 140
    b4 = 49561 * n ** 4 / 161280
    phi = math.radians(lat)
    s = math.sin(phi) ** 2
    phi_star = phi - math.sin(phi) * math.cos(phi) * (a_ + b_ * s + c_ * s ** 2 + d_ * s ** 3)
    d_lambda = math.radians(lon - p.central_meridian)
    xi = math.atan(math.tan(phi_star) / math.cos(d_lambda))
    eta = math.atanh(math.cos(phi_star) * math.sin(d_lambda))
    x, y = xi, eta
    for k, b in enumerate((b1, b2, b3, b4), start=1):
        x += b * math.sin(2 * k * xi) * math.cosh(2 * k * eta)
        y += b * math.cos(2 * k * xi) * math.sinh(2 * k * eta)
    return (p.scale * a_hat * x + p.false_northing, p.scale * a_hat * y + p.false_easting)


def _coordinates(values: Callable[[str], list[str]],
                 named: Callable[[str], str]) -> tuple[float | None, float | None]:
    """SWEREF 99 TM (hsaSweref99Latitude = N, -Longitude = E) first, else RT 90."""
    north, east = values("hsaSweref99Latitude"), values("hsaSweref99Longitude")
    if north or east:
        name = "hsaSweref99Latitude/hsaSweref99Longitude"
        if not (north and east):
            raise _Invalid(name, "give both northing and easting")
        lat, lon = grid_to_geodetic(_metres(north[0], name), _metres(east[0], name))
        return _in_sweden(lat, lon, name, f"N {north[0]}, E {east[0]}")
    rt90 = values("geographicalCoordinates")
    if rt90:
        name = named("geographicalCoordinates")
        match = re.fullmatch(r"X:\s*(\d+(?:\.\d+)?)\s*,\s*Y:\s*(\d+(?:\.\d+)?)", rt90[0])
        if not match:
            raise _Invalid(name, f"{rt90[0]!r} is not 'X: 6414080, Y: 1276736' (RT 90)")
        lat, lon = grid_to_geodetic(float(match.group(1)), float(match.group(2)), RT90)
        return _in_sweden(lat, lon, name, rt90[0])
    return None, None


def _metres(text: str, name: str) -> float:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise _Invalid(name, f"{text!r} is not metres") from None


def _in_sweden(lat: float, lon: float, name: str, given: str) -> tuple[float, float]:
    south, north, west, east = SWEDEN
    if not (south <= lat <= north and west <= lon <= east):
        raise _Invalid(name, f"{given} lies outside Sweden ({lat:.3f}, {lon:.3f}); are north "
                             "and east (X and Y) swapped?")
    return round(lat, 6), round(lon, 6)
