"""Swedish time preferences for booking: "imorgon förmiddag", "på torsdag", "nästa vecka",
"den 3 december", "efter lunch", "måndag kl 10" -> a window of days and hours.

Always relative to an explicit `now`, so tests can fix the clock.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.triage.normalise import fold

WEEKDAYS = {"mandag": 0, "man": 0, "tisdag": 1, "tis": 1, "onsdag": 2, "ons": 2,
            "torsdag": 3, "tors": 3, "fredag": 4, "fre": 4, "lordag": 5, "sondag": 6,
            "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
            "saturday": 5, "sunday": 6}
MONTHS = {"januari": 1, "jan": 1, "februari": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4,
          "apr": 4, "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augusti": 8, "aug": 8,
          "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11,
          "nov": 11, "december": 12, "dec": 12}
MORNING = (8 * 60, 12 * 60)
AFTERNOON = (12 * 60, 17 * 60)
WHOLE_DAY = (0, 24 * 60)
SEARCH_DAYS = 14


@dataclass(frozen=True)
class TimeWindow:
    first_day: dt.date
    last_day: dt.date          # inclusive
    minutes: tuple[int, int]   # [from, to) within each day
    exact: dt.time | None = None
    understood: bool = True    # False: nothing recognised; the window is "soon, any time"

    def contains(self, when: dt.datetime) -> bool:
        minute = when.hour * 60 + when.minute
        return (self.first_day <= when.date() <= self.last_day
                and self.minutes[0] <= minute < self.minutes[1])


def _next_weekday(today: dt.date, weekday: int, next_week: bool) -> dt.date:
    days = (weekday - today.weekday()) % 7
    if days == 0:
        days = 7
    day = today + dt.timedelta(days=days)
    if next_week and day < today + dt.timedelta(days=7 - today.weekday()):
        day += dt.timedelta(days=7)
    return day


def parse_when(text: str, now: dt.datetime) -> TimeWindow:
    folded = fold(text)
    today = now.date()
    first, last = today, today + dt.timedelta(days=SEARCH_DAYS)
    understood = False

    if re.search(r"\b(i ?morgon|imorn|i morn|tomorrow)\b", folded) and not re.search(
            r"\bi morse\b", folded):
        first = last = today + dt.timedelta(days=1)
        understood = True
    elif re.search(r"\b(i ?overmorgon|day after tomorrow)\b", folded):
        first = last = today + dt.timedelta(days=2)
        understood = True
    elif re.search(r"\b(i ?dag|idag|today)\b", folded):
        first = last = today
        understood = True

    date_match = re.search(r"\b(\d{1,2})(?:e|:e)?\s+(" + "|".join(MONTHS) + r")\b", folded)
    numeric = re.search(r"\b(\d{1,2})/(\d{1,2})\b", folded)
    if date_match or numeric:
        day_number = int((date_match or numeric).group(1))
        month = MONTHS[date_match.group(2)] if date_match else int(numeric.group(2))
        year = today.year
        try:
            day = dt.date(year, month, day_number)
            if day < today:
                day = dt.date(year + 1, month, day_number)
            first = last = day
            understood = True
        except ValueError:
            pass
    else:
        for name, weekday in WEEKDAYS.items():
            if re.search(rf"\b{name}\b", folded):
                next_week = bool(re.search(r"\bnasta (vecka|veckas)\b", folded))
                first = last = _next_weekday(today, weekday, next_week)
                understood = True
                break
        else:
            if re.search(r"\bnasta vecka|next week\b", folded):
                monday = today + dt.timedelta(days=7 - today.weekday())
                first, last = monday, monday + dt.timedelta(days=4)
                understood = True
            elif re.search(r"\b(den har veckan|denna vecka|this week)\b", folded):
                first, last = today, today + dt.timedelta(days=4 - min(today.weekday(), 4))
                understood = True

    minutes = WHOLE_DAY
    exact = None
    clock = re.search(r"\b(?:kl\.?|klockan|at)\s*(\d{1,2})(?:[.:](\d{2}))?\b", folded)
    if clock and int(clock.group(1)) < 24:
        exact = dt.time(int(clock.group(1)), int(clock.group(2) or 0))
        minutes = (exact.hour * 60 + exact.minute, exact.hour * 60 + exact.minute + 60)
        understood = True
    elif re.search(r"\b(formiddag\w*|pa morgonen|tidigt|morning)\b", folded):
        minutes = MORNING   # "i morgon" is tomorrow, not the morning
        understood = True
    elif re.search(r"\b(eftermiddag\w*|efter lunch|afternoon)\b", folded):
        minutes = AFTERNOON
        understood = True
    if re.search(r"\b(snarast|sa snart som mojligt|forsta lediga|asap|soon)\b", folded):
        understood = True
    return TimeWindow(first, last, minutes, exact, understood)
