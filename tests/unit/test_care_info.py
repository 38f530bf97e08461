"""Care guarantee and care information answers: content-backed, sourced and dated."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from bot.care.calendar import TZ
from bot.care.directory import content_directory
from bot.care.info import guarantee_answer, info_answer, video_answer
from bot.care.routing import ResidentContext
from bot.care.wording import asks_out_of_hours, opening_hours_answer, opening_time, unit_status

DIRECTORY = content_directory()
TUESDAY_16 = dt.datetime(2026, 11, 24, 16, 0, tzinfo=TZ)


def test_guarantee_overview_states_0_3_90_90_and_both_regions() -> None:
    answer = guarantee_answer("vad är vårdgarantin?", None)
    text = " ".join(answer.texts)
    assert "0–3–90–90" in text and "inom 3 dagar" in text
    assert "14 dagar" in text and "60 dagar" in text          # VGR cancer limits, Halland 60
    assert "020-44 55 55" in text and "0771-900 600" in text
    assert all(source.url.startswith("https://") for source in answer.sources)
    assert "granskade 2026-11-22" in answer.sources_text()


def test_guarantee_not_met_is_regional() -> None:
    text = " ".join(guarantee_answer("vårdgarantin hålls inte, jag har väntat", "VGR").texts)
    assert "020-44 55 55" in text and "0771-900 600" not in text


def test_guarantee_assessment_and_exclusions() -> None:
    who = " ".join(guarantee_answer("vem gör bedömningen inom tre dagar?", "Halland").texts)
    assert "sjuksköterska" in who
    excluded = " ".join(guarantee_answer("gäller den för återbesök?", None).texts)
    assert "återbesök" in excluded and "akut" in excluded


def test_listing_and_video_answers() -> None:
    assert "två gånger per år" in info_answer("change_unit").texts[0]
    assert "Närhälsan Online" in video_answer("VGR").texts[0]
    assert "Närhälsan Online" not in video_answer("Halland").texts[0]


def test_opening_status_texts() -> None:
    # As if its hours came from a verified source (an HSA import).
    unit = replace(DIRECTORY.units["narhalsan_lundby"], status="verified", hours_verified=True,
                   phone="031-123 45 67")
    assert "har öppet nu" in unit_status(unit, TUESDAY_16)
    closed = unit_status(unit, dt.datetime(2026, 11, 28, 12, 0, tzinfo=TZ))  # Saturday
    assert "stängd nu och öppnar måndag 08:00" in closed and "031-123 45 67" in closed


def test_a_unit_without_verified_hours_gets_no_hours_and_no_phone() -> None:
    demo = replace(DIRECTORY.units["narhalsan_lundby"], phone="031-123 45 67")
    text = unit_status(demo, TUESDAY_16)
    assert "1177.se" in text and "1177" in text.replace("1177.se", "")
    assert not re.search(r"\d\d:\d\d", text) and "031-123 45 67" not in text
    assert "öppet nu" not in text and "stängd" not in text


def test_which_units_a_question_is_about() -> None:
    assert asks_out_of_hours("när öppnar jouren i Varberg?")
    assert not asks_out_of_hours("har min vårdcentral öppet nu?")
    lines = opening_hours_answer("när öppnar jouren i Varberg?", TUESDAY_16,
                                 ResidentContext(municipality="Varberg"), DIRECTORY)
    assert "Varberg" in lines[0] and "1177.se" in lines[0]   # a demo unit: no invented hours


def test_opening_time() -> None:
    assert opening_time(TUESDAY_16 + dt.timedelta(hours=1), TUESDAY_16) == "i dag 17:00"
    assert opening_time(TUESDAY_16 + dt.timedelta(days=1), TUESDAY_16) == "i morgon 16:00"
    assert opening_time(TUESDAY_16 + dt.timedelta(days=3), TUESDAY_16) == "fredag 16:00"
