"""The care directory as actions see it: the app database (staff edits included), with the
content files as the fallback when the database cannot be read."""

from __future__ import annotations

import logging

from bot.care.directory import CareDirectory, content_directory
from bot.care.store import DirectoryCache
from bot.config import Settings
from bot.store.database import Database

logger = logging.getLogger(__name__)
_cache: DirectoryCache | None = None


def care_directory() -> CareDirectory:
    global _cache
    try:
        if _cache is None:
            _cache = DirectoryCache(Database(Settings.from_env().database_url))
        return _cache.get()
    except Exception:  # the resident must still get an answer without the database
        logger.exception("care directory unavailable in the database; using content files")
        return content_directory()
