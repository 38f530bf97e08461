"""Care navigation actions: where and when to get care, the care guarantee, listing.

Thin adapters: each reads slots, calls bot.care, and sends the texts it gets back.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import listed_unit, routing_context
from actions.directory import care_directory
from bot.care.answers import opening_hours_answer, option_line, unit_status, where_care_options
from bot.care.calendar import now
from bot.care.info import (
    InfoAnswer,
    asks_about_care_levels,
    guarantee_answer,
    info_answer,
    video_answer,
)
from bot.care.routing import ResidentContext, route
from bot.content.texts import render, texts
from bot.triage.engine import Disposition, TriageState
from bot.triage.levels import Level

CARE_QUESTIONS = ("ask_opening_hours", "ask_where_care")


def region(tracker: Tracker) -> str | None:
    resident = routing_context(tracker)
    place = care_directory().municipalities.get(resident.municipality or "")
    unit = care_directory().units.get(resident.listed_unit or "")
    return place.region if place else (unit.region if unit else None)


def send_info(dispatcher: CollectingDispatcher, answer: InfoAnswer) -> list[dict[str, Any]]:
    """Sends the answer with a "Visa källor" button; the sources wait in a slot."""
    for text in answer.texts[:-1]:
        dispatcher.utter_message(text=text)
    dispatcher.utter_message(text=answer.texts[-1],
                             buttons=[{"title": texts()["sources_offer"],
                                       "payload": "/ask_source"}])
    return [SlotSet("last_sources", answer.sources_text())]


def send_care_options(dispatcher: CollectingDispatcher, options: list, municipality: str
                      ) -> None:
    current = now()
    lines = [render("care_options_intro", municipality=municipality)]
    lines += [option_line(option, current) for option in options]
    dispatcher.utter_message(text="\n".join(lines))
    dispatcher.utter_message(json_message={"type": "care_options",
                                           "options": [o.to_dict() for o in options]})


def place_from(tracker: Tracker) -> tuple[str | None, tuple[str, ...]]:
    """The municipality the latest message names: (name, suggestions)."""
    entity = next(tracker.get_latest_entity_values("municipality"), None)
    text = entity or tracker.latest_message.get("text") or ""
    if text.startswith("/"):
        return None, ()
    match = care_directory().find_municipality(text)
    if match.municipality is not None:
        return match.municipality.name, ()
    return None, match.suggestions


def suggest(dispatcher: CollectingDispatcher, suggestions: tuple[str, ...]) -> None:
    if suggestions:
        buttons = [{"title": name,
                    "payload": f'/inform_municipality{{"municipality": "{name}"}}'}
                   for name in suggestions]
        dispatcher.utter_message(text=render("municipality_suggest",
                                             suggestions=" eller ".join(suggestions)),
                                 buttons=buttons)
    else:
        dispatcher.utter_message(text=texts()["municipality_unknown"])


class ActionSetMunicipality(Action):
    """The resident says where they are; a triage outcome gets its local care options."""

    def name(self) -> str:
        return "action_set_municipality"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        name, suggestions = place_from(tracker)
        if name is None:
            suggest(dispatcher, suggestions)
            return []
        state = TriageState.from_dict(tracker.get_slot("triage_state"))
        if state.finished and state.disposition:
            disposition = Disposition.from_dict(state.disposition)
            if disposition.level > Level.SELF_CARE:
                options = route(disposition, now(), ResidentContext(
                    municipality=name, listed_unit=listed_unit(tracker),
                    age_years=disposition.facts.age_years), care_directory())
                send_care_options(dispatcher, options, name)
                return [SlotSet("municipality", name)]
        dispatcher.utter_message(text=render("municipality_set", municipality=name))
        return [SlotSet("municipality", name)]


class ValidateLocationForm(FormValidationAction):
    """Asks for the municipality only when neither it nor a listed vårdcentral is known."""

    def name(self) -> str:
        return "validate_location_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: dict[str, Any]) -> list[str]:
        resident = routing_context(tracker)
        known = resident.municipality or resident.listed_unit
        intent, question = last_care_question(tracker)
        general = intent == "ask_where_care" and asks_about_care_levels(question)
        return [] if known or general else domain_slots

    async def validate_municipality(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: dict[str, Any]
                                    ) -> dict[str, Any]:
        match = care_directory().find_municipality(str(value or ""))
        if match.municipality is not None:
            return {"municipality": match.municipality.name}
        suggest(dispatcher, match.suggestions)
        return {"municipality": None}


class ActionAskMunicipality(Action):
    """The location form's question (a custom action, so its text lives with the others)."""

    def name(self) -> str:
        return "action_ask_municipality"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        # The question itself may name the place in a way the entity lookup missed: a
        # misspelling ("jour kungsbaka?") or a locality ("Mölnlycke"). Offer it as a button.
        places = care_directory().places_in_question(tracker.latest_message.get("text") or "")
        if places:
            suggest(dispatcher, places)
            return []
        dispatcher.utter_message(text=texts()["need_municipality"])
        return []


def last_care_question(tracker: Tracker) -> tuple[str | None, str]:
    """The most recent care question's intent and text (the form came in between). A button
    chosen after a misunderstanding ("/ask_opening_hours") stands for the resident's own
    words just before it, which may name the place or the unit."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    for index in range(len(users) - 1, -1, -1):
        event = users[index]
        intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
        if intent in CARE_QUESTIONS:
            text = event.get("text") or ""
            if text.startswith("/") and index > 0:
                before = users[index - 1].get("text") or ""
                text = "" if before.startswith("/") else before
            return intent, text
    return None, ""


class ActionAnswerCareQuestion(Action):
    def name(self) -> str:
        return "action_answer_care_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        intent, question = last_care_question(tracker)
        resident = routing_context(tracker)
        current = now()
        if intent == "ask_opening_hours":
            for line in opening_hours_answer(question, current, resident, care_directory()):
                dispatcher.utter_message(text=line)
            return []
        events: list[dict[str, Any]] = []
        if asks_about_care_levels(question):
            # Which kind of care, not where: the general answer; the places only if known.
            events = send_info(dispatcher, info_answer("care_levels"))
            if not (resident.municipality or resident.listed_unit):
                return events
        options = where_care_options(current, resident, care_directory())
        place = resident.municipality or ""
        send_care_options(dispatcher, options, place or texts()["route_your_vardcentral"])
        dispatcher.utter_message(text=texts()["where_care_self_care"])
        return events


class ActionListedUnit(Action):
    def name(self) -> str:
        return "action_listed_unit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        unit = care_directory().units.get(listed_unit(tracker) or "")
        if unit is None:
            return send_info(dispatcher, info_answer("listed_unit_unknown"))
        dispatcher.utter_message(text=render("listed_unit_known", name=unit.name,
                                             status=unit_status(unit, now())))
        return []


class ActionVideoVisit(Action):
    def name(self) -> str:
        return "action_video_visit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        return send_info(dispatcher, video_answer(region(tracker)))


class ActionChangeUnit(Action):
    def name(self) -> str:
        return "action_change_unit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        return send_info(dispatcher, info_answer("change_unit"))


class ActionCareGuarantee(Action):
    def name(self) -> str:
        return "action_care_guarantee"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        question = tracker.latest_message.get("text") or ""
        return send_info(dispatcher, guarantee_answer(question, region(tracker)))


class ActionShowSources(Action):
    def name(self) -> str:
        return "action_show_sources"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=tracker.get_slot("last_sources") or texts()["no_sources"])
        return []
