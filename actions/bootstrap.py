"""The action server's wiring: one of each service per process, built on first use."""

from __future__ import annotations

import logging
from functools import lru_cache

from bot.booking.service import SqlBookingService
from bot.care.directory import CareDirectory, content_directory
from bot.care.store import DirectoryCache
from bot.config import Settings
from bot.store.database import Database
from bot.triage.engine import TriageEngine

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def triage_engine() -> TriageEngine:
    """Protocols and red flags are loaded and checked once per process."""
    return TriageEngine()


@lru_cache(maxsize=1)
def database() -> Database:
    return Database(Settings.from_env().database_url)


@lru_cache(maxsize=1)
def booking_service() -> SqlBookingService:
    return SqlBookingService(database())


@lru_cache(maxsize=1)
def _directory_cache() -> DirectoryCache:
    return DirectoryCache(database())


def care_directory() -> CareDirectory:
    """The app database's directory (staff edits included); the content files when the
    database cannot be read, so the resident still gets an answer."""
    try:
        return _directory_cache().get()
    except Exception:
        logger.exception("care directory unavailable in the database; using content files")
        return content_directory()
