"""Booking in plain Swedish: appointment kinds, slot titles, references."""

from __future__ import annotations

import datetime as dt
import re

from bot.booking.service import Booking, Slot
from bot.care.directory import CareUnit
from bot.triage.normalise import fold

KIND_CHOICES = ("Besök på mottagningen", "Telefonsamtal", "Videosamtal")
KIND_NAMES = {"visit": "besök", "phone": "telefon", "video": "video"}
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
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


def when_text(moment: dt.datetime) -> str:
    return f"{WEEKDAYS[moment.weekday()]} {moment.day}/{moment.month} kl {moment:%H:%M}"


def slot_title(slot: Slot) -> str:
    return f"{when_text(slot.starts_at)} ({KIND_NAMES[slot.kind]})"


def booking_line(booking: Booking, unit: CareUnit | None) -> str:
    place = unit.name if unit else booking.unit_id
    return f"{when_text(booking.starts_at)}, {KIND_NAMES[booking.kind]}, {place}"


def reference_payload(intent: str, reference: str) -> str:
    """A button payload that names its intent, so a random reference never meets the
    classifier; the reference stays in the text for reference_in."""
    return f'/{intent}{{"booking_reference":"{reference}"}}'


def reference_in(text: str) -> str | None:
    match = _REFERENCE.search(text)
    return match.group(0).upper() if match else None
