"""Booking actions: the tracker into a `BookingTurn`, bot.booking's `Reply` back out."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.bootstrap import booking_service, care_directory, triage_engine
from actions.context import listed_unit, municipality, resident_id
from actions.reply import StepAction, events, slots
from bot.booking.conversation import FORM_SLOTS, OFFERS, REBOOK, BookingConversation, BookingTurn
from bot.care.calendar import now

Events = list[dict[str, Any]]


def conversation() -> BookingConversation:
    return BookingConversation(booking_service(), care_directory(), triage_engine())


def turn(tracker: Tracker) -> BookingTurn:
    return BookingTurn(
        text=tracker.latest_message.get("text") or "", conversation_id=tracker.sender_id,
        now=now(), resident_id=resident_id(tracker), listed_unit=listed_unit(tracker),
        municipality=municipality(tracker),
        intent=(tracker.latest_message.get("intent") or {}).get("name"),
        slots={slot: tracker.get_slot(slot) for slot in (*FORM_SLOTS, OFFERS, REBOOK)})


class BookingAction(StepAction):
    def service(self) -> BookingConversation:
        return conversation()

    def turn(self, tracker: Tracker) -> BookingTurn:
        return turn(tracker)


class ActionBookStart(BookingAction):
    action_name, step = "action_book_start", "start"


class ActionAskBookingReason(BookingAction):
    action_name, step = "action_ask_booking_reason", "ask_reason"


class ActionAskBookingKind(BookingAction):
    action_name, step = "action_ask_booking_kind", "ask_kind"


class ActionAskBookingWhen(BookingAction):
    action_name, step = "action_ask_booking_when", "ask_when"


class ActionAskBookingSlot(BookingAction):
    action_name, step = "action_ask_booking_slot", "ask_slot"


class ActionAskBookingConfirm(BookingAction):
    action_name, step = "action_ask_booking_confirm", "ask_confirm"


class ActionSubmitBooking(BookingAction):
    action_name, step = "action_submit_booking", "submit"


class ActionCancelAppointment(BookingAction):
    action_name, step = "action_cancel_appointment", "cancel"


class ActionRebookStart(BookingAction):
    action_name, step = "action_rebook_start", "rebook_start"


class ActionListBookings(BookingAction):
    action_name, step = "action_list_bookings", "list_bookings"


class ActionBookRestart(Action):
    """The chosen time was taken a moment ago: offer new times for the same wish."""

    def name(self) -> str:
        return "action_book_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> Events:
        return events(dispatcher, BookingConversation.restart())


class ValidateBookingForm(FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: dict[str, Any]) -> list[str]:
        return BookingConversation.required_slots(turn(tracker))

    async def validate_booking_reason(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: dict[str, Any]) -> dict:
        return slots(dispatcher, conversation().validate_reason(turn(tracker), value))

    async def validate_booking_kind(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: dict[str, Any]) -> dict:
        return slots(dispatcher, conversation().validate_kind(turn(tracker), value))

    async def validate_booking_when(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: dict[str, Any]) -> dict:
        return slots(dispatcher, conversation().validate_when(turn(tracker), value))

    async def validate_booking_slot(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: dict[str, Any]) -> dict:
        return slots(dispatcher, conversation().validate_slot(turn(tracker), value))

    async def validate_booking_confirm(self, value: Any, dispatcher: CollectingDispatcher,
                                       tracker: Tracker, domain: dict[str, Any]) -> dict:
        return slots(dispatcher, conversation().validate_confirm(turn(tracker), value))
