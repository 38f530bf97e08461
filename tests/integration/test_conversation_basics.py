"""Conversations over HTTP with the real Rasa server, action server and web app."""

from __future__ import annotations

import uuid

import requests

from tests.integration.conftest import RunningSystem
from tests.integration.helpers import buttons


def new_sender() -> str:
    return f"it-{uuid.uuid4().hex[:12]}"


def texts(messages: list[dict]) -> str:
    return " ".join(m.get("text", "") for m in messages)


def test_health_reports_every_process(system: RunningSystem) -> None:
    reply = requests.get(f"{system.url}/healthz", timeout=10)
    body = reply.json()
    assert reply.status_code == 200, body
    assert {name for name, c in body["components"].items() if c["ok"]} == {
        "web", "rasa", "actions", "database"
    }


def test_swedish_greeting_discloses_ai_and_112(system: RunningSystem) -> None:
    answer = texts(system.say(new_sender(), "Hej hej!")).lower()
    assert "digital assistent, inte en människa" in answer
    assert "vid livshotande tillstånd, ring 112" in answer


def test_greeting_without_diacritics_and_with_typo(system: RunningSystem) -> None:
    answer = texts(system.say(new_sender(), "hejsan, god kvall")).lower()
    assert "digital assistent" in answer


def test_are_you_a_robot(system: RunningSystem) -> None:
    answer = texts(system.say(new_sender(), "är du en robot eller en riktig människa?")).lower()
    assert "digital assistent" in answer and "inte en människa" in answer


def test_fallback_offers_errands_once_then_1177_and_own_words(system: RunningSystem) -> None:
    sender = new_sender()
    first = system.say(sender, "flumpa trosk vindelibom")
    assert "förstod inte" in texts(first)
    assert {"/ask_where_care", "/book_appointment"} <= {b["payload"] for b in buttons(first)}
    second = texts(system.say(sender, "grabbel snorkmos plutt"))
    assert "1177" in second and "112" in second and "egna ord" in second


def test_request_for_a_human_offers_1177_and_the_vardcentral(system: RunningSystem) -> None:
    answer = texts(system.say(new_sender(), "kan jag få prata med en riktig människa?"))
    assert "1177" in answer and "vårdcentral" in answer and "112" in answer


def test_turns_are_logged_with_intent_and_confidence(system: RunningSystem) -> None:
    sender = new_sender()
    system.say(sender, "tack så mycket för hjälpen")
    rows = system.transcript(sender)
    user = rows[0]
    assert user["role"] == "user" and user["text"] == "tack så mycket för hjälpen"
    assert user["intent"] == "thanks" and 0 < user["confidence"] <= 1
    assert rows[1]["role"] == "bot" and rows[1]["text"]
