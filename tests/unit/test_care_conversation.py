"""The care-navigation conversation service on the content directory (no Rasa, no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.care.calendar import TZ
from bot.care.conversation import SOURCES_SLOT, CareConversation, CareTurn
from bot.care.directory import content_directory
from bot.care.routing import ResidentContext
from bot.content.texts import render, texts
from bot.contract import violations
from bot.triage.engine import TriageEngine

TUESDAY_EVENING = dt.datetime(2026, 12, 8, 20, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def care() -> CareConversation:
    return CareConversation(content_directory())


def turn(text: str = "", **changes: object) -> CareTurn:
    return CareTurn(text=text, now=TUESDAY_EVENING, **changes)  # type: ignore[arg-type]


def test_a_named_place_is_kept(care: CareConversation) -> None:
    reply = care.set_municipality(turn("jag bor i Varberg"))
    assert reply.slots == {"municipality": "Varberg"}
    assert reply.messages[0].text == render("municipality_set", municipality="Varberg")


def test_an_unsure_place_gets_buttons(care: CareConversation) -> None:
    reply = care.set_municipality(turn("Varbrg"))
    assert not reply.slots
    assert any("Varberg" in title for title, _ in reply.messages[0].buttons)


def test_a_place_after_an_urgent_triage_gives_local_care_options(
        care: CareConversation) -> None:
    engine = TriageEngine()
    injury = "trillade på cykeln, handleden ser felställd ut"
    state = engine.conclude(engine.advance(None, injury).state)
    reply = care.set_municipality(turn("Borås", triage_state=state.state.to_dict()))
    assert reply.slots == {"municipality": "Borås"}
    payload = reply.messages[-1].custom
    assert payload["type"] == "care_options" and payload["options"]
    assert violations(payload) == []


def test_the_place_is_asked_only_when_unknown(care: CareConversation) -> None:
    unknown = turn(question=("ask_where_care", "var ska jag vända mig"))
    assert CareConversation.needs_municipality(unknown)
    listed = turn(resident=ResidentContext(listed_unit="narhalsan_majorna"),
                  question=("ask_where_care", "var ska jag vända mig"))
    assert not CareConversation.needs_municipality(listed)


def test_where_care_in_the_evening_lists_options_and_self_care(care: CareConversation) -> None:
    reply = care.answer_care_question(turn(
        resident=ResidentContext(municipality="Halmstad"),
        question=("ask_where_care", "var kan jag få vård ikväll")))
    # No problem described yet: what is it?, then 1177 and digital care before any place.
    assert reply.messages[0].text == texts()["where_care_ask_problem"]
    assert reply.messages[1].text.startswith(render("care_options_intro",
                                                    municipality="Halmstad"))
    options = next(m.custom for m in reply.messages if m.custom)["options"]
    assert [o["kind"] for o in options[:2]] == ["advice", "digital"]
    assert reply.messages[-1].text == texts()["where_care_self_care"]


def test_where_care_after_an_urgent_triage_gives_the_urgent_route(
        care: CareConversation) -> None:
    engine = TriageEngine()
    state = engine.advance(None, "min son 5 år har 39 feber och är slö och svår att väcka").state
    assert state.disposition and state.disposition["level"] in ("urgent", "emergency")
    reply = care.answer_care_question(turn(
        resident=ResidentContext(municipality="Halmstad"), triage_state=state.to_dict(),
        question=("ask_where_care", "var kan jag få vård ikväll")))
    assert texts()["where_care_ask_problem"] not in [m.text for m in reply.messages]
    options = next(m.custom for m in reply.messages if m.custom)["options"]
    assert options[0]["kind"] != "advice"


def test_an_unknown_listing_is_explained_with_sources(care: CareConversation) -> None:
    reply = care.listed_unit(turn())
    assert reply.messages[-1].buttons == ((texts()["sources_offer"], "/ask_source"),)
    assert reply.slots[SOURCES_SLOT]
    shown = CareConversation.show_sources(turn(sources=reply.slots[SOURCES_SLOT]))
    assert shown.messages[0].text == reply.slots[SOURCES_SLOT]
    assert CareConversation.show_sources(turn()).messages[0].text == texts()["no_sources"]


def test_the_care_guarantee_answers_with_sources(care: CareConversation) -> None:
    reply = care.care_guarantee(turn("hur länge får jag vänta på en tid?",
                                     resident=ResidentContext(municipality="Halmstad")))
    assert reply.messages and reply.slots[SOURCES_SLOT]
