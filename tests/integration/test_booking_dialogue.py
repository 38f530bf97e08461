"""Booking, cancelling and rebooking through /api/chat, with a verified identity."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

from sqlalchemy import select

from bot.booking.service import SqlBookingService
from bot.booking.when import parse_when
from bot.care.calendar import now
from bot.store.database import Database
from bot.store.models import BookingEvent
from tests.integration.conftest import RunningSystem
from tests.integration.helpers import buttons, custom, new_sender, texts

UNIT = "narhalsan_lundby"


class Resident:
    def __init__(self, system: RunningSystem) -> None:
        self.system = system
        self.sender = new_sender("book")
        self.id = f"resident-{uuid.uuid4().hex[:8]}"
        self.token = system.token(sub=self.id)

    def say(self, message: str) -> list[dict]:
        return self.system.say(self.sender, message, token=self.token)


def book_until_offers(resident: Resident, when: str = "nästa vecka") -> list[dict]:
    asked = texts(resident.say("jag vill boka en tid"))
    assert "gäller besöket" in asked
    kind = resident.say("jag behöver förnya ett intyg för körkortet")
    assert any(b["title"] == "Telefonsamtal" for b in buttons(kind))
    assert "När skulle det passa" in texts(resident.say("Telefonsamtal"))
    return resident.say(when)


def test_anonymous_resident_is_told_how_to_book(system: RunningSystem) -> None:
    answer = texts(system.say(new_sender(), "jag vill boka en tid"))
    assert "inloggad" in answer and "1177" in answer


def test_anonymous_medical_reason_is_triaged_first(system: RunningSystem) -> None:
    # Egenvård först: whether the classifier hears a booking or a symptom here, the problem
    # is assessed; when it hears a booking, the resident is also told how to book.
    replies = system.say(new_sender(), "jag vill boka tid för att jag har haft ont i halsen")
    assert custom(replies, "triage_question")
    user = system.transcript(replies[0]["recipient_id"])[0]
    if user["intent"] == "book_appointment":
        assert "inloggad" in texts(replies)


def test_book_a_time_end_to_end(system: RunningSystem) -> None:
    resident = Resident(system)
    offers = book_until_offers(resident)
    choices = [b for b in buttons(offers)]
    assert 1 <= len(choices) <= 3 and "telefon" in choices[0]["title"]
    confirm = resident.say(choices[0]["payload"])
    assert "Ska jag boka" in texts(confirm)
    done = resident.say("/affirm")
    booking = custom(done, "booking")
    assert booking and booking["action"] == "booked" and booking["reference"].startswith("VL-")
    assert booking["reference"] in texts(done)
    listed = texts(resident.say("vilka tider har jag bokade?"))
    assert booking["reference"] in listed
    with Database(system.settings.database_url).session() as session:
        kinds = [e.kind for e in session.execute(select(BookingEvent).where(
            BookingEvent.conversation_id == resident.sender)).scalars()]
    assert kinds == ["booked"]


def test_change_of_mind_during_booking(system: RunningSystem) -> None:
    resident = Resident(system)
    resident.say("jag vill boka en tid")
    assert "bokar ingenting" in texts(resident.say("nej förresten, avbryt"))


def test_no_at_the_confirmation_books_nothing(system: RunningSystem) -> None:
    resident = Resident(system)
    offers = book_until_offers(resident)
    resident.say(buttons(offers)[0]["payload"])
    assert "bokar ingenting" in texts(resident.say("/deny"))


def test_cancel_by_date_then_confirm(system: RunningSystem) -> None:
    resident = Resident(system)
    offers = book_until_offers(resident)
    resident.say(buttons(offers)[0]["payload"])
    reference = custom(resident.say("/affirm"), "booking")["reference"]
    question = resident.say("jag vill avboka min tid")
    cancel = [b for b in buttons(question) if reference in b["payload"]]
    assert cancel, buttons(question)
    done = resident.say(cancel[0]["payload"])
    assert "avbokad" in texts(done)
    assert "inga kommande" in texts(resident.say("vilka tider har jag?"))


def test_rebook_to_next_week(system: RunningSystem) -> None:
    resident = Resident(system)
    offers = book_until_offers(resident, "i morgon")
    if not buttons(offers):  # tomorrow may be a weekend: any day works for this test
        offers = resident.say("nästa vecka")
    resident.say(buttons(offers)[0]["payload"])
    first = custom(resident.say("/affirm"), "booking")["reference"]
    moved = resident.say("kan jag flytta min tid till nästa vecka?")
    assert "flyttar" in texts(moved) or buttons(moved)
    resident.say(buttons(moved)[0]["payload"])
    done = resident.say("/affirm")
    booking = custom(done, "booking")
    assert booking["action"] == "rebooked" and booking["reference"] != first


def test_a_full_day_gets_a_clear_answer(system: RunningSystem) -> None:
    service = SqlBookingService(Database(system.settings.database_url))
    window = parse_when("den 3 december", now())
    for slot in service.free_slots(UNIT, "phone", window, now(), limit=100):
        service.book(f"someone-else-{slot.id}", slot.id, None, None, now())
    resident = Resident(system)
    resident.say("jag vill boka en tid")
    resident.say("jag behöver prata om min medicin")
    resident.say("Telefonsamtal")
    assert "inga lediga tider" in texts(resident.say("den 3 december"))


def test_a_fourth_upcoming_booking_is_refused_with_a_way_out(system: RunningSystem) -> None:
    resident = Resident(system)
    service = SqlBookingService(Database(system.settings.database_url))
    slots = service.free_slots(UNIT, None, parse_when("nästa vecka", now()), now(), limit=3)
    held = [service.book(resident.id, s.id, None, None, now()).reference for s in slots]
    reply = resident.say("jag vill boka en tid")
    assert "redan 3 kommande tider" in texts(reply)
    assert set(held) == {b["payload"].split('"')[-2] for b in buttons(reply)}
    assert "avbokad" in texts(resident.say(buttons(reply)[0]["payload"]))
    assert "gäller besöket" in texts(resident.say("jag vill boka en tid"))


def test_two_residents_confirming_the_same_slot_at_once(system: RunningSystem) -> None:
    first, second = Resident(system), Resident(system)
    offers = [book_until_offers(r, "den 10 december") for r in (first, second)]
    slot = buttons(offers[0])[0]["payload"]
    assert slot == buttons(offers[1])[0]["payload"]
    for resident in (first, second):
        assert "Ska jag boka" in texts(resident.say(slot))
    results: list[list[dict]] = []
    barrier = threading.Barrier(2)

    def confirm(resident: Resident) -> None:
        barrier.wait()
        results.append(resident.say("/affirm"))

    threads = [threading.Thread(target=confirm, args=(r,)) for r in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    booked = [r for r in results if custom(r, "booking")]
    taken = [r for r in results if "hann tyvärr bokas" in texts(r)]
    assert len(booked) == 1 and len(taken) == 1


def test_past_and_holiday_wishes(system: RunningSystem) -> None:
    resident = Resident(system)
    resident.say("jag vill boka en tid")
    resident.say("kontroll av blodtrycket")
    resident.say("Besök på mottagningen")
    christmas = dt.date(now().year, 12, 25)
    answer = texts(resident.say(f"den {christmas.day} december"))
    assert "inga lediga tider" in answer
