"""`make eval`: the triage case set (tests/triage_cases.yaml) through /api/chat.

Each case is a resident's first message. The harness answers the bot's follow-up questions
like a resident: "nej" unless the case says otherwise (`answers`: a word in the question ->
the answer), its `age_answer` when asked for an age, and the button matching `worst` when
asked which complaint is worst. It prints exact accuracy, under- and over-triage, red-flag
misses and cases without a disposition.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from bot.config import ROOT
from bot.triage.levels import LEVEL_IDS, Level
from bot.triage.normalise import fold

CASES_FILE = ROOT / "tests" / "triage_cases.yaml"
MAX_TURNS = 12
CONCURRENCY = 4


@dataclass
class Outcome:
    case: dict[str, Any]
    level: str | None = None
    protocol: str | None = None
    reasons: list[str] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def expected(self) -> str:
        return self.case["expected"]


def load_cases(path: Path = CASES_FILE) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = data["cases"]
    for case in cases:
        if case.get("expected") not in LEVEL_IDS:
            raise ValueError(f"{path}: case {case.get('id')}: bad expected level")
    return cases


def reply_for(question: dict[str, Any], text: str, buttons: list[dict[str, Any]],
              case: dict[str, Any]) -> str:
    """What the simulated resident answers."""
    question_id = question.get("question_id", "")
    if question_id == "__age__":
        return case.get("age_answer") or "40 år"
    if question_id == "__choice__":
        worst = fold(case.get("worst") or "")
        for button in buttons:
            if worst and worst in fold(button["title"]):
                return button["payload"]
        return buttons[0]["payload"] if buttons else "det första"
    if question_id == "__complaint__":
        return case.get("more") or "det är svårt att beskriva"
    folded = fold(text)
    for key, answer in (case.get("answers") or {}).items():
        # The key must start a word: "arm" finds "armen" but not "varm".
        if re.search(r"\b" + re.escape(fold(str(key))), folded):
            return str(answer)
    return "nej"


async def run_case(session: aiohttp.ClientSession, url: str, case: dict[str, Any]) -> Outcome:
    outcome = Outcome(case)
    sender = f"eval-{case['id']}-{uuid.uuid4().hex[:6]}"
    message = case["text"]
    for _ in range(MAX_TURNS):
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
        question: dict[str, Any] | None = None
        text, buttons = "", []
        for m in messages:
            if m.get("text"):
                outcome.transcript.append(f"< {m['text']}")
                text, buttons = m["text"], m.get("buttons") or buttons
            custom = m.get("custom") or {}
            if custom.get("type") == "triage_result":
                outcome.level = custom["level"]
                outcome.protocol = custom.get("protocol")
                outcome.reasons = custom.get("reasons", [])
                return outcome
            if custom.get("type") == "triage_question":
                question = custom
        if question is None:
            return outcome  # the bot answered something else: no disposition
        message = reply_for(question, text, buttons, case)
    outcome.error = "no disposition within the turn limit"
    return outcome


def run_case_engine(case: dict[str, Any], engine: Any) -> Outcome:
    """The same dialogue against the triage engine alone (no NLU, no HTTP): for quick
    iterations on content. Red flags are screened exactly as in the running system."""
    from bot.triage.wording import ask_message

    outcome = Outcome(case)
    turn = engine.advance(None, case["text"])
    outcome.transcript.append(f"> {case['text']}")
    for _ in range(MAX_TURNS):
        if turn.disposition is not None:
            outcome.level = turn.disposition.level.id
            outcome.protocol = turn.disposition.protocol
            outcome.reasons = [r.id for r in turn.disposition.reasons]
            return outcome
        message = ask_message(turn.ask)
        outcome.transcript.append(f"< {message.text}")
        buttons = [{"title": t, "payload": p} for t, p in message.buttons]
        answer = reply_for(message.custom, message.text, buttons, case)
        outcome.transcript.append(f"> {answer}")
        turn = engine.advance(turn.state, answer)
    outcome.error = "no disposition within the turn limit"
    return outcome


async def run_all(url: str, cases: list[dict[str, Any]]) -> list[Outcome]:
    semaphore = asyncio.Semaphore(CONCURRENCY)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async def one(case: dict[str, Any]) -> Outcome:
            async with semaphore:
                return await run_case(session, url, case)
        return await asyncio.gather(*(one(case) for case in cases))


@dataclass(frozen=True)
class Report:
    total: int
    exact: int
    under: int
    over: int
    no_disposition: int
    red_flag_misses: list[str]
    self_care_total: int
    self_care_hits: int
    confusion: dict[str, Counter]

    @property
    def accuracy(self) -> float:
        return self.exact / self.total if self.total else 0.0

    def rate(self, count: int) -> float:
        return count / self.total if self.total else 0.0


def summarise(outcomes: list[Outcome]) -> Report:
    exact = under = over = missing = 0
    red_flag_misses: list[str] = []
    confusion: dict[str, Counter] = {level: Counter() for level in LEVEL_IDS}
    self_care_total = self_care_hits = 0
    for outcome in outcomes:
        expected = Level.parse(outcome.expected)
        if outcome.expected == "self_care":
            self_care_total += 1
        if outcome.level is None:
            missing += 1
            confusion[expected.id]["none"] += 1
            if outcome.case.get("red_flag") or expected == Level.EMERGENCY:
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
        if (outcome.case.get("red_flag") or expected == Level.EMERGENCY) and got < Level.EMERGENCY:
            red_flag_misses.append(outcome.case["id"])
    return Report(len(outcomes), exact, under, over, missing, red_flag_misses,
                  self_care_total, self_care_hits, confusion)


def print_report(report: Report, outcomes: list[Outcome], verbose: bool = False) -> None:
    print(f"Triage evaluation: {report.total} cases")
    print(f"  exact accuracy      {report.accuracy:6.1%}  ({report.exact}/{report.total})")
    print(f"  under-triage        {report.rate(report.under):6.1%}  ({report.under})")
    print(f"  over-triage         {report.rate(report.over):6.1%}  ({report.over})")
    print(f"  no disposition      {report.rate(report.no_disposition):6.1%}  "
          f"({report.no_disposition})")
    share = report.self_care_hits / report.self_care_total if report.self_care_total else 0.0
    print(f"  self-care as self-care {share:6.1%}  ({report.self_care_hits}/"
          f"{report.self_care_total})")
    print(f"  red-flag misses     {len(report.red_flag_misses)}"
          + (f"  {', '.join(report.red_flag_misses)}" if report.red_flag_misses else ""))
    header = "expected \\ got".ljust(16) + "".join(f"{lvl:>14}" for lvl in (*LEVEL_IDS, "none"))
    print("  " + header)
    for level in LEVEL_IDS:
        row = "".join(f"{report.confusion[level][g]:>14}" for g in (*LEVEL_IDS, "none"))
        print(f"  {level:<16}{row}")
    wrong = [o for o in outcomes if o.level != o.expected]
    if wrong:
        print(f"  {len(wrong)} cases differ:")
    for outcome in wrong:
        case = outcome.case
        print(f"   {case['id']}: expected {outcome.expected}, got {outcome.level} "
              f"({outcome.protocol}; {', '.join(outcome.reasons[:2])}) {outcome.error or ''}"
              f" — {case['text'][:70]!r}")
        if verbose:
            for line in outcome.transcript:
                print(f"      {line[:160]}")


def evaluate(url: str | None, cases_file: Path = CASES_FILE, verbose: bool = False,
             results_file: Path | None = None) -> Report:
    """Through /api/chat at `url`, or through the engine alone when `url` is None."""
    cases = load_cases(cases_file)
    if url is None:
        from bot.triage.engine import TriageEngine

        engine = TriageEngine()
        outcomes = [run_case_engine(case, engine) for case in cases]
    else:
        outcomes = asyncio.run(run_all(url, cases))
    report = summarise(outcomes)
    print_report(report, outcomes, verbose)
    if results_file:
        results_file.parent.mkdir(parents=True, exist_ok=True)
        results_file.write_text(json.dumps(
            [{"id": o.case["id"], "expected": o.expected, "got": o.level,
              "protocol": o.protocol, "reasons": o.reasons, "transcript": o.transcript}
             for o in outcomes], ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def main(url: str | None, verbose: bool, engine_only: bool = False,
         cases_file: Path = CASES_FILE) -> int:
    results = ROOT / "var" / "test-results" / f"{cases_file.stem}_eval.json"
    if url or engine_only:
        report = evaluate(url.rstrip("/") if url else None, cases_file, verbose, results)
    else:
        from bot.local_system import running_system

        print("Starting actions, rasa and web for the evaluation...", flush=True)
        with running_system() as (settings, _):
            report = evaluate(f"http://127.0.0.1:{settings.web_port}", cases_file, verbose,
                              results)
    if report.red_flag_misses:
        print("FAIL: red-flag cases were not triaged as emergencies")
        return 1
    return 0
