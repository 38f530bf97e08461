"""The triage conversation: answers read, questions asked, the outcome with care options,
a red flag's 112 and "why do you ask?", as plain functions to a `Reply`.

The state of a triage lives in the `triage_state` slot (a plain dict), so any action server
replica can continue any conversation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from bot.care.directory import CareDirectory
from bot.care.routing import ResidentContext, route
from bot.contract import triage_result
from bot.reply import Message, Reply
from bot.triage.engine import Disposition, TriageEngine, TriageState
from bot.triage.facts import extract_facts
from bot.triage.wording import ask_message, disposition_messages

STATE, ANSWER = "triage_state", "triage_answer"
DONE = "done"   # the form's answer slot once there is an outcome
FORM = "triage_form"


@dataclass(frozen=True)
class TriageTurn:
    """What the resident said and who they are, as the adapter read it."""
    text: str
    now: dt.datetime
    intent: str | None = None
    state: dict[str, Any] | None = None   # the triage_state slot
    pending: bool = False                 # the form is waiting for an answer
    resident: ResidentContext = field(default_factory=ResidentContext)
    earlier: str | None = None            # the resident's message before this one


class TriageConversation:
    def __init__(self, engine: TriageEngine, directory: CareDirectory) -> None:
        self.engine = engine
        self.directory = directory

    def read(self, turn: TriageTurn, value: Any) -> Reply:
        """Every message is read, whatever was asked. At the form's start nothing is pending,
        but what the resident said earlier in the conversation still counts."""
        state = TriageState.from_dict(turn.state)
        if not turn.pending:
            state.pending, state.retries = None, 0
        # A triage that starts on this message keeps the measured signs of the one before
        # ("blodtryck 210/120 hemma nyss", not understood alone, then "har huvudvärk"); not
        # its age or duration, which may be of someone else or of another errand.
        if not state.texts and turn.earlier:
            state.facts = state.facts.merged(extract_facts(turn.earlier).vital_signs())
        advanced = self.engine.advance(state, turn.text or str(value or ""), turn.intent)
        return Reply().keep(**{ANSWER: DONE if advanced.disposition else None,
                               STATE: advanced.state.to_dict()})

    def ask(self, turn: TriageTurn) -> Reply:
        """The question the engine chose, or the end of the form when none is left."""
        asked = self.engine.ask_again(TriageState.from_dict(turn.state))
        reply = Reply().keep(**{STATE: asked.state.to_dict()})
        if asked.ask is None:
            return reply.keep(**{ANSWER: DONE})
        reply.messages.append(ask_message(asked.ask))
        return reply

    def outcome(self, turn: TriageTurn) -> Reply:
        state = TriageState.from_dict(turn.state)
        if state.disposition is None:
            state = self.engine.conclude(state).state
        assert state.disposition is not None
        return self._disposition(Disposition.from_dict(state.disposition), turn).keep(
            **{STATE: state.to_dict(), ANSWER: None})

    def emergency(self, turn: TriageTurn) -> Reply:
        """A red flag (or a stated emergency) in any state: 112 first, nothing else asked.
        Outside a triage the classifier's "emergency" alone is enough (a safety net for "det
        är akut, ring ambulans"); inside one, the red-flag rules decide."""
        state = TriageState.from_dict(turn.state)
        if state.texts and not self.engine.rules_say_emergency(state, turn.text):
            # Only the classifier said "emergency", in a conversation being triaged ("he
            # breathes faster than normal, the oximeter shows 92"): the rules decide, the
            # message is read like any other (the form rejected it, so nothing else reads
            # it), and the triage goes on or ends here.
            advanced = self.engine.advance(state, turn.text, turn.intent)
            if advanced.disposition is not None:
                return self._disposition(advanced.disposition, turn).keep(
                    **{STATE: advanced.state.to_dict(), ANSWER: None})
            return Reply().keep(**{STATE: advanced.state.to_dict(), ANSWER: None}).then(FORM)
        disposition = self.engine.emergency(state, turn.text,
                                            None if state.texts else turn.earlier)
        return self._disposition(disposition, turn).keep(**{STATE: state.to_dict(),
                                                            ANSWER: None})

    def explain(self, turn: TriageTurn) -> Reply:
        """ "Varför frågar du det?" (what else the message says is noted, as in `aside`)"""
        state = TriageState.from_dict(turn.state)
        why = self.engine.why(state) if not state.finished else None
        reply = Reply().say("why_generic") if why is None else Reply([Message(why)])
        return reply.keep(**self.aside(turn).slots) if turn.state else reply

    def aside(self, turn: TriageTurn) -> Reply:
        """A message the form does not take as an answer (a question back, a request for a
        nurse, "är du en robot?") is still read: nothing the resident wrote is lost."""
        state = TriageState.from_dict(turn.state)
        self.engine.note(state, turn.text)
        return Reply().keep(**{STATE: state.to_dict()})

    def _disposition(self, disposition: Disposition, turn: TriageTurn) -> Reply:
        """The outcome's texts and the triage contract's custom message, with care options
        for this resident (a stated age wins over the portal's age band)."""
        resident = turn.resident
        if disposition.facts.age_years is not None:
            resident = replace(resident, age_years=disposition.facts.age_years)
        options = route(disposition, turn.now, resident, self.directory)
        reply = Reply(disposition_messages(disposition))
        return reply.send(triage_result(disposition, options))
