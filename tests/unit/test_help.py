"""What the bot can do as buttons, the fallback's likely meanings, and the gateway letting
exactly those buttons through."""

from __future__ import annotations

import asyncio
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.bootstrap import care_directory
from actions.care import last_care_question
from actions.context import mentioned_municipality, routing_context
from actions.help import ActionCapabilities, ActionFallbackSuggest, ActionPrivacy
from bot.config import ROOT
from bot.content.texts import texts
from bot.help import CAPABILITY_INTENTS, MENU, label_key, likely_meanings
from bot.web.input_rules import parse_chat_request


def tracker(text: str = "", ranking: list[dict[str, Any]] | None = None,
            events: list[dict[str, Any]] | None = None) -> Tracker:
    return Tracker(sender_id="test", slots={}, latest_message={
        "text": text, "intent": {"name": "nlu_fallback", "confidence": 1.0},
        "intent_ranking": ranking or [], "metadata": {}},
        events=events or [], paused=False, followup_action=None, active_loop={},
        latest_action_name="action_listen")


def user(text: str, intent: str, entities: list[dict[str, Any]] | None = None
         ) -> dict[str, Any]:
    return {"event": "user", "text": text,
            "parse_data": {"intent": {"name": intent}, "entities": entities or []}}


def place(value: str) -> dict[str, Any]:
    return {"entity": "municipality", "value": value}


def run(action: Any, track: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, track, {}))
    return dispatcher.messages


def test_every_capability_is_an_intent_with_a_button_title() -> None:
    intents = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])
    assert set(CAPABILITY_INTENTS) <= intents
    assert all(texts()[label_key(intent)] for intent in CAPABILITY_INTENTS)
    assert set(MENU) <= set(CAPABILITY_INTENTS)


def test_likely_meanings_keep_order_skip_small_talk_and_unlikely_guesses() -> None:
    ranking = [{"name": "nlu_fallback", "confidence": 1.0},
               {"name": "greet", "confidence": 0.4},
               {"name": "ask_opening_hours", "confidence": 0.3},
               {"name": "ask_where_care", "confidence": 0.2},
               {"name": "ask_opening_hours", "confidence": 0.2},
               {"name": "book_appointment", "confidence": 0.12},
               {"name": "ask_care_guarantee", "confidence": 0.05}]
    assert likely_meanings(ranking) == ["ask_opening_hours", "ask_where_care",
                                        "book_appointment"]
    assert likely_meanings(ranking, limit=1) == ["ask_opening_hours"]
    assert likely_meanings([{"name": "greet", "confidence": 0.9}]) == []


def test_the_fallback_offers_the_likely_meanings_as_buttons() -> None:
    messages = run(ActionFallbackSuggest(), tracker("jour + ort?", [
        {"name": "nlu_fallback", "confidence": 1.0},
        {"name": "ask_where_care", "confidence": 0.45},
        {"name": "ask_opening_hours", "confidence": 0.40}]))
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/ask_where_care",
                                                             "/ask_opening_hours"]
    assert "Menade du" in messages[0]["text"]
    assert "besvär" in messages[1]["text"]   # symptoms go to triage, in own words


def test_the_fallback_without_a_likely_meaning_offers_the_main_errands() -> None:
    messages = run(ActionFallbackSuggest(), tracker("qwxz", [
        {"name": "nlu_fallback", "confidence": 1.0}, {"name": "greet", "confidence": 0.9}]))
    assert [b["payload"] for b in messages[0]["buttons"]] == [f"/{i}" for i in MENU[:4]]


def test_unknown_words_get_the_main_errands_not_the_classifiers_guesses() -> None:
    track = tracker("flumpa trosk", [{"name": "nlu_fallback", "confidence": 1.0},
                                     {"name": "rebook_appointment", "confidence": 0.3}])
    track.latest_message["language_guard"] = {"known_words": 0, "words": 2}
    messages = run(ActionFallbackSuggest(), track)
    assert [b["payload"] for b in messages[0]["buttons"]] == [f"/{i}" for i in MENU[:4]]


def test_capabilities_and_privacy_answers() -> None:
    capabilities = run(ActionCapabilities(), tracker())
    assert "bedöma besvär" in capabilities[0]["text"] and "112" in capabilities[0]["text"]
    assert [b["payload"] for b in capabilities[1]["buttons"]] == [f"/{i}" for i in MENU]
    privacy = " ".join(m["text"] for m in run(ActionPrivacy(), tracker()))
    assert "90 dagar" in privacy and "Personnummer" in privacy and "GDPR" in privacy


def test_the_gateway_lets_the_capability_buttons_through_and_nothing_else() -> None:
    for intent in CAPABILITY_INTENTS:
        assert parse_chat_request({"sender": "s", "message": f"/{intent}"}).text == f"/{intent}"
    for smuggled in ("/ask_privacy{\"x\": 1}", "/describe_symptom", "/emergency"):
        assert not parse_chat_request({"sender": "s", "message": smuggled}).text.startswith("/")


def test_a_municipality_named_earlier_in_the_conversation_is_used() -> None:
    events = [user("ont i halsen, bor i Lerum", "describe_symptom", [place("Lerum")]),
              user("öppettider vc?", "ask_opening_hours")]
    assert mentioned_municipality(tracker(events=events)) == "Lerum"
    assert routing_context(tracker(events=events)).municipality == "Lerum"
    newer = [*events, user("jag är i Borås nu", "inform_municipality", [place("Borås")])]
    assert mentioned_municipality(tracker(events=newer)) == "Borås"


def test_a_place_that_is_also_a_word_needs_a_preposition() -> None:
    word = [user("kan det vara farligt?", "describe_symptom", [place("vara")])]
    assert mentioned_municipality(tracker(events=word)) is None
    town = [user("jag bor i Vara", "inform_municipality", [place("Vara")])]
    assert mentioned_municipality(tracker(events=town)) == "Vara"


def test_a_care_question_chosen_by_button_keeps_the_residents_own_words() -> None:
    events = [user("vc kungsbacka tider?", "nlu_fallback"),
              user("/ask_opening_hours", "ask_opening_hours")]
    assert last_care_question(tracker(events=events)) == ("ask_opening_hours",
                                                          "vc kungsbacka tider?")
    assert last_care_question(tracker(events=[user("/ask_where_care", "ask_where_care")])) == (
        "ask_where_care", "/ask_where_care")


def test_a_place_the_lookup_missed_is_offered_not_asked_for() -> None:
    places_in_question = care_directory().places_in_question

    assert places_in_question("jour kungsbaka?") == ("Kungsbacka",)
    assert places_in_question("öppettider vårdcentralen i göteborgh") == ("Göteborg",)
    assert places_in_question("vc i Hjo") == ("Hjo",)
    for no_place in ("har alla vårdcentraler öppet på lördag?", "kan det vara öppet nu",
                     "när stänger jouren ikväll", "/ask_opening_hours"):
        assert places_in_question(no_place) == ()
