"""Retention over every store that holds resident data, in one place.

The app database (conversations and messages, appointments with their reasons, booking
events, used context tokens, staff sessions, the audit log), Rasa's SQL tracker store and
the process logs under var/log. The web app runs `purge` on a schedule; `python -m bot
purge` and the admin page run it by hand. Every step is idempotent, so several web
processes may run it at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import bindparam, create_engine, delete, inspect, select, text

from bot.config import Settings
from bot.store.database import Database
from bot.store.models import (
    Annotation,
    Appointment,
    AuditEntry,
    BookingEvent,
    ContextTokenUse,
    Conversation,
    Message,
    StaffSession,
    utcnow,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Retention:
    days: int          # resident data: conversations, bookings, trackers, logs
    audit_days: int    # who looked at what is kept longer (patientdatalagen)


def purge_configured(database: Database, settings: Settings, days: int | None = None
                     ) -> dict[str, int]:
    """`purge` over the stores this installation is configured with."""
    retention = Retention(days or settings.retention_days, settings.audit_retention_days)
    return purge(database, retention, settings.tracker_store_url, settings.var_dir / "log")


def purge(database: Database, retention: Retention, tracker_store_url: str | None = None,
          log_dir: Path | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Deletes what is past retention in every store; returns a count per store."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=retention.days)
    counts = {"conversations": purge_conversations(database, cutoff)}
    with database.session() as session:
        old = [row.id for row in session.execute(
            select(Appointment.id).where(Appointment.starts_at < cutoff))]
        if old:
            session.execute(delete(BookingEvent).where(BookingEvent.appointment_id.in_(old)))
            session.execute(delete(Appointment).where(Appointment.id.in_(old)))
        counts["appointments"] = len(old)
        counts["context_tokens"] = session.execute(
            delete(ContextTokenUse).where(ContextTokenUse.expires_at < now)).rowcount or 0
        counts["staff_sessions"] = session.execute(
            delete(StaffSession).where(StaffSession.expires_at < now)).rowcount or 0
        counts["audit_entries"] = session.execute(delete(AuditEntry).where(
            AuditEntry.at < now - dt.timedelta(days=retention.audit_days))).rowcount or 0
    if tracker_store_url:
        counts["tracker_conversations"] = purge_trackers(tracker_store_url, cutoff)
    if log_dir is not None:
        counts["log_files"] = purge_logs(log_dir, cutoff)
    return counts


def purge_conversations(database: Database, cutoff: dt.datetime) -> int:
    """Conversations whose last activity is before `cutoff`, with messages and annotations."""
    with database.session() as session:
        ids = list(session.execute(select(Conversation.id).where(
            Conversation.last_activity_at < cutoff)).scalars())
        if ids:
            session.execute(delete(Annotation).where(Annotation.conversation_id.in_(ids)))
            session.execute(delete(Message).where(Message.conversation_id.in_(ids)))
            session.execute(delete(Conversation).where(Conversation.id.in_(ids)))
        return len(ids)


def purge_trackers(url: str, cutoff: dt.datetime) -> int:
    """Rasa's SQLTrackerStore keeps every event in `events` (timestamp = epoch seconds): a
    conversation goes when its newest event is older than `cutoff`."""
    engine = create_engine(url)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        old = text("SELECT sender_id FROM events GROUP BY sender_id "
                   "HAVING MAX(timestamp) < :cutoff")
        delete_senders = text("DELETE FROM events WHERE sender_id IN :senders").bindparams(
            bindparam("senders", expanding=True))
        with engine.begin() as connection:
            senders = [row[0] for row in connection.execute(old, {"cutoff": cutoff.timestamp()})]
            for start in range(0, len(senders), 500):
                connection.execute(delete_senders, {"senders": senders[start:start + 500]})
        return len(senders)
    finally:
        engine.dispose()


def purge_logs(log_dir: Path, cutoff: dt.datetime) -> int:
    """Rotated process logs last written before `cutoff`; the live logs stay."""
    count = 0
    for path in log_dir.glob("*.log.*"):
        if path.is_file() and path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
            count += 1
    return count
