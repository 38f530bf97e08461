"""The app database on PostgreSQL (scale-out): migrations, the conversation log and the
booking race. Uses the machine's PostgreSQL on 127.0.0.1:5432 when it runs (a throwaway
database is created and dropped); set VARDLOTSEN_TEST_POSTGRES=off to skip."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bot.booking.service import SlotTaken, SqlBookingService
from bot.booking.when import parse_when
from bot.care.calendar import TZ
from bot.care.directory import content_directory
from bot.store import migrate
from bot.store.conversation_log import ConversationLog, UserTurn
from bot.store.database import Database
from bot.store.redaction import Redactor

ADMIN_URL = os.environ.get("VARDLOTSEN_TEST_POSTGRES_ADMIN_URL",
                           "postgresql://postgres@127.0.0.1:5432/postgres")


def _postgres_up() -> bool:
    if os.environ.get("VARDLOTSEN_TEST_POSTGRES") == "off":
        return False
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _postgres_up(), reason="no PostgreSQL on 127.0.0.1:5432")


@pytest.fixture(scope="module")
def database() -> Iterator[Database]:
    name = f"vardlotsen_test_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    migrate.upgrade(url)
    database = Database(url)
    try:
        yield database
    finally:
        database.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_conversation_log_on_postgres(database: Database) -> None:
    log = ConversationLog(database, Redactor())
    log.record_turn("pg-1", UserTurn(text="ring 0701234567", intent="greet", confidence=0.9),
                    [{"text": "Hej!"}])
    rows = log.transcript("pg-1")
    assert rows[0]["text"] == "ring [telefonnummer]" and rows[1]["text"] == "Hej!"


def test_booking_race_on_postgres(database: Database) -> None:
    now = dt.datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
    service = SqlBookingService(database)
    units = [content_directory().units["narhalsan_lundby"]]
    service.ensure_calendar(units, now.date())
    slot = service.free_slots("narhalsan_lundby", None, parse_when("på torsdag", now), now)[0]
    assert slot.starts_at.hour >= 8  # times survive the round trip in the right zone
    barrier = threading.Barrier(6)
    results: list[str] = []

    def attempt(resident: str) -> None:
        barrier.wait()
        try:
            service.book(resident, slot.id, None, None, now)
            results.append("ok")
        except SlotTaken:
            results.append("taken")

    threads = [threading.Thread(target=attempt, args=(f"pg-r{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok"] + ["taken"] * 5
