"""The triage engine: from the whole conversation to the next question or a Disposition.

Pure Python over content data. The dialogue layer keeps a `TriageState` between turns (as a
dict) and calls `advance` with every new message, whatever the bot was waiting for. Each turn
the engine reads the whole conversation again:
1. every message is screened for red flags (a red flag only ever raises the level);
2. every message is read for concepts and numbers: the conversation's evidence;
3. every protocol the messages name is active at once; a long-standing condition named
   beside a new complaint is context, not the complaint; when nothing fits, the general
   protocol asks the universal danger questions;
4. a pending question is answered by "ja/nej/vet inte" or by the message's own words; a
   message that answers nothing but tells something new is taken as news, not as a failed
   answer;
5. the next question is the one, across the active protocols, that could raise the level
   most and that nothing said so far answers (at most MAX_QUESTIONS in a conversation);
6. the Disposition is the highest level, with every reason and the evidence behind it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from bot.content.texts import texts
from bot.triage.ages import CHILD_MAX_YEARS
from bot.triage.answers import Answer, parse_answer
from bot.triage.concepts import Concept, concepts
from bot.triage.evidence import Evidence, Finding, Status, add, implied, read_messages
from bot.triage.facts import Facts, corrects, extract_facts, mentions_pregnancy
from bot.triage.levels import Level
from bot.triage.matcher import PhraseIndex, Tokens, find, presence, tokenize
from bot.triage.protocols import ADMINISTRATIVE, GENERAL, Protocol, Question, protocols
from bot.triage.red_flags import RedFlag, RedFlagHit, red_flags, screen
from bot.triage.risk import RiskGroup, risk_groups

MAX_QUESTIONS = 5
# "ja" and at least three more words: long enough to be about something else.
LOOSE_YES_WORDS = 4
PENDING_AGE = "__age__"
PENDING_COMPLAINT = "__complaint__"
COMPLAINT, CONTEXT = "complaint", "context"
# Quick-reply payloads such as /affirm carry no words worth reading.
PAYLOAD = re.compile(r"/[a-z_]+(\{[^{}]*\})?")


@dataclass
class TriageState:
    texts: list[str] = field(default_factory=list)
    facts: Facts = field(default_factory=Facts)
    protocols: list[str] = field(default_factory=list)      # active, leading complaint first
    answers: dict[str, str] = field(default_factory=dict)   # question id -> Answer, as replied
    asked: list[str] = field(default_factory=list)          # what the bot asked, in order
    pending: str | None = None
    retries: int = 0
    red_flags: list[str] = field(default_factory=list)      # ids, in firing order
    finished: bool = False
    disposition: dict[str, Any] | None = None

    @property
    def protocol(self) -> str | None:
        """The leading complaint so far."""
        return self.protocols[0] if self.protocols else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "texts": self.texts, "facts": self.facts.to_dict(), "protocols": self.protocols,
            "answers": self.answers, "asked": self.asked, "pending": self.pending,
            "retries": self.retries, "red_flags": self.red_flags, "finished": self.finished,
            "disposition": self.disposition,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> TriageState:
        if not data:
            return cls()
        asked = data.get("asked")
        return cls(
            texts=list(data.get("texts") or []), facts=Facts.from_dict(data.get("facts")),
            protocols=list(data.get("protocols") or []),
            answers=dict(data.get("answers") or {}),
            asked=list(asked) if isinstance(asked, list) else [],
            pending=data.get("pending"), retries=int(data.get("retries") or 0),
            red_flags=list(data.get("red_flags") or []), finished=bool(data.get("finished")),
            disposition=data.get("disposition"),
        )


@dataclass(frozen=True)
class Reason:
    id: str
    text: str
    level: Level
    evidence: tuple[dict[str, Any], ...] = ()   # what was said that led here

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "level": self.level.id,
                "evidence": list(self.evidence)}


@dataclass(frozen=True)
class Disposition:
    level: Level
    protocol: str | None            # the leading complaint
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
    protocols: tuple[str, ...] = ()      # every active protocol, the leading one first
    general: bool = False                # no protocol fitted: the general protocol decided

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.id, "protocol": self.protocol,
            "protocol_title": self.protocol_title,
            "reasons": [r.to_dict() for r in self.reasons],
            "self_care": list(self.self_care), "seek_care_if": list(self.seek_care_if),
            "red_flags": list(self.red_flags),
            "red_flag_responses": list(self.red_flag_responses),
            "uncertain": list(self.uncertain), "digital_ok": self.digital_ok,
            "administrative": self.administrative, "facts": self.facts.to_dict(),
            "emergency_department": self.emergency_department,
            "protocols": list(self.protocols), "general": self.general,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Disposition:
        return cls(
            level=Level.parse(data["level"]), protocol=data.get("protocol"),
            protocol_title=data.get("protocol_title"),
            reasons=tuple(Reason(r["id"], r["text"], Level.parse(r["level"]),
                                 tuple(r.get("evidence") or ()))
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
            protocols=tuple(data.get("protocols") or ()),
            general=bool(data.get("general")),
        )


@dataclass(frozen=True)
class Ask:
    """What the bot should ask next. `kind`: question, age or complaint."""

    kind: str
    id: str
    text: str | None = None            # the question text (kind == question)
    why: str | None = None
    protocol: str | None = None
    retry: bool = False                # the previous answer was not understood
    noted: bool = False                # the previous message told something new, not an answer
    confirm: bool = False              # it began with "ja" but went on about something else


@dataclass(frozen=True)
class Turn:
    state: TriageState
    ask: Ask | None = None
    disposition: Disposition | None = None


@dataclass(frozen=True)
class Active:
    protocol: Protocol
    role: str                          # COMPLAINT or CONTEXT
    first: int                         # where it is first named (token index)


@dataclass(frozen=True)
class Reading:
    """Everything the conversation says, read afresh each turn."""

    evidence: Evidence
    active: tuple[Active, ...]
    answers: dict[str, tuple[Answer, str]]   # question id -> (answer, how it was known)
    level: Level
    hits: tuple[RedFlagHit, ...]
    risks: tuple[RiskGroup, ...] = ()        # risk groups that lift the complaints


class TriageEngine:
    def __init__(self, protocol_set: dict[str, Protocol] | None = None,
                 flag_set: tuple[RedFlag, ...] | None = None,
                 concept_set: dict[str, Concept] | None = None,
                 risk_set: tuple[RiskGroup, ...] | None = None) -> None:
        self.protocols = protocols() if protocol_set is None else protocol_set
        self.flags = red_flags() if flag_set is None else flag_set
        self.concepts = concepts() if concept_set is None else concept_set
        # Risk groups name concepts of the real vocabulary: with a vocabulary of their own
        # (tests), an engine has none unless given.
        self.risks = (risk_groups() if risk_set is None and concept_set is None
                      else risk_set or ())
        self._flags_by_id = {flag.id: flag for flag in self.flags}
        self._general = next((p for p in self.protocols.values() if p.kind == GENERAL), None)
        self._questions = {q.id: q for p in self.protocols.values() for q in p.questions}
        # A protocol named by a concept (`@fever` in its terms) is also active when a number
        # shows that concept ("har 38,9" names no complaint, but it is fever).
        self._triggers = {p.id: {c.id for c in self.concepts.values()
                                 if c.forms and set(c.forms) <= set(p.terms)}
                          for p in self.protocols.values()}
        # Each protocol's words indexed by their first word: every turn reads the whole
        # conversation against all protocols (profiled: the largest cost of a triage turn).
        self._terms = {p.id: PhraseIndex(p.terms) for p in self.protocols.values()}
        self._context_terms = {p.id: PhraseIndex(p.context_terms)
                               for p in self.protocols.values()}
        self._any_term = PhraseIndex(tuple(dict.fromkeys(
            term for p in self.protocols.values() for term in p.terms + p.context_terms)))

    # --- the one entry point -------------------------------------------------------
    def advance(self, state: TriageState | None, text: str, intent: str | None = None) -> Turn:
        """Takes the resident's newest message; returns the next question or the outcome."""
        state = TriageState() if state is None else state
        is_payload = bool(PAYLOAD.fullmatch(text.strip()))
        words = text.strip() and not is_payload
        if state.finished:
            if not words:
                return Turn(state, disposition=Disposition.from_dict(state.disposition or {}))
            state.finished, state.disposition, state.pending = False, None, None
        news = self._take_text(state, text) if words else False

        reading = self.read(state)
        if reading.level == Level.EMERGENCY and reading.hits:
            return self.conclude(state, reading)

        noted = confirm = False
        pending = state.pending
        if pending:
            turn = self._take_answer(state, text, intent, news)
            if turn is not None:
                return turn
            noted = pending not in state.answers and news
            confirm = noted and parse_answer(text) == Answer.YES
            reading = self.read(state)

        if not reading.active and (not state.texts or (
                PENDING_COMPLAINT not in state.asked and not state.answers
                and len(state.texts) < 2 and self._room(state))):
            # Nothing named yet: ask once what the problem is, then the general protocol.
            return self._ask(state, Ask(kind="complaint", id=PENDING_COMPLAINT))
        if reading.active and all(a.protocol.kind == ADMINISTRATIVE for a in reading.active):
            return self.conclude(state, reading)

        if self._needs_age(reading, state):
            return self._ask(state, Ask(kind="age", id=PENDING_AGE))
        question = self._next_question(reading, state)
        if question is None:
            return self.conclude(state, reading)
        return self._ask(state, self.ask_for(
            question, noted=noted, confirm=confirm and question.id == pending))

    def note(self, state: TriageState, text: str) -> None:
        """A message that is no answer ("varför frågar du det? hon har fått utslag nu", a
        request for a nurse) still tells the triage what it says. The pending question stays,
        unless the message answered it."""
        if state.finished or not state.texts or not text.strip() \
                or PAYLOAD.fullmatch(text.strip()):
            return
        facts = self._message_facts(state, text)
        if not self._is_news(text, facts):
            return
        self._add(state, text, facts)
        if state.pending in self.read(state).answers:
            state.pending, state.retries = None, 0

    def _take_text(self, state: TriageState, text: str) -> bool:
        """Adds a message and its facts to the state; whether it tells something new."""
        facts = self._message_facts(state, text)
        self._add(state, text, facts)
        return self._is_news(text, facts)

    def _message_facts(self, state: TriageState, text: str) -> Facts:
        """The facts of a new message, read in the light of the conversation so far."""
        facts = extract_facts(text)
        if state.pending == PENDING_AGE:
            # "6 månader" answers "how old?", not "how long?".
            facts = replace(facts, duration_days=None)
        if facts.child and facts.age_years is None and (
                state.facts.pregnancy_week is not None
                or mentions_pregnancy("\n".join(state.texts))):
            # "bebisen sparkar" in a pregnancy is the unborn baby, not a child patient.
            facts = replace(facts, child=False)
        return facts

    @staticmethod
    def _add(state: TriageState, text: str, facts: Facts) -> None:
        state.texts.append(text)
        if facts.duration_days is not None and corrects(text):
            state.facts = replace(state.facts, duration_days=None)
        state.facts = state.facts.merged(facts)

    def _room(self, state: TriageState) -> bool:
        return len(set(state.asked)) < MAX_QUESTIONS

    def _ask(self, state: TriageState, ask: Ask) -> Turn:
        state.pending = ask.id
        if ask.id not in state.asked:
            state.asked.append(ask.id)
        return Turn(state, ask=ask)

    def ask_again(self, state: TriageState) -> Turn:
        """What is pending now (after an interruption the same question is asked again)."""
        if state.finished and state.disposition:
            return Turn(state, disposition=Disposition.from_dict(state.disposition))
        retry = state.retries > 0
        if state.pending == PENDING_AGE:
            return Turn(state, ask=Ask(kind="age", id=PENDING_AGE, retry=retry))
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
        return self._questions.get(question_id)

    @staticmethod
    def ask_for(question: Question, retry: bool = False, noted: bool = False,
                confirm: bool = False) -> Ask:
        return Ask(kind="question", id=question.id, text=question.text, why=question.why,
                   protocol=question.id.split(".", 1)[0], retry=retry, noted=noted,
                   confirm=confirm)

    # --- reading the conversation ------------------------------------------------------
    def read(self, state: TriageState) -> Reading:
        tokens = [tokenize(text) for text in state.texts]
        joined = tokenize("\n".join(state.texts))
        hits = self._screen(state, tokens, joined)
        for hit in hits:
            if hit.flag.id not in state.red_flags:
                state.red_flags.append(hit.flag.id)
        evidence = read_messages(state.texts, state.facts, self.concepts, tokens)
        for question_id, value in state.answers.items():
            self._answer_evidence(evidence, question_id, Answer(value))
        implied(evidence, self.concepts)
        active = self._active(state, evidence, joined)
        state.protocols = [a.protocol.id for a in active]
        facts = state.facts
        # Only questions that may apply to this person count ("is the infant feeding
        # worse?" says nothing about an adult, however the words fit).
        answers = {q.id: known for a in active for q in a.protocol.questions
                   if q.applies_to.may_apply(facts.age_years, facts.child)
                   and (known := self._answer(q, state, evidence, joined)) is not None}
        risks = self._risks(evidence, active)
        level = max([self._level(state, active, answers), *(r.level for r in risks)])
        return Reading(evidence, active, answers, level, tuple(hits), risks)

    def _risks(self, evidence: Evidence, active: tuple[Active, ...]) -> tuple[RiskGroup, ...]:
        """Risk groups that lift a complaint (not an errand) one tier."""
        if not any(a.role == COMPLAINT and a.protocol.kind != ADMINISTRATIVE for a in active):
            return ()

        def present(concept_id: str) -> bool:
            found = evidence.get(concept_id)
            return found is not None and found.status == Status.PRESENT

        return tuple(r for r in self.risks
                     if present(r.concept) and all(present(c) for c in r.requires))

    def _screen(self, state: TriageState, tokens: list[Tokens], joined: Tokens
                ) -> list[RedFlagHit]:
        if not state.texts:
            return []
        # The whole conversation, so signs spread over several messages ("ont i bröstet"
        # ... "och jag kallsvettas") combine; and the newest message alone too: "jag har hög
        # feber och är förvirrad" from a parent in a conversation about a child must not be
        # read as the child's.
        hits = screen("\n".join(state.texts), state.facts, self.flags, joined)
        seen = {hit.flag.id for hit in hits}
        hits += [hit for hit in screen(state.texts[-1], None, self.flags, tokens[-1])
                 if hit.flag.id not in seen]
        return hits

    def _answer_evidence(self, evidence: Evidence, question_id: str, answer: Answer) -> None:
        """A reply to a question is evidence about the concepts it asks about: "nej" denies
        them all, "vet inte" leaves them unknown, "ja" affirms a question about one concept."""
        question = self.question(question_id)
        if question is None:
            return
        status = {Answer.NO: Status.ABSENT, Answer.UNKNOWN: Status.UNKNOWN,
                  Answer.YES: Status.PRESENT}[answer]
        if answer == Answer.YES and len(question.asks) != 1:
            return
        for concept_id in question.asks:
            add(evidence, Finding(concept_id, status, "answer", f"{question_id}: {answer.value}"))

    def _active(self, state: TriageState, evidence: Evidence, joined: Tokens
                ) -> tuple[Active, ...]:
        facts = state.facts
        complaints: dict[str, frozenset[int]] = {}
        context: dict[str, frozenset[int]] = {}
        for protocol in self.protocols.values():
            if protocol.kind == GENERAL or not protocol.applies_to.may_apply(
                    facts.age_years, facts.child):
                continue
            covered = _covered(self._terms[protocol.id], joined)
            if not covered and any(evidence.get(c) and evidence[c].status == Status.PRESENT
                                   and evidence[c].source == "number"
                                   for c in self._triggers[protocol.id]):
                covered = frozenset({len(joined)})   # named by a number only
            if covered:
                complaints[protocol.id] = covered
            elif protocol.context_terms and (
                    named := _covered(self._context_terms[protocol.id], joined)):
                context[protocol.id] = named
        # A protocol whose words all lie inside another's match is no complaint of its own
        # ("ont i bröstet" is not also "ont").
        complaints = {pid: words for pid, words in complaints.items()
                      if not any(words < other for other in complaints.values())}
        if any(self.protocols[pid].kind != ADMINISTRATIVE for pid in complaints):
            # An errand beside a health problem: the problem is triaged first.
            complaints = {pid: w for pid, w in complaints.items()
                          if self.protocols[pid].kind != ADMINISTRATIVE}
        if not complaints:
            complaints, context = context, {}
        order = sorted(complaints, key=lambda pid: (min(complaints[pid]),
                                                    -len(complaints[pid]), pid))
        active = [Active(self.protocols[pid], COMPLAINT, min(complaints[pid])) for pid in order]
        active += [Active(self.protocols[pid], CONTEXT, min(words))
                   for pid, words in sorted(context.items(), key=lambda item: min(item[1]))]
        if not active and self._general is not None and (
                PENDING_COMPLAINT in state.asked or state.answers or len(state.texts) >= 2):
            active = [Active(self._general, COMPLAINT, 0)]
        return tuple(active)

    def _answer(self, question: Question, state: TriageState, evidence: Evidence,
                joined: Tokens) -> tuple[Answer, str] | None:
        """The answer the conversation already gives to `question`, and how it is known."""
        given = state.answers.get(question.id)
        if given is not None and given != Answer.NO.value:
            return Answer(given), "asked"
        # "A and B": one part absent answers no; one part not mentioned leaves it to ask.
        needed = [evidence.get(c) for c in question.requires]
        if any(f is not None and f.status == Status.ABSENT for f in needed):
            return (Answer(given), "asked") if given is not None else (Answer.NO, "evidence")
        if any(f is None or f.status != Status.PRESENT for f in needed):
            return (Answer(given), "asked") if given is not None else None
        # A sign stated in any message outweighs an earlier "nej" ("nu får hon ingen luft").
        findings = [evidence.get(c) for c in question.asks]
        if any(f is not None and f.status == Status.PRESENT and f.source != "answer"
               for f in findings):
            return Answer.YES, "evidence"
        # A number that rules the question out outweighs a loose phrase: "har hållit på i 3
        # månader" is no nosebleed that has lasted over 20 minutes.
        known = question.when.holds(state.facts) if question.when else None
        found = presence(question.yes_terms, joined) if question.yes_terms else None
        if found is not None and found.present and known is not False:
            return Answer.YES, "message"
        if given is not None:
            return Answer(given), "asked"
        if any(f is not None and f.status == Status.PRESENT for f in findings):
            return Answer.YES, "evidence"
        if known is not None:
            return (Answer.YES if known else Answer.NO), "number"
        if found is not None and found.denied and not question.asks:
            return Answer.NO, "message"
        if findings and all(f is not None for f in findings):
            if all(f.status == Status.ABSENT for f in findings if f is not None):
                return Answer.NO, "evidence"
            return Answer.UNKNOWN, "evidence"
        return None

    def _level(self, state: TriageState, active: tuple[Active, ...],
               answers: dict[str, tuple[Answer, str]]) -> Level:
        levels = [self._flags_by_id[f].level for f in state.red_flags if f in self._flags_by_id]
        for item in active:
            protocol = item.protocol
            if item.role == COMPLAINT:
                levels.append(protocol.default_level)
            levels += [rule.level for rule in protocol.age_rules
                       if state.facts.age_years is not None
                       and rule.applies_to.contains(state.facts.age_years)]
            for question in protocol.questions:
                answer = answers.get(question.id, (None, ""))[0]
                if answer == Answer.YES:
                    levels.append(question.yes)
                elif answer == Answer.UNKNOWN:
                    levels.append(question.unknown)
        return max(levels, default=Level.PRIMARY_CARE)

    def _is_news(self, text: str, facts: Facts) -> bool:
        """Whether a message tells something beyond yes or no: a number, an age, a concept
        or a complaint."""
        if any(value is not None for value in (
                facts.age_years, facts.temperature, facts.duration_days, facts.spo2,
                facts.glucose, facts.systolic, facts.pulse, facts.pregnancy_week,
                facts.tablets)):
            return True
        tokens = tokenize(text)
        if read_messages([text], facts, self.concepts, [tokens]):
            return True
        return bool(_covered(self._any_term, tokens))

    # --- answers ----------------------------------------------------------------------
    def _take_answer(self, state: TriageState, text: str, intent: str | None, news: bool
                     ) -> Turn | None:
        pending = state.pending
        if pending == PENDING_AGE:
            return self._take_age(state, text, news)
        if pending == PENDING_COMPLAINT:
            state.pending = None
            return None  # the text is read like every other message
        question = self.question(pending or "")
        if question is None:
            state.pending = None
            return None
        answer = parse_answer(text)
        if answer is None or (answer == Answer.YES and news and _long_reply(text)):
            # "ja sen ungefär en månad" to "is the pain very severe?": the yes may answer a
            # question the resident expected, not ours. It stands only if the words speak
            # of what was asked; otherwise the news is read and the question asked again.
            answer = self._answer_in(question, text)
        elif answer == Answer.UNKNOWN and _long_reply(text):
            # "har ingen plan men vet inte om jag klarar det själv": the doubt is about
            # something else when the words answer what was asked. "vet inte när jag tog
            # stelkramp senast" to "is it still bleeding?": a doubt beside news is about the
            # news; it is read, and the question asked again.
            answer = self._answer_in(question, text) or (None if news else Answer.UNKNOWN)
        if answer is None and news:
            # Not an answer but something new ("nu har hon 40 graders feber"): read it, and
            # ask again only if the question still matters.
            state.pending, state.retries = None, 0
            return None
        if answer is None:
            answer = parse_answer(text, intent)   # the classifier's hint, for short replies
        if answer is None:
            if state.retries == 0:
                state.retries = 1
                return Turn(state, ask=self.ask_for(question, retry=True))
            # Not understood twice: treat as "vet inte", which is the careful choice.
            answer = Answer.UNKNOWN
        state.retries = 0
        state.answers[question.id] = answer.value
        state.pending = None
        return None

    def _answer_in(self, question: Question, text: str) -> Answer | None:
        """A free-text reply that answers the question in other words ("jag kan knappt
        prata mellan andetagen" to the severe-asthma question)."""
        if question.requires:
            return None   # "A and B" is read from the whole conversation, not one reply
        tokens = tokenize(text)
        evidence = read_messages([text], extract_facts(text),
                                 {c: self.concepts[c] for c in question.asks}, [tokens])
        statuses = [evidence[c].status for c in question.asks if c in evidence]
        if Status.PRESENT in statuses:
            return Answer.YES
        if question.yes_terms:
            found = presence(question.yes_terms, tokens)
            if found.present:
                return Answer.YES
            if found.denied:
                return Answer.NO
        if statuses and all(s == Status.ABSENT for s in statuses):
            return Answer.NO
        return None

    def _take_age(self, state: TriageState, text: str, news: bool) -> Turn | None:
        age = extract_facts(text).age_years
        folded = text.strip().lower()
        if age is None:
            # As an answer to "how old?", "2 månader" or a bare "7" is an age.
            # "mån" is also the word for man: only as a bare answer.
            spoken = re.search(r"(\d{1,3})(?:[.,]\d)?\s*(år|ar|mån\b|man\b|mnd|månad\w*|"
                               r"manad\w*|veck\w*|v\b)?", folded)
            if spoken:
                unit = spoken.group(2) or "år"
                days = 365 if unit in ("år", "ar") else 7 if unit.startswith(("veck", "v")) \
                    else 30
                age = round(float(spoken.group(1)) * days / 365, 3)
        if age is None and re.search(r"\b(vuxen|vuxna|adult|grown)\b", folded):
            age = 40.0  # "vuxen": an adult of unspecified age
        if age is None and parse_answer(text) != Answer.UNKNOWN and not news \
                and state.retries == 0:
            state.retries = 1
            return Turn(state, ask=Ask(kind="age", id=PENDING_AGE, retry=True))
        state.retries = 0
        state.pending = None
        if age is not None:
            state.facts = state.facts.merged(Facts(age_years=age, child=age < CHILD_MAX_YEARS))
        return None

    # --- questions ----------------------------------------------------------------------
    def _needs_age(self, reading: Reading, state: TriageState) -> bool:
        if state.facts.age_years is not None or PENDING_AGE in state.asked:
            return False
        if not state.facts.child or not self._room(state):
            return False
        # Age changes the outcome only where a protocol has age rules or child questions.
        return any(a.protocol.age_rules or any(q.applies_to.children_only and
                                               q.id not in reading.answers
                                               for q in a.protocol.questions)
                   for a in reading.active)

    def _next_question(self, reading: Reading, state: TriageState) -> Question | None:
        if not self._room(state):
            return None
        facts = state.facts
        candidates: list[tuple[Any, ...]] = []
        for rank, item in enumerate(reading.active):
            for index, question in enumerate(item.protocol.questions):
                if (question.id in reading.answers or question.yes <= reading.level
                        or not question.applies_to.may_apply(facts.age_years, facts.child)):
                    continue
                # Between equally urgent questions: the leading complaint's first, then one
                # whose concepts other active protocols also ask about (it answers more).
                shared = sum(1 for other in reading.active for q in other.protocol.questions
                             if set(q.asks) & set(question.asks))
                candidates.append((question.yes, item.role == COMPLAINT, -rank, shared,
                                   -index, question))
        if not candidates:
            return None
        return max(candidates, key=lambda c: c[:-1])[-1]

    # --- outcome ----------------------------------------------------------------------------
    def conclude(self, state: TriageState, reading: Reading | None = None) -> Turn:
        reading = reading or self.read(state)
        level = reading.level
        reasons: list[Reason] = []
        for hit in reading.hits:
            reasons.append(Reason(hit.flag.id, hit.flag.reason, hit.flag.level,
                                  ({"source": "red_flag", "detail": ", ".join(hit.evidence)},)))
        for risk in reading.risks:
            found = reading.evidence[risk.concept]
            reasons.append(Reason(f"risk.{risk.id}", risk.reason, risk.level,
                                  (found.to_dict(),)))
        hit_ids = {hit.flag.id for hit in reading.hits}
        for flag_id in state.red_flags:
            flag = self._flags_by_id.get(flag_id)
            if flag and flag_id not in hit_ids:
                reasons.append(Reason(flag.id, flag.reason, flag.level))
        uncertain: list[str] = []
        complaints = [a.protocol for a in reading.active if a.role == COMPLAINT]
        for item in reading.active:
            protocol = item.protocol
            floor = protocol.default_level if item.role == COMPLAINT else Level.SELF_CARE
            for rule in protocol.age_rules:
                age = state.facts.age_years
                if age is not None and rule.applies_to.contains(age) and rule.level > floor:
                    reasons.append(Reason(rule.id, rule.reason, rule.level,
                                          ({"source": "age", "detail": f"{age:g} år"},)))
            for question in protocol.questions:
                answer, how = reading.answers.get(question.id, (None, ""))
                if answer == Answer.UNKNOWN:
                    uncertain.append(question.id)
                raised = question.yes if answer == Answer.YES else question.unknown \
                    if answer == Answer.UNKNOWN else None
                if raised is not None and raised > floor:
                    reasons.append(Reason(question.id, question.reason, raised,
                                          self._evidence_for(question, how, reading, state)))
        leading = self._leading(reading, reasons)
        if leading is not None and not any(r.level >= leading.default_level for r in reasons):
            denied = tuple({"source": how, "detail": f"{qid}: {answer.value}"}
                           for qid, (answer, how) in reading.answers.items()
                           if answer == Answer.NO)
            reasons.append(Reason(f"{leading.id}.no_warning_signs",
                                  "inga varningstecken kom fram", leading.default_level,
                                  denied))
        reasons = _unique(sorted(reasons, key=lambda r: r.level, reverse=True))
        flags = [self._flags_by_id[f] for f in state.red_flags if f in self._flags_by_id]
        to_ed = {f.id for f in flags if f.to_emergency_department}
        to_ed |= {q.id for a in reading.active for q in a.protocol.questions
                  if q.to_emergency_department
                  and reading.answers.get(q.id, (None, ""))[0] in (Answer.YES, Answer.UNKNOWN)}
        advised = complaints if level < Level.URGENT else []
        disposition = Disposition(
            level=level,
            protocol=leading.id if leading else None,
            protocol_title=leading.title if leading else None,
            reasons=tuple(reasons),
            self_care=tuple(dict.fromkeys(line for p in advised for line in p.self_care)),
            seek_care_if=tuple(dict.fromkeys(line for p in complaints for line in p.seek_care_if)),
            red_flags=tuple(f.id for f in flags),
            red_flag_responses=tuple(f.response for f in sorted(flags, key=lambda f: -f.level)),
            uncertain=tuple(dict.fromkeys(uncertain)),
            digital_ok=bool(complaints) and all(p.digital_ok for p in complaints),
            administrative=bool(complaints) and all(p.kind == ADMINISTRATIVE for p in complaints),
            facts=state.facts,
            emergency_department=level == Level.URGENT and any(
                r.id in to_ed for r in reasons if r.level == Level.URGENT),
            protocols=tuple(a.protocol.id for a in reading.active),
            general=leading is not None and leading.kind == GENERAL,
        )
        state.finished = True
        state.pending = None
        state.disposition = disposition.to_dict()
        return Turn(state, disposition=disposition)

    @staticmethod
    def _leading(reading: Reading, reasons: list[Reason]) -> Protocol | None:
        """The complaint that decides the level; between equals, the one named first."""
        complaints = [a.protocol for a in reading.active if a.role == COMPLAINT]
        if not complaints:
            return None

        def weight(protocol: Protocol) -> Level:
            raised = [r.level for r in reasons if r.id.startswith(protocol.id + ".")]
            return max([protocol.default_level, *raised])

        return max(complaints, key=lambda p: (weight(p), -complaints.index(p)))

    def _evidence_for(self, question: Question, how: str, reading: Reading,
                      state: TriageState) -> tuple[dict[str, Any], ...]:
        if how == "asked":
            return ({"source": "answer", "detail": state.answers.get(question.id, "")},)
        if how == "number":
            return ({"source": "number", "detail": ", ".join(
                f"{c.key} {c.value:g}" for c in question.when.items)},)
        found = [reading.evidence[c].to_dict() for c in question.asks if c in reading.evidence]
        return tuple(found) or ({"source": "message", "detail": "egna ord"},)

    def rules_say_emergency(self, state: TriageState, text: str) -> bool:
        """Whether a red flag of level emergency fires on the conversation with `text`
        added (the state itself is not changed)."""
        trial = TriageState.from_dict(state.to_dict())
        _add_words(trial, text)
        return any(hit.flag.level == Level.EMERGENCY for hit in self.read(trial).hits)

    def emergency(self, state: TriageState | None, text: str,
                  earlier: str | None = None) -> Disposition:
        """Outcome for a message the NLU layer marked as an emergency. `earlier` is the
        resident's message before it, outside a triage: a danger sign told over two
        messages is read whole."""
        state = TriageState() if state is None else state
        state.finished, state.disposition, state.pending = False, None, None
        for said in (earlier or "", text):
            _add_words(state, said)
        disposition = self.conclude(state).disposition
        assert disposition is not None
        if disposition.level == Level.EMERGENCY:
            return disposition
        # The classifier saw an emergency no rule names ("det är akut, ring ambulans"):
        # stay on the safe side.
        data = disposition.to_dict()
        data.update(level=Level.EMERGENCY.id, self_care=[], reasons=[
            {"id": "emergency.stated", "text": texts()["reason_emergency_stated"],
             "level": Level.EMERGENCY.id}, *data["reasons"]])
        state.disposition = data
        return Disposition.from_dict(data)


def _add_words(state: TriageState, text: str) -> None:
    """Adds a message and its facts as they stand (a button payload or nothing is no text)."""
    if text.strip() and not PAYLOAD.fullmatch(text.strip()):
        state.texts.append(text)
        state.facts = state.facts.merged(extract_facts(text))


def _long_reply(text: str) -> bool:
    """Long enough to be about something else than a yes ("ja" and three more words)."""
    return sum(1 for token in tokenize(text) if token != "|") >= LOOSE_YES_WORDS


def _covered(terms: PhraseIndex, tokens: Tokens) -> frozenset[int]:
    """Which tokens the affirmed matches of `terms` cover."""
    return frozenset(index for term in terms.candidates(tokens)
                     for match in find(term, tokens) if not match.negated
                     for index in range(match.start, match.end))


def _unique(reasons: list[Reason]) -> list[Reason]:
    """One reason per id and per text (two protocols may ask the same thing)."""
    seen: set[str] = set()
    result = []
    for reason in reasons:
        if reason.id in seen or reason.text in seen:
            continue
        seen |= {reason.id, reason.text}
        result.append(reason)
    return result
