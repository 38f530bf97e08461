"""Everyday questions through /api/chat: what the bot can do, data protection, a fallback
that offers meanings, identifiers never echoed, places remembered from anywhere, and the
committed question set (bot/questions_eval.py) with its floors."""

from __future__ import annotations

import pytest

from bot.config import ROOT
from tests.integration.conftest import RunningSystem
from tests.integration.helpers import buttons, new_sender, texts
from tests.tools.questions_eval import evaluate


def test_what_can_you_do_lists_the_errands_with_buttons(system: RunningSystem) -> None:
    replies = system.say(new_sender(), "vad kan du hjälpa mig med?")
    assert "bedöma besvär" in texts(replies) and "112" in texts(replies)
    assert "/book_appointment" in {b["payload"] for b in buttons(replies)}


def test_a_capability_button_starts_its_errand(system: RunningSystem) -> None:
    sender = new_sender()
    system.say(sender, "vad kan du göra")
    answer = texts(system.say(sender, "/ask_care_guarantee"))
    assert "0–3–90–90" in answer


def test_privacy_question_says_what_is_kept_and_for_how_long(system: RunningSystem) -> None:
    answer = texts(system.say(new_sender(), "sparas det jag skriver här? vem läser det?"))
    assert f"{system.settings.retention_days} dagar" in answer and "journal" in answer


def test_same_day_contact_is_the_care_guarantee_not_a_place_question(
        system: RunningSystem) -> None:
    answer = texts(system.say(new_sender(), "måste vårdcentralen svara samma dag?"))
    assert "0–3–90–90" in answer and "kommun" not in answer


def test_identifiers_are_never_echoed_and_the_question_is_understood(
        system: RunningSystem) -> None:
    sender = new_sender()
    replies = texts(system.say(sender, "hej mitt pnr är 19850101-1234 när är min tid på vc?"))
    assert "1985" not in replies and "1234" not in replies and "förstod inte" not in replies
    rows = system.transcript(sender)
    assert rows[0]["text"] == "hej mitt pnr är [personnummer] när är min tid på vc?"
    assert rows[0]["intent"] == "list_bookings"


def test_a_place_named_in_another_question_is_used_later(system: RunningSystem) -> None:
    sender = new_sender()
    system.say(sender, "hur lång är vårdgarantin? jag bor i Lerum")
    answer = texts(system.say(sender, "öppettider vc?"))
    assert "Lerum" in answer and "Vilken kommun" not in answer


def test_keyword_style_care_question(system: RunningSystem) -> None:
    answer = texts(system.say(new_sender(), "jour kungsbacka?"))
    assert "Kungsbacka" in answer and "förstod inte" not in answer


def test_question_case_set(system: RunningSystem, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print()
        report = evaluate(system.url, system.settings.database_url, details=False,
                          results_file=ROOT / "var" / "test-results" / "questions_eval.json")
    assert report.echoes == 0 and report.errors == 0
    # Floors below the measured figures (README), so a regression fails the build.
    assert report.accuracy >= 0.93, report.confusions
    assert report.fallback_rate <= 0.05, report.confusions


def test_a_message_of_only_a_personnummer_is_answered_without_it(system: RunningSystem) -> None:
    sender = new_sender()
    answer = texts(system.say(sender, "mitt pnr är 19850101-1234"))
    assert "personnummer" in answer and "8501011234" not in answer.replace("-", "")
    assert "förstod inte" not in answer
    rows = system.transcript(sender)
    assert rows[0]["text"] == "mitt pnr är [personnummer]"


def test_weighing_kinds_of_care_is_answered_without_asking_the_place(
        system: RunningSystem) -> None:
    answer = texts(system.say(new_sender(), "vad är skillnaden mellan jourcentral och akuten?"))
    assert "Akutmottagningen" in answer and "Vilken kommun" not in answer
