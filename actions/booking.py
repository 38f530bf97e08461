"""Booking actions: book, cancel, rebook and list appointments through bot.booking.

Booking needs a verified identity (the signed context of an embedding portal). Anonymous
residents are told how to book, and a medical reason is triaged first (egenvård först).
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import listed_unit, municipality, resident_id
from actions.directory import care_directory
from bot.booking.service import (
    MAX_ACTIVE_BOOKINGS,
    Booking,
    BookingError,
    SlotTaken,
    SqlBookingService,
    TooManyBookings,
)
from bot.booking.when import parse_when
from bot.booking.wording import (
    KIND_CHOICES,
    booking_line,
    parse_kind,
    reference_in,
    reference_payload,
    slot_title,
)
from bot.care.calendar import now
from bot.config import Settings
from bot.content.texts import render, texts
from bot.store.database import Database
from bot.triage.answers import Answer, parse_answer
from bot.triage.engine import TriageEngine
from bot.triage.levels import Level

_service: SqlBookingService | None = None
_engine: TriageEngine | None = None
FORM_SLOTS = ("booking_reason", "booking_kind", "booking_when", "booking_slot",
              "booking_confirm")


def service() -> SqlBookingService:
    global _service
    if _service is None:
        _service = SqlBookingService(Database(Settings.from_env().database_url))
    return _service


def engine() -> TriageEngine:
    global _engine
    if _engine is None:
        _engine = TriageEngine()
    return _engine


def resident(tracker: Tracker) -> str | None:
    return resident_id(tracker)


def booking_unit(tracker: Tracker):  # type: ignore[no-untyped-def]
    """The listed vårdcentral (verified), else the first one in the resident's municipality."""
    directory = care_directory()
    unit = directory.units.get(listed_unit(tracker) or "")
    place = municipality(tracker)
    if unit is None and place:
        local_units = directory.vardcentraler(place)
        unit = local_units[0] if local_units else None
    return unit


def explain_anonymous(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    unit = booking_unit(tracker)
    if unit is not None:
        dispatcher.utter_message(text=render("booking_anonymous_unit", name=unit.name,
                                             phone=unit.phone))
    else:
        dispatcher.utter_message(text=texts()["booking_anonymous"])


class ActionBookStart(Action):
    def name(self) -> str:
        return "action_book_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        medical = engine().advance(None, text)
        is_medical = bool(medical.state.protocols or medical.state.red_flags)
        if not resident(tracker):
            explain_anonymous(dispatcher, tracker)
            if is_medical:
                # Egenvård först: assess the problem the resident wants a time for.
                dispatcher.utter_message(text=texts()["booking_triage_first"])
                return [FollowupAction("triage_form")]
            return []
        if booking_unit(tracker) is None:
            dispatcher.utter_message(text=texts()["booking_no_unit"])
            return []
        upcoming = service().bookings(resident(tracker), now())
        if len(upcoming) >= MAX_ACTIVE_BOOKINGS:
            too_many(dispatcher, upcoming)
            return []
        events: list[dict[str, Any]] = [SlotSet(slot, None) for slot in FORM_SLOTS]
        events += [SlotSet("booking_rebook_ref", None), SlotSet("booking_offers", None)]
        if is_medical:
            events.append(SlotSet("booking_reason", text))
        return [*events, FollowupAction("booking_form")]


class ValidateBookingForm(FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: dict[str, Any]) -> list[str]:
        if tracker.get_slot("booking_rebook_ref"):   # reason and kind come from the old time
            return ["booking_when", "booking_slot", "booking_confirm"]
        return list(FORM_SLOTS)

    async def validate_booking_reason(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: dict[str, Any]
                                      ) -> dict[str, Any]:
        reason = str(value or "").strip()
        if len(reason) < 3:
            return {"booking_reason": None}
        turn = engine().advance(None, reason)
        protocol = engine().protocols.get(turn.state.protocol or "")
        if protocol and protocol.default_level == Level.SELF_CARE and not turn.state.red_flags:
            # Egenvård först: the advice comes with the offer of a time, not instead of it.
            advice = " ".join(protocol.self_care[:2])
            dispatcher.utter_message(text=render("booking_self_care_advice", advice=advice,
                                                 seek=protocol.seek_care_if[0]))
        return {"booking_reason": reason[:300]}

    async def validate_booking_kind(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: dict[str, Any]) -> dict[str, Any]:
        kind = parse_kind(str(value or ""))
        if kind is None:
            dispatcher.utter_message(text=texts()["booking_kind_not_understood"])
        return {"booking_kind": kind}

    async def validate_booking_when(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: dict[str, Any]) -> dict[str, Any]:
        window = parse_when(str(value or ""), now())
        if not window.understood:
            dispatcher.utter_message(text=texts()["booking_when_not_understood"])
            return {"booking_when": None}
        unit = booking_unit(tracker)
        slots = service().free_slots(unit.id, tracker.get_slot("booking_kind"), window, now())
        if not slots:
            dispatcher.utter_message(text=render("booking_no_slots", name=unit.name,
                                                 phone=unit.phone))
            return {"booking_when": None}
        offers = [{"id": s.id, "title": slot_title(s)} for s in slots]
        return {"booking_when": str(value), "booking_offers": offers, "booking_slot": None}

    async def validate_booking_slot(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: dict[str, Any]) -> dict[str, Any]:
        offers = tracker.get_slot("booking_offers") or []
        text = str(value or "").strip().lower()
        for index, offer in enumerate(offers, start=1):
            if text in (offer["title"].lower(), str(index), f"nummer {index}") or (
                    text and text in offer["title"].lower() and len(text) >= 4):
                return {"booking_slot": str(offer["id"])}
        # A new wish ("torsdag istället") searches again instead of failing.
        window = parse_when(text, now())
        if window.understood:
            updated = await self.validate_booking_when(text, dispatcher, tracker, domain)
            if updated.get("booking_offers"):
                return {**updated, "booking_slot": None}
        dispatcher.utter_message(text=texts()["booking_slot_not_understood"])
        return {"booking_slot": None}

    async def validate_booking_confirm(self, value: Any, dispatcher: CollectingDispatcher,
                                       tracker: Tracker, domain: dict[str, Any]
                                       ) -> dict[str, Any]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        answer = parse_answer(str(value or ""), intent)
        if answer is None or answer == Answer.UNKNOWN:
            dispatcher.utter_message(text=texts()["answer_hint"])
            return {"booking_confirm": None}
        return {"booking_confirm": "yes" if answer == Answer.YES else "no"}


class ActionAskBookingReason(Action):
    def name(self) -> str:
        return "action_ask_booking_reason"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=texts()["booking_ask_reason"])
        return []


class ActionAskBookingKind(Action):
    def name(self) -> str:
        return "action_ask_booking_kind"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=texts()["booking_ask_kind"], buttons=[
            {"title": title, "payload": title} for title in KIND_CHOICES])
        return []


class ActionAskBookingWhen(Action):
    def name(self) -> str:
        return "action_ask_booking_when"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        unit = booking_unit(tracker)
        dispatcher.utter_message(text=render("booking_ask_when", name=unit.name if unit else ""))
        return []


class ActionAskBookingSlot(Action):
    def name(self) -> str:
        return "action_ask_booking_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        offers = tracker.get_slot("booking_offers") or []
        dispatcher.utter_message(text=texts()["booking_ask_slot"], buttons=[
            {"title": offer["title"], "payload": offer["title"]} for offer in offers])
        return []


class ActionAskBookingConfirm(Action):
    def name(self) -> str:
        return "action_ask_booking_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        offer = _chosen_offer(tracker)
        unit = booking_unit(tracker)
        key = "booking_ask_confirm_rebook" if tracker.get_slot("booking_rebook_ref") else (
            "booking_ask_confirm")
        dispatcher.utter_message(
            text=render(key, time=offer["title"] if offer else "", name=unit.name if unit else ""),
            buttons=[{"title": "Ja", "payload": "/affirm"}, {"title": "Nej", "payload": "/deny"}])
        return []


def _chosen_offer(tracker: Tracker) -> dict[str, Any] | None:
    chosen = tracker.get_slot("booking_slot")
    return next((o for o in tracker.get_slot("booking_offers") or []
                 if str(o["id"]) == str(chosen)), None)


class ActionSubmitBooking(Action):
    def name(self) -> str:
        return "action_submit_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        reset = [SlotSet(slot, None) for slot in FORM_SLOTS] + [
            SlotSet("booking_offers", None), SlotSet("booking_rebook_ref", None)]
        if tracker.get_slot("booking_confirm") != "yes":
            dispatcher.utter_message(text=texts()["booking_not_made"])
            return reset
        unit = booking_unit(tracker)
        old = tracker.get_slot("booking_rebook_ref")
        try:
            if old:
                booking = service().rebook(resident(tracker), old,
                                           int(tracker.get_slot("booking_slot")),
                                           tracker.sender_id, now())
            else:
                booking = service().book(resident(tracker), int(tracker.get_slot("booking_slot")),
                                         tracker.get_slot("booking_reason"), tracker.sender_id,
                                         now())
        except SlotTaken:
            dispatcher.utter_message(text=texts()["booking_slot_taken"])
            return [*reset, FollowupAction("action_book_restart")]
        except TooManyBookings:   # booked elsewhere while this form was open
            too_many(dispatcher, service().bookings(resident(tracker), now()))
            return reset
        except BookingError:
            dispatcher.utter_message(text=texts()["booking_failed"])
            return reset
        dispatcher.utter_message(text=render(
            "booking_rebooked" if old else "booking_done", line=booking_line(booking, unit),
            reference=booking.reference))
        dispatcher.utter_message(json_message={
            "type": "booking", "action": "rebooked" if old else "booked",
            "reference": booking.reference, "unit": unit.name if unit else booking.unit_id,
            "starts_at": booking.starts_at.isoformat(timespec="minutes"), "kind": booking.kind})
        return reset


class ActionBookRestart(Action):
    """The chosen time was taken a moment ago: offer new times for the same wish."""

    def name(self) -> str:
        return "action_book_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        return [FollowupAction("booking_form")]


def find_booking(tracker: Tracker) -> tuple[list, Any]:
    """The resident's upcoming bookings, and the one the message points at (if any)."""
    text = tracker.latest_message.get("text") or ""
    bookings = service().bookings(resident(tracker), now())
    reference = reference_in(text)
    if reference:
        return bookings, next((b for b in bookings if b.reference == reference), None)
    window = parse_when(text, now())
    if window.understood:
        matching = [b for b in bookings if window.first_day <= b.starts_at.date()
                    <= window.last_day]
        if len(matching) == 1:
            return bookings, matching[0]
    return bookings, bookings[0] if len(bookings) == 1 else None


def own_bookings(dispatcher: CollectingDispatcher, tracker: Tracker) -> tuple[list, Any] | None:
    """The resident's bookings and the one meant, or None after explaining why not."""
    if not resident(tracker):
        explain_anonymous(dispatcher, tracker)
        return None
    bookings, booking = find_booking(tracker)
    if not bookings:
        dispatcher.utter_message(text=texts()["booking_none"])
        return None
    return bookings, booking


def choice_buttons(verb: str, intent: str, bookings: list[Booking]) -> list[dict[str, str]]:
    """One button per booking; the payload names the intent and carries the reference."""
    units = care_directory().units
    return [{"title": f"{verb} {booking_line(b, units.get(b.unit_id))}",
             "payload": reference_payload(intent, b.reference)} for b in bookings]


def too_many(dispatcher: CollectingDispatcher, upcoming: list[Booking]) -> None:
    dispatcher.utter_message(
        text=render("booking_too_many", count=len(upcoming), limit=MAX_ACTIVE_BOOKINGS),
        buttons=choice_buttons("Avboka", "cancel_appointment", upcoming[:MAX_ACTIVE_BOOKINGS]))


class ActionCancelAppointment(Action):
    def name(self) -> str:
        return "action_cancel_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        found = own_bookings(dispatcher, tracker)
        if found is None:
            return []
        bookings, booking = found
        directory = care_directory()
        text = tracker.latest_message.get("text") or ""
        if booking is not None and reference_in(text) == booking.reference:
            service().cancel(resident(tracker), booking.reference, tracker.sender_id, now())
            dispatcher.utter_message(text=render(
                "booking_cancelled", line=booking_line(booking,
                                                       directory.units.get(booking.unit_id))))
            dispatcher.utter_message(json_message={"type": "booking", "action": "cancelled",
                                                   "reference": booking.reference})
            return []
        candidates = [booking] if booking is not None else bookings[:3]
        dispatcher.utter_message(
            text=texts()["booking_which_cancel"],
            buttons=[*choice_buttons("Avboka", "cancel_appointment", candidates),
                     {"title": "Nej, behåll", "payload": "/deny"}])
        return []


class ActionRebookStart(Action):
    def name(self) -> str:
        return "action_rebook_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        found = own_bookings(dispatcher, tracker)
        if found is None:
            return []
        bookings, booking = found
        directory = care_directory()
        if booking is None:
            dispatcher.utter_message(
                text=texts()["booking_which_rebook"],
                buttons=choice_buttons("Flytta", "rebook_appointment", bookings[:3]))
            return []
        events: list[dict[str, Any]] = [SlotSet(slot, None) for slot in FORM_SLOTS]
        events += [SlotSet("booking_rebook_ref", booking.reference),
                   SlotSet("booking_kind", booking.kind), SlotSet("booking_reason", booking.reason)]
        # "flytta min tid till nästa vecka": the new wish follows "till".
        wish = re.search(r"\btill\b(.+)", tracker.latest_message.get("text") or "")
        if wish and parse_when(wish.group(1), now()).understood:
            events.append(SlotSet("booking_when", wish.group(1).strip()))
        dispatcher.utter_message(text=render("booking_rebook_start", line=booking_line(
            booking, directory.units.get(booking.unit_id))))
        return [*events, FollowupAction("booking_form")]


class ActionListBookings(Action):
    def name(self) -> str:
        return "action_list_bookings"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        if not resident(tracker):
            explain_anonymous(dispatcher, tracker)
            return []
        bookings = service().bookings(resident(tracker), now())
        if not bookings:
            dispatcher.utter_message(text=texts()["booking_none"])
            return []
        directory = care_directory()
        lines = [texts()["booking_list_intro"]] + [
            f"• {booking_line(b, directory.units.get(b.unit_id))} ({b.reference})"
            for b in bookings]
        dispatcher.utter_message(text="\n".join(lines))
        return []
