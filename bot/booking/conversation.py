"""The booking conversation: book, cancel, rebook and list, as plain functions to a `Reply`.

Booking needs a verified identity (the signed context of an embedding portal). Anonymous
residents are told how to book, and a medical reason is triaged first (egenvård först).
The form's state lives in slots (`FORM_SLOTS` and the offers), so any action server
replica can continue any conversation; `BookingTurn.slots` is what they hold now.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.booking.service import (
    MAX_ACTIVE_BOOKINGS,
    Booking,
    BookingError,
    BookingService,
    SlotTaken,
    TooManyBookings,
)
from bot.booking.when import parse_when
from bot.booking.wording import (
    booking_line,
    kind_choices,
    parse_kind,
    reference_in,
    reference_payload,
    slot_title,
)
from bot.care.directory import CareDirectory, CareUnit
from bot.content.texts import render
from bot.contract import booking_payload
from bot.reply import Message, Reply
from bot.triage.answers import Answer, parse_answer
from bot.triage.engine import TriageEngine
from bot.triage.levels import Level

FORM = "booking_form"
FORM_SLOTS = ("booking_reason", "booking_kind", "booking_when", "booking_slot",
              "booking_confirm")
# The form's working slots besides FORM_SLOTS: the offered times and the booking being moved.
OFFERS, REBOOK = "booking_offers", "booking_rebook_ref"
MIN_REASON, MAX_REASON = 3, 300
MAX_CHOICES = 3   # bookings offered as buttons when the message does not say which one


@dataclass(frozen=True)
class BookingTurn:
    """What the resident said and who they are, as the adapter read it."""
    text: str
    conversation_id: str
    now: dt.datetime
    resident_id: str | None = None     # verified; None for an anonymous resident
    listed_unit: str | None = None     # verified care-directory id
    municipality: str | None = None    # stated or verified
    intent: str | None = None
    slots: Mapping[str, Any] = field(default_factory=dict)


def cleared() -> dict[str, Any]:
    """Every slot of the form emptied, for a fresh start or after the end."""
    return {**{slot: None for slot in FORM_SLOTS}, OFFERS: None, REBOOK: None}


class BookingConversation:
    def __init__(self, service: BookingService, directory: CareDirectory,
                 triage: TriageEngine) -> None:
        self.service = service
        self.directory = directory
        self.triage = triage

    # --- who and where --------------------------------------------------------------------
    def unit(self, turn: BookingTurn) -> CareUnit | None:
        """The listed vårdcentral (verified), else the first one in the resident's
        municipality."""
        unit = self.directory.units.get(turn.listed_unit or "")
        if unit is None and turn.municipality:
            local_units = self.directory.vardcentraler(turn.municipality)
            unit = local_units[0] if local_units else None
        return unit

    def _anonymous(self, turn: BookingTurn, reply: Reply) -> Reply:
        unit = self.unit(turn)
        if unit is not None and unit.phone:
            return reply.say("booking_anonymous_unit", name=unit.name, phone=unit.phone)
        if unit is not None:
            return reply.say("booking_anonymous_unit_no_phone", name=unit.name)
        return reply.say("booking_anonymous")

    def _line(self, booking: Booking) -> str:
        return booking_line(booking, self.directory.units.get(booking.unit_id))

    def _choices(self, verb_key: str, intent: str,
                 bookings: list[Booking]) -> tuple[tuple[str, str], ...]:
        """One button per booking; the payload names the intent and carries the reference."""
        return tuple((render(verb_key, line=self._line(b)), reference_payload(intent, b.reference))
                     for b in bookings)

    def _too_many(self, upcoming: list[Booking], reply: Reply) -> Reply:
        return reply.say("booking_too_many", count=len(upcoming), limit=MAX_ACTIVE_BOOKINGS,
                         buttons=self._choices("booking_cancel_button", "cancel_appointment",
                                               upcoming[:MAX_ACTIVE_BOOKINGS]))

    def _is_medical(self, text: str) -> bool:
        turn = self.triage.advance(None, text)
        return bool(turn.state.protocols or turn.state.red_flags)

    # --- book -----------------------------------------------------------------------------
    def start(self, turn: BookingTurn) -> Reply:
        reply = Reply()
        medical = self._is_medical(turn.text)
        if not turn.resident_id:
            self._anonymous(turn, reply)
            if medical:
                # Egenvård först: assess the problem the resident wants a time for.
                return reply.say("booking_triage_first").then("triage_form")
            return reply
        if self.unit(turn) is None:
            return reply.say("booking_no_unit")
        upcoming = self.service.bookings(turn.resident_id, turn.now)
        if len(upcoming) >= MAX_ACTIVE_BOOKINGS:
            return self._too_many(upcoming, reply)
        reply.keep(**cleared())
        if medical:
            reply.keep(booking_reason=turn.text)
        return reply.then(FORM)

    @staticmethod
    def required_slots(turn: BookingTurn) -> list[str]:
        if turn.slots.get(REBOOK):   # reason and kind come from the old time
            return ["booking_when", "booking_slot", "booking_confirm"]
        return list(FORM_SLOTS)

    def validate_reason(self, turn: BookingTurn, value: Any) -> Reply:
        reason = str(value or "").strip()
        if len(reason) < MIN_REASON:
            return Reply().keep(booking_reason=None)
        reply = Reply().keep(booking_reason=reason[:MAX_REASON])
        triaged = self.triage.advance(None, reason)
        protocol = self.triage.protocols.get(triaged.state.protocol or "")
        if (protocol and protocol.default_level == Level.SELF_CARE
                and not triaged.state.red_flags):
            # Egenvård först: the advice comes with the offer of a time, not instead of it.
            reply.say("booking_self_care_advice", advice=" ".join(protocol.self_care[:2]),
                      seek=protocol.seek_care_if[0])
        return reply

    @staticmethod
    def validate_kind(turn: BookingTurn, value: Any) -> Reply:
        kind = parse_kind(str(value or ""))
        reply = Reply().keep(booking_kind=kind)
        return reply.say("booking_kind_not_understood") if kind is None else reply

    def validate_when(self, turn: BookingTurn, value: Any) -> Reply:
        window = parse_when(str(value or ""), turn.now)
        if not window.understood:
            return Reply().keep(booking_when=None).say("booking_when_not_understood")
        unit = self.unit(turn)
        if unit is None:   # the listing changed while the form was open
            return Reply().keep(booking_when=None).say("booking_no_unit")
        slots = self.service.free_slots(unit.id, turn.slots.get("booking_kind"), window,
                                        turn.now)
        if not slots:
            key = "booking_no_slots" if unit.phone else "booking_no_slots_no_phone"
            return Reply().keep(booking_when=None).say(key, name=unit.name, phone=unit.phone)
        offers = [{"id": s.id, "title": slot_title(s)} for s in slots]
        return Reply().keep(booking_when=str(value), booking_offers=offers, booking_slot=None)

    def validate_slot(self, turn: BookingTurn, value: Any) -> Reply:
        text = str(value or "").strip().lower()
        for index, offer in enumerate(turn.slots.get(OFFERS) or [], start=1):
            if text in (offer["title"].lower(), str(index), f"nummer {index}") or (
                    text and text in offer["title"].lower() and len(text) >= 4):
                return Reply().keep(booking_slot=str(offer["id"]))
        # A new wish ("torsdag istället") searches again instead of failing.
        if parse_when(text, turn.now).understood:
            searched = self.validate_when(turn, text)
            if searched.slots.get(OFFERS):
                return searched
        return Reply().keep(booking_slot=None).say("booking_slot_not_understood")

    @staticmethod
    def validate_confirm(turn: BookingTurn, value: Any) -> Reply:
        answer = parse_answer(str(value or ""), turn.intent)
        if answer is None or answer == Answer.UNKNOWN:
            return Reply().keep(booking_confirm=None).say("answer_hint")
        return Reply().keep(booking_confirm="yes" if answer == Answer.YES else "no")

    # --- the form's questions -----------------------------------------------------------
    @staticmethod
    def ask_reason(turn: BookingTurn) -> Reply:
        return Reply().say("booking_ask_reason")

    @staticmethod
    def ask_kind(turn: BookingTurn) -> Reply:
        return Reply().say("booking_ask_kind", buttons=tuple((t, t) for t in kind_choices()))

    def ask_when(self, turn: BookingTurn) -> Reply:
        unit = self.unit(turn)
        return Reply().say("booking_ask_when", name=unit.name if unit else "")

    @staticmethod
    def ask_slot(turn: BookingTurn) -> Reply:
        offers = turn.slots.get(OFFERS) or []
        return Reply().say("booking_ask_slot",
                           buttons=tuple((o["title"], o["title"]) for o in offers))

    def ask_confirm(self, turn: BookingTurn) -> Reply:
        offer = _chosen_offer(turn.slots)
        unit = self.unit(turn)
        key = "booking_ask_confirm_rebook" if turn.slots.get(REBOOK) else "booking_ask_confirm"
        return Reply().say(key, time=offer["title"] if offer else "",
                           name=unit.name if unit else "",
                           buttons=((render("button_yes"), "/affirm"),
                                    (render("button_no"), "/deny")))

    def submit(self, turn: BookingTurn) -> Reply:
        reply = Reply().keep(**cleared())
        if turn.slots.get("booking_confirm") != "yes" or not turn.resident_id:
            return reply.say("booking_not_made")
        old = turn.slots.get(REBOOK)
        slot_id = int(turn.slots["booking_slot"])
        try:
            if old:
                booking = self.service.rebook(turn.resident_id, old, slot_id,
                                              turn.conversation_id, turn.now)
            else:
                booking = self.service.book(turn.resident_id, slot_id,
                                            turn.slots.get("booking_reason"),
                                            turn.conversation_id, turn.now)
        except SlotTaken:
            # Taken a moment ago: new times for the same wish.
            return reply.say("booking_slot_taken").then("action_book_restart")
        except TooManyBookings:   # booked elsewhere while this form was open
            return self._too_many(self.service.bookings(turn.resident_id, turn.now), reply)
        except BookingError:
            return reply.say("booking_failed")
        unit = self.directory.units.get(booking.unit_id)
        reply.say("booking_rebooked" if old else "booking_done", line=self._line(booking),
                  reference=booking.reference)
        return reply.send(booking_payload("rebooked" if old else "booked", booking,
                                          unit.name if unit else booking.unit_id))

    @staticmethod
    def restart() -> Reply:
        """After a slot was taken: the form again, with the same wish."""
        return Reply().then(FORM)

    # --- cancel, rebook, list -------------------------------------------------------------
    def _meant(self, turn: BookingTurn, bookings: list[Booking]) -> Booking | None:
        """The booking the message points at: by reference, by day, or the only one."""
        reference = reference_in(turn.text)
        if reference:
            return next((b for b in bookings if b.reference == reference), None)
        window = parse_when(turn.text, turn.now)
        if window.understood:
            matching = [b for b in bookings
                        if window.first_day <= b.starts_at.date() <= window.last_day]
            if len(matching) == 1:
                return matching[0]
        return bookings[0] if len(bookings) == 1 else None

    def _own(self, turn: BookingTurn, reply: Reply) -> list[Booking]:
        """The resident's upcoming bookings; empty after explaining why there are none."""
        if not turn.resident_id:
            self._anonymous(turn, reply)
            return []
        bookings = self.service.bookings(turn.resident_id, turn.now)
        if not bookings:
            reply.say("booking_none")
        return bookings

    def cancel(self, turn: BookingTurn) -> Reply:
        reply = Reply()
        bookings = self._own(turn, reply)
        if not bookings:
            return reply
        booking = self._meant(turn, bookings)
        # Only a reference (typed, or from a button) cancels; otherwise the resident confirms.
        if booking is not None and reference_in(turn.text) == booking.reference:
            assert turn.resident_id is not None
            self.service.cancel(turn.resident_id, booking.reference, turn.conversation_id,
                                turn.now)
            reply.say("booking_cancelled", line=self._line(booking))
            return reply.send(booking_payload("cancelled", booking))
        candidates = [booking] if booking is not None else bookings[:MAX_CHOICES]
        buttons = self._choices("booking_cancel_button", "cancel_appointment", candidates)
        return reply.say("booking_which_cancel",
                         buttons=(*buttons, (render("booking_keep_button"), "/deny")))

    def rebook_start(self, turn: BookingTurn) -> Reply:
        reply = Reply()
        bookings = self._own(turn, reply)
        if not bookings:
            return reply
        booking = self._meant(turn, bookings)
        if booking is None:
            return reply.say("booking_which_rebook", buttons=self._choices(
                "booking_rebook_button", "rebook_appointment", bookings[:MAX_CHOICES]))
        reply.keep(**cleared())
        reply.keep(booking_rebook_ref=booking.reference, booking_kind=booking.kind,
                   booking_reason=booking.reason)
        # "flytta min tid till nästa vecka": the new wish follows "till".
        wish = re.search(r"\btill\b(.+)", turn.text)
        if wish and parse_when(wish.group(1), turn.now).understood:
            reply.keep(booking_when=wish.group(1).strip())
        return reply.say("booking_rebook_start", line=self._line(booking)).then(FORM)

    def list_bookings(self, turn: BookingTurn) -> Reply:
        reply = Reply()
        bookings = self._own(turn, reply)
        if not bookings:
            return reply
        lines = [render("booking_list_intro")] + [
            render("booking_list_line", line=self._line(b), reference=b.reference)
            for b in bookings]
        reply.messages.append(Message("\n".join(lines)))
        return reply


def _chosen_offer(slots: Mapping[str, Any]) -> dict[str, Any] | None:
    chosen = slots.get("booking_slot")
    return next((o for o in slots.get(OFFERS) or [] if str(o["id"]) == str(chosen)), None)
