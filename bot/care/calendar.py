"""Swedish time: Europe/Stockholm, with public holidays and eves treated as weekend days.

Computed for any year with the maintained `holidays` package. Eves that are days off in
practice (julafton, midsommarafton, nyårsafton, påskafton, pingstafton) count as holidays;
the "from 14:00" half-days and bridge days do not.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

TZ = ZoneInfo("Europe/Stockholm")
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOLIDAY_KEY = "holiday"
_EVES = ("julafton", "midsommarafton", "nyarsafton", "nyårsafton", "påskafton", "pingstafton")


@lru_cache(maxsize=64)
def _holidays(year: int) -> dict[dt.date, str]:
    public = holidays.SE(years=year, language="sv", include_sundays=False)
    days = dict(public.items())
    extra = holidays.SE(years=year, language="sv", include_sundays=False,
                        categories=("bank", "optional"))
    for day, name in extra.items():
        lowered = name.lower()
        # Eves that are days off in practice; "från kl. 14.00" half days keep weekday hours.
        if any(eve in lowered for eve in _EVES) and "från kl" not in lowered:
            days.setdefault(day, name)
    return days


def holiday_name(day: dt.date) -> str | None:
    return _holidays(day.year).get(day)


def day_key(day: dt.date) -> str:
    """'holiday' for public holidays and eves, else mon..sun."""
    return HOLIDAY_KEY if holiday_name(day) else DAY_KEYS[day.weekday()]


def local(when: dt.datetime) -> dt.datetime:
    """The time in Sweden; naive datetimes are taken as Swedish local time."""
    if when.tzinfo is None:
        return when.replace(tzinfo=TZ)
    return when.astimezone(TZ)


def now() -> dt.datetime:
    return dt.datetime.now(TZ)
