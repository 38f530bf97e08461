"""Prepares the app database: migrations to the newest schema, content, then the HSA export
named by DIRECTORY_EXPORT (our demo sample unless set; empty switches it off)."""

from __future__ import annotations

from bot.booking.service import SqlBookingService
from bot.care.calendar import now
from bot.care.importer import format_report, import_directory
from bot.care.store import load_directory_from_db, seed_care_units
from bot.config import Settings
from bot.store import migrate
from bot.store.database import Database


def seed(settings: Settings) -> None:
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        counts = seed_care_units(database)
        imported = _import(database, settings)
        units = [u for u in load_directory_from_db(database).units.values()
                 if u.kind == "vardcentral" and "booking" in u.services]
        slots = SqlBookingService(database).ensure_calendar(units, now().date())
    finally:
        database.dispose()
    print(f"App database ready: {_describe(settings.database_url)}; care units "
          f"{counts['added']} added, {counts['updated']} updated, "
          f"{counts['kept_staff_edits']} staff edits kept, {counts['kept_imports']} set by an "
          f"HSA import kept; {slots} new demo booking slots "
          f"for {len(units)} vårdcentraler", flush=True)
    if imported:
        print(imported, flush=True)


def _import(database: Database, settings: Settings) -> str:
    """Imports the configured export. One bad record skips the import and says so: the
    directory keeps what it had, so the bot still starts."""
    if settings.directory_export is None:
        return ""
    report = import_directory(database, settings.directory_export)
    if not report.ok:
        return (format_report(report) + "\nThe care directory was left as it was; fix the "
                "export and run: python -m bot import-directory FILE")
    return "Care directory import: " + report.summary()


def _describe(url: str) -> str:
    # Never print a password that may be part of DATABASE_URL.
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
