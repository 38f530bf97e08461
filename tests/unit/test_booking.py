"""Booking service and Swedish time preferences, with a fixed "now"."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from bot.booking.service import (
    MAX_ACTIVE_BOOKINGS,
    NotFound,
    SlotInPast,
    SlotTaken,
    SqlBookingService,
    TooManyBookings,
)
from bot.booking.when import AFTERNOON, MORNING, parse_when
from bot.care.calendar import TZ
from bot.care.directory import content_directory
from bot.store import migrate
from bot.store.database import Database

FRIDAY_1500 = dt.datetime(2026, 12, 18, 15, 0, tzinfo=TZ)   # before the Christmas holidays
TUESDAY_10 = dt.datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
UNIT = "narhalsan_lundby"


@pytest.mark.parametrize(("text", "first", "last", "minutes"), [
    ("imorgon förmiddag", "2026-11-25", "2026-11-25", MORNING),
    ("på torsdag", "2026-11-26", "2026-11-26", None),
    ("nästa vecka", "2026-11-30", "2026-12-04", None),
    ("den 3 december", "2026-12-03", "2026-12-03", None),
    ("efter lunch", "2026-11-24", "2026-12-08", AFTERNOON),
    ("helst tidigt på morgonen", "2026-11-24", "2026-12-08", MORNING),
    ("fredag nästa vecka", "2026-12-04", "2026-12-04", None),
    ("den 10 januari", "2027-01-10", "2027-01-10", None),      # past date -> next year
])
def test_swedish_time_preferences(text: str, first: str, last: str,
                                  minutes: tuple[int, int] | None) -> None:
    window = parse_when(text, TUESDAY_10)
    assert window.understood
    assert (window.first_day.isoformat(), window.last_day.isoformat()) == (first, last)
    if minutes:
        assert window.minutes == minutes


def test_exact_clock_time() -> None:
    window = parse_when("måndag kl 10", TUESDAY_10)
    assert window.first_day == dt.date(2026, 11, 30) and window.exact == dt.time(10, 0)


def test_across_a_weekend() -> None:
    window = parse_when("på måndag", FRIDAY_1500)
    assert window.first_day == dt.date(2026, 12, 21)


def test_unknown_wording_is_flagged() -> None:
    assert not parse_when("när det passar er", TUESDAY_10).understood


@pytest.fixture
def service(tmp_path: Path) -> SqlBookingService:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    service = SqlBookingService(Database(url))
    units = [u for u in content_directory().units.values() if u.id == UNIT]
    service.ensure_calendar(units, TUESDAY_10.date())
    return service


def test_calendar_has_lunch_gap_weekdays_only_and_no_holidays(service: SqlBookingService
                                                              ) -> None:
    slots = service.free_slots(UNIT, None, parse_when("nästa vecka", TUESDAY_10), TUESDAY_10,
                               limit=500)
    assert slots and all(s.starts_at.weekday() < 5 for s in slots)
    assert not any(s.starts_at.hour == 12 for s in slots)
    christmas = service.free_slots(UNIT, None, parse_when("den 24 december", TUESDAY_10),
                                   TUESDAY_10)
    assert christmas == []                                   # julafton


def test_free_slots_respect_kind_window_and_now(service: SqlBookingService) -> None:
    window = parse_when("imorgon förmiddag", TUESDAY_10)
    slots = service.free_slots(UNIT, "phone", window, TUESDAY_10)
    assert 1 <= len(slots) <= 3
    assert all(s.kind == "phone" and s.starts_at.hour < 12 for s in slots)
    today = service.free_slots(UNIT, None, parse_when("idag", TUESDAY_10), TUESDAY_10, limit=50)
    assert all(s.starts_at > TUESDAY_10 for s in today)


def test_book_list_cancel_and_rebook(service: SqlBookingService) -> None:
    slot = service.free_slots(UNIT, None, parse_when("på torsdag", TUESDAY_10), TUESDAY_10)[0]
    booking = service.book("r-1", slot.id, "ont i ryggen", "web-1", TUESDAY_10)
    assert booking.reference.startswith("VL-") and booking.status == "booked"
    assert [b.reference for b in service.bookings("r-1", TUESDAY_10)] == [booking.reference]
    assert service.bookings("r-2", TUESDAY_10) == []
    other = service.free_slots(UNIT, None, parse_when("nästa vecka", TUESDAY_10), TUESDAY_10)[0]
    moved = service.rebook("r-1", booking.reference, other.id, "web-1", TUESDAY_10)
    assert moved.starts_at == other.starts_at
    assert [b.reference for b in service.bookings("r-1", TUESDAY_10)] == [moved.reference]
    # The old slot is free again.
    assert slot.id in {s.id for s in service.free_slots(
        UNIT, None, parse_when("på torsdag", TUESDAY_10), TUESDAY_10, limit=50)}
    service.cancel("r-1", moved.reference, "web-1", TUESDAY_10)
    assert service.bookings("r-1", TUESDAY_10) == []
    with pytest.raises(NotFound):
        service.cancel("r-1", moved.reference, "web-1", TUESDAY_10)


def test_only_the_owner_can_cancel(service: SqlBookingService) -> None:
    slot = service.free_slots(UNIT, None, parse_when("på torsdag", TUESDAY_10), TUESDAY_10)[0]
    booking = service.book("r-1", slot.id, None, None, TUESDAY_10)
    with pytest.raises(NotFound):
        service.cancel("r-2", booking.reference, None, TUESDAY_10)


def test_a_resident_holds_at_most_three_upcoming_bookings(service: SqlBookingService) -> None:
    slots = service.free_slots(UNIT, None, parse_when("nästa vecka", TUESDAY_10), TUESDAY_10,
                               limit=10)
    first = [service.book("r-1", s.id, None, None, TUESDAY_10) for s in slots[:MAX_ACTIVE_BOOKINGS]]
    with pytest.raises(TooManyBookings):
        service.book("r-1", slots[MAX_ACTIVE_BOOKINGS].id, None, None, TUESDAY_10)
    assert slots[MAX_ACTIVE_BOOKINGS].id in {s.id for s in service.free_slots(
        UNIT, None, parse_when("nästa vecka", TUESDAY_10), TUESDAY_10, limit=10)}
    service.book("r-2", slots[MAX_ACTIVE_BOOKINGS].id, None, None, TUESDAY_10)  # others may
    # Rebooking keeps the count; a cancelled or past booking frees a place.
    service.rebook("r-1", first[0].reference, slots[MAX_ACTIVE_BOOKINGS + 1].id, None, TUESDAY_10)
    service.cancel("r-1", first[1].reference, None, TUESDAY_10)
    service.book("r-1", slots[MAX_ACTIVE_BOOKINGS + 2].id, None, None, TUESDAY_10)
    later = max(b.starts_at for b in service.bookings("r-1", TUESDAY_10))
    assert service.bookings("r-1", later + dt.timedelta(minutes=1)) == []


def test_past_slot_is_refused(service: SqlBookingService) -> None:
    slot = service.free_slots(UNIT, None, parse_when("på torsdag", TUESDAY_10), TUESDAY_10)[0]
    with pytest.raises(SlotInPast):
        service.book("r-1", slot.id, None, None, slot.starts_at + dt.timedelta(minutes=1))


def test_two_residents_never_get_the_same_slot(service: SqlBookingService) -> None:
    slot = service.free_slots(UNIT, None, parse_when("på torsdag", TUESDAY_10), TUESDAY_10)[0]
    barrier = threading.Barrier(8)
    results: list[str] = []

    def attempt(resident: str) -> None:
        barrier.wait()
        try:
            service.book(resident, slot.id, None, None, TUESDAY_10)
            results.append("ok")
        except SlotTaken:
            results.append("taken")

    threads = [threading.Thread(target=attempt, args=(f"r-{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok"] + ["taken"] * 7
