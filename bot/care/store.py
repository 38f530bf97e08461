"""The care directory in the app database: seeded from content, updated by HSA imports
(bot/care/importer.py), editable by staff.

Actions read it through `DirectoryCache`, which reloads at most every TTL seconds so that
a staff edit reaches residents within a minute without a restart.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import select

from bot.care.directory import (
    MUNICIPALITIES_FILE,
    UNITS_FILE,
    CareDirectory,
    _municipalities,
    content_directory,
    unit_from_dict,
)
from bot.content.loader import get, read_yaml
from bot.store.database import Database
from bot.store.models import CareUnitRecord, utcnow


def seed_care_units(database: Database) -> dict[str, int]:
    """Inserts new units, updates content-owned ones, leaves rows that staff edited or an HSA
    import set alone: both are newer than the content file."""
    content_directory()  # validates the whole file first, with errors naming file and field
    entries: list[dict[str, Any]] = get(read_yaml(UNITS_FILE), "units", list, UNITS_FILE)
    counts = {"added": 0, "updated": 0, "kept_staff_edits": 0, "kept_imports": 0}
    with database.session() as session:
        existing = {row.id: row for row in session.execute(select(CareUnitRecord)).scalars()}
        # An import may have added a unit under its own id before content named its HSA-id.
        hsa_ids = {str(row.data.get("hsa_id")).lower(): row.id for row in existing.values()
                   if row.data.get("hsa_id")}
        for entry in entries:
            data = _json_safe(entry)
            row = existing.get(entry["id"])
            holder = hsa_ids.get(str(entry.get("hsa_id") or "").lower())
            if row is None and holder is not None and holder != entry["id"]:
                counts["kept_imports"] += 1
            elif row is None:
                write_unit(session, None, data, "content")
                counts["added"] += 1
            elif row.origin == "staff":
                counts["kept_staff_edits"] += 1
            elif row.origin == "import":
                counts["kept_imports"] += 1
            elif row.data != data:
                write_unit(session, row, data, "content")
                counts["updated"] += 1
    return counts


def write_unit(session: Any, row: CareUnitRecord | None, data: dict[str, Any],
               origin: str) -> None:
    """A unit's row, new or updated, from its data (as in care_units.yml), with who set it:
    'content', 'import' or 'staff'."""
    if row is None:
        row = CareUnitRecord(id=data["id"])
        session.add(row)
    row.name, row.kind, row.region = data["name"], data["kind"], data["region"]
    row.municipality = data.get("municipality") or ""
    row.data, row.origin, row.updated_at = data, origin, utcnow()


def _json_safe(entry: dict[str, Any]) -> dict[str, Any]:
    """Dates in exceptions become ISO strings for the JSON column."""
    data = dict(entry)
    data["exceptions"] = [{"date": str(e["date"]), "hours": e["hours"]}
                          for e in entry.get("exceptions") or []]
    return data


def load_directory_from_db(database: Database) -> CareDirectory:
    municipalities = _municipalities(MUNICIPALITIES_FILE)
    names = {m.name for m in municipalities}
    with database.session() as session:
        rows = session.execute(select(CareUnitRecord)).scalars().all()
        units = [unit_from_dict(row.data, f"database care_units[{row.id}]", "", names)
                 for row in rows]
    return CareDirectory(municipalities, units)


class DirectoryCache:
    def __init__(self, database: Database, ttl: float = 60.0) -> None:
        self._database = database
        self._ttl = ttl
        self._lock = threading.Lock()
        self._loaded_at = 0.0
        self._directory: CareDirectory | None = None

    def get(self) -> CareDirectory:
        with self._lock:
            if self._directory is None or time.monotonic() - self._loaded_at > self._ttl:
                directory = load_directory_from_db(self._database)
                # An empty table means the seed step has not run: content is the fallback.
                self._directory = directory if directory.units else content_directory()
                self._loaded_at = time.monotonic()
            return self._directory
