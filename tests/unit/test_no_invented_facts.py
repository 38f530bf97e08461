"""Nothing invented reaches a resident (issue 16): no placeholder phone number and no
unverified opening hours in any care reply, for every unit, place, level and time."""

from __future__ import annotations

import datetime as dt
import json
import re

from bot.care.calendar import TZ
from bot.care.directory import UNITS_FILE, content_directory
from bot.care.routing import ResidentContext, route_level
from bot.care.wording import opening_hours_answer, option_line, unit_status
from bot.config import SAMPLE_DIRECTORY_EXPORT
from bot.content.phone_book import phone_book
from bot.triage.levels import Level

DIRECTORY = content_directory()
TIMES = [dt.datetime(2026, 11, 24, 10, 0, tzinfo=TZ), dt.datetime(2026, 11, 24, 19, 30, tzinfo=TZ),
         dt.datetime(2026, 11, 28, 12, 0, tzinfo=TZ), dt.datetime(2026, 12, 25, 3, 0, tzinfo=TZ)]
PLACEHOLDER = re.compile(r"\d{2,4}-000 00 \d\d")
NUMBER = re.compile(r"\b0\d{1,3}-\d[\d ]{3,9}\d\b")
CLOCK = re.compile(r"\b\d\d:\d\d\b")
ALLOWED = ({entry.number for entry in phone_book().values()}
           | {u.phone for u in DIRECTORY.units.values()
              if u.phone and u.status == "verified" and u.hours_verified})


def replies() -> list[tuple[str, str]]:
    """Every care text the directory can produce: (what, text)."""
    found = []
    for when in TIMES:
        for unit in DIRECTORY.units.values():
            found.append((f"status {unit.id}", unit_status(unit, when)))
        for place in DIRECTORY.municipalities:
            context = ResidentContext(municipality=place)
            for level in Level:
                for option in route_level(level, when, context, DIRECTORY):
                    found.append((f"{place} {level.id}", option_line(option, when)))
            for question in ("har vårdcentralen öppet?", "när öppnar jouren?"):
                found += [(f"{place} {question}", line)
                          for line in opening_hours_answer(question, when, context, DIRECTORY)]
    return found


def test_the_content_and_the_sample_hold_no_placeholder_number() -> None:
    assert not PLACEHOLDER.search(UNITS_FILE.read_text(encoding="utf-8"))
    assert not PLACEHOLDER.search(SAMPLE_DIRECTORY_EXPORT.read_text(encoding="utf-8"))
    assert json.loads(SAMPLE_DIRECTORY_EXPORT.read_text(encoding="utf-8"))["units"]


def test_no_reply_shows_a_number_that_is_not_verified() -> None:
    texts = replies()
    assert len(texts) > 1000
    for what, text in texts:
        assert not PLACEHOLDER.search(text), (what, text)
        for number in NUMBER.findall(text):
            assert number in ALLOWED, (what, number, text)


def test_only_verified_units_show_hours() -> None:
    for what, text in replies():
        units = [u for u in DIRECTORY.units.values() if text.startswith(u.name)]
        if units and not (units[0].hours_verified and units[0].status == "verified"):
            assert not CLOCK.search(text), (what, text)
            assert "1177.se" in text or units[0].url in text, (what, text)
