"""The care-navigation conversation: where and when to get care, the resident's listed
vårdcentral, digital care, changing unit and the care guarantee, as plain functions to a
`Reply`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bot.care.directory import CareDirectory
from bot.care.info import (
    InfoAnswer,
    asks_about_care_levels,
    guarantee_answer,
    info_answer,
    video_answer,
)
from bot.care.options import CareOption
from bot.care.routing import ResidentContext, route
from bot.care.wording import opening_hours_answer, option_line, unit_status, where_care_options
from bot.content.texts import render
from bot.contract import care_options
from bot.reply import Message, Reply
from bot.triage.engine import Disposition, TriageState
from bot.triage.levels import Level

OPENING_HOURS, WHERE_CARE = "ask_opening_hours", "ask_where_care"
CARE_QUESTIONS = (OPENING_HOURS, WHERE_CARE)
SOURCES_SLOT = "last_sources"


@dataclass(frozen=True)
class CareTurn:
    """What the resident said and who they are, as the adapter read it."""
    text: str
    now: dt.datetime
    resident: ResidentContext = field(default_factory=ResidentContext)
    place_said: str | None = None           # the municipality entity of the latest message
    question: tuple[str | None, str] = (None, "")   # the latest care question: intent, text
    triage_state: dict[str, Any] | None = None
    sources: str | None = None              # the sources of the latest answer


def _info(answer: InfoAnswer) -> Reply:
    """The answer with a "Visa källor" button; the sources wait in a slot."""
    reply = Reply()
    reply.messages += [Message(text) for text in answer.texts[:-1]]
    reply.messages.append(Message(answer.texts[-1],
                                  ((render("sources_offer"), "/ask_source"),)))
    return reply.keep(**{SOURCES_SLOT: answer.sources_text()})


class CareConversation:
    def __init__(self, directory: CareDirectory) -> None:
        self.directory = directory

    def region(self, resident: ResidentContext) -> str | None:
        place = self.directory.municipalities.get(resident.municipality or "")
        unit = self.directory.units.get(resident.listed_unit or "")
        return place.region if place else (unit.region if unit else None)

    def _options(self, options: list[CareOption], municipality: str, now: dt.datetime
                 ) -> Reply:
        lines = [render("care_options_intro", municipality=municipality)]
        lines += [option_line(option, now) for option in options]
        return Reply([Message("\n".join(lines))]).send(care_options(options))

    @staticmethod
    def _suggest(suggestions: tuple[str, ...]) -> Reply:
        if not suggestions:
            return Reply().say("municipality_unknown")
        buttons = tuple((name, f'/inform_municipality{{"municipality": "{name}"}}')
                        for name in suggestions)
        joined = f" {render('word_or')} ".join(suggestions)
        return Reply().say("municipality_suggest", suggestions=joined, buttons=buttons)

    def _place(self, turn: CareTurn) -> tuple[str | None, tuple[str, ...]]:
        """The municipality the latest message names: (name, suggestions)."""
        text = turn.place_said or turn.text
        if text.startswith("/"):
            return None, ()
        match = self.directory.find_municipality(text)
        if match.municipality is not None:
            return match.municipality.name, ()
        return None, match.suggestions

    # --- where the resident is --------------------------------------------------------------
    def set_municipality(self, turn: CareTurn) -> Reply:
        """The resident says where they are; a triage outcome gets its local care options."""
        name, suggestions = self._place(turn)
        if name is None:
            return self._suggest(suggestions)
        state = TriageState.from_dict(turn.triage_state)
        if state.finished and state.disposition:
            disposition = Disposition.from_dict(state.disposition)
            if disposition.level > Level.SELF_CARE:
                options = route(disposition, turn.now, ResidentContext(
                    municipality=name, listed_unit=turn.resident.listed_unit,
                    age_years=disposition.facts.age_years), self.directory)
                return self._options(options, name, turn.now).keep(municipality=name)
        return Reply().say("municipality_set", municipality=name).keep(municipality=name)

    @staticmethod
    def needs_municipality(turn: CareTurn) -> bool:
        """Asked only when neither the place nor a listed vårdcentral is known, and not for
        a general question about which kind of care."""
        known = turn.resident.municipality or turn.resident.listed_unit
        intent, question = turn.question
        general = intent == WHERE_CARE and asks_about_care_levels(question)
        return not (known or general)

    def validate_municipality(self, turn: CareTurn, value: Any) -> Reply:
        match = self.directory.find_municipality(str(value or ""))
        if match.municipality is not None:
            return Reply().keep(municipality=match.municipality.name)
        return self._suggest(match.suggestions).keep(municipality=None)

    def ask_municipality(self, turn: CareTurn) -> Reply:
        # The question itself may name the place in a way the entity lookup missed: a
        # misspelling ("jour kungsbaka?") or a locality ("Mölnlycke"). Offer it as a button.
        places = self.directory.places_in_question(turn.text)
        return self._suggest(places) if places else Reply().say("need_municipality")

    # --- answers ---------------------------------------------------------------------------
    def answer_care_question(self, turn: CareTurn) -> Reply:
        intent, question = turn.question
        resident = turn.resident
        if intent == OPENING_HOURS:
            lines = opening_hours_answer(question, turn.now, resident, self.directory)
            return Reply([Message(line) for line in lines])
        reply = Reply()
        if asks_about_care_levels(question):
            # Which kind of care, not where: the general answer; the places only if known.
            reply = _info(info_answer("care_levels"))
            if not (resident.municipality or resident.listed_unit):
                return reply
        # Unless triage already found an urgent problem, ask what it is first and offer
        # 1177 and digital care before the emergency department (issue 16).
        state = TriageState.from_dict(turn.triage_state)
        urgent = bool(state.disposition) and \
            Disposition.from_dict(state.disposition).level >= Level.URGENT
        options = where_care_options(turn.now, resident, self.directory, urgent=urgent)
        place = resident.municipality or render("route_your_vardcentral")
        if not urgent:
            reply.say("where_care_ask_problem")
        answer = self._options(options, place, turn.now).say("where_care_self_care")
        reply.messages += answer.messages
        return reply

    def listed_unit(self, turn: CareTurn) -> Reply:
        unit = self.directory.units.get(turn.resident.listed_unit or "")
        if unit is None:
            return _info(info_answer("listed_unit_unknown"))
        return Reply().say("listed_unit_known", name=unit.name,
                           status=unit_status(unit, turn.now))

    def video_visit(self, turn: CareTurn) -> Reply:
        return _info(video_answer(self.region(turn.resident)))

    @staticmethod
    def change_unit(turn: CareTurn) -> Reply:
        return _info(info_answer("change_unit"))

    def care_guarantee(self, turn: CareTurn) -> Reply:
        return _info(guarantee_answer(turn.text, self.region(turn.resident)))

    @staticmethod
    def show_sources(turn: CareTurn) -> Reply:
        if turn.sources:
            return Reply([Message(turn.sources)])
        return Reply().say("no_sources")
