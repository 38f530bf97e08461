"""`make bench`: latency, throughput and memory of /api/chat with 1 and 20 conversations.

Starts the real three processes (or uses a running system given by --url), then runs
closed-loop conversations: each simulated resident sends its next message as soon as the
previous answer arrived.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bot.config import Settings

# Two conversations a resident really has, each started afresh under a new conversation id
# (a chat lasts a handful of messages; an endless one would measure tracker growth instead).
# "basics" is comparable with a default `rasa init` bot: greeting, bot question, handoff,
# thanks and goodbye. "triage" is Vårdlotsen's main work: a symptom, the protocol's
# questions answered no, and the disposition with care routing.
SCRIPTS = {
    "basics": (
        "Hej!",
        "är du en robot?",
        "kan jag få prata med en sjuksköterska",
        "tack så mycket",
        "hej då",
    ),
    "triage": (
        "jag har haft ont i halsen i två dagar, jag är 34 år",
        "nej",
        "nej",
        "nej",
        "nej",
        "tack",
    ),
}
LOADS = (1, 20)


@dataclass
class Run:
    concurrency: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def summary(self) -> str:
        head = f"{self.concurrency:>3} conversations:"
        if not self.latencies:
            return f"{head} no successful answer, {self.errors} errors"
        ordered = sorted(self.latencies)

        def ms(p: float) -> str:
            return f"{ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000:6.1f} ms"

        rate = len(ordered) / self.seconds
        mean = f"{statistics.mean(ordered) * 1000:6.1f} ms"
        return (f"{head} p50 {ms(50)}  p95 {ms(95)}  p99 {ms(99)}  mean {mean}  "
                f"{rate:6.1f} msg/s  {len(ordered)} ok  {self.errors} errors")


async def _resident(session: aiohttp.ClientSession, url: str, script: tuple[str, ...],
                    run: Run, stop_at: float, path: str = "/api/chat") -> None:
    while time.monotonic() < stop_at:
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        for message in script:
            if time.monotonic() >= stop_at:
                return
            started = time.perf_counter()
            try:
                async with session.post(f"{url}{path}",
                                        json={"sender": sender, "message": message}) as reply:
                    body = await reply.json()
                    ok = reply.status == 200 and isinstance(body, list) and bool(body)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                ok = False
            if ok:
                run.latencies.append(time.perf_counter() - started)
            else:
                run.errors += 1


async def _load(url: str, script: tuple[str, ...], concurrency: int, seconds: float,
                path: str = "/api/chat") -> Run:
    run = Run(concurrency, seconds)
    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=concurrency + 5)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        # Warm-up outside the measurement (first TensorFlow calls are slow).
        await _resident(session, url, script, Run(1, 1), time.monotonic() + 2, path)
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(_resident(session, url, script, run, stop_at, path)
                               for _ in range(concurrency)))
    return run


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main(settings: Settings, url: str | None, seconds: float, scaled: int = 0) -> int:
    """`scaled`: that many Rasa replicas on fresh PostgreSQL databases and Redis."""
    if url:
        return _report(url.rstrip("/"), seconds, pids={})
    from contextlib import ExitStack

    from tests.tools.local_system import postgres_databases, running_system, scaled_env

    with ExitStack() as stack:
        env = None
        if scaled:
            app_db, tracker_db = stack.enter_context(postgres_databases("app", "tracker"))
            env = scaled_env(app_db, tracker_db, scaled)
        print(f"Starting the processes for the benchmark"
              f"{f' ({scaled} Rasa replicas, PostgreSQL, Redis)' if scaled else ''}...",
              flush=True)
        bench_settings, supervisor = stack.enter_context(running_system(env=env))
        pids = {name: p.pid for name, p in supervisor.processes.items()}
        return _report(f"http://127.0.0.1:{bench_settings.web_port}", seconds, pids)


def screening_corpus() -> list[str]:
    """Residents' messages from the case sets, and hostile ones up to MAX_MESSAGE_CHARS:
    one 2000-letter word, 2000 random characters, numbers, a long real message."""
    import random
    import string

    import yaml

    from bot.config import ROOT

    texts: list[str] = []
    for path in sorted((ROOT / "tests").glob("triage_cases*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            texts += case["messages"]
    rng = random.Random(20261206)
    alphabet = string.ascii_letters + "åäöÅÄÖ .,!?0123456789-/%"
    hostile = ["a" * 2000, "".join(rng.choice(string.ascii_lowercase) for _ in range(2000)),
               ("38,5 " * 400)[:2000], ("1" * 2000), (" ".join(texts))[:2000]]
    hostile += ["".join(rng.choice(alphabet) for _ in range(rng.randint(200, 2000)))
                for _ in range(50)]
    return texts + hostile


def screening(rounds: int = 3) -> str:
    """Per message: red-flag screening and evidence extraction, as every turn does them
    (numbers, tokens, red flags, every concept). Plain Python, no processes needed."""
    from bot.triage.concepts import concepts
    from bot.triage.evidence import read_messages
    from bot.triage.facts import extract_facts
    from bot.triage.matcher import tokenize
    from bot.triage.red_flags import red_flags, screen

    flags, known = red_flags(), concepts()
    corpus = screening_corpus()
    timings: list[float] = []
    worst = (0.0, "")
    for round_ in range(rounds + 1):
        for text in corpus:
            started = time.perf_counter()
            facts = extract_facts(text)
            tokens = tokenize(text)
            screen(text, facts, flags, tokens, facts)
            read_messages([text], facts, known, [tokens])
            elapsed = time.perf_counter() - started
            if round_:   # the first round warms caches, as a running process has them
                timings.append(elapsed)
                worst = max(worst, (elapsed, text[:30]))
    ordered = sorted(timings)

    def ms(p: float) -> str:
        return f"{ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000:.2f} ms"

    return (f"screening + evidence per message ({len(corpus)} messages up to 2000 chars, "
            f"{len(known)} concepts, {len(flags)} red flags): p50 {ms(50)}  p99 {ms(99)}  "
            f"max {worst[0] * 1000:.2f} ms")


def _report(url: str, seconds: float, pids: dict[str, int]) -> int:
    print(screening(), flush=True)
    print(f"Benchmark of {url}/api/chat, {seconds:.0f} s per load, closed loop")
    errors = 0
    runs: dict[tuple[str, int], Run] = {}
    for name, script in SCRIPTS.items():
        for concurrency in LOADS:
            run = asyncio.run(_load(url, script, concurrency, seconds))
            runs[name, concurrency] = run
            errors += run.errors
            print(f"{name:>6} {run.summary()}", flush=True)
    if pids:
        memory = "  ".join(
            f"{name} {rss:.0f} MiB" for name, pid in pids.items()
            if (rss := rss_mib(pid)) is not None
        )
        print(f"Resident memory after load: {memory}")
    _compare(runs, seconds)
    return 1 if errors else 0


def _compare(runs: dict[tuple[str, int], Run], seconds: float) -> None:
    """The same loads against a default `rasa init` bot on this machine, and the ratios."""
    from tests.tools.reference_bot import SCRIPT, WEBHOOK, reference_bot

    with reference_bot() as (url, pid):
        print(f"Reference: a default `rasa init` bot ({url}{WEBHOOK}, REST channel, "
              "in-memory tracker store)", flush=True)
        for concurrency in LOADS:
            reference = asyncio.run(_load(url, SCRIPT, concurrency, seconds, WEBHOOK))
            print(f"   ref {reference.summary()}", flush=True)
            if not reference.latencies:
                continue
            for name in SCRIPTS:
                ours = runs[name, concurrency]
                if not ours.latencies:
                    continue
                print(f"        {name} vs reference, {concurrency} conversations: p50 "
                      f"{_p50(ours) / _p50(reference):.2f}x the reference's latency, "
                      f"{len(ours.latencies) / len(reference.latencies):.2f}x its throughput",
                      flush=True)
        rss = rss_mib(pid)
        if rss is not None:
            print(f"Reference bot memory after load: {rss:.0f} MiB")


def _p50(run: Run) -> float:
    return statistics.median(run.latencies)
