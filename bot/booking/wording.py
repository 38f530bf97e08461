"""Booking in plain Swedish: appointment kinds, slot titles, references."""

from __future__ import annotations

import datetime as dt
import re

from bot.booking.service import Booking, Slot
from bot.care.directory import CareUnit
from bot.content.texts import render, weekday
from bot.triage.normalise import fold

KINDS = ("visit", "phone", "video")
_REFERENCE = re.compile(r"\bVL-[ACDEFHJKLMNPRTUVWXY3479]{6}\b", re.IGNORECASE)


def parse_kind(text: str) -> str | None:
    folded = fold(text)
    if re.search(r"video|bild|skarm|facetime", folded):
        return "video"
    if re.search(r"telefon|ring|samtal|phone|call", folded):
        return "phone"
    if re.search(r"besok|mottagning|pa plats|pa riktigt|fysisk|visit|in person|traffa", folded):
        return "visit"
    return None


def kind_choices() -> tuple[str, ...]:
    """The kinds as the buttons name them (parse_kind reads them back)."""
    return tuple(render(f"booking_kind_choice_{kind}") for kind in KINDS)


def booking_time(moment: dt.datetime) -> str:
    return render("booking_time", weekday=weekday(moment.weekday()), day=moment.day,
                  month=moment.month, clock=f"{moment:%H:%M}")


def slot_title(slot: Slot) -> str:
    return render("booking_slot_title", time=booking_time(slot.starts_at),
                  kind=render(f"booking_kind_{slot.kind}"))


def booking_line(booking: Booking, unit: CareUnit | None) -> str:
    return render("booking_line", time=booking_time(booking.starts_at),
                  kind=render(f"booking_kind_{booking.kind}"),
                  place=unit.name if unit else booking.unit_id)


def reference_payload(intent: str, reference: str) -> str:
    """A button payload that names its intent, so a random reference never meets the
    classifier; the reference stays in the text for reference_in."""
    return f'/{intent}{{"booking_reference":"{reference}"}}'


def reference_in(text: str) -> str | None:
    match = _REFERENCE.search(text)
    return match.group(0).upper() if match else None
