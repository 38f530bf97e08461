"""Routing policy at fixed times, on the real care directory (table-driven)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.care.calendar import TZ, day_key, holiday_name
from bot.care.directory import content_directory
from bot.care.routing import ResidentContext, route_level
from bot.triage.levels import Level

DIRECTORY = content_directory()

WEEKDAY_10 = dt.datetime(2026, 11, 24, 10, 0, tzinfo=TZ)       # Tuesday
WEEKDAY_1930 = dt.datetime(2026, 11, 24, 19, 30, tzinfo=TZ)
SATURDAY_12 = dt.datetime(2026, 11, 28, 12, 0, tzinfo=TZ)
SUNDAY_23 = dt.datetime(2026, 11, 29, 23, 0, tzinfo=TZ)
MIDSOMMARAFTON = dt.datetime(2026, 6, 19, 12, 0, tzinfo=TZ)    # a Friday
JULDAGEN = dt.datetime(2026, 12, 25, 11, 0, tzinfo=TZ)         # a Friday
TUESDAY_03 = dt.datetime(2026, 11, 24, 3, 0, tzinfo=TZ)
TIMES = [WEEKDAY_10, WEEKDAY_1930, SATURDAY_12, SUNDAY_23, MIDSOMMARAFTON, JULDAGEN, TUESDAY_03]


def kinds(options: list) -> list[str]:
    return [o.kind for o in options]


def test_holidays_and_eves_count_as_weekend() -> None:
    assert holiday_name(MIDSOMMARAFTON.date()) == "Midsommarafton"
    assert day_key(JULDAGEN.date()) == "holiday"
    assert day_key(dt.date(2026, 12, 24)) == "holiday"      # julafton
    assert day_key(dt.date(2026, 12, 31)) == "holiday"      # nyårsafton
    assert day_key(dt.date(2027, 3, 26)) == "holiday"       # långfredagen, another year
    assert day_key(WEEKDAY_10.date()) == "tue"


@pytest.mark.parametrize("when", TIMES)
@pytest.mark.parametrize("age", [40, 4])
def test_emergency_is_112_first_then_nearest_emergency_department(when: dt.datetime,
                                                                  age: int) -> None:
    options = route_level(Level.EMERGENCY, when, ResidentContext("Kungälv", age_years=age),
                          DIRECTORY)
    assert options[0].kind == "emergency" and options[0].phone == "112"
    assert options[1].kind in ("akutmottagning", "barnakut") and options[1].open_now


def test_child_emergency_goes_to_childrens_emergency_where_it_exists() -> None:
    options = route_level(Level.EMERGENCY, TUESDAY_03, ResidentContext("Göteborg", age_years=4),
                          DIRECTORY)
    assert options[1].kind == "barnakut"
    adult = route_level(Level.EMERGENCY, TUESDAY_03, ResidentContext("Göteborg", age_years=40),
                        DIRECTORY)
    assert adult[1].kind == "akutmottagning"


def test_urgent_weekday_office_hours_goes_to_listed_vardcentral() -> None:
    context = ResidentContext("Göteborg", listed_unit="narhalsan_lundby", age_years=40)
    options = route_level(Level.URGENT, WEEKDAY_10, context, DIRECTORY)
    assert options[0].unit_id == "narhalsan_lundby" and options[0].open_now
    assert options[-1].kind == "advice" and options[-1].phone == "1177"


def test_urgent_without_listing_in_office_hours_points_to_own_vardcentral() -> None:
    options = route_level(Level.URGENT, WEEKDAY_10, ResidentContext("Kungälv"), DIRECTORY)
    assert kinds(options) == ["vardcentral", "advice"]


@pytest.mark.parametrize("when", [WEEKDAY_1930, SATURDAY_12, MIDSOMMARAFTON, JULDAGEN])
def test_urgent_out_of_hours_with_own_evening_clinic(when: dt.datetime) -> None:
    # Kungälv has its own jourcentral (weekdays 17-22, weekends and holidays 10-16).
    context = ResidentContext("Kungälv", listed_unit=None, age_years=40)
    options = route_level(Level.URGENT, when, context, DIRECTORY)
    assert options[0].kind in ("jourcentral", "kvall_helg", "narakut")
    assert options[0].open_now
    assert options[0].unit_id == "jourcentral_kungalv" or options[0].distance_km <= 30


def test_urgent_evening_in_a_municipality_without_evening_clinic() -> None:
    # Hylte's helgmottagning is weekends only; weekday evenings the nearest option is far.
    options = route_level(Level.URGENT, WEEKDAY_1930, ResidentContext("Hylte"), DIRECTORY)
    assert options[0].kind in ("akutmottagning", "jourcentral", "kvall_helg", "narakut")
    assert options[0].open_now and options[0].distance_km is not None


@pytest.mark.parametrize("age", [40, 4])
def test_urgent_at_night_goes_to_emergency_department(age: int) -> None:
    options = route_level(Level.URGENT, TUESDAY_03, ResidentContext("Kungälv", age_years=age),
                          DIRECTORY)
    assert options[0].kind in ("akutmottagning", "barnakut") and options[0].open_now
    if age < 18:
        assert options[0].kind == "barnakut"


def test_urgent_listed_vardcentral_closed_on_holiday_falls_back_to_jour() -> None:
    context = ResidentContext("Göteborg", listed_unit="narhalsan_lundby", age_years=40)
    options = route_level(Level.URGENT, JULDAGEN, context, DIRECTORY)
    assert options[0].unit_id != "narhalsan_lundby"
    assert options[0].open_now


def test_primary_care_digital_first_when_allowed() -> None:
    context = ResidentContext("Göteborg", listed_unit="narhalsan_lundby")
    options = route_level(Level.PRIMARY_CARE, SUNDAY_23, context, DIRECTORY, digital_ok=True)
    assert kinds(options)[:2] == ["digital", "vardcentral"]
    vardcentral = options[1]
    assert vardcentral.open_now is False and vardcentral.next_opening.startswith("2026-11-30T08")
    assert options[-1].phone == "1177"


def test_primary_care_without_digital_goes_to_vardcentral() -> None:
    options = route_level(Level.PRIMARY_CARE, WEEKDAY_10, ResidentContext("Halmstad"),
                          DIRECTORY, digital_ok=False)
    assert kinds(options)[0] == "vardcentral"


def test_self_care_is_advice_then_digital_then_vardcentral() -> None:
    options = route_level(Level.SELF_CARE, WEEKDAY_10, ResidentContext("Varberg"), DIRECTORY)
    assert kinds(options) == ["advice", "digital", "vardcentral"]


def test_without_any_place_the_options_are_still_useful() -> None:
    for level in Level:
        options = route_level(level, TUESDAY_03, ResidentContext(), DIRECTORY)
        assert options, level
        assert any(o.phone in ("112", "1177") for o in options), level


def test_emergency_department_destination_skips_the_vardcentral() -> None:
    context = ResidentContext("Göteborg", listed_unit="narhalsan_lundby", age_years=40)
    options = route_level(Level.URGENT, WEEKDAY_10, context, DIRECTORY,
                          emergency_department=True)
    assert options[0].kind == "akutmottagning"
