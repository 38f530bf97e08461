"""Retention against the real stores: Rasa's own tracker schema, and the web app's schedule."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from pathlib import Path

from bot.store import migrate
from bot.store.database import Database
from bot.store.retention import Retention, purge
from tests.integration.conftest import RunningSystem
from tests.integration.helpers import new_sender


def senders(tracker: Path) -> set[str]:
    connection = sqlite3.connect(tracker)
    try:
        return {row[0] for row in connection.execute("SELECT DISTINCT sender_id FROM events")}
    finally:
        connection.close()


def test_purge_empties_rasas_tracker_store_of_old_conversations(system: RunningSystem,
                                                                tmp_path: Path) -> None:
    sender = new_sender("retention")
    system.say(sender, "hej")
    live = Path(system.settings.tracker_store_url.removeprefix("sqlite:///"))
    assert sender in senders(live)
    # A copy: the running system's other conversations stay untouched. SQLite's backup, not
    # a file copy: the tracker store runs in WAL mode, so recent writes are in tracker.db-wal.
    copy = tmp_path / "tracker.db"
    source, target = sqlite3.connect(live), sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    app_db = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(app_db)
    retention = Retention(days=90, audit_days=730)
    soon = purge(Database(app_db), retention, f"sqlite:///{copy}", None,
                 now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=89))
    assert sender in senders(copy) and soon["tracker_conversations"] == 0
    later = purge(Database(app_db), retention, f"sqlite:///{copy}", None,
                  now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=91))
    assert senders(copy) == set() and later["tracker_conversations"] >= 1


def test_the_web_app_purges_on_its_own_schedule(system: RunningSystem) -> None:
    log = system.settings.var_dir / "log" / "web.log"
    deadline = time.monotonic() + 30
    while "retention purge: conversations" not in log.read_text(encoding="utf-8"):
        assert time.monotonic() < deadline, "no scheduled purge in the web log"
        time.sleep(0.5)
