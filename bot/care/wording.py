"""Answers to "har min vårdcentral öppet?", "när öppnar jouren i Varberg?" and "var kan jag
få vård ikväll?", and the wording of care options, in plain Swedish."""

from __future__ import annotations

import datetime as dt

from bot.care.calendar import local
from bot.care.directory import CareDirectory, CareUnit, Municipality, format_hours
from bot.care.options import CareOption
from bot.care.routing import (
    OUT_OF_HOURS,
    ResidentContext,
    route_level,
    route_unknown_problem,
)
from bot.content.texts import render, texts, weekday
from bot.triage.levels import Level
from bot.triage.matcher import compile_phrase, presence, tokenize

_OUT_OF_HOURS_WORDS = tuple(compile_phrase(p) for p in (
    "jour*", "narakut*", "kvallsmottagning*", "helgmottagning*", "kvalls och helg*",
    "akut*", "ikvall", "i kvall", "helg*", "natt*", "tonight", "weekend", "after hours"))


def opening_time(when: dt.datetime, now: dt.datetime) -> str:
    """When a place opens, relative to now: "i dag 08:00", "torsdag 08:00", "2/1 08:00"."""
    days = (when.date() - now.date()).days
    clock = when.strftime("%H:%M")
    if days == 0:
        return render("time_today", clock=clock)
    if days == 1:
        return render("time_tomorrow", clock=clock)
    if days < 7:
        return render("time_this_week", weekday=weekday(when.weekday()), clock=clock)
    return render("time_later", day=when.day, month=when.month, clock=clock)


def option_line(option: CareOption, now: dt.datetime) -> str:
    """One care option as a line: name, open or when it opens, phone, why. A unit whose
    hours are not verified gets neither hours nor phone, only where to find them."""
    unverified = bool(option.unit_id) and not option.hours_verified
    parts = [option.name]
    if not unverified:
        if option.open_now is True and option.kind not in ("emergency", "advice"):
            parts.append(render("option_open_now"))
        elif option.open_now is False and option.next_opening:
            opens = dt.datetime.fromisoformat(option.next_opening)
            parts.append(render("option_opens", time=opening_time(opens, now)))
        if option.phone:
            parts.append(render("option_phone", phone=option.phone))
    if option.distance_km:
        parts.append(render("option_distance", km=option.distance_km))
    line = render("option_line", parts=", ".join(parts), why=option.why)
    if unverified:
        line += f" ({texts()['check_hours']})"
    return line


def unit_status(unit: CareUnit, when: dt.datetime) -> str:
    """Whether a unit is open, its hours today and phone; for a unit whose hours are not
    from a verified source, only where to find them (never an invented time or number)."""
    if not unit.verified:
        return render("unit_unverified", name=unit.name, url=unit.url)
    when = local(when)
    if unit.is_open(when):
        until = unit.open_until(when)
        status = render("unit_open_now", name=unit.name,
                        until=until.strftime("%H:%M") if until else "")
        if unit.always_open:
            status = render("unit_always_open", name=unit.name)
    else:
        opening = unit.next_opening(when)
        status = render("unit_closed_now", name=unit.name,
                        opens=opening_time(opening, when) if opening
                        else render("time_not_within_two_weeks"))
    hours = format_hours(unit.ranges_on(when.date()))
    # No verified number ("" from an HSA export without one): never a made-up one.
    status += " " + (render("unit_hours_today", hours=hours, phone=unit.phone) if unit.phone
                     else render("unit_hours_today_no_phone", hours=hours))
    return status


def asks_out_of_hours(question: str) -> bool:
    return presence(_OUT_OF_HOURS_WORDS, tokenize(question)).present


def opening_hours_answer(question: str, when: dt.datetime, context: ResidentContext,
                         directory: CareDirectory) -> list[str]:
    """Opening status of the units the question is about."""
    listed = directory.units.get(context.listed_unit or "")
    place = directory.municipalities.get(context.municipality or "")
    if not asks_out_of_hours(question) and listed is not None:
        return [unit_status(listed, when)]
    if place is None and listed is not None and listed.municipality:
        place = directory.municipalities.get(listed.municipality)
    if place is None:
        return [texts()["need_municipality"]]
    if asks_out_of_hours(question):
        units = _local_out_of_hours(place, directory, context.age_years)
        if not units:
            return [render("no_out_of_hours", municipality=place.name)]
        return [unit_status(unit, when) for unit in units[:2]]
    units = directory.vardcentraler(place.name)[:3]
    if not units:
        return [render("no_vardcentral", municipality=place.name)]
    lines = [render("vardcentraler_in", municipality=place.name)]
    lines += [unit_status(unit, when) for unit in units]
    lines.append(texts()["listed_hint"])
    return lines


def _local_out_of_hours(place: Municipality, directory: CareDirectory,
                        age: float | None) -> list[CareUnit]:
    units = directory.nearest(place, OUT_OF_HOURS, age)
    return [u for u in units if directory.distance_km(u, place) <= 50]


def where_care_options(when: dt.datetime, context: ResidentContext,
                       directory: CareDirectory, urgent: bool = False) -> list[CareOption]:
    """Where to get care now: for a problem already judged urgent the urgent route, else
    1177 and digital care before the places that see people today."""
    if urgent:
        return route_level(Level.URGENT, when, context, directory)
    return route_unknown_problem(when, context, directory)
