"""`make eval`: triage case sets played as conversations, through /api/chat or the engine.

A case is a short conversation (tests/triage_cases*.yaml): 1-3 resident messages, each sent
after the bot's previous reply whatever it was (usually a pending question). Then the
harness answers as a resident who has already said all they know: "Nej" where yes/no is
offered, else "Vet inte". It takes the most urgent level the bot gave, and counts a case
without advice after MAX_ANSWERS answers as "no advice". Figures: exact, safe (same level or
more urgent), under, over, red-flag misses, no advice, mean answers to advice, and questions
about a topic the messages had already stated (`stated`, see tests/triage_cases.yaml).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from bot.config import ROOT
from bot.triage.levels import LEVEL_IDS, Level

CASES_FILE = ROOT / "tests" / "triage_cases.yaml"
MAX_ANSWERS = 5
CONCURRENCY = 4
NO, DONT_KNOW = "Nej", "Vet inte"
AGE_QUESTION = "__age__"


@dataclass
class Outcome:
    case: dict[str, Any]
    level: str | None = None
    protocol: str | None = None
    reasons: list[str] = field(default_factory=list)
    answers: int = 0                      # replies the harness gave to follow-up questions
    advised: bool = False                 # a triage_result came within MAX_ANSWERS answers
    asked: list[str] = field(default_factory=list)   # question ids, in order
    asked_after_messages: list[str] = field(default_factory=list)   # once all were sent
    transcript: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def expected(self) -> str:
        return self.case["expected"]

    def take(self, result: dict[str, Any]) -> None:
        """A triage_result: keep the most urgent level given."""
        self.advised = True
        if self.level is None or Level.parse(result["level"]) > Level.parse(self.level):
            self.level = result["level"]
            self.protocol = result.get("protocol")
            self.reasons = list(result.get("reasons") or [])


def load_cases(path: Path = CASES_FILE) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = data["cases"]
    for case in cases:
        if case.get("expected") not in LEVEL_IDS:
            raise ValueError(f"{path}: case {case.get('id')}: bad expected level")
        messages = case.get("messages")
        if not (isinstance(messages, list) and 1 <= len(messages) <= 3
                and all(isinstance(m, str) and m.strip() for m in messages)):
            raise ValueError(f"{path}: case {case.get('id')}: messages must be 1-3 texts")
    return cases


def reply_for(buttons: list[dict[str, Any]]) -> str:
    """The resident who has said all they know: "Nej" where offered, else "Vet inte"."""
    for button in buttons:
        if button.get("title", "").strip().lower() in ("nej", "no"):
            return button.get("payload") or NO
    return DONT_KNOW


def _results(messages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict | None,
                                                        list[dict[str, Any]], list[str]]:
    """(triage_results, the pending question, its buttons, texts) in one reply."""
    results, question, buttons, texts = [], None, [], []
    for m in messages:
        if m.get("text"):
            texts.append(m["text"])
            buttons = m.get("buttons") or buttons
        custom = m.get("custom") or {}
        if custom.get("type") == "triage_result":
            results.append(custom)
        elif custom.get("type") == "triage_question":
            question = custom
    return results, question, buttons, texts


async def run_case(session: aiohttp.ClientSession, url: str, case: dict[str, Any]) -> Outcome:
    outcome = Outcome(case)
    sender = f"eval-{case['id']}-{uuid.uuid4().hex[:6]}"
    scripted = list(case["messages"])
    message = scripted.pop(0)
    while True:
        outcome.transcript.append(f"> {message}")
        try:
            async with session.post(f"{url}/api/chat",
                                    json={"sender": sender, "message": message}) as reply:
                messages = await reply.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            outcome.error = f"{type(error).__name__}: {error}"
            return outcome
        if not isinstance(messages, list):
            outcome.error = f"unexpected answer {messages!r}"
            return outcome
        results, question, buttons, texts = _results(messages)
        outcome.transcript += [f"< {text}" for text in texts]
        for result in results:
            outcome.take(result)
        if question is not None:
            outcome.asked.append(question.get("question_id", ""))
            if not scripted:
                outcome.asked_after_messages.append(question.get("question_id", ""))
        if scripted:
            message = scripted.pop(0)
            continue
        if question is None or results:
            return outcome
        if outcome.answers >= MAX_ANSWERS:
            outcome.advised = False
            return outcome
        outcome.answers += 1
        message = reply_for(buttons)


def run_case_engine(case: dict[str, Any], engine: Any) -> Outcome:
    """The same conversation against the triage engine alone (no NLU, no HTTP): for quick
    iterations on content. Red flags are screened exactly as in the running system."""
    from bot.triage.wording import ask_message

    outcome = Outcome(case)
    scripted = list(case["messages"])
    state = None
    message = scripted.pop(0)
    while True:
        outcome.transcript.append(f"> {message}")
        turn = engine.advance(state, message)
        state = turn.state
        question = buttons = None
        if turn.disposition is not None:
            outcome.take({"level": turn.disposition.level.id,
                          "protocol": turn.disposition.protocol,
                          "reasons": [r.id for r in turn.disposition.reasons]})
            outcome.transcript.append(f"< [{turn.disposition.level.id}] "
                                      f"{', '.join(turn.disposition.protocols)}")
        elif turn.ask is not None:
            shown = ask_message(turn.ask)
            question, buttons = turn.ask.id, [{"title": t, "payload": t} for t, _ in shown.buttons]
            outcome.asked.append(question)
            if not scripted:
                outcome.asked_after_messages.append(question)
            outcome.transcript.append(f"< {shown.text}")
        if scripted:
            message = scripted.pop(0)
            continue
        if question is None:
            return outcome
        if outcome.answers >= MAX_ANSWERS:
            outcome.advised = False
            return outcome
        outcome.answers += 1
        message = reply_for(buttons or [])


async def run_all(url: str, cases: list[dict[str, Any]]) -> list[Outcome]:
    semaphore = asyncio.Semaphore(CONCURRENCY)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async def one(case: dict[str, Any]) -> Outcome:
            async with semaphore:
                return await run_case(session, url, case)
        return await asyncio.gather(*(one(case) for case in cases))


def stated_questions(outcome: Outcome, topics: dict[str, set[str]]) -> list[str]:
    """Questions asked, after all the resident's messages were sent, about what they had
    already said (the case's `stated` topics; a question counts when all its topics were)."""
    stated = set(outcome.case.get("stated") or ())
    repeated = []
    for question_id in outcome.asked_after_messages:
        asked_about = {"age"} if question_id == AGE_QUESTION else topics.get(question_id, set())
        if asked_about and asked_about <= stated:
            repeated.append(question_id)
    return repeated


def question_topics() -> dict[str, set[str]]:
    """Question id -> the topics of the concepts it asks about."""
    from bot.triage.concepts import concepts
    from bot.triage.protocols import protocols

    known = concepts()
    return {q.id: {known[c].topic for c in q.asks} for p in protocols().values()
            for q in p.questions if q.asks}


@dataclass(frozen=True)
class Report:
    total: int
    exact: int
    under: int
    over: int
    no_advice: int
    red_flag_cases: int
    red_flag_misses: list[str]
    self_care_total: int
    self_care_hits: int
    answers_to_advice: float
    stated_repeats: int
    cases_with_repeats: int
    confusion: dict[str, Counter]

    @property
    def accuracy(self) -> float:
        return self.exact / self.total if self.total else 0.0

    @property
    def safe(self) -> int:
        return self.exact + self.over

    def rate(self, count: int) -> float:
        return count / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "exact": self.exact, "safe": self.safe,
                "under": self.under, "over": self.over, "no_advice": self.no_advice,
                "red_flag_cases": self.red_flag_cases, "red_flag_misses": self.red_flag_misses,
                "self_care": [self.self_care_hits, self.self_care_total],
                "mean_answers_to_advice": round(self.answers_to_advice, 2),
                "stated_repeats": self.stated_repeats,
                "cases_with_repeats": self.cases_with_repeats}


def is_red_flag(case: dict[str, Any]) -> bool:
    return bool(case.get("red_flag")) or case["expected"] == "emergency"


def summarise(outcomes: list[Outcome], topics: dict[str, set[str]] | None = None) -> Report:
    topics = question_topics() if topics is None else topics
    exact = under = over = no_advice = 0
    red_flag_misses: list[str] = []
    confusion: dict[str, Counter] = {level: Counter() for level in LEVEL_IDS}
    self_care_total = self_care_hits = 0
    answers_to_advice: list[int] = []
    repeats = cases_with_repeats = 0
    for outcome in outcomes:
        expected = Level.parse(outcome.expected)
        self_care_total += expected == Level.SELF_CARE
        repeated = stated_questions(outcome, topics)
        repeats += len(repeated)
        cases_with_repeats += bool(repeated)
        if not outcome.advised:
            no_advice += 1
        else:
            answers_to_advice.append(outcome.answers)
        if outcome.level is None:
            confusion[expected.id]["none"] += 1
            under += 1
            if is_red_flag(outcome.case):
                red_flag_misses.append(outcome.case["id"])
            continue
        got = Level.parse(outcome.level)
        confusion[expected.id][got.id] += 1
        if got == expected:
            exact += 1
            self_care_hits += expected == Level.SELF_CARE
        elif got < expected:
            under += 1
        else:
            over += 1
        if is_red_flag(outcome.case) and got < expected:
            red_flag_misses.append(outcome.case["id"])
    mean = sum(answers_to_advice) / len(answers_to_advice) if answers_to_advice else 0.0
    return Report(len(outcomes), exact, under, over, no_advice,
                  sum(is_red_flag(o.case) for o in outcomes), red_flag_misses,
                  self_care_total, self_care_hits, mean, repeats, cases_with_repeats,
                  confusion)


def print_report(report: Report, outcomes: list[Outcome], verbose: bool = False,
                 details: bool = True) -> None:
    n = report.total
    print(f"Triage evaluation: {n} conversations")
    print(f"  exact               {report.accuracy:6.1%}  ({report.exact}/{n})")
    print(f"  safe (>= expected)  {report.rate(report.safe):6.1%}  ({report.safe})")
    print(f"  under-triage        {report.rate(report.under):6.1%}  ({report.under})")
    print(f"  over-triage         {report.rate(report.over):6.1%}  ({report.over})")
    print(f"  red-flag misses     {len(report.red_flag_misses)} of {report.red_flag_cases}"
          + (f"  {', '.join(report.red_flag_misses)}" if details and report.red_flag_misses
             else ""))
    print(f"  no advice within {MAX_ANSWERS} answers  {report.rate(report.no_advice):6.1%}  "
          f"({report.no_advice})")
    print(f"  mean answers to advice  {report.answers_to_advice:.2f}")
    print(f"  questions about a stated topic  {report.stated_repeats} "
          f"(in {report.cases_with_repeats} conversations)")
    share = report.self_care_hits / report.self_care_total if report.self_care_total else 0.0
    print(f"  self-care as self-care {share:6.1%}  ({report.self_care_hits}/"
          f"{report.self_care_total})")
    header = "expected \\ got".ljust(16) + "".join(f"{lvl:>14}" for lvl in (*LEVEL_IDS, "none"))
    print("  " + header)
    for level in LEVEL_IDS:
        row = "".join(f"{report.confusion[level][g]:>14}" for g in (*LEVEL_IDS, "none"))
        print(f"  {level:<16}{row}")
    if not details:
        return
    wrong = [o for o in outcomes if o.level != o.expected or not o.advised]
    if wrong:
        print(f"  {len(wrong)} conversations differ:")
    for outcome in wrong:
        case = outcome.case
        print(f"   {case['id']}: expected {outcome.expected}, got {outcome.level} "
              f"({outcome.protocol}; {', '.join(outcome.reasons[:2])}) {outcome.error or ''}"
              f"{'' if outcome.advised else ' [no advice]'} — {case['messages'][0][:70]!r}")
        if verbose:
            for line in outcome.transcript:
                print(f"      {line[:160]}")


def evaluate(url: str | None, cases_file: Path = CASES_FILE, verbose: bool = False,
             results_file: Path | None = None, details: bool = True) -> Report:
    """Through /api/chat at `url`, or through the engine alone when `url` is None.
    `details=False` prints figures only: for a blind set's first run, read no case."""
    cases = load_cases(cases_file)
    if url is None:
        from bot.triage.engine import TriageEngine

        engine = TriageEngine()
        outcomes = [run_case_engine(case, engine) for case in cases]
    else:
        outcomes = asyncio.run(run_all(url, cases))
    report = summarise(outcomes)
    print_report(report, outcomes, verbose, details)
    if results_file:
        results_file.parent.mkdir(parents=True, exist_ok=True)
        results_file.write_text(json.dumps(
            {"report": report.to_dict(),
             "cases": [{"id": o.case["id"], "expected": o.expected, "got": o.level,
                        "advised": o.advised, "answers": o.answers,
                        "protocol": o.protocol, "reasons": o.reasons,
                        "transcript": o.transcript} for o in outcomes]},
            ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def main(url: str | None, verbose: bool, engine_only: bool = False,
         cases_file: Path = CASES_FILE, details: bool = True) -> int:
    results = ROOT / "var" / "test-results" / f"{cases_file.stem}_eval.json"
    if url or engine_only:
        report = evaluate(url.rstrip("/") if url else None, cases_file, verbose, results,
                          details)
    else:
        from tests.tools.local_system import running_system

        print("Starting actions, rasa and web for the evaluation...", flush=True)
        with running_system() as (settings, _):
            report = evaluate(f"http://127.0.0.1:{settings.web_port}", cases_file, verbose,
                              results, details)
    if report.red_flag_misses:
        print("FAIL: red-flag cases were triaged below their level")
        return 1
    return 0
