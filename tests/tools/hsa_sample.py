"""Writes our demo HSA export, bot/content/directory/hsa_export_sample.json, from the demo
units of bot/content/care_units.yml: python -m tests.tools.hsa_sample

Run it after changing a demo unit in care_units.yml: once imported, a unit's facts come from
the export, so the sample must say what the content says (tests/unit/test_hsa_import.py
checks that they agree). What the content does not know, the sample leaves out: no phone
number where care_units.yml has a placeholder, no street where it has no real address.
Positions are made up: near the municipality's centre, a little apart per unit.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sys
from collections import Counter
from typing import Any

from bot.care.calendar import DAY_KEYS, HOLIDAY_KEY
from bot.care.directory import UNITS_FILE, content_directory
from bot.care.hsa import RT90, SWEREF99_TM, geodetic_to_grid
from bot.config import SAMPLE_DIRECTORY_EXPORT
from bot.content.loader import read_yaml

PLACEHOLDER_PHONE = re.compile(r"0\d{1,3}-000 00 \d\d")
EXPORTED = "2026-12-07"
# Kind -> the codes our reader maps back (bot/care/hsa.py KIND_BY_*; names tell kvälls-/
# helgmottagning and närakut from jourcentral).
CODES = {
    "vardcentral": {"hsaBusinessType": ["02"]},
    "digital": {"hsaBusinessType": ["03"]},
    "jourcentral": {"businessClassificationCode": ["1500"]},
    "kvall_helg": {"businessClassificationCode": ["1500"]},
    "narakut": {"businessClassificationCode": ["1500"]},
    "akutmottagning": {"businessClassificationCode": ["1100"]},
    "barnakut": {"businessClassificationCode": ["1000"]},
}
COUNTY = {"VGR": "14", "Halland": "13"}
SPECIAL_DAYS = {"12-23": "Dagen före julafton", "12-24": "Julafton", "12-31": "Nyårsafton"}
METADATA = {
    "comment": ("Demo sample made by the Vårdlotsen team for the demo units of "
                "bot/content/care_units.yml. NOT a real HSA extract: the HSA-ids (-DEMOnnnn), "
                "positions and hours are illustrative. A unit whose phone number we do not "
                "know has none; a real export would carry the real one."),
    "made_by": "Vårdlotsen team (python -m tests.tools.hsa_sample)",
    "demo": True,
    "exported": EXPORTED,
    "format": "HSA attribute names as in the catalogue (LDAP); see bot/care/hsa.py",
}


def spans(hours: dict[str, str]) -> list[str]:
    """mon..sun 'HH:MM-HH:MM, ...' -> '1#5#08:00#17:00' spans, consecutive equal days joined."""
    if hours[HOLIDAY_KEY] != hours["sun"]:
        raise SystemExit("holiday hours differ from Sunday's: HSA has no holiday day")
    result = []
    day = 0
    while day < 7:
        last = day
        while last + 1 < 7 and hours[DAY_KEYS[last + 1]] == hours[DAY_KEYS[day]]:
            last += 1
        text = hours[DAY_KEYS[day]]
        if text != "closed":
            for part in text.split(","):
                start, end = part.strip().split("-")
                result.append(f"{day + 1}#{last + 1}#{start}#{end}")
        day = last + 1
    return result


def dated(exceptions: list[dict[str, Any]]) -> list[str]:
    result = []
    for exception in exceptions:
        day = exception["date"]
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
        number = day.isoweekday()
        comment = SPECIAL_DAYS.get(day.strftime("%m-%d"), "Avvikande öppettider")
        stamp = day.strftime("%Y%m%d")
        text = str(exception["hours"])
        parts = ["00:00-00:00"] if text == "closed" else [p.strip() for p in text.split(",")]
        for part in parts:
            start, end = part.split("-")
            result.append(f"{number}#{number}#{start}#{end}#{comment}#{stamp}#{stamp}")
    return result


def position(lat: float, lon: float, index: int) -> tuple[float, float]:
    """Near the centre, a different direction and distance for each unit of a place."""
    angle = math.radians(index * 137.5)
    km = 0.6 + 0.35 * index
    return (lat + km * math.cos(angle) / 111.2,
            lon + km * math.sin(angle) / (111.2 * math.cos(math.radians(lat))))


def record(entry: dict[str, Any], index: int) -> dict[str, Any]:
    directory = content_directory()
    unit: dict[str, Any] = {"hsaIdentity": entry["hsa_id"], "ou": entry["name"],
                            **CODES[entry["kind"]], "hsaDestinationIndicator": ["03"],
                            "countyCode": COUNTY[entry["region"]]}
    if entry.get("municipality"):
        place = directory.municipalities[entry["municipality"]]
        unit["municipalityCode"] = place.code
        lat, lon = position(place.lat, place.lon, index)
        north, east = geodetic_to_grid(lat, lon, SWEREF99_TM)
        unit["hsaSweref99Latitude"] = f"{north:.0f}"
        unit["hsaSweref99Longitude"] = f"{east:.0f}"
        x, y = geodetic_to_grid(lat, lon, RT90)
        unit["geographicalCoordinates"] = f"X: {x:.0f}, Y: {y:.0f}"
    if "saknas" not in entry["address"]:
        street, _, locality = entry["address"].rpartition(", ")
        unit["street"] = street or locality
        if street:
            unit["l"] = locality
    if entry["phone"] and not PLACEHOLDER_PHONE.fullmatch(entry["phone"]):
        unit["telephoneNumber"] = [entry["phone"]]
    if entry["url"] != "https://www.1177.se":
        unit["labeledURI"] = entry["url"]
    unit["surgeryHours"] = spans(entry["hours"]) + dated(entry.get("exceptions") or [])
    low, high = entry.get("min_age_years"), entry.get("max_age_years")
    if low or high:
        unit["hsaVisitingRuleAge"] = [f"{int(low or 0):02d};{int(high) - 1 if high else 99}"]
    return unit


def main() -> int:
    entries = [e for e in read_yaml(UNITS_FILE)["units"] if e["status"] == "demo"]
    seen: Counter[str] = Counter()
    records = []
    for entry in entries:
        if not entry.get("hsa_id"):
            print(f"{entry['id']}: no hsa_id in care_units.yml", file=sys.stderr)
            return 1
        records.append(record(entry, seen[entry.get("municipality") or ""]))
        seen[entry.get("municipality") or ""] += 1
    SAMPLE_DIRECTORY_EXPORT.parent.mkdir(parents=True, exist_ok=True)
    SAMPLE_DIRECTORY_EXPORT.write_text(
        json.dumps({"metadata": METADATA, "units": records}, ensure_ascii=False, indent=1)
        + "\n", encoding="utf-8")
    print(f"Wrote {len(records)} records to {SAMPLE_DIRECTORY_EXPORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
