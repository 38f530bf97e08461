"""Retention: every store that holds resident data is purged, and only what is old enough."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.booking.service import SqlBookingService
from bot.booking.when import parse_when
from bot.care.directory import content_directory
from bot.staff.accounts import Accounts
from bot.staff.audit import AuditLog
from bot.store import migrate
from bot.store.conversation_log import ConversationLog, UserTurn
from bot.store.database import Database
from bot.store.models import (
    Appointment,
    AuditEntry,
    BookingEvent,
    ContextTokenUse,
    Conversation,
    StaffSession,
)
from bot.store.redaction import Redactor
from bot.store.retention import Retention, purge
from bot.store.token_uses import TokenUses

NOW = dt.datetime.now(dt.timezone.utc)   # sessions and logs are stamped by the real clock
RETENTION = Retention(days=90, audit_days=730)
UNIT = "narhalsan_lundby"


def count(database: Database, model: type) -> int:
    with database.session() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def database(tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    return Database(url)


def tracker_store(path: Path, senders: dict[str, dt.datetime]) -> str:
    """Rasa's SQLTrackerStore table, as Rasa 3.6 creates it."""
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) "
                       "NOT NULL, type_name VARCHAR(255) NOT NULL, timestamp FLOAT, "
                       "intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)")
    for sender, last in senders.items():
        for minutes in (30, 0):   # an older and the newest event of each conversation
            stamp = (last - dt.timedelta(minutes=minutes)).timestamp()
            connection.execute("INSERT INTO events (sender_id, type_name, timestamp) "
                               "VALUES (?, 'user', ?)", (sender, stamp))
    connection.commit()
    connection.close()
    return f"sqlite:///{path}"


def test_every_store_keeps_what_is_recent_and_loses_what_is_old(database: Database,
                                                                tmp_path: Path) -> None:
    old, recent = NOW - dt.timedelta(days=91), NOW - dt.timedelta(days=89)
    # Conversations: the log stamps them with the real clock, so age one by hand.
    log = ConversationLog(database, Redactor())
    for sender in ("web-old", "web-new"):
        log.record_turn(sender, UserTurn(text="ont i halsen", intent="describe_symptom",
                                         confidence=0.9), [{"text": "Hur länge?"}])
    with database.session() as session:
        for row in session.execute(select(Conversation)).scalars():
            row.last_activity_at = old if row.sender_id == "web-old" else recent
    # Appointments with their reason and events: one long past, one recent.
    service = SqlBookingService(database)
    units = [u for u in content_directory().units.values() if u.id == UNIT]
    long_ago = NOW - dt.timedelta(days=110)       # booked then, for a time 100 days ago
    service.ensure_calendar(units, long_ago.date())
    early = service.free_slots(UNIT, None, parse_when("nästa vecka", long_ago), long_ago,
                               limit=1)[0]
    service.book("r-1", early.id, "ont i ryggen", "web-old", long_ago)
    service.ensure_calendar(units, recent.date())
    late = service.free_slots(UNIT, None, parse_when("nästa vecka", recent), recent, limit=1)[0]
    service.book("r-1", late.id, "kontroll", "web-new", recent)
    # Context tokens: one expired, one still valid.
    tokens = TokenUses(database)
    tokens.claim("jti-old", "web-old", NOW - dt.timedelta(hours=1))
    tokens.claim("jti-new", "web-new", NOW + dt.timedelta(hours=1))
    # Staff sessions: one expired, one live.
    accounts = Accounts(database)
    staff = accounts.create("anna", "korrekt-häst-batteri-1", "reviewer")
    accounts.open_session(staff)
    live, _ = accounts.open_session(staff)
    with database.session() as session:
        first = session.execute(select(StaffSession).order_by(StaffSession.created_at)).scalars()
        next(iter(first)).expires_at = NOW - dt.timedelta(minutes=1)
    # Audit entries: older and younger than two years.
    audit = AuditLog(database)
    audit.record("anna", "view", "1", None, "127.0.0.1")
    audit.record("anna", "view", "2", None, "127.0.0.1")
    with database.session() as session:
        oldest = session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().first()
        oldest.at = NOW - dt.timedelta(days=731)
    tracker = tracker_store(tmp_path / "tracker.db", {"web-old": old, "web-new": recent})
    logs = tmp_path / "log"
    logs.mkdir()
    for name, when in (("rasa.log", old), ("rasa.log.1", old), ("rasa.log.2", recent)):
        (logs / name).write_text("x", encoding="utf-8")
        os.utime(logs / name, (when.timestamp(), when.timestamp()))

    counts = purge(database, RETENTION, tracker, logs, now=NOW)

    assert counts == {"conversations": 1, "appointments": 1, "context_tokens": 1,
                      "staff_sessions": 1, "audit_entries": 1, "tracker_conversations": 1,
                      "log_files": 1}
    with database.session() as session:
        assert [c.sender_id for c in session.execute(select(Conversation)).scalars()] == \
            ["web-new"]
        assert [a.reason for a in session.execute(select(Appointment)).scalars()] == \
            ["kontroll"]
        assert [e.conversation_id for e in session.execute(select(BookingEvent)).scalars()] \
            == ["web-new"]
        assert [t.jti for t in session.execute(select(ContextTokenUse)).scalars()] == \
            ["jti-new"]
    assert count(database, StaffSession) == 1 and accounts.session(live) is not None
    assert count(database, AuditEntry) == 1
    connection = sqlite3.connect(tmp_path / "tracker.db")
    assert [r[0] for r in connection.execute("SELECT DISTINCT sender_id FROM events")] == \
        ["web-new"]
    connection.close()
    assert sorted(p.name for p in logs.iterdir()) == ["rasa.log", "rasa.log.2"]  # live log stays
    # Idempotent: a second run (another web process, the next day) finds nothing more.
    again = purge(database, RETENTION, tracker, logs, now=NOW)
    assert set(again.values()) == {0}


def test_a_tracker_store_without_events_is_left_alone(database: Database,
                                                      tmp_path: Path) -> None:
    empty = f"sqlite:///{tmp_path / 'tracker.db'}"
    assert purge(database, RETENTION, empty, None, now=NOW)["tracker_conversations"] == 0
