"""The triage engine: from what the resident has said to the next question or a Disposition.

Pure Python over content data. The dialogue layer keeps a `TriageState` between turns
(as a dict) and calls `advance` with every new message. The engine:
1. screens all text so far for red flags (a red flag only ever raises the level);
2. picks the protocol of the chief complaint (asking which is worst when several fit);
3. answers questions from facts already stated ("39 graders feber i två dagar");
4. asks, most urgent first, only questions that could still raise the level (at most
   MAX_QUESTIONS), and ends with a Disposition that says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.triage.answers import Answer, parse_answer
from bot.triage.facts import Facts, extract_facts
from bot.triage.levels import Level
from bot.triage.matcher import find, presence, tokenize
from bot.triage.normalise import fold
from bot.triage.protocols import Protocol, Question, protocols
from bot.triage.red_flags import RedFlag, red_flags, screen

MAX_QUESTIONS = 5
MAX_CHOICES = 3
PENDING_AGE = "__age__"
PENDING_CHOICE = "__choice__"
PENDING_COMPLAINT = "__complaint__"
UNKNOWN_COMPLAINT = "unknown_complaint"
FEVER_DEGREES = 38.0
FEVER_PROTOCOLS = ("fever_child", "fever_adult")
# Quick-reply payloads such as /affirm carry no words worth screening.
PAYLOAD = re.compile(r"/[a-z_]+(\{[^{}]*\})?")


@dataclass
class TriageState:
    texts: list[str] = field(default_factory=list)
    facts: Facts = field(default_factory=Facts)
    protocol: str | None = None
    choices: list[str] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)       # question id -> Answer value
    answered_by: dict[str, str] = field(default_factory=dict)   # question id -> "asked"/"text"
    pending: str | None = None
    retries: int = 0
    asked: int = 0
    red_flags: list[str] = field(default_factory=list)          # ids, in firing order
    finished: bool = False
    disposition: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "texts": self.texts, "facts": self.facts.to_dict(), "protocol": self.protocol,
            "choices": self.choices, "answers": self.answers, "answered_by": self.answered_by,
            "pending": self.pending, "retries": self.retries, "asked": self.asked,
            "red_flags": self.red_flags, "finished": self.finished,
            "disposition": self.disposition,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> TriageState:
        if not data:
            return cls()
        return cls(
            texts=list(data.get("texts") or []), facts=Facts.from_dict(data.get("facts")),
            protocol=data.get("protocol"), choices=list(data.get("choices") or []),
            answers=dict(data.get("answers") or {}),
            answered_by=dict(data.get("answered_by") or {}), pending=data.get("pending"),
            retries=int(data.get("retries") or 0), asked=int(data.get("asked") or 0),
            red_flags=list(data.get("red_flags") or []), finished=bool(data.get("finished")),
            disposition=data.get("disposition"),
        )


@dataclass(frozen=True)
class Reason:
    id: str
    text: str
    level: Level


@dataclass(frozen=True)
class Disposition:
    level: Level
    protocol: str | None
    protocol_title: str | None
    reasons: tuple[Reason, ...]
    self_care: tuple[str, ...]
    seek_care_if: tuple[str, ...]
    red_flags: tuple[str, ...]
    red_flag_responses: tuple[str, ...]
    uncertain: tuple[str, ...]       # question ids answered "vet inte"
    digital_ok: bool
    administrative: bool
    facts: Facts
    emergency_department: bool = False   # urgent, and the place is an akutmottagning

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.id, "protocol": self.protocol,
            "protocol_title": self.protocol_title,
            "reasons": [{"id": r.id, "text": r.text, "level": r.level.id} for r in self.reasons],
            "self_care": list(self.self_care), "seek_care_if": list(self.seek_care_if),
            "red_flags": list(self.red_flags),
            "red_flag_responses": list(self.red_flag_responses),
            "uncertain": list(self.uncertain), "digital_ok": self.digital_ok,
            "administrative": self.administrative, "facts": self.facts.to_dict(),
            "emergency_department": self.emergency_department,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Disposition:
        return cls(
            level=Level.parse(data["level"]), protocol=data.get("protocol"),
            protocol_title=data.get("protocol_title"),
            reasons=tuple(Reason(r["id"], r["text"], Level.parse(r["level"]))
                          for r in data.get("reasons", [])),
            self_care=tuple(data.get("self_care", [])),
            seek_care_if=tuple(data.get("seek_care_if", [])),
            red_flags=tuple(data.get("red_flags", [])),
            red_flag_responses=tuple(data.get("red_flag_responses", [])),
            uncertain=tuple(data.get("uncertain", [])),
            digital_ok=bool(data.get("digital_ok")),
            administrative=bool(data.get("administrative")),
            facts=Facts.from_dict(data.get("facts")),
            emergency_department=bool(data.get("emergency_department")),
        )


@dataclass(frozen=True)
class Ask:
    """What the bot should ask next. `kind`: question, age, choice or complaint."""

    kind: str
    id: str
    text: str | None = None            # the question text (kind == question)
    why: str | None = None
    protocol: str | None = None
    choices: tuple[tuple[str, str], ...] = ()   # (protocol id, title)
    retry: bool = False                # the previous answer was not understood


@dataclass(frozen=True)
class Turn:
    state: TriageState
    ask: Ask | None = None
    disposition: Disposition | None = None


class TriageEngine:
    def __init__(self, protocol_set: dict[str, Protocol] | None = None,
                 flag_set: tuple[RedFlag, ...] | None = None) -> None:
        self.protocols = protocols() if protocol_set is None else protocol_set
        self.flags = red_flags() if flag_set is None else flag_set
        self._flags_by_id = {flag.id: flag for flag in self.flags}

    # --- the one entry point -------------------------------------------------------
    def advance(self, state: TriageState | None, text: str, intent: str | None = None) -> Turn:
        """Takes the resident's newest message; returns the next question or the outcome."""
        state = TriageState() if state is None or state.finished else state
        is_payload = bool(PAYLOAD.fullmatch(text.strip()))
        if not is_payload and text.strip():
            state.texts.append(text)
            facts = extract_facts(text)
            if state.pending == PENDING_AGE:
                # "6 månader" answers "how old?", not "how long?": only the age counts.
                facts = Facts(age_years=facts.age_years, child=facts.child)
            state.facts = state.facts.merged(facts)

        self.screen_state(state)
        if self._worst_flag_level(state) == Level.EMERGENCY:
            return self.conclude(state)

        if state.pending:
            turn = self._take_answer(state, text, intent)
            if turn is not None:
                return turn

        if state.protocol is None:
            turn = self._choose_protocol(state)
            if turn is not None:
                return turn
        protocol = self.protocols.get(state.protocol or "")
        if protocol is None:
            return self.conclude(state)
        if protocol.kind == "administrative":
            return self.conclude(state)

        if self._needs_age(protocol, state):
            state.pending = PENDING_AGE
            return Turn(state, ask=Ask(kind="age", id=PENDING_AGE, protocol=protocol.id))

        self._answer_from_text(protocol, state)
        question = self._next_question(protocol, state)
        if question is None:
            return self.conclude(state)
        state.pending = question.id
        state.asked += 1
        return Turn(state, ask=self.ask_for(question))

    def ask_again(self, state: TriageState) -> Turn:
        """What is pending now (after an interruption the same question is asked again)."""
        if state.finished and state.disposition:
            return Turn(state, disposition=Disposition.from_dict(state.disposition))
        retry = state.retries > 0
        if state.pending == PENDING_AGE:
            return Turn(state, ask=Ask(kind="age", id=PENDING_AGE, protocol=state.protocol,
                                       retry=retry))
        if state.pending == PENDING_CHOICE:
            return Turn(state, ask=self._choice_ask(state, retry=retry))
        if state.pending == PENDING_COMPLAINT:
            return Turn(state, ask=Ask(kind="complaint", id=PENDING_COMPLAINT))
        question = self.question(state.pending or "")
        if question is not None:
            return Turn(state, ask=self.ask_for(question, retry=retry))
        return self.advance(state, "")

    def why(self, state: TriageState) -> str | None:
        """Why the pending question is asked, for "varför frågar du det?"."""
        question = self.question(state.pending or "")
        return question.why if question else None

    def question(self, question_id: str) -> Question | None:
        protocol_id = question_id.split(".", 1)[0]
        protocol = self.protocols.get(protocol_id)
        if protocol is None:
            return None
        return next((q for q in protocol.questions if q.id == question_id), None)

    @staticmethod
    def ask_for(question: Question, retry: bool = False) -> Ask:
        return Ask(kind="question", id=question.id, text=question.text, why=question.why,
                   protocol=question.id.split(".", 1)[0], retry=retry)

    # --- red flags ------------------------------------------------------------------
    def screen_state(self, state: TriageState) -> None:
        # The whole conversation is screened, so signs spread over several messages
        # ("ont i bröstet" ... "och jag kallsvettas") still combine.
        hits = screen("\n".join(state.texts), state.facts, self.flags)
        if state.texts:
            # The newest message alone too: "jag har hög feber och är förvirrad" from a parent
            # in a conversation about a child must not be read as the child's.
            hits += screen(state.texts[-1], None, self.flags)
        for hit in hits:
            if hit.flag.id not in state.red_flags:
                state.red_flags.append(hit.flag.id)

    def _worst_flag_level(self, state: TriageState) -> Level | None:
        levels = [self._flags_by_id[f].level for f in state.red_flags if f in self._flags_by_id]
        return max(levels) if levels else None

    # --- answers ----------------------------------------------------------------------
    def _take_answer(self, state: TriageState, text: str, intent: str | None) -> Turn | None:
        pending = state.pending
        if pending == PENDING_AGE:
            return self._take_age(state, text)
        if pending == PENDING_CHOICE:
            return self._take_choice(state, text)
        if pending == PENDING_COMPLAINT:
            state.pending = None
            return None  # the new text is matched against protocols as usual
        question = self.question(pending or "")
        if question is None:
            state.pending = None
            return None
        answer = parse_answer(text, intent)
        if answer is None:
            found = presence(question.yes_terms, tokenize(text)) if question.yes_terms else None
            if found and found.present:
                answer = Answer.YES
            elif found and found.denied:
                answer = Answer.NO
        if answer is None:
            if state.retries == 0:
                state.retries = 1
                return Turn(state, ask=self.ask_for(question, retry=True))
            # Not understood twice: treat as "vet inte", which is the careful choice.
            answer = Answer.UNKNOWN
        state.retries = 0
        state.answers[question.id] = answer.value
        state.answered_by[question.id] = "asked"
        state.pending = None
        return None

    def _take_age(self, state: TriageState, text: str) -> Turn | None:
        facts = extract_facts(text)
        age = facts.age_years
        folded = fold(text)
        if age is None:
            # As an answer to "how old?", "2 månader" or a bare "7" is an age.
            # "mån" folds to "man" and is also the word for man: only as a bare answer.
            spoken = re.search(r"(\d{1,3})(?:[.,]\d)?\s*(ar|man\b|mnd|manad\w*|veck\w*|v\b)?",
                               folded)
            if spoken:
                unit = spoken.group(2) or "ar"
                days = {"ar": 365, "v": 7}.get(unit, 7 if unit.startswith("veck") else 30)
                age = round(float(spoken.group(1)) * days / 365, 3)
        if age is None and re.search(r"\b(vuxen|vuxna|adult|grown)\b", folded):
            age = 40.0  # "vuxen": an adult of unspecified age
        if age is None and state.retries == 0:
            state.retries = 1
            return Turn(state, ask=Ask(kind="age", id=PENDING_AGE, protocol=state.protocol,
                                       retry=True))
        state.retries = 0
        state.pending = None
        state.answered_by[PENDING_AGE] = "asked"
        if age is not None:
            state.facts = state.facts.merged(Facts(age_years=age, child=age < 16))
        else:
            state.facts = state.facts.merged(Facts(child=facts.child))
        return None

    def _take_choice(self, state: TriageState, text: str) -> Turn | None:
        folded = fold(text).strip(" .!?")
        chosen = next((pid for pid in state.choices
                       if fold(self.protocols[pid].title) == folded), None)
        if chosen is None:
            coverage = self._coverage(text, state, only=state.choices)
            chosen = max(coverage, key=lambda pid: len(coverage[pid])) if coverage else None
        if chosen is None:
            if state.retries == 0:
                state.retries = 1
                return Turn(state, ask=self._choice_ask(state, retry=True))
            chosen = state.choices[0]  # the best match of the description
        state.retries = 0
        state.pending = None
        state.protocol = chosen
        return None

    def _answer_from_text(self, protocol: Protocol, state: TriageState) -> None:
        tokens = tokenize("\n".join(state.texts))
        for question in protocol.questions:
            if question.id in state.answers or not question.applies_to.may_apply(
                    state.facts.age_years, state.facts.child):
                continue
            answer: Answer | None = None
            if question.fact is not None:
                known = question.fact.answer(state.facts)
                if known is not None:
                    answer = Answer.YES if known else Answer.NO
            if answer is None and question.yes_terms:
                found = presence(question.yes_terms, tokens)
                if found.present:
                    answer = Answer.YES
                elif found.denied:
                    answer = Answer.NO
            if answer is not None:
                state.answers[question.id] = answer.value
                state.answered_by[question.id] = "text"

    # --- protocol choice ----------------------------------------------------------------
    def _applicable(self, protocol: Protocol, facts: Facts) -> bool:
        return protocol.applies_to.may_apply(facts.age_years, facts.child)

    def _coverage(self, text: str, state: TriageState, only: list[str] | None = None
                  ) -> dict[str, frozenset[int]]:
        """For each matching protocol, which words of the text its terms cover."""
        tokens = tokenize(text)
        coverage: dict[str, frozenset[int]] = {}
        for protocol in self.protocols.values():
            if only is not None and protocol.id not in only:
                continue
            if only is None and not self._applicable(protocol, state.facts):
                continue
            covered = {index for term in protocol.terms for match in find(term, tokens)
                       if not match.negated for index in range(match.start, match.end)}
            if covered:
                coverage[protocol.id] = frozenset(covered)
        return coverage

    def _choose_protocol(self, state: TriageState) -> Turn | None:
        coverage = self._coverage("\n".join(state.texts), state)
        if not coverage and (state.facts.temperature or 0) >= FEVER_DEGREES:
            # "har 38,2" names no complaint, but a temperature means fever.
            fever = [pid for pid in FEVER_PROTOCOLS if pid in self.protocols
                     and self._applicable(self.protocols[pid], state.facts)]
            if fever:
                state.protocol = fever[0]
                return None
        if not coverage:
            if state.pending is None and not state.answers and len(state.texts) < 2:
                state.pending = PENDING_COMPLAINT
                return Turn(state, ask=Ask(kind="complaint", id=PENDING_COMPLAINT))
            state.protocol = UNKNOWN_COMPLAINT
            return None
        # A protocol whose words all lie inside another's match is not a complaint of its
        # own ("ont i bröstet" is not also "ont"). The rest are distinct complaints.
        contenders = [pid for pid, words in coverage.items()
                      if not any(words < other for other in coverage.values())]
        triage = [pid for pid in contenders if self.protocols[pid].kind == "triage"]
        # Widest match first; between equals, the complaint named first in the text.
        contenders = sorted(triage or contenders,
                            key=lambda pid: (-len(coverage[pid]), min(coverage[pid]), pid))
        if len(contenders) > 1:
            state.choices = contenders[:MAX_CHOICES]
            state.pending = PENDING_CHOICE
            return Turn(state, ask=self._choice_ask(state))
        state.protocol = contenders[0]
        return None

    def _choice_ask(self, state: TriageState, retry: bool = False) -> Ask:
        return Ask(kind="choice", id=PENDING_CHOICE, retry=retry,
                   choices=tuple((pid, self.protocols[pid].title) for pid in state.choices))

    @staticmethod
    def _needs_age(protocol: Protocol, state: TriageState) -> bool:
        if state.facts.age_years is not None or state.pending == PENDING_AGE:
            return False
        if state.answered_by.get(PENDING_AGE) == "asked":
            return False
        # Age changes the outcome only where the protocol has age rules or child-specific
        # questions and the resident speaks of a child.
        child_specific = any(q.applies_to.children_only for q in protocol.questions)
        return bool(protocol.age_rules) or (child_specific and state.facts.child)

    # --- questions and outcome ------------------------------------------------------------
    def _current_level(self, protocol: Protocol | None, state: TriageState) -> Level:
        level = protocol.default_level if protocol else Level.PRIMARY_CARE
        flag_level = self._worst_flag_level(state)
        if flag_level is not None:
            level = max(level, flag_level)
        if protocol is None:
            return level
        for rule in protocol.age_rules:
            age = state.facts.age_years
            if age is not None and rule.applies_to.contains(age):
                level = max(level, rule.level)
        for question in protocol.questions:
            answer = state.answers.get(question.id)
            if answer == Answer.YES.value:
                level = max(level, question.yes)
            elif answer == Answer.UNKNOWN.value:
                level = max(level, question.unknown)
        return level

    def _next_question(self, protocol: Protocol, state: TriageState) -> Question | None:
        if state.asked >= MAX_QUESTIONS:
            return None
        level = self._current_level(protocol, state)
        open_questions = [
            q for q in protocol.questions
            if q.id not in state.answers
            and q.yes > level
            and q.applies_to.may_apply(state.facts.age_years, state.facts.child)
        ]
        if not open_questions:
            return None
        # Most urgent first; file order breaks ties.
        return max(open_questions, key=lambda q: (q.yes, -protocol.questions.index(q)))

    def conclude(self, state: TriageState) -> Turn:
        protocol = self.protocols.get(state.protocol or "")
        level = self._current_level(protocol, state)
        reasons: list[Reason] = []
        for flag_id in state.red_flags:
            flag = self._flags_by_id.get(flag_id)
            if flag:
                reasons.append(Reason(flag.id, flag.reason, flag.level))
        uncertain: list[str] = []
        if protocol:
            for rule in protocol.age_rules:
                age = state.facts.age_years
                if (age is not None and rule.applies_to.contains(age)
                        and rule.level > protocol.default_level):
                    reasons.append(Reason(rule.id, rule.reason, rule.level))
            for question in protocol.questions:
                answer = state.answers.get(question.id)
                if answer == Answer.YES.value and question.yes > protocol.default_level:
                    reasons.append(Reason(question.id, question.reason, question.yes))
                elif answer == Answer.UNKNOWN.value:
                    uncertain.append(question.id)
                    if question.unknown > protocol.default_level:
                        reasons.append(Reason(question.id, question.reason, question.unknown))
            if not reasons:
                reasons.append(Reason(f"{protocol.id}.no_warning_signs",
                                      "inga varningstecken kom fram", protocol.default_level))
        else:
            reasons.append(Reason(UNKNOWN_COMPLAINT, "besvären passar inte in i mina frågor",
                                  level))
        reasons.sort(key=lambda r: r.level, reverse=True)
        flags = [self._flags_by_id[f] for f in state.red_flags if f in self._flags_by_id]
        to_ed = {f.id for f in flags if f.to_emergency_department}
        if protocol:
            to_ed |= {q.id for q in protocol.questions if q.to_emergency_department
                      and state.answers.get(q.id) in (Answer.YES.value, Answer.UNKNOWN.value)}
        emergency_department = level == Level.URGENT and any(
            r.id in to_ed for r in reasons if r.level == Level.URGENT)
        disposition = Disposition(
            level=level,
            protocol=protocol.id if protocol else None,
            protocol_title=protocol.title if protocol else None,
            reasons=tuple(reasons),
            self_care=protocol.self_care if protocol and level < Level.URGENT else (),
            seek_care_if=protocol.seek_care_if if protocol else (),
            red_flags=tuple(f.id for f in flags),
            red_flag_responses=tuple(f.response for f in sorted(flags, key=lambda f: -f.level)),
            uncertain=tuple(uncertain),
            digital_ok=bool(protocol and protocol.digital_ok),
            administrative=bool(protocol and protocol.kind == "administrative"),
            facts=state.facts,
            emergency_department=emergency_department,
        )
        state.finished = True
        state.pending = None
        state.disposition = disposition.to_dict()
        return Turn(state, disposition=disposition)


    def emergency(self, text: str, facts: Facts | None = None) -> Disposition:
        """Outcome for a message the NLU layer marked as an emergency."""
        state = TriageState(texts=[text], facts=(facts or Facts()).merged(extract_facts(text)))
        self.screen_state(state)
        disposition = self.conclude(state).disposition
        assert disposition is not None
        if disposition.level == Level.EMERGENCY:
            return disposition
        # The classifier saw an emergency no rule names ("det är akut, ring ambulans"):
        # stay on the safe side.
        data = disposition.to_dict()
        data.update(level=Level.EMERGENCY.id, self_care=[], reasons=[
            {"id": "emergency.stated", "text": "du beskriver ett akut läge",
             "level": Level.EMERGENCY.id}, *data["reasons"]])
        return Disposition.from_dict(data)
