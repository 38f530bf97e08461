"""Importing the care directory from an HSA export (bot/care/hsa.py, bot/care/importer.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.__main__ import main
from bot.care.directory import (
    MUNICIPALITIES_FILE,
    UNITS_FILE,
    _municipalities,
    content_directory,
    load_directory,
    unit_from_dict,
)
from bot.care.hsa import (
    RT90,
    SWEREF99_TM,
    geodetic_to_grid,
    grid_to_geodetic,
    parse_export,
    unit_id,
)
from bot.care.importer import format_report, import_directory
from bot.care.store import load_directory_from_db, seed_care_units
from bot.care.wording import unit_status
from bot.config import SAMPLE_DIRECTORY_EXPORT, Settings
from bot.content.loader import ContentError, read_yaml
from bot.store import migrate
from bot.store.database import Database
from bot.store.models import CareUnitRecord

TODAY = dt.date(2026, 12, 7)       # a Monday
MUNICIPALITIES = _municipalities(MUNICIPALITIES_FILE)
PLACEHOLDER_PHONE = re.compile(r"0\d{1,3}-000 00 \d\d")


def _migrated(tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    return Database(url)


def _record(**overrides: Any) -> dict[str, Any]:
    """A vårdcentral in Göteborg with every attribute the importer reads."""
    record: dict[str, Any] = {
        "hsaIdentity": "SE2321000131-E000000000101",
        "ou": "Vårdcentralen Exempel",
        "hsaBusinessType": ["02"],
        "businessClassificationCode": ["1506"],
        "hsaDestinationIndicator": ["03"],
        "countyCode": "14",
        "municipalityCode": "1480",
        "street": "Exempelgatan 1",
        "l": "Göteborg",
        "telephoneNumber": ["031-123 45 67"],
        "hsaSwitchboardNumber": "031-100 00 00",
        "labeledURI": "https://exempel.example/vc",
        "surgeryHours": ["1#5#08:00#12:00", "1#5#13:00#17:00", "6-6#10:00#14:00"],
        "dropInHours": ["1#5#08:00#09:00"],
        "hsaSweref99Latitude": "6400326",
        "hsaSweref99Longitude": "319758",
        "hsaVisitingRuleAge": ["00;99"],
    }
    record.update(overrides)
    return {k: v for k, v in record.items() if v is not None}


def _parse(*records: dict[str, Any], **metadata: Any):  # type: ignore[no-untyped-def]
    data: Any = {"metadata": metadata, "units": list(records)} if metadata else list(records)
    return parse_export(data, "export.json", MUNICIPALITIES, TODAY)


def _write(tmp_path: Path, *records: dict[str, Any], name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"metadata": {"exported": "2026-12-06"}, "units": list(records)},
                               ensure_ascii=False), encoding="utf-8")
    return path


def _rows(database: Database) -> dict[str, CareUnitRecord]:
    with database.session() as session:
        return {row.id: row for row in session.execute(select(CareUnitRecord)).scalars()}


# --- mapping ----------------------------------------------------------------------------
def test_every_attribute_is_mapped_to_the_directory_shape() -> None:
    export = _parse(_record())
    assert export.errors == []
    unit = export.units[0]
    assert unit["id"] == "hsa_se2321000131_e000000000101" == unit_id(unit["hsa_id"])
    assert unit["hsa_id"] == "SE2321000131-E000000000101"
    assert (unit["name"], unit["kind"]) == ("Vårdcentralen Exempel", "vardcentral")
    assert (unit["region"], unit["municipality"]) == ("VGR", "Göteborg")
    assert unit["address"] == "Exempelgatan 1, Göteborg"
    assert unit["phone"] == "031-123 45 67"
    assert unit["url"] == "https://exempel.example/vc"
    assert unit["hours"] == {"mon": "08:00-12:00, 13:00-17:00", "tue": "08:00-12:00, 13:00-17:00",
                             "wed": "08:00-12:00, 13:00-17:00", "thu": "08:00-12:00, 13:00-17:00",
                             "fri": "08:00-12:00, 13:00-17:00", "sat": "10:00-14:00",
                             "sun": "closed", "holiday": "closed"}
    assert unit["exceptions"] == []
    assert unit["lat"] == pytest.approx(57.7089, abs=1e-5)
    assert unit["lon"] == pytest.approx(11.9746, abs=1e-5)
    assert (unit["min_age_years"], unit["max_age_years"]) == (0.0, 130.0)
    assert unit["services"] == ["children", "adults", "drop_in"]
    assert (unit["status"], unit["certainty"], unit["hours_verified"]) == ("verified", "SRC", True)
    assert unit["source"] == "HSA-export export.json, 2026-12-07"
    assert unit["imported"] == "2026-12-07"
    parsed = unit_from_dict(unit, "export", "", {m.name for m in MUNICIPALITIES})
    assert parsed.hsa_id == unit["hsa_id"] and parsed.lat == unit["lat"]


def test_fallbacks_phone_url_and_names_are_case_insensitive() -> None:
    record = _record(telephoneNumber=None, labeledURI=None, street=None,
                     hsaVpwWebPage="https://www.1177.se/hitta-vard/kontaktkort/x")
    record = {("HSAIDENTITY" if k == "hsaIdentity" else k): v for k, v in record.items()}
    unit = _parse(record).units[0]
    assert unit["phone"] == "031-100 00 00"                # the switchboard
    assert unit["url"] == "https://www.1177.se/hitta-vard/kontaktkort/x"
    assert unit["address"] == ""
    bare = _parse(_record(telephoneNumber=None, hsaSwitchboardNumber=None, labeledURI=None))
    assert bare.units[0]["phone"] == "" and bare.units[0]["url"] == "https://www.1177.se"


def test_hours_with_special_days_and_closed_days() -> None:
    unit = _parse(_record(surgeryHours=[
        "1#5#08:00#17:00", "7#7#10:00#14:00",
        "4#4#10:00#14:00#Julafton#20261224#20261224",          # a dated span: that day only
        "1#7#00:00#00:00#Stängt#2026-12-25#2026-12-26",        # equal times: closed
        "1#5#09:00#15:00##20261201#20261205",                  # already over
    ])).units[0]
    assert unit["hours"]["sun"] == unit["hours"]["holiday"] == "10:00-14:00"
    assert unit["exceptions"] == [{"date": "2026-12-24", "hours": "10:00-14:00"},
                                  {"date": "2026-12-25", "hours": "closed"},
                                  {"date": "2026-12-26", "hours": "closed"}]


def test_legacy_forms_overnight_spans_and_overlaps() -> None:
    unit = _parse(_record(hsaSurgeryHours=["1-5#08:00#17:00", "1-1#16:00#19:00",
                                           "6-0#22:00#02:00"], surgeryHours=None,
                          hsaVisitingRuleAge=["18-99"])).units[0]
    assert unit["hours"]["mon"] == "00:00-02:00, 08:00-19:00"   # Sunday's night runs on
    assert unit["hours"]["sat"] == "22:00-24:00"
    assert unit["hours"]["sun"] == "00:00-02:00, 22:00-24:00"
    assert (unit["min_age_years"], unit["max_age_years"]) == (18.0, 130.0)


@pytest.mark.parametrize(("codes", "name", "kind"), [
    ({"hsaBusinessType": ["02"]}, "Vårdcentralen Exempel", "vardcentral"),
    ({"businessClassificationCode": ["1500"]}, "Jourcentral Exempel", "jourcentral"),
    ({"businessClassificationCode": ["1500"]}, "Kvälls- och helgmottagning X", "kvall_helg"),
    ({"businessClassificationCode": ["1500"]}, "Närakuten Exempel", "narakut"),
    ({"businessClassificationCode": ["1100"]}, "Akutmottagningen", "akutmottagning"),
    ({"businessClassificationCode": ["1000", "1100"]}, "Barnakuten", "barnakut"),
    ({"hsaBusinessType": ["02"], "businessClassificationCode": ["1500"]}, "VC med jour",
     "vardcentral"),
    ({"hsaBusinessType": ["01"], "businessClassificationCode": ["1100", "1506"]},
     "Sjukhusets akutmottagning", "akutmottagning"),
])
def test_kind_from_codes(codes: dict[str, list[str]], name: str, kind: str) -> None:
    record = _record(**{"hsaBusinessType": None, "businessClassificationCode": None, "ou": name,
                        **codes})
    assert _parse(record).units[0]["kind"] == kind


def test_a_distance_unit_serves_its_region() -> None:
    record = _record(hsaBusinessType=["03"], municipalityCode=None, countyCode="13",
                     street=None, hsaSweref99Latitude=None, hsaSweref99Longitude=None,
                     hsaIdentity="SE2321000115-E000000000001")
    unit = _parse(record).units[0]
    assert (unit["kind"], unit["region"], unit["municipality"]) == ("digital", "Halland", "")
    assert "digital_visits" in unit["services"] and unit["lat"] is None


def test_not_public_and_closed_units_are_left_out() -> None:
    export = _parse(_record(hsaDestinationIndicator=["01"]),
                    _record(hsaIdentity="SE2321000131-E000000000102", endDate="20261130000000Z"))
    assert export.units == [] and export.errors == []
    assert [note.split(":")[0] for note in export.skipped] == [
        "SE2321000131-E000000000101", "SE2321000131-E000000000102"]


# --- coordinates ------------------------------------------------------------------------
def test_sweref99_tm_to_wgs84_at_a_gothenburg_point() -> None:
    # Reference: PROJ (pyproj 3.7.2), EPSG:3006 -> EPSG:4326, near Göteborg's centre.
    lat, lon = grid_to_geodetic(6400326.036178236, 319758.0200819912)
    assert (lat, lon) == (pytest.approx(57.7089, abs=1e-8), pytest.approx(11.9746, abs=1e-8))
    # Reference: sweden_crs_transformations' test file, agreed by six implementations.
    lat, lon = grid_to_geodetic(6484098.2550872, 333538.2957000149)
    assert lat == pytest.approx(58.46573396912418, abs=1e-8)
    assert lon == pytest.approx(12.146151472138385, abs=1e-8)
    north, east = geodetic_to_grid(57.7089, 11.9746, SWEREF99_TM)
    assert (north, east) == (pytest.approx(6400326.036, abs=0.01), pytest.approx(319758.020,
                                                                                  abs=0.01))


def test_rt90_coordinates_are_read_when_sweref99_is_missing() -> None:
    # Reference: PROJ, EPSG:3021 (RT 90 2.5 gon V) -> EPSG:4326; the direct projection from
    # SWEREF 99 that we use agrees within a metre.
    lat, lon = grid_to_geodetic(6414080, 1276736, RT90)
    assert (lat, lon) == (pytest.approx(57.79556577, abs=1e-5), pytest.approx(12.04980134,
                                                                               abs=1e-5))
    unit = _parse(_record(hsaSweref99Latitude=None, hsaSweref99Longitude=None,
                          geographicalCoordinates="X: 6414080, Y: 1276736")).units[0]
    assert (unit["lat"], unit["lon"]) == (round(lat, 6), round(lon, 6))


# --- errors -----------------------------------------------------------------------------
@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"ou": None}, "ou", "name"),
    ({"hsaBusinessType": ["05"], "businessClassificationCode": ["1234"]},
     "businessClassificationCode", "no known kind code"),
    ({"municipalityCode": "0180"}, "municipalityCode", "not a municipality"),
    ({"surgeryHours": ["mån-fre 8-17"]}, "surgeryHours", "4 to 7 parts"),
    ({"surgeryHours": ["1#5#08:00#17:00", "1#5#8.00#17:00"]}, "surgeryHours[1]", "HH:MM"),
    ({"surgeryHours": ["1#8#08:00#17:00"]}, "surgeryHours", "1 (Monday) to 7 (Sunday)"),
    ({"hsaSweref99Latitude": "319758", "hsaSweref99Longitude": "6400326"},
     "hsaSweref99Latitude/hsaSweref99Longitude", "swapped"),
    ({"geographicalCoordinates": "57.7, 11.9", "hsaSweref99Latitude": None,
      "hsaSweref99Longitude": None}, "geographicalCoordinates", "RT 90"),
    ({"telephoneNumber": ["ring växeln"]}, "telephoneNumber", "not a phone number"),
    ({"hsaSurgeryHours": ["1-5#0800#1700"], "surgeryHours": None}, "hsaSurgeryHours",
     "is not HH:MM"),
    ({"hsaIdentity": "2321000131-E1"}, "hsaIdentity", "not an HSA-id"),
])
def test_errors_name_the_record_and_the_field(overrides: dict[str, Any], field: str,
                                              words: str) -> None:
    export = _parse(_record(**overrides))
    assert export.units == []
    [error] = export.errors
    record = overrides.get("hsaIdentity") or "SE2321000131-E000000000101"   # as the file says
    assert (error.record, error.field) == (record, field), error
    assert words in error.problem
    assert str(error).startswith(f"{record}: {field}: ")


def test_a_record_without_identity_is_named_by_its_position() -> None:
    export = _parse(_record(), _record(hsaIdentity=None),
                    _record(hsaIdentity="SE2321000131-E000000000101"))
    assert [str(e) for e in export.errors] == [
        "record 2: hsaIdentity: is missing",
        "SE2321000131-E000000000101: hsaIdentity: also used by SE2321000131-E000000000101"]


def test_nothing_is_imported_when_any_record_is_invalid(tmp_path: Path) -> None:
    database = _migrated(tmp_path)
    seed_care_units(database)
    before = {row_id: row.data for row_id, row in _rows(database).items()}
    path = _write(tmp_path, _record(), _record(hsaIdentity="SE2321000131-E000000000102",
                                               municipalityCode="9999"))
    report = import_directory(database, path, today=TODAY)
    assert not report.ok and report.errors == [
        "SE2321000131-E000000000102: municipalityCode: '9999' is not a municipality in VGR "
        "or Halland"]
    assert {row_id: row.data for row_id, row in _rows(database).items()} == before
    assert "nothing was imported" in format_report(report)


# --- importing into the database --------------------------------------------------------
def _setup(tmp_path: Path) -> tuple[Database, Path]:
    """Content seeded; one content unit linked by HSA-id, one edited by staff."""
    database = _migrated(tmp_path)
    seed_care_units(database)
    with database.session() as session:
        staff = session.get(CareUnitRecord, "forsaker_vc")
        staff.data, staff.origin = dict(staff.data, phone="031-999 99 99"), "staff"
    lundby = next(e for e in read_yaml(UNITS_FILE)["units"] if e["id"] == "narhalsan_lundby")
    linked = _record(hsaIdentity=lundby["hsa_id"], ou="Närhälsan Lundby vårdcentral",
                     telephoneNumber=["031-700 00 00"], street="Lundbyvägen 1")
    staff_record = _record(hsaIdentity="SE2321000131-DEMO0006", ou="Forsåker")
    new = _record(hsaIdentity="SE2321000131-E000000000777", ou="Ny vårdcentral")
    return database, _write(tmp_path, linked, staff_record, new)


def test_dry_run_lists_the_changes_and_changes_nothing(tmp_path: Path) -> None:
    database, path = _setup(tmp_path)
    before = {row_id: (row.origin, row.data) for row_id, row in _rows(database).items()}
    report = import_directory(database, path, dry_run=True, today=TODAY)
    assert report.ok and report.dry_run
    assert report.added == ["hsa_se2321000131_e000000000777 (Ny vårdcentral)"]
    assert {"phone", "address", "hours", "lat", "lon", "status", "certainty", "origin"} <= set(
        report.changed["narhalsan_lundby"])
    assert report.kept_staff == ["forsaker_vc"]
    assert {row_id: (row.origin, row.data) for row_id, row in _rows(database).items()} == before
    text = format_report(report)
    assert "Dry run: nothing was changed." in text and "Would add (1):" in text
    assert "  narhalsan_lundby: address, certainty," in text


def test_import_updates_keeps_staff_adds_and_reports_missing(tmp_path: Path) -> None:
    database, path = _setup(tmp_path)
    report = import_directory(database, path, today=TODAY)
    assert report.ok and list(report.changed) == ["narhalsan_lundby"]
    assert "bramaregarden_vc" in report.missing and len(report.missing) == 73 - 2
    rows = _rows(database)
    lundby = rows["narhalsan_lundby"]
    assert lundby.origin == "import"
    assert lundby.data["phone"] == "031-700 00 00"
    assert lundby.data["address"] == "Lundbyvägen 1, Göteborg"
    assert lundby.data["hours"]["mon"] == "08:00-12:00, 13:00-17:00"
    assert (lundby.data["status"], lundby.data["certainty"]) == ("verified", "SRC")
    assert lundby.data["services"] == ["adults", "children", "booking", "digital_visits"]
    assert rows["forsaker_vc"].origin == "staff"
    assert rows["forsaker_vc"].data["phone"] == "031-999 99 99"
    assert rows["hsa_se2321000131_e000000000777"].origin == "import"
    assert rows["bramaregarden_vc"].origin == "content"             # reported, not deleted
    directory = load_directory_from_db(database)
    assert directory.units["narhalsan_lundby"].hours_verified
    assert directory.units["hsa_se2321000131_e000000000777"].lat is not None


def test_a_second_identical_import_changes_nothing(tmp_path: Path) -> None:
    database, path = _setup(tmp_path)
    import_directory(database, path, today=TODAY)
    after = {row_id: (row.data, row.updated_at) for row_id, row in _rows(database).items()}
    for day in (TODAY, TODAY + dt.timedelta(days=1)):     # bookkeeping alone is no change
        report = import_directory(database, path, today=day)
        assert report.added == [] and report.changed == {}
        assert sorted(report.unchanged) == ["hsa_se2321000131_e000000000777",
                                            "narhalsan_lundby"]
    assert {row_id: (row.data, row.updated_at)
            for row_id, row in _rows(database).items()} == after


def test_the_content_seed_does_not_overwrite_an_imported_row(tmp_path: Path) -> None:
    database, path = _setup(tmp_path)
    import_directory(database, path, today=TODAY)
    imported = _rows(database)["narhalsan_lundby"].data
    counts = seed_care_units(database)
    assert counts["kept_imports"] == 1 and counts["updated"] == 0
    assert _rows(database)["narhalsan_lundby"].data == imported


def test_the_content_seed_adds_no_twin_of_a_unit_an_import_added(tmp_path: Path) -> None:
    database = _migrated(tmp_path)
    lundby = next(e for e in read_yaml(UNITS_FILE)["units"] if e["id"] == "narhalsan_lundby")
    import_directory(database, _write(tmp_path, _record(hsaIdentity=lundby["hsa_id"])),
                     today=TODAY)
    counts = seed_care_units(database)
    assert counts["kept_imports"] == 1 and "narhalsan_lundby" not in _rows(database)


# --- the sample export ------------------------------------------------------------------
def _sample() -> dict[str, Any]:
    return json.loads(SAMPLE_DIRECTORY_EXPORT.read_text(encoding="utf-8"))


def test_the_sample_validates_and_links_to_the_demo_units(tmp_path: Path) -> None:
    database = _migrated(tmp_path)
    seed_care_units(database)
    report = import_directory(database, SAMPLE_DIRECTORY_EXPORT, today=TODAY)
    demo = {e["id"] for e in read_yaml(UNITS_FILE)["units"] if e["status"] == "demo"}
    assert report.ok and report.added == [] and set(report.changed) == demo
    assert set(report.missing) == {u.id for u in content_directory().units.values()} - demo
    # A demo sample changes no unit's trust: nothing becomes verified.
    for unit in load_directory_from_db(database).units.values():
        content = content_directory().units[unit.id]
        assert (unit.status, unit.certainty, unit.hours_verified) == (
            content.status, content.certainty, content.hours_verified)


def test_the_sample_says_what_the_content_says(tmp_path: Path) -> None:
    """Once imported, the sample's facts replace the content's: they must agree
    (after changing a demo unit, run python -m tests.tools.hsa_sample)."""
    database = _migrated(tmp_path)
    seed_care_units(database)
    report = import_directory(database, SAMPLE_DIRECTORY_EXPORT, today=TODAY)
    allowed = {"address", "phone", "lat", "lon", "source", "imported", "origin",
               "min_age_years", "max_age_years"}   # the defaults, which content leaves out
    assert {f for fields in report.changed.values() for f in fields} <= allowed
    imported = load_directory_from_db(database)
    for unit_id_, content in content_directory().units.items():
        unit = imported.units[unit_id_]
        assert (unit.name, unit.kind, unit.municipality, unit.hours, unit.exceptions, unit.url,
                unit.min_age_years, unit.max_age_years) == (
            content.name, content.kind, content.municipality, content.hours, content.exceptions,
            content.url, content.min_age_years, content.max_age_years), unit_id_
        if not PLACEHOLDER_PHONE.fullmatch(content.phone):
            assert unit.phone == content.phone


def test_the_sample_invents_no_phone_number_and_says_it_is_a_demo() -> None:
    sample = _sample()
    assert sample["metadata"]["demo"] is True and "NOT a real HSA extract" in \
        sample["metadata"]["comment"]
    phones = [p for record in sample["units"] for key in ("telephoneNumber",
              "hsaSwitchboardNumber") for p in record.get(key, [])]
    assert phones and not [p for p in phones if PLACEHOLDER_PHONE.fullmatch(p)]
    content_phones = {e["phone"] for e in read_yaml(UNITS_FILE)["units"]}
    assert set(phones) <= content_phones           # only numbers the content has from sources
    assert all(r["hsaIdentity"].split("-")[1].startswith("DEMO") for r in sample["units"])


# --- the directory model ----------------------------------------------------------------
def _entry(**overrides: Any) -> dict[str, Any]:
    entry = next(e for e in read_yaml(UNITS_FILE)["units"] if e["id"] == "bramaregarden_vc")
    return {**entry, **overrides}


def test_the_model_allows_no_phone_but_checks_what_is_given() -> None:
    names = {m.name for m in MUNICIPALITIES}
    unit = unit_from_dict(_entry(phone="", address="", lat=57.7, lon=11.97,
                                 imported="2026-12-07"), "t", "", names)
    assert (unit.phone, unit.address, unit.lat, unit.imported) == ("", "", 57.7, "2026-12-07")
    for overrides, field in (({"phone": "031-000 00 0x"}, "phone"),
                             ({"hsa_id": "SE123-X"}, "hsa_id"),
                             ({"lat": 57.7}, "lon"),
                             ({"imported": "7 dec"}, "imported")):
        with pytest.raises(ContentError, match=field):
            unit_from_dict(_entry(**overrides), "t", "", names)


def test_a_unit_without_a_phone_is_described_without_one() -> None:
    unit = dataclasses.replace(content_directory().units["bramaregarden_vc"], phone="")
    text = unit_status(unit, dt.datetime(2026, 12, 7, 10, 0))
    assert "Telefon:" not in text and "1177.se" in text


def test_municipality_codes_are_checked(tmp_path: Path) -> None:
    assert {m.code for m in MUNICIPALITIES if m.region == "Halland"} == {
        "1315", "1380", "1381", "1382", "1383", "1384"}
    assert all(m.code.startswith("14") for m in MUNICIPALITIES if m.region == "VGR")
    text = MUNICIPALITIES_FILE.read_text(encoding="utf-8").replace('code: "1380"',
                                                                   'code: "1480"', 1)
    bad = tmp_path / "municipalities.yml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match=r"municipalities\[0\]\.code"):
        load_directory(municipalities_file=bad)


# --- configuration and command line ------------------------------------------------------
def test_directory_export_setting() -> None:
    assert Settings.from_env({}).directory_export == SAMPLE_DIRECTORY_EXPORT
    assert Settings.from_env({"DIRECTORY_EXPORT": ""}).directory_export is None
    assert Settings.from_env({"DIRECTORY_EXPORT": "/x/export.json"}).directory_export == Path(
        "/x/export.json")


def test_seed_imports_the_configured_export(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from bot.seed import seed

    seed(Settings.from_env({"VARDLOTSEN_VAR_DIR": str(tmp_path)}))
    assert "Care directory import: hsa_export_sample.json: 70 units; 0 added, 70 updated" in \
        capsys.readouterr().out
    rows = _rows(Database(f"sqlite:///{tmp_path / 'vardlotsen.db'}"))
    assert sum(row.origin == "import" for row in rows.values()) == 70
    seed(Settings.from_env({"VARDLOTSEN_VAR_DIR": str(tmp_path), "DIRECTORY_EXPORT": ""}))
    assert "Care directory import" not in capsys.readouterr().out


def test_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VARDLOTSEN_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    good = _write(tmp_path, _record())
    assert main(["import-directory", str(good), "--dry-run"]) == 1      # not seeded yet
    assert "run python -m bot seed first" in capsys.readouterr().out
    assert main(["import-directory", str(good)]) == 0
    assert "1 added" in capsys.readouterr().out
    bad = _write(tmp_path, _record(ou=None), name="bad.json")
    assert main(["import-directory", str(bad), "--dry-run"]) == 1
    assert "SE2321000131-E000000000101: ou:" in capsys.readouterr().out
    assert main(["import-directory", str(tmp_path / "none.json")]) == 1
