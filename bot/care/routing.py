"""Where to turn, now: egenvård först, digitalt i andra hand, fysiskt när det behövs.

Given the triage level, the time, the resident's municipality, listed vårdcentral and age,
`route` returns care options in the order the resident should try them, each with whether
it is open now, when it opens next, and why it is suggested.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.care.calendar import local
from bot.care.directory import CareDirectory, CareUnit, Municipality
from bot.care.options import CareOption
from bot.content.phone_book import phone_book
from bot.content.texts import texts
from bot.triage.engine import Disposition
from bot.triage.levels import Level

ADVICE_URL = "https://www.1177.se"
E_SERVICES_URL = "https://e-tjanster.1177.se"
OUT_OF_HOURS = ("jourcentral", "kvall_helg", "narakut")
SOON = dt.timedelta(hours=2)           # "opens soon" counts as available for urgent care
LAST_ADMISSION = dt.timedelta(minutes=45)  # a unit closing sooner cannot see you today
TRAVEL_KMH = 60.0                          # rough road speed to judge "can get there in time"
BARNAKUT_MAX_KM = 60
MAX_OUT_OF_HOURS = 2
OUT_OF_HOURS_MAX_KM = 50   # farther than this, the nearest akutmottagning is the better way


@dataclass(frozen=True)
class ResidentContext:
    municipality: str | None = None   # name in the care directory
    listed_unit: str | None = None    # unit id, only from verified context
    age_years: float | None = None


def resident_context(stated: str | None, mentioned: str | None, registered: str | None,
                     listed_unit: str | None, age_years: float | None) -> ResidentContext:
    """Where the resident said they are (the place this conversation settled on, else the
    latest place named in it) wins over the portal's registered municipality."""
    return ResidentContext(municipality=stated or mentioned or registered,
                           listed_unit=listed_unit, age_years=age_years)


def _t(key: str) -> str:
    return texts()[key]


def _advice(why_key: str) -> CareOption:
    entry = phone_book()["healthcare_advice"]
    return CareOption(kind="advice", name=entry.name, phone=entry.number, url=ADVICE_URL,
                      why=_t(why_key), open_now=True)


def _emergency() -> CareOption:
    entry = phone_book()["emergency"]
    return CareOption(kind="emergency", name=f"Ring {entry.number}", phone=entry.number,
                      why=_t("route_emergency"), open_now=True)


def outage_options(level: Level) -> list[CareOption]:
    """Care options when the dialogue is down: 112 for an emergency, else 1177, which can
    find the right place when the bot cannot."""
    return [_emergency()] if level == Level.EMERGENCY else [_advice("route_advice_urgent")]


def unit_option(unit: CareUnit, when: dt.datetime, why: str,
                distance_km: float | None = None) -> CareOption:
    opening = unit.next_opening(when)
    # open_now and next_opening stay for routing; the card shows them only when verified.
    return CareOption(
        kind=unit.kind, name=unit.name, why=why,
        phone=(unit.phone or None) if unit.verified else None,
        address=(unit.address or None) if unit.municipality else None, url=unit.url,
        open_now=unit.is_open(when),
        next_opening=opening.isoformat(timespec="minutes") if opening else None,
        hours_verified=unit.verified,
        unit_id=unit.id,
        distance_km=round(distance_km) if distance_km is not None else None,
    )


def _generic_digital() -> CareOption:
    return CareOption(kind="digital", name=_t("option_name_e_services"), url=E_SERVICES_URL,
                      why=_t("route_digital"))


def _digital(directory: CareDirectory, region: str | None, when: dt.datetime) -> CareOption:
    units = [u for u in directory.digital(region) if region and u.region == region]
    if units:
        return unit_option(units[0], when, _t("route_digital"))
    return _generic_digital()


def _whereabouts(context: ResidentContext, directory: CareDirectory
                 ) -> tuple[Municipality | None, CareUnit | None, str | None]:
    """The resident's place (else their listed unit's), listed unit and region."""
    listed = directory.units.get(context.listed_unit or "")
    place = directory.municipalities.get(context.municipality or "")
    if place is None and listed is not None and listed.municipality:
        place = directory.municipalities.get(listed.municipality)
    region = place.region if place else (listed.region if listed else None)
    return place, listed, region


def route_unknown_problem(when: dt.datetime, context: ResidentContext,
                          directory: CareDirectory) -> list[CareOption]:
    """Where to go when the resident has not said what the problem is: advice from 1177 and
    digital care first, then the places that see people today (egenvård först, digitalt i
    andra hand, fysiskt när det behövs)."""
    urgent = route_level(Level.URGENT, when, context, directory)
    _, _, region = _whereabouts(context, directory)
    return [_advice("route_advice_first"), _digital(directory, region, local(when)),
            *(o for o in urgent if o.kind != "advice")]


def _available_soon(unit: CareUnit, when: dt.datetime, distance_km: float = 0.0) -> bool:
    """Open long enough to get there and be seen, or opening within SOON."""
    travel = dt.timedelta(hours=distance_km / TRAVEL_KMH)
    if unit.is_open(when):
        until = unit.open_until(when)
        return until is None or until - when >= LAST_ADMISSION + travel
    opening = unit.next_opening(when)
    return opening is not None and opening - when <= SOON


def _emergency_department(directory: CareDirectory, place: Municipality,
                          age: float | None) -> CareUnit | None:
    if age is not None and age < 18:
        for unit in directory.nearest(place, ("barnakut",), age):
            if directory.distance_km(unit, place) <= BARNAKUT_MAX_KM:
                return unit
    units = directory.nearest(place, ("akutmottagning",), age)
    return units[0] if units else None


def route(disposition: Disposition, when: dt.datetime, context: ResidentContext,
          directory: CareDirectory) -> list[CareOption]:
    """Care options for a triage outcome, most suitable first."""
    return route_level(disposition.level, when, context, directory,
                       digital_ok=disposition.digital_ok,
                       administrative=disposition.administrative,
                       emergency_department=disposition.emergency_department)


def route_level(level: Level, when: dt.datetime, context: ResidentContext,
                directory: CareDirectory, digital_ok: bool = False,
                administrative: bool = False,
                emergency_department: bool = False) -> list[CareOption]:
    when = local(when)
    place, listed, region = _whereabouts(context, directory)
    age = context.age_years

    def distance(unit: CareUnit) -> float | None:
        return directory.distance_km(unit, place) if place and unit.municipality else None

    def digital() -> CareOption:
        return _digital(directory, region, when)

    def own_vardcentral(why_key: str) -> list[CareOption]:
        if listed is not None:
            return [unit_option(listed, when, _t(why_key), distance(listed))]
        return [CareOption(kind="vardcentral", name=_t("route_your_vardcentral"),
                           url=E_SERVICES_URL, why=_t(why_key))]

    if level == Level.EMERGENCY:
        options = [_emergency()]
        if place is not None:
            unit = _emergency_department(directory, place, age)
            if unit is not None:
                options.append(unit_option(unit, when, _t("route_emergency_department"),
                                           distance(unit)))
        return options

    if administrative:
        return [*own_vardcentral("route_administrative"), _advice("route_advice_any_time")]

    if level == Level.SELF_CARE:
        return [_advice("route_advice_self_care"), digital(),
                *own_vardcentral("route_vardcentral_if_worse")]

    if level == Level.PRIMARY_CARE:
        options = [digital()] if digital_ok else []
        options += own_vardcentral("route_vardcentral_within_days")
        options.append(_advice("route_advice_any_time"))
        return options

    # Urgent: assessment today.
    options: list[CareOption] = []
    if emergency_department:
        unit = _emergency_department(directory, place, age) if place else None
        if unit is not None:
            options.append(unit_option(unit, when, _t("route_emergency_department_now"),
                                       distance(unit)))
        else:
            options.append(CareOption(kind="akutmottagning", name=_t("route_nearest_ed"),
                                      why=_t("route_emergency_department_now")))
        return [*options, _advice("route_advice_urgent")]
    if listed is not None and listed.serves_age(age) and _available_soon(listed, when):
        options.append(unit_option(listed, when, _t("route_vardcentral_today"),
                                   distance(listed)))
    elif listed is None and place is not None and any(
        _available_soon(u, when) for u in directory.vardcentraler(place.name)
    ):
        # Office hours: the resident's own vårdcentral, whichever it is.
        local_units = directory.vardcentraler(place.name)
        open_now = any(u.is_open(when) for u in local_units)
        openings = [o for u in local_units if (o := u.next_opening(when)) is not None]
        options.append(CareOption(
            kind="vardcentral", name=_t("route_your_vardcentral"),
            why=_t("route_vardcentral_today"), open_now=open_now,
            next_opening=None if open_now or not openings
            else min(openings).isoformat(timespec="minutes")))
    if place is not None and not options:
        nearby = [u for u in directory.nearest(place, OUT_OF_HOURS, age)
                  if (distance(u) or 0) <= OUT_OF_HOURS_MAX_KM
                  and _available_soon(u, when, distance(u) or 0)]
        nearby.sort(key=lambda u: (not u.is_open(when), round(distance(u) or 0) // 15))
        options += [unit_option(u, when, _t("route_out_of_hours"), distance(u))
                    for u in nearby[:MAX_OUT_OF_HOURS]]
        if not options:
            unit = _emergency_department(directory, place, age)
            if unit is not None:
                options.append(unit_option(unit, when, _t("route_emergency_department_today"),
                                           distance(unit)))
    if place is None and listed is None:
        options.append(CareOption(kind="vardcentral", name=_t("route_your_vardcentral"),
                                  why=_t("route_vardcentral_or_jour_today")))
    options.append(_advice("route_advice_urgent"))
    return options
