"""Data checks on the care directory: every unit valid, every place covered at every hour."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from bot.care.calendar import TZ
from bot.care.directory import content_directory, load_directory, parse_hours
from bot.care.routing import ResidentContext, route_level
from bot.content.loader import ContentError
from bot.triage.levels import Level
from bot.triage.normalise import fold

DIRECTORY = content_directory()
HALLAND = [m.name for m in DIRECTORY.municipalities.values() if m.region == "Halland"]
VGR_LARGEST = [m.name for m in sorted(
    (m for m in DIRECTORY.municipalities.values() if m.region == "VGR"),
    key=lambda m: -m.population)[:20]]
PLACES = HALLAND + VGR_LARGEST
WEEK = [dt.datetime(2026, 11, 23, 0, 0, tzinfo=TZ) + dt.timedelta(hours=h) for h in range(24 * 7)]


def test_regions_are_complete() -> None:
    assert sorted(HALLAND) == sorted(["Halmstad", "Laholm", "Hylte", "Falkenberg", "Varberg",
                                      "Kungsbacka"])
    assert sum(m.region == "VGR" for m in DIRECTORY.municipalities.values()) == 49


def test_every_unit_has_valid_hours_phone_and_municipality() -> None:
    for unit in DIRECTORY.units.values():
        # "" = no verified number; never a placeholder such as 031-000 00 01.
        assert unit.phone == "" or re.fullmatch(r"[0-9 +\-]{3,20}", unit.phone), unit.id
        assert not re.search(r"-000 00 \d\d", unit.phone), unit.id
        assert unit.municipality in DIRECTORY.municipalities or unit.kind == "digital", unit.id
        assert len(unit.hours) == 8, unit.id
        if not unit.hours_verified:
            assert unit.status == "demo" or unit.certainty != "SRC", unit.id


def test_every_place_has_a_vardcentral() -> None:
    for place in PLACES:
        assert DIRECTORY.vardcentraler(place), place


@pytest.mark.parametrize("place", PLACES)
def test_every_place_gets_an_option_for_every_level_at_every_hour(place: str) -> None:
    for when in WEEK:
        for level in Level:
            options = route_level(level, when, ResidentContext(place, age_years=40), DIRECTORY,
                                  digital_ok=True)
            assert options, (place, when, level)
            if level in (Level.URGENT, Level.EMERGENCY):
                # A place to go: open now, or (the own vårdcentral) opening soon.
                places = [o for o in options if o.kind not in ("advice", "emergency")]
                assert any(o.open_now or o.next_opening for o in places), (place, when, level)


def test_municipality_names_are_found_with_typos_and_without_diacritics() -> None:
    assert DIRECTORY.find_municipality("kungalv").municipality.name == "Kungälv"
    assert DIRECTORY.find_municipality("jag bor i Mölndal").municipality.name == "Mölndal"
    assert DIRECTORY.find_municipality("Kunglv").municipality.name == "Kungälv"
    match = DIRECTORY.find_municipality("varbrg")
    assert match.municipality is None and "Varberg" in match.suggestions
    assert DIRECTORY.find_municipality("Stockholm").municipality is None


def test_lookup_table_is_in_sync_with_municipalities() -> None:
    lookup = yaml.safe_load(Path("nlu_data/lookups.yml").read_text(encoding="utf-8"))
    names = {line.strip("- ").strip() for line in lookup["nlu"][0]["examples"].splitlines()}
    for municipality in DIRECTORY.municipalities.values():
        if municipality.name != "Mark":
            assert municipality.name in names and fold(municipality.name) in names


@pytest.mark.parametrize(("text", "error"), [
    ("8-17", "HH:MM"), ("17:00-08:00", "valid"), ("08:00-12:00, 11:00-13:00", "overlapping"),
])
def test_bad_hours_are_refused(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_hours(text)


def test_broken_unit_file_names_the_field(tmp_path: Path) -> None:
    units = yaml.safe_load(Path("bot/content/care_units.yml").read_text(encoding="utf-8"))
    units["units"][0]["hours"]["mon"] = "8-17"
    bad = tmp_path / "units.yml"
    bad.write_text(yaml.safe_dump(units, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError, match=r"hours\.mon"):
        load_directory(units_file=bad)


def test_a_unit_with_its_own_position_is_measured_from_there() -> None:
    """With coordinates (an HSA import), distance is the unit's own, not its municipality's."""
    from dataclasses import replace

    from bot.care.directory import CareDirectory

    ale = DIRECTORY.municipalities["Ale"]   # no emergency department of its own
    goteborg_unit = next(u for u in DIRECTORY.of_kind("akutmottagning")
                         if u.municipality == "Göteborg")
    # The same unit, placed (as if by an export) in Ale's centre: nearest, 0 km.
    placed = replace(goteborg_unit, id="placed", lat=ale.lat, lon=ale.lon)
    directory = CareDirectory(list(DIRECTORY.municipalities.values()),
                              [*DIRECTORY.units.values(), placed])
    assert directory.distance_km(placed, ale) < 0.1
    assert directory.distance_km(goteborg_unit, ale) > 10
    assert directory.nearest(ale, ("akutmottagning",))[0].id == "placed"
