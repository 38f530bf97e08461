"""The booking conversation service with an in-memory booking service (no database, no Rasa)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from bot.booking.conversation import FORM, BookingConversation, BookingTurn
from bot.booking.service import (
    MAX_ACTIVE_BOOKINGS,
    Booking,
    SlotTaken,
    TooManyBookings,
)
from bot.booking.when import TimeWindow
from bot.care.calendar import TZ
from bot.care.directory import content_directory
from bot.content.texts import texts
from bot.contract import violations
from bot.reply import Reply
from bot.triage.engine import TriageEngine

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)   # a Monday
UNIT = "narhalsan_majorna"
RESIDENT = "resident-1"


class FakeBookingService:
    """The BookingService interface over a list: two free slots a day at 10 and 14."""

    def __init__(self) -> None:
        self.taken: dict[int, Booking] = {}
        self.cancelled: list[str] = []
        self.fail_with: Exception | None = None
        self.counter = 0

    def slot_time(self, slot_id: int) -> dt.datetime:
        day, part = divmod(slot_id, 2)
        return dt.datetime.combine(NOW.date() + dt.timedelta(days=day),
                                   dt.time(10 if part == 0 else 14), TZ)

    def free_slots(self, unit_id: str, kind: str | None, window: TimeWindow,
                   now: dt.datetime, limit: int = 3) -> list:
        from bot.booking.service import Slot
        free = [Slot(i, unit_id, self.slot_time(i), kind or "visit") for i in range(2, 30)
                if i not in self.taken and window.contains(self.slot_time(i))]
        return free[:limit]

    def book(self, resident_id: str, slot_id: int, reason: str | None,
             conversation_id: str | None, now: dt.datetime) -> Booking:
        if self.fail_with is not None:
            raise self.fail_with
        if len(self.bookings(resident_id, now)) >= MAX_ACTIVE_BOOKINGS:
            raise TooManyBookings(resident_id)
        self.counter += 1
        reference = "VL-AAAAA" + "CDEFH"[self.counter]
        booking = Booking(reference, UNIT, self.slot_time(slot_id), "visit",
                          "booked", reason)
        self.taken[slot_id] = booking
        return booking

    def cancel(self, resident_id: str, reference: str, conversation_id: str | None,
               now: dt.datetime) -> Booking:
        slot_id = next(i for i, b in self.taken.items() if b.reference == reference)
        self.cancelled.append(reference)
        return self.taken.pop(slot_id)

    def rebook(self, resident_id: str, reference: str, slot_id: int,
               conversation_id: str | None, now: dt.datetime) -> Booking:
        old = self.cancel(resident_id, reference, conversation_id, now)
        return self.book(resident_id, slot_id, old.reason, conversation_id, now)

    def bookings(self, resident_id: str, now: dt.datetime) -> list[Booking]:
        return sorted(self.taken.values(), key=lambda b: b.starts_at)


@pytest.fixture(scope="module")
def engine() -> TriageEngine:
    return TriageEngine()


@pytest.fixture
def fake() -> FakeBookingService:
    return FakeBookingService()


@pytest.fixture
def booking(fake: FakeBookingService, engine: TriageEngine) -> BookingConversation:
    return BookingConversation(fake, content_directory(), engine)


def turn(text: str = "", **changes: Any) -> BookingTurn:
    return replace(BookingTurn(text=text, conversation_id="c1", now=NOW,
                               resident_id=RESIDENT, listed_unit=UNIT), **changes)


def texts_of(reply: Reply) -> list[str]:
    return [m.text for m in reply.messages if m.text]


def assert_contract(reply: Reply) -> None:
    for message in reply.messages:
        if message.custom:
            assert violations(message.custom) == []


def test_an_anonymous_resident_is_told_how_to_book_and_a_symptom_is_triaged_first(
        booking: BookingConversation) -> None:
    reply = booking.start(turn("jag vill boka tid, har ont i halsen", resident_id=None))
    assert "Närhälsan Majorna" in texts_of(reply)[0]
    assert texts_of(reply)[-1] == texts()["booking_triage_first"]
    assert reply.next_action == "triage_form" and not reply.slots


def test_an_anonymous_errand_without_a_symptom_ends_with_how_to_book(
        booking: BookingConversation) -> None:
    reply = booking.start(turn("boka tid", resident_id=None, listed_unit=None))
    assert texts_of(reply) == [texts()["booking_anonymous"]] and reply.next_action is None


def test_a_verified_resident_gets_the_form_with_the_reason_kept(
        booking: BookingConversation) -> None:
    reply = booking.start(turn("vill boka tid för mitt eksem som inte blir bättre"))
    assert reply.next_action == FORM
    assert reply.slots["booking_reason"].startswith("vill boka tid för mitt eksem")
    assert reply.slots["booking_slot"] is None and reply.slots["booking_rebook_ref"] is None


def test_without_a_listed_unit_or_place_no_form_starts(booking: BookingConversation) -> None:
    reply = booking.start(turn("boka tid", listed_unit=None))
    assert texts_of(reply) == [texts()["booking_no_unit"]] and reply.next_action is None


def test_the_municipality_gives_a_unit_when_none_is_listed(
        booking: BookingConversation) -> None:
    unit = booking.unit(turn(listed_unit=None, municipality="Varberg"))
    assert unit is not None and unit.kind == "vardcentral"


def test_a_self_care_reason_gets_advice_with_the_offer(booking: BookingConversation) -> None:
    reply = booking.validate_reason(turn(), "jag är förkyld och snorig")
    assert reply.slots == {"booking_reason": "jag är förkyld och snorig"}
    assert len(texts_of(reply)) == 1   # the self-care advice, then the form goes on


def test_a_too_short_reason_is_asked_again(booking: BookingConversation) -> None:
    assert booking.validate_reason(turn(), "a").slots == {"booking_reason": None}


@pytest.mark.parametrize("said, kind", [("video tack", "video"), ("ring mig", "phone"),
                                        ("besök", "visit"), ("vet ej", None)])
def test_kind(booking: BookingConversation, said: str, kind: str | None) -> None:
    reply = booking.validate_kind(turn(), said)
    assert reply.slots == {"booking_kind": kind}
    assert bool(reply.messages) == (kind is None)


def test_a_wish_gives_offers_and_a_number_picks_one(booking: BookingConversation) -> None:
    reply = booking.validate_when(turn(), "på tisdag")
    offers = reply.slots["booking_offers"]
    assert offers and all("tisdag" in offer["title"] for offer in offers)
    picked = booking.validate_slot(turn(slots={"booking_offers": offers}), "2")
    assert picked.slots == {"booking_slot": str(offers[1]["id"])}


def test_a_new_wish_instead_of_a_choice_searches_again(booking: BookingConversation) -> None:
    offers = booking.validate_when(turn(), "på tisdag").slots["booking_offers"]
    again = booking.validate_slot(turn(slots={"booking_offers": offers}), "onsdag istället")
    assert again.slots["booking_slot"] is None
    assert all("onsdag" in offer["title"] for offer in again.slots["booking_offers"])


def test_a_wish_without_a_time_in_it_is_explained(booking: BookingConversation) -> None:
    reply = booking.validate_when(turn(), "blå")
    assert reply.slots == {"booking_when": None}
    assert texts_of(reply) == [texts()["booking_when_not_understood"]]


def test_confirm_reads_yes_no_and_hints_otherwise(booking: BookingConversation) -> None:
    assert booking.validate_confirm(turn(), "ja").slots == {"booking_confirm": "yes"}
    assert booking.validate_confirm(turn(), "nej").slots == {"booking_confirm": "no"}
    unclear = booking.validate_confirm(turn(), "kanske")
    assert unclear.slots == {"booking_confirm": None} and unclear.messages


def test_submit_books_and_sends_the_contract(booking: BookingConversation,
                                            fake: FakeBookingService) -> None:
    reply = booking.submit(turn(slots={"booking_confirm": "yes", "booking_slot": "3",
                                       "booking_reason": "eksem"}))
    assert fake.taken[3].reason == "eksem"
    assert "VL-AAAAAD" in texts_of(reply)[0]
    payload = reply.messages[-1].custom
    assert payload["type"] == "booking" and payload["action"] == "booked"
    assert_contract(reply)
    assert all(value is None for value in reply.slots.values())


def test_submit_without_a_yes_books_nothing(booking: BookingConversation,
                                           fake: FakeBookingService) -> None:
    reply = booking.submit(turn(slots={"booking_confirm": "no", "booking_slot": "3"}))
    assert not fake.taken and texts_of(reply) == [texts()["booking_not_made"]]


def test_a_slot_taken_meanwhile_restarts_the_form(booking: BookingConversation,
                                                 fake: FakeBookingService) -> None:
    fake.fail_with = SlotTaken(3)
    reply = booking.submit(turn(slots={"booking_confirm": "yes", "booking_slot": "3"}))
    assert reply.next_action == "action_book_restart"
    assert texts_of(reply) == [texts()["booking_slot_taken"]]


def test_too_many_bookings_offers_cancel_buttons(booking: BookingConversation,
                                                fake: FakeBookingService) -> None:
    for slot_id in (2, 3, 4):
        fake.book(RESIDENT, slot_id, None, "c0", NOW)
    reply = booking.start(turn("boka tid"))
    assert reply.next_action is None
    buttons = reply.messages[0].buttons
    assert len(buttons) == MAX_ACTIVE_BOOKINGS
    assert all(payload.startswith("/cancel_appointment") for _, payload in buttons)


def test_cancel_asks_which_unless_the_reference_is_given(booking: BookingConversation,
                                                        fake: FakeBookingService) -> None:
    made = fake.book(RESIDENT, 4, None, "c0", NOW)
    ask = booking.cancel(turn("avboka min tid"))
    assert not fake.cancelled
    titles = [title for title, _ in ask.messages[0].buttons]
    assert titles[-1] == texts()["booking_keep_button"]
    done = booking.cancel(turn(f"avboka {made.reference}"))
    assert fake.cancelled == [made.reference]
    assert done.messages[-1].custom == {"type": "booking", "action": "cancelled",
                                        "reference": made.reference}
    assert_contract(done)


def test_rebook_keeps_kind_and_reason_and_reads_the_wish(booking: BookingConversation,
                                                        fake: FakeBookingService) -> None:
    made = fake.book(RESIDENT, 4, "eksem", "c0", NOW)
    reply = booking.rebook_start(turn("flytta min tid till torsdag"))
    assert reply.next_action == FORM
    assert reply.slots["booking_rebook_ref"] == made.reference
    assert reply.slots["booking_reason"] == "eksem"
    assert reply.slots["booking_when"] == "torsdag"
    assert BookingConversation.required_slots(turn(slots=reply.slots)) == [
        "booking_when", "booking_slot", "booking_confirm"]


def test_list_and_none(booking: BookingConversation, fake: FakeBookingService) -> None:
    assert texts_of(booking.list_bookings(turn())) == [texts()["booking_none"]]
    made = fake.book(RESIDENT, 5, None, "c0", NOW)
    listed = texts_of(booking.list_bookings(turn()))[0]
    assert listed.startswith(texts()["booking_list_intro"]) and made.reference in listed
