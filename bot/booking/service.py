"""The booking service: free slots, book, cancel, rebook, list, over the app database.

`BookingService` is the interface a region's real booking system would implement; the
SQL implementation serves the demo calendar. Two residents can never hold the same slot:
`appointments.slot_id` is unique, so the second of two simultaneous confirmations fails
in the database and gets `SlotTaken`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.booking.when import TimeWindow
from bot.care.calendar import TZ, holiday_name, local
from bot.care.directory import CareUnit
from bot.store.database import Database
from bot.store.models import Appointment as AppointmentRow
from bot.store.models import AppointmentSlot, BookingEvent

KINDS = ("visit", "phone", "video")
SLOT_MINUTES = 30
DAY_PARTS = ((8 * 60, 12 * 60), (13 * 60, 16 * 60 + 30))   # lunch 12-13
CALENDAR_DAYS = 21
# Upcoming bookings one resident may hold at once: a stolen or scripted identity must not be
# able to empty a vårdcentral's calendar.
MAX_ACTIVE_BOOKINGS = 3
_REFERENCE_ALPHABET = "ACDEFHJKLMNPRTUVWXY3479"   # no look-alikes (0/O, 1/I, 5/S, 8/B)


class BookingError(Exception):
    code = "error"


class SlotTaken(BookingError):
    code = "slot_taken"


class SlotInPast(BookingError):
    code = "slot_in_past"


class NotFound(BookingError):
    code = "not_found"


class TooManyBookings(BookingError):
    code = "too_many"


@dataclass(frozen=True)
class Slot:
    id: int
    unit_id: str
    starts_at: dt.datetime
    kind: str


@dataclass(frozen=True)
class Booking:
    reference: str
    unit_id: str
    starts_at: dt.datetime
    kind: str
    status: str
    reason: str | None = None


class BookingService(Protocol):
    def free_slots(self, unit_id: str, kind: str | None, window: TimeWindow,
                   now: dt.datetime, limit: int = 3) -> list[Slot]: ...

    def book(self, resident_id: str, slot_id: int, reason: str | None,
             conversation_id: str | None, now: dt.datetime) -> Booking: ...

    def cancel(self, resident_id: str, reference: str, conversation_id: str | None,
               now: dt.datetime) -> Booking: ...

    def rebook(self, resident_id: str, reference: str, slot_id: int,
               conversation_id: str | None, now: dt.datetime) -> Booking: ...

    def bookings(self, resident_id: str, now: dt.datetime) -> list[Booking]: ...


def new_reference() -> str:
    return "VL-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite returns naive datetimes; everything is stored in UTC.
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


def _utc(value: dt.datetime) -> dt.datetime:
    """Times go to the database in UTC: SQLite keeps no offset, so one zone for all."""
    return local(value).astimezone(dt.timezone.utc)


class SqlBookingService:
    def __init__(self, database: Database) -> None:
        self._db = database

    # --- calendar ---------------------------------------------------------------------
    def ensure_calendar(self, units: Iterable[CareUnit], today: dt.date,
                        days: int = CALENDAR_DAYS) -> int:
        """Creates the demo slots for the coming weeks (idempotent); no slots on weekends,
        holidays or outside the unit's opening hours."""
        created = 0
        with self._db.session() as session:
            # Old unbooked slots go; booked ones stay as history.
            midnight = _utc(dt.datetime.combine(today, dt.time(0), TZ))
            session.execute(delete(AppointmentSlot).where(
                AppointmentSlot.starts_at < midnight,
                ~AppointmentSlot.id.in_(select(AppointmentRow.slot_id).where(
                    AppointmentRow.slot_id.is_not(None)))).execution_options(
                        synchronize_session=False))
            existing = {(row.unit_id, _aware(row.starts_at), row.kind) for row in session.execute(
                select(AppointmentSlot).where(AppointmentSlot.starts_at >= midnight)
            ).scalars()}
            for unit in units:
                for offset in range(days):
                    day = today + dt.timedelta(days=offset)
                    if day.weekday() >= 5 or holiday_name(day):
                        continue
                    for index, start in enumerate(_starts(unit, day)):
                        kind = KINDS[(index + offset) % len(KINDS)]
                        key = (unit.id, _utc(start), kind)
                        if key in existing:
                            continue
                        session.add(AppointmentSlot(
                            unit_id=unit.id, starts_at=_utc(start), kind=kind,
                            ends_at=_utc(start + dt.timedelta(minutes=SLOT_MINUTES))))
                        created += 1
        return created

    # --- queries -----------------------------------------------------------------------
    def free_slots(self, unit_id: str, kind: str | None, window: TimeWindow,
                   now: dt.datetime, limit: int = 3) -> list[Slot]:
        start = _utc(max(local(now) + dt.timedelta(minutes=30),
                         dt.datetime.combine(window.first_day, dt.time(0), TZ)))
        end = _utc(dt.datetime.combine(window.last_day + dt.timedelta(days=1), dt.time(0), TZ))
        booked = select(AppointmentRow.slot_id).where(AppointmentRow.slot_id.is_not(None))
        query = (select(AppointmentSlot)
                 .where(AppointmentSlot.unit_id == unit_id,
                        AppointmentSlot.starts_at >= start, AppointmentSlot.starts_at < end,
                        ~AppointmentSlot.id.in_(booked))
                 .order_by(AppointmentSlot.starts_at))
        if kind:
            query = query.where(AppointmentSlot.kind == kind)
        found: list[Slot] = []
        with self._db.session() as session:
            for row in session.execute(query).scalars():
                slot = Slot(row.id, row.unit_id, local(_aware(row.starts_at)), row.kind)
                if window.contains(slot.starts_at):
                    found.append(slot)
                    if len(found) >= limit:
                        break
        if window.exact is not None:  # closest to the wished time first
            wanted = window.exact.hour * 60 + window.exact.minute
            found.sort(key=lambda s: abs(s.starts_at.hour * 60 + s.starts_at.minute - wanted))
        return found

    def bookings(self, resident_id: str, now: dt.datetime) -> list[Booking]:
        with self._db.session() as session:
            rows = session.execute(
                select(AppointmentRow).where(AppointmentRow.resident_id == resident_id,
                                             AppointmentRow.status == "booked")
                .order_by(AppointmentRow.starts_at)).scalars().all()
            return [_booking(row) for row in rows if _aware(row.starts_at) >= now]

    # --- changes -------------------------------------------------------------------------
    def book(self, resident_id: str, slot_id: int, reason: str | None,
             conversation_id: str | None, now: dt.datetime) -> Booking:
        try:
            with self._db.session() as session:
                if self._upcoming(session, resident_id, now) >= MAX_ACTIVE_BOOKINGS:
                    raise TooManyBookings(resident_id)
                row = self._take(session, slot_id, resident_id, reason, now)
                session.flush()
                session.add(BookingEvent(appointment_id=row.id, kind="booked",
                                         conversation_id=conversation_id))
                return _booking(row)
        except IntegrityError:
            raise SlotTaken(slot_id) from None

    def cancel(self, resident_id: str, reference: str, conversation_id: str | None,
               now: dt.datetime) -> Booking:
        with self._db.session() as session:
            row = self._own(session, resident_id, reference)
            row.status, row.slot_id, row.cancelled_at = "cancelled", None, _utc(now)
            session.add(BookingEvent(appointment_id=row.id, kind="cancelled",
                                     conversation_id=conversation_id))
            return _booking(row)

    def rebook(self, resident_id: str, reference: str, slot_id: int,
               conversation_id: str | None, now: dt.datetime) -> Booking:
        """The new time is taken and the old one released in one transaction."""
        try:
            with self._db.session() as session:
                old = self._own(session, resident_id, reference)
                old.status, old.slot_id, old.cancelled_at = "cancelled", None, _utc(now)
                session.flush()
                new = self._take(session, slot_id, resident_id, old.reason, now)
                session.flush()
                session.add(BookingEvent(appointment_id=new.id, kind="rebooked",
                                         conversation_id=conversation_id,
                                         details={"from": old.reference}))
                session.add(BookingEvent(appointment_id=old.id, kind="cancelled",
                                         conversation_id=conversation_id,
                                         details={"rebooked_to": new.reference}))
                return _booking(new)
        except IntegrityError:
            raise SlotTaken(slot_id) from None

    @staticmethod
    def _take(session, slot_id: int, resident_id: str, reason: str | None,  # type: ignore[no-untyped-def]
              now: dt.datetime) -> AppointmentRow:
        slot = session.get(AppointmentSlot, slot_id)
        if slot is None:
            raise NotFound(slot_id)
        if _aware(slot.starts_at) <= now:
            raise SlotInPast(slot_id)
        row = AppointmentRow(reference=new_reference(), slot_id=slot.id, unit_id=slot.unit_id,
                             starts_at=slot.starts_at, kind=slot.kind,
                             reason=(reason or "")[:500] or None, resident_id=resident_id,
                             status="booked")
        session.add(row)
        return row

    @staticmethod
    def _upcoming(session, resident_id: str, now: dt.datetime) -> int:  # type: ignore[no-untyped-def]
        starts = session.execute(select(AppointmentRow.starts_at).where(
            AppointmentRow.resident_id == resident_id,
            AppointmentRow.status == "booked")).scalars()
        return sum(1 for start in starts if _aware(start) >= now)

    @staticmethod
    def _own(session, resident_id: str, reference: str) -> AppointmentRow:  # type: ignore[no-untyped-def]
        row = session.execute(select(AppointmentRow).where(
            AppointmentRow.reference == reference.upper(),
            AppointmentRow.resident_id == resident_id,
            AppointmentRow.status == "booked")).scalar_one_or_none()
        if row is None:
            raise NotFound(reference)
        return row


def _starts(unit: CareUnit, day: dt.date) -> list[dt.datetime]:
    opening = unit.ranges_on(day)
    starts = []
    for begin, end in DAY_PARTS:
        minute = begin
        while minute + SLOT_MINUTES <= end:
            if any(a <= minute and minute + SLOT_MINUTES <= b for a, b in opening):
                starts.append(dt.datetime.combine(day, dt.time(minute // 60, minute % 60), TZ))
            minute += SLOT_MINUTES
    return starts


def _booking(row: AppointmentRow) -> Booking:
    return Booking(row.reference, row.unit_id, local(_aware(row.starts_at)), row.kind,
                   row.status, row.reason)
