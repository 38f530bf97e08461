"""Imports an HSA export into the care directory of the app database.

`python -m bot import-directory FILE [--dry-run]`, and the seed step when DIRECTORY_EXPORT is
set. The whole file is checked first: one invalid record and nothing is imported. Records are
matched to rows by the HSA-id stored in the row's data, then by our id. A matched row gets
the export's facts and origin 'import'; a row edited by staff (origin 'staff') is left as it
is; a unit the database lacks is added; a row the export does not name is reported, never
deleted (a unit may be missing from one export by mistake).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.care.calendar import now
from bot.care.directory import MUNICIPALITIES_FILE, _municipalities, unit_from_dict
from bot.care.hsa import HsaExport, read_export
from bot.care.store import write_unit
from bot.content.loader import ContentError
from bot.store.database import Database
from bot.store.models import CareUnitRecord

# The facts an export sets on a row it matches. Services and booking stay Vårdlotsen's own;
# hours and ages only when the export states them.
FACT_FIELDS = ("hsa_id", "name", "kind", "region", "municipality", "address", "phone", "url",
               "lat", "lon", "source", "imported")
HOURS_FIELDS = ("hours", "exceptions")
AGE_FIELDS = ("min_age_years", "max_age_years")
# Change only together with a fact: an identical export on a later day changes nothing.
BOOKKEEPING = ("source", "imported")


@dataclass
class ImportReport:
    file_name: str
    dry_run: bool
    read: int = 0
    added: list[str] = field(default_factory=list)                  # "id (name)"
    changed: dict[str, list[str]] = field(default_factory=dict)     # id -> changed fields
    unchanged: list[str] = field(default_factory=list)
    kept_staff: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)                # in the database only
    skipped: list[str] = field(default_factory=list)                # records left out
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        verb = "would be" if self.dry_run else ""
        counts = (f"{len(self.added)} added, {len(self.changed)} updated, "
                  f"{len(self.unchanged)} unchanged, {len(self.kept_staff)} staff edits kept, "
                  f"{len(self.missing)} in the database but not in the export")
        return f"{self.file_name}: {self.read} units; {verb + ' ' if verb else ''}{counts}"


@dataclass(frozen=True)
class _Change:
    row: CareUnitRecord | None     # None: a new unit
    data: dict[str, Any]


def import_directory(database: Database, path: Path, dry_run: bool = False,
                     today: dt.date | None = None) -> ImportReport:
    today = today or now().date()
    municipalities = _municipalities(MUNICIPALITIES_FILE)
    names = {m.name for m in municipalities}
    export = read_export(path, municipalities, today)
    report = ImportReport(path.name, dry_run, skipped=list(export.skipped))
    if export.errors:
        report.errors = [str(error) for error in export.errors]
        return report
    report.read = len(export.units)
    with database.session() as session:
        rows = session.execute(select(CareUnitRecord)).scalars().all()
        changes, matched = _plan(rows, export, names, report)
        report.missing = sorted(row.id for row in rows if row.id not in matched)
        if report.errors or dry_run:
            return report
        for change in changes:
            write_unit(session, change.row, change.data, "import")
    return report


def _plan(rows: list[CareUnitRecord], export: HsaExport, names: set[str],
          report: ImportReport) -> tuple[list[_Change], set[str]]:
    """What the import would do to each row, without touching one."""
    by_hsa_id = {str(row.data.get("hsa_id") or "").lower(): row for row in rows
                 if row.data.get("hsa_id")}
    by_id = {row.id: row for row in rows}
    matched: dict[str, str] = {}
    changes = []
    for unit in export.units:
        row = by_hsa_id.get(unit["hsa_id"].lower()) or by_id.get(unit["id"])
        if row is None:
            report.added.append(f"{unit['id']} ({unit['name']})")
            changes.append(_Change(None, unit))
            continue
        if row.id in matched:
            report.errors.append(f"{unit['hsa_id']}: matches row {row.id}, as "
                                 f"{matched[row.id]} does")
            continue
        matched[row.id] = unit["hsa_id"]
        if row.origin == "staff":
            report.kept_staff.append(row.id)
            continue
        data = _merged(row, unit, export)
        try:
            unit_from_dict(data, f"database care_units[{row.id}]", "", names)
        except ContentError as error:
            report.errors.append(f"{unit['hsa_id']}: {error.field}: {error.problem}")
            continue
        fields = [key for key in sorted(set(data) | set(row.data))
                  if data.get(key) != row.data.get(key)]
        if row.origin != "import":
            fields.append("origin")
        if not set(fields) - set(BOOKKEEPING):
            report.unchanged.append(row.id)
            continue
        report.changed[row.id] = fields
        changes.append(_Change(row, data))
    return changes, set(matched)


def _merged(row: CareUnitRecord, unit: dict[str, Any], export: HsaExport) -> dict[str, Any]:
    data = dict(row.data)
    data.update({key: unit[key] for key in FACT_FIELDS})
    hours = unit["id"] in export.hours_from_export
    if hours:
        data.update({key: unit[key] for key in HOURS_FIELDS})
    if unit["id"] in export.ages_from_export:
        data.update({key: unit[key] for key in AGE_FIELDS})
    if not export.demo:
        # HSA is the authority: its facts are verified; hours only when it gave them.
        data.update(status="verified", certainty="SRC",
                    hours_verified=hours or bool(row.data.get("hours_verified")))
    return data


def format_report(report: ImportReport) -> str:
    """What an operator reads after `import-directory`: every unit that changes, and how."""
    if report.errors:
        return "\n".join([f"{report.file_name}: {len(report.errors)} problem(s); nothing "
                          "was imported.", *(f"  {error}" for error in report.errors)])
    lines = [report.summary()]
    if report.dry_run:
        lines.append("Dry run: nothing was changed.")
    would = "Would add" if report.dry_run else "Added"
    if report.added:
        lines.append(f"{would} ({len(report.added)}):")
        lines += [f"  {unit}" for unit in report.added]
    if report.changed:
        lines.append(f"{'Would update' if report.dry_run else 'Updated'} "
                     f"({len(report.changed)}):")
        lines += [f"  {unit_id}: {', '.join(fields)}"
                  for unit_id, fields in report.changed.items()]
    if report.kept_staff:
        lines.append(f"Kept, edited by staff ({len(report.kept_staff)}): "
                     + ", ".join(report.kept_staff))
    if report.missing:
        lines.append(f"Not in the export, kept ({len(report.missing)}): "
                     + ", ".join(report.missing))
    if report.skipped:
        lines.append(f"Records left out ({len(report.skipped)}):")
        lines += [f"  {note}" for note in report.skipped]
    return "\n".join(lines)
