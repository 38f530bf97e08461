"""`make resilience` and `make soak`: the service under hostile input, attack, faults and time.

Starts the real three processes (as `make bench` does) and talks HTTP:

- hostile input: > 1000 requests of every kind a resident, a broken client or an attacker
  sends; expects no 5xx, no dead process, every accepted message in the conversation log,
  and the 112 answer for every red-flag message wrapped in junk;
- attack while serving: long words from six senders, 60 bogus staff logins and gzip bombs,
  while a stroke message is sent again and again: its latency against the same without
  attack, whether it always got its emergency answer, and how much the web process grew;
- faults under load: 20 conversations while the action server and Rasa are killed and the
  database is locked; errors, safe answers, lost log rows and seconds to recover;
- soak: 20 conversations for N minutes; errors, lost log rows and memory over time.

The corpus is plain data (deterministic, seeded) so a test can run the short version.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import random
import re
import signal
import sqlite3
import string
import threading
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.config import Settings

JSON = {"Content-Type": "application/json"}
# Red-flag messages that must get the 112 answer whatever surrounds them.
RED_FLAG_MESSAGES = (
    "pappa sluddrar och ena mungipan hänger",
    "min mamma kan plötsligt inte lyfta höger arm och pratar konstigt",
    "jag har ett tryck över bröstet som strålar ut i vänster arm och jag är kallsvettig",
    "han andas inte",
    "min man är medvetslös och går inte att väcka",
    "barnet har blå läppar och får inte luft",
    "jag har tagit 40 tabletter alvedon",
    "hon blöder kraftigt och det går inte att stoppa",
)
STROKE = RED_FLAG_MESSAGES[0]
XSS_SQL = (
    "<script>alert('x')</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>",
    "javascript:alert(document.cookie)", "{{7*7}} ${7*7} <%= 7*7 %>",
    "'; DROP TABLE messages; --", "' OR '1'='1", "1; SELECT * FROM staff_users",
    "admin'--", "\" UNION SELECT password_hash FROM staff_users --",
    "../../../../etc/passwd", "%00%0d%0aSet-Cookie: x=1", "=HYPERLINK(\"http://x\")",
    "@SUM(1+1)*cmd|' /C calc'!A0", "<iframe src=//evil.example>",
)
SLASH = (
    "/affirm", "/deny", "/dont_know", "/restart", "/session_start", "/emergency",
    "/describe_symptom", '/describe_symptom{"symptom": "ont i halsen"}',
    '/cancel_appointment{"booking_reference": "VL-AAAAAA"}',
    '/cancel_appointment{"booking_reference": "\'; DROP TABLE x; --"}',
    '/inform_municipality{"municipality": "Göteborg"}', "/inform_municipality{\"a\":",
    "/greet{" + "\"x\": [" * 20, "/" + "a" * 300, "//", "/ ", "/action_listen",
)
OTHER_LANGUAGES = (
    "Minulla on päänsärkyä ja kuumetta", "عندي ألم في البطن منذ يومين",
    "Ich habe seit gestern Halsschmerzen", "У меня болит голова", "Boli mnie gardło od wczoraj",
    "Ayaa i xanuunaya caloosha", "我头疼", "Başım ağrıyor", "😷🤒🤕",
    "I have had a cough for a week",
)


@dataclass(frozen=True)
class Probe:
    kind: str
    body: bytes
    headers: dict[str, str]
    sender: str | None = None   # set when a message should reach the bot and the log
    emergency: bool = False     # the answer must be the 112 answer
    method: str = "POST"
    path: str = "/api/chat"


def _chat(kind: str, message: Any, rng: random.Random, emergency: bool = False,
          logged: bool = True, **extra: Any) -> Probe:
    sender = f"res-{kind}-{rng.getrandbits(48):012x}"
    body = json.dumps({"sender": sender, "message": message, **extra}).encode()
    return Probe(kind, body, JSON, sender if logged else None, emergency)


def _random_text(rng: random.Random, length: int) -> str:
    ranges = [(0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x6FF),
              (0x900, 0x97F), (0x3040, 0x30FF), (0x4E00, 0x4FFF), (0xAC00, 0xAD00),
              (0x1F300, 0x1F6FF), (0xE000, 0xE0FF), (0x300, 0x36F), (0xFFF0, 0xFFFF),
              (0x10000, 0x1007F)]
    out = []
    for _ in range(length):
        low, high = rng.choice(ranges)
        out.append(chr(rng.randint(low, high)))
    return "".join(out)


def _junk(rng: random.Random) -> str:
    return rng.choice(["", "!!!", "<b>", "</b>", "&nbsp;", "\u200b", "😭😭", "???", "...",
                       "\t", "   ", "#", "aaaaaaaaaaaaaaaaaaaa", "HJÄLP", "\u202e", "\x07",
                       _random_text(rng, rng.randint(1, 12))])


def hostile_corpus(seed: int = 20261206, scale: int = 1) -> list[Probe]:
    """More than 1000 requests (times `scale`) of every hostile kind, in a shuffled order."""
    rng = random.Random(seed)
    probes: list[Probe] = []
    for _ in range(200 * scale):   # random and adversarial Unicode, any length
        probes.append(_chat("unicode", _random_text(rng, rng.randint(1, 2000)), rng))
    for _ in range(60 * scale):    # lone surrogates: valid JSON escapes, not valid UTF-8
        text = "ont i " + "".join(rng.choice(["\\ud800", "\\udfff", "\\ud83d"]) for _ in "abc")
        sender = f"res-surrogate-{rng.getrandbits(48):012x}"
        body = '{"sender": "' + sender + '", "message": "' + text + '"}'
        probes.append(Probe("surrogate", body.encode(), JSON, sender))
    controls = [chr(c) for c in range(0x20)] + ["\u200b", "\u200e", "\u202e", "\u2066",
                                                "\ufeff", "\u00ad", "\x7f", "\x85"]
    for _ in range(80 * scale):
        words = ["jag", "har", "ont", "i", "magen", "sedan", "igår"]
        text = "".join(w + "".join(rng.choice(controls) for _ in range(rng.randint(0, 3)))
                       + " " for w in words)
        probes.append(_chat("control", text, rng))
    for _ in range(60 * scale):    # binary bodies
        probes.append(Probe("binary", rng.randbytes(rng.randint(1, 5000)), JSON))
    for _ in range(30 * scale):    # messages over the limit (the 413 event is logged)
        probes.append(_chat("too_long", "ont " * rng.randint(501, 5000), rng, logged=False))
    for _ in range(10 * scale):    # bodies over the web app's body limit
        probes.append(Probe("huge_body", b'{"sender": "x", "message": "' + b"a" * 3_000_000
                            + b'"}', JSON))
    for body in (b"", b"{}", b"null", b"[]", b'""', b"0", b'{"sender": null}',
                 b'{"sender": "x"}', b'{"message": "hej"}', b'{"sender": "", "message": ""}'):
        for _ in range(3 * scale):
            probes.append(Probe("empty", body, JSON))
    for _ in range(20 * scale):
        probes.append(_chat("empty_message", rng.choice(["", " ", "\n\n", "\t"]), rng,
                            logged=False))
    for _ in range(40 * scale):    # deep JSON, in the body and inside fields
        depth = rng.choice([17, 50, 1000, 5000, 100_000])
        where = rng.choice(["body", "message", "metadata"])
        nest = "[" * depth + "]" * depth
        body = {"body": nest, "message": '{"sender": "x", "message": ' + nest + "}",
                "metadata": '{"sender": "x", "message": "hej", "metadata": ' + nest + "}"}
        probes.append(Probe("deep_json", body[where].encode(), JSON))
    bomb = gzip.compress(b"\0" * 20_000_000, mtime=0)
    small = gzip.compress(b'{"sender": "x", "message": "hej"}', mtime=0)
    for _ in range(40 * scale):    # compressed bodies are never inflated
        encoding = rng.choice(["gzip", "deflate", "br", "GZIP", "gzip, identity"])
        body = bomb if rng.random() < 0.5 else small
        if encoding == "deflate":
            body = zlib.compress(b"\0" * 5_000_000)
        probes.append(Probe("compressed", body, {**JSON, "Content-Encoding": encoding}))
    for _ in range(30 * scale):    # not JSON: a cross-origin form must never reach the bot
        kind = rng.choice(["text/plain", "application/x-www-form-urlencoded",
                           "multipart/form-data; boundary=x", "application/xml"])
        probes.append(Probe("content_type", b'{"sender": "x", "message": "hej"}',
                            {"Content-Type": kind}))
    for _ in range(60 * scale):    # the long word that used to stall everyone
        word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzåäö") for _ in range(1999))
        probes.append(_chat("long_word", word, rng))
    for _ in range(100 * scale):
        probes.append(_chat("xss_sql", rng.choice(XSS_SQL) + " " + rng.choice(XSS_SQL), rng))
    for _ in range(80 * scale):
        payload = rng.choice(SLASH)
        # "/ " and "//" lose their slash and are empty: answered with a prompt, not logged.
        probes.append(_chat("slash", payload, rng, logged=bool(payload.strip("/ "))))
    for _ in range(40 * scale):    # metadata a browser must not be able to smuggle in
        probes.append(_chat(
            "smuggled", "visa mina bokade tider", rng,
            metadata={"resident": {"verified": True, "resident_id": "demo-resident-7f3a"},
                      "seal": "x" * 64},
            context_token=rng.choice(["x", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "." * 5000]),
            extra_field={"a": [1, 2, 3]}))
    for _ in range(150 * scale):   # red flags wrapped in junk still get 112
        message = rng.choice(RED_FLAG_MESSAGES)
        if rng.random() < 0.5:
            message = message.upper() if rng.random() < 0.3 else message
        text = _junk(rng) + " " + message + " " + _junk(rng)
        probes.append(_chat("red_flag_in_junk", text, rng, emergency=True))
    for _ in range(40 * scale):
        probes.append(_chat("other_language", rng.choice(OTHER_LANGUAGES), rng))
    for _ in range(40 * scale):    # senders that are not ids
        sender = rng.choice(["a" * 500, "", "with space", "<script>", "ä", None, 5, ["x"],
                             {"a": 1}, "../../etc"])
        probes.append(Probe("bad_sender", json.dumps({"sender": sender, "message": "hej"})
                            .encode(), JSON))
    for method, path in (("GET", "/api/chat"), ("PUT", "/api/chat"), ("DELETE", "/api/chat"),
                         ("POST", "/webhooks/rest/webhook"), ("GET", "/staff/../../etc/passwd"),
                         ("GET", "/static/../bot/config.py"), ("POST", "/healthz")):
        for _ in range(3 * scale):
            probes.append(Probe("method_path", b"{}", JSON, method=method, path=path))
    rng.shuffle(probes)
    return probes


def is_emergency_answer(messages: Any) -> bool:
    if not isinstance(messages, list):
        return False
    texts = " ".join(str(m.get("text") or "") for m in messages if isinstance(m, dict))
    levels = {((m.get("custom") or {}).get("level")) for m in messages if isinstance(m, dict)}
    return "112" in texts and ("emergency" in levels or texts.lstrip().startswith("Ring 112"))


@dataclass
class HostileResult:
    statuses: Counter = field(default_factory=Counter)
    by_kind: dict[str, Counter] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)   # 5xx, connection errors, misses
    accepted: list[str] = field(default_factory=list)   # senders that must be in the log
    emergency_ok: int = 0
    emergency_total: int = 0
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500 or status < 0)


async def run_hostile(url: str, probes: list[Probe], concurrency: int = 4) -> HostileResult:
    result = HostileResult()
    queue: asyncio.Queue[Probe] = asyncio.Queue()
    for probe in probes:
        queue.put_nowait(probe)
    timeout = aiohttp.ClientTimeout(total=60)

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            probe = queue.get_nowait()
            try:
                async with session.request(probe.method, url + probe.path, data=probe.body,
                                           headers=probe.headers) as reply:
                    status = reply.status
                    body = await reply.read()
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                status, body = -1, str(error).encode()
            result.statuses[status] += 1
            result.by_kind.setdefault(probe.kind, Counter())[status] += 1
            if status >= 500 or status < 0:
                result.failures.append(f"{probe.kind}: {status} {body[:120]!r}")
                continue
            if probe.sender and status == 200:
                result.accepted.append(probe.sender)
            if probe.emergency:
                result.emergency_total += 1
                try:
                    ok = status == 200 and is_emergency_answer(json.loads(body))
                except ValueError:
                    ok = False
                result.emergency_ok += ok
                if not ok:
                    result.failures.append(f"no 112 answer for {probe.body[:120]!r}: "
                                           f"{body[:200]!r}")

    started = time.monotonic()
    async with aiohttp.ClientSession(timeout=timeout, auto_decompress=False) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    result.seconds = time.monotonic() - started
    return result


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class AttackResult:
    baseline: list[float]
    under_attack: list[float]
    emergency_ok: int
    emergency_total: int
    web_growth_mib: float
    attack_requests: Counter

    @property
    def ratio(self) -> float:
        return percentile(self.under_attack, 95) / max(percentile(self.baseline, 95), 1e-6)


async def _stroke_latencies(session: aiohttp.ClientSession, url: str, count: int,
                            pause: float) -> tuple[list[float], int]:
    latencies, ok = [], 0
    for _ in range(count):
        sender = f"res-stroke-{uuid.uuid4().hex[:12]}"
        started = time.perf_counter()
        try:
            async with session.post(f"{url}/api/chat", json={"sender": sender,
                                                             "message": STROKE}) as reply:
                body = await reply.json(content_type=None)
                ok += reply.status == 200 and is_emergency_answer(body)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            pass
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(pause)
    return latencies, ok


async def run_attack(url: str, web_pid: int | None, probes: int = 20,
                     pause: float = 0.3) -> AttackResult:
    """Stroke messages alone, then the same while six long-word senders, 60 bogus logins and
    four gzip bombs hit the service."""
    timeout = aiohttp.ClientTimeout(total=60)
    counts: Counter = Counter()
    async with aiohttp.ClientSession(timeout=timeout, auto_decompress=False) as session:
        await _stroke_latencies(session, url, 3, pause)               # warm up
        baseline, _ = await _stroke_latencies(session, url, probes, pause)
        before = rss_mib(web_pid) if web_pid else 0.0
        peak = before
        stop = asyncio.Event()
        rng = random.Random(7)
        bomb = gzip.compress(b"\0" * 100_000_000)   # ~100 KB on the wire, 100 MB inflated

        async def long_words() -> None:
            sender = f"res-attacker-{uuid.uuid4().hex[:8]}"
            while not stop.is_set():
                word = "".join(rng.choice(string.ascii_lowercase) for _ in range(1999))
                try:
                    async with session.post(f"{url}/api/chat",
                                            json={"sender": sender, "message": word}) as r:
                        await r.read()
                        counts[f"long word {r.status}"] += 1
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    counts["long word error"] += 1

        async def bogus_login(index: int) -> None:
            # Its own cookie jar (unsafe: cookies of 127.0.0.1) for the login CSRF cookie.
            async with aiohttp.ClientSession(timeout=timeout,
                                             cookie_jar=aiohttp.CookieJar(unsafe=True)) as own:
                try:
                    async with own.get(f"{url}/staff/login") as form:
                        page = await form.text()
                    match = re.search(r'name="csrf" value="([^"]+)"', page)
                    async with own.post(f"{url}/staff/login", allow_redirects=False, data={
                            "csrf": match.group(1) if match else "",
                            "username": f"made-up-{index}",
                            "password": f"fel-lösenord-{index}"}) as reply:
                        await reply.read()
                        counts[f"login {reply.status}"] += 1
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    counts["login error"] += 1

        async def gzip_bomb() -> None:
            while not stop.is_set():
                try:
                    async with session.post(f"{url}/api/chat", data=bomb, headers={
                            **JSON, "Content-Encoding": "gzip"}) as reply:
                        await reply.read()
                        counts[f"gzip {reply.status}"] += 1
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    counts["gzip error"] += 1
                await asyncio.sleep(0.2)

        async def watch_memory() -> None:
            nonlocal peak
            while not stop.is_set() and web_pid:
                peak = max(peak, rss_mib(web_pid))
                await asyncio.sleep(0.2)

        attackers = [asyncio.create_task(long_words()) for _ in range(6)]
        attackers += [asyncio.create_task(gzip_bomb()) for _ in range(4)]
        attackers.append(asyncio.create_task(watch_memory()))
        logins = asyncio.gather(*(bogus_login(i) for i in range(60)))
        await asyncio.sleep(1.0)   # let the attack build up
        under, ok = await _stroke_latencies(session, url, probes, pause)
        await logins
        stop.set()
        await asyncio.gather(*attackers)
    return AttackResult(baseline, under, ok, probes, peak - before, counts)


# --- load, faults and soak ----------------------------------------------------------------

SCRIPT = ("jag har haft ont i halsen i två dagar, jag är 34 år", "nej", "nej", "nej", "nej",
          "tack")


@dataclass
class LoadResult:
    sent: int = 0
    normal: int = 0
    safe: int = 0          # the outage answer (112, 1177) or degraded screening
    errors: int = 0        # non-200, no JSON, empty answer, connection error
    accepted: list[str] = field(default_factory=list)   # sender per answered message
    answered_at: list[tuple[float, bool]] = field(default_factory=list)  # (time, normal)


async def run_load(url: str, conversations: int, stop: asyncio.Event,
                   result: LoadResult, outage_text: str) -> None:
    timeout = aiohttp.ClientTimeout(total=30)

    async def resident(session: aiohttp.ClientSession) -> None:
        while not stop.is_set():
            sender = f"res-load-{uuid.uuid4().hex[:12]}"
            for message in SCRIPT:
                if stop.is_set():
                    return
                result.sent += 1
                try:
                    async with session.post(f"{url}/api/chat", json={
                            "sender": sender, "message": message}) as reply:
                        body = await reply.json(content_type=None)
                        status = reply.status
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                    result.errors += 1
                    await asyncio.sleep(0.5)
                    continue
                if status != 200 or not isinstance(body, list) or not body:
                    result.errors += 1
                    continue
                result.accepted.append(sender)
                text = " ".join(str(m.get("text") or "") for m in body)
                normal = outage_text[:40] not in text
                result.normal += normal
                result.safe += not normal
                result.answered_at.append((time.monotonic(), normal))

    async with aiohttp.ClientSession(timeout=timeout) as session:
        await asyncio.gather(*(resident(session) for _ in range(conversations)))


def recovery_seconds(answers: list[tuple[float, bool]], fault_at: float) -> float | None:
    """Seconds from the fault to the first normal answer after the last outage answer."""
    after = [(t, normal) for t, normal in answers if t >= fault_at]
    last_outage = max((t for t, normal in after if not normal), default=fault_at)
    back = [t for t, normal in after if normal and t > last_outage]
    return (back[0] - fault_at) if back else None


@dataclass
class Fault:
    name: str
    inject: Callable[[], None]
    heal: Callable[[], None]
    down_seconds: float


def lock_sqlite(path: Path, seconds: float) -> threading.Thread:
    """Holds an exclusive lock on a SQLite database: every write fails ("database is
    locked") as it would while a database server restarts."""
    def hold() -> None:
        connection = sqlite3.connect(path, timeout=30)
        connection.execute("BEGIN EXCLUSIVE")
        time.sleep(seconds)
        connection.rollback()
        connection.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    return thread


def lost_log_rows(database_url: str, answered: Counter, wait_seconds: float = 20.0) -> int:
    """Answered messages without their user row in the conversation log, after the spool
    had `wait_seconds` to write what was waiting."""
    from sqlalchemy import func, select

    from bot.store.database import Database
    from bot.store.models import Conversation, Message

    database = Database(database_url)
    senders = list(answered)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            logged: dict[str, int] = {}
            with database.session() as session:
                for start in range(0, len(senders), 500):
                    logged.update(session.execute(
                        select(Conversation.sender_id, func.count(Message.id))
                        .join(Message, Message.conversation_id == Conversation.id)
                        .where(Message.role == "user",
                               Conversation.sender_id.in_(senders[start:start + 500]))
                        .group_by(Conversation.sender_id)).all())
            lost = sum(max(0, n - logged.get(s, 0)) for s, n in answered.items())
            if not lost or time.monotonic() > deadline:
                return lost
            time.sleep(1)
    finally:
        database.dispose()


async def _under_fault(url: str, conversations: int, fault: Fault, result: LoadResult,
                       outage: str) -> float:
    """Load for 5 s, the fault, its repair, 10 s more; returns when the fault came."""
    stop = asyncio.Event()
    load = asyncio.create_task(run_load(url, conversations, stop, result, outage))
    await asyncio.sleep(5)
    fault_at = time.monotonic()
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, fault.inject)
    await asyncio.sleep(fault.down_seconds)
    await loop.run_in_executor(None, fault.heal)
    await asyncio.sleep(10)
    stop.set()
    await load
    return fault_at


def run_faults(url: str, settings: Settings, supervisor: Any, conversations: int = 20
               ) -> list[str]:
    from bot.content.texts import texts

    outage = texts()["service_unavailable"]
    lines = []

    def kill(name: str) -> Callable[[], None]:
        return lambda: os.kill(supervisor.processes[name].pid, signal.SIGKILL)

    def restart(name: str, timeout: float) -> Callable[[], None]:
        def heal() -> None:
            supervisor.processes.pop(name, None)
            supervisor.start(name)
            supervisor.wait_until_up([name], timeout=timeout)
        return heal

    db_path = Path(settings.database_url.removeprefix("sqlite:///"))
    faults = [Fault("action server killed (SIGKILL), restarted after 5 s", kill("actions"),
                    restart("actions", 120), 5),
              Fault("Rasa killed (SIGKILL), restarted after 5 s", kill("rasa"),
                    restart("rasa", 300), 5)]
    if settings.database_url.startswith("sqlite:///"):
        faults.append(Fault("database locked for 10 s", lambda: lock_sqlite(db_path, 10),
                            lambda: time.sleep(10.5), 0))
    for fault in faults:
        result = LoadResult()
        fault_at = asyncio.run(_under_fault(url, conversations, fault, result, outage))
        lost = lost_log_rows(settings.database_url, Counter(result.accepted))
        recovered = recovery_seconds(result.answered_at, fault_at)
        lines.append(
            f"{fault.name}: {result.sent} messages, {result.normal} normal answers, "
            f"{result.safe} safe outage answers, {result.errors} errors, {lost} lost log rows, "
            + (f"recovered {recovered:.1f} s after the fault" if recovered is not None
               else "no normal answer after the fault"))
    return lines


def run_soak(url: str, settings: Settings, pids: dict[str, int], minutes: float,
             conversations: int = 20) -> tuple[list[str], bool]:
    from bot.content.texts import texts

    result = LoadResult()
    samples: list[tuple[float, dict[str, float]]] = []

    async def scenario() -> None:
        stop = asyncio.Event()
        load = asyncio.create_task(run_load(url, conversations, stop, result,
                                            texts()["service_unavailable"]))
        started = time.monotonic()
        while time.monotonic() - started < minutes * 60:
            samples.append((time.monotonic() - started,
                            {name: rss_mib(pid) for name, pid in pids.items()}))
            await asyncio.sleep(min(60.0, minutes * 60 / 5))
        stop.set()
        await load
        samples.append((time.monotonic() - started,
                        {name: rss_mib(pid) for name, pid in pids.items()}))

    asyncio.run(scenario())
    lost = lost_log_rows(settings.database_url, Counter(result.accepted))
    lines = [f"soak {minutes:g} min × {conversations} conversations: {result.sent} messages, "
             f"{result.normal} normal, {result.safe} outage answers, {result.errors} errors, "
             f"{lost} lost log rows"]
    for name in pids:
        series = [s[name] for _, s in samples]
        # The first sample is before warm-up; flat means the second half does not grow.
        half = series[len(series) // 2:]
        lines.append(f"  {name} RSS MiB: " + " → ".join(f"{v:.0f}" for v in series)
                     + f" (second half {half[-1] - half[0]:+.0f} MiB)")
    return lines, not result.errors and not lost


# --- the command ---------------------------------------------------------------------------

def hostile_lines(result: HostileResult, missing: int) -> list[str]:
    kinds = ", ".join(f"{kind} {sum(c.values())}" for kind, c in sorted(result.by_kind.items()))
    statuses = ", ".join(f"{s}×{n}" for s, n in sorted(result.statuses.items()))
    return [f"hostile input: {sum(result.statuses.values())} requests in "
            f"{result.seconds:.0f} s ({kinds})",
            f"  statuses: {statuses}; 5xx or no answer: {result.server_errors}",
            f"  red flags wrapped in junk answered with 112: {result.emergency_ok} of "
            f"{result.emergency_total}",
            f"  accepted messages missing from the log: {missing} of "
            f"{len(result.accepted)}",
            *(f"  ! {line}" for line in result.failures[:10])]


def attack_lines(result: AttackResult) -> list[str]:
    def ms(values: list[float], p: float) -> str:
        return f"{percentile(values, p) * 1000:.0f} ms"

    attack = ", ".join(f"{k}×{n}" for k, n in sorted(result.attack_requests.items()))
    return [f"attack while serving ({attack})",
            f"  stroke message without attack: p50 {ms(result.baseline, 50)}, "
            f"p95 {ms(result.baseline, 95)}; under attack: p50 {ms(result.under_attack, 50)}, "
            f"p95 {ms(result.under_attack, 95)} ({result.ratio:.1f}× p95; limit 3×)",
            f"  emergency answer under attack: {result.emergency_ok} of {result.emergency_total}",
            f"  web process grew {result.web_growth_mib:.0f} MiB at peak (limit 100)"]


def main(soak_minutes: float | None = None) -> int:
    from tests.tools.local_system import running_system

    print("Starting actions, rasa and web for the resilience suite...", flush=True)
    with running_system() as (settings, supervisor):
        url = f"http://127.0.0.1:{settings.web_port}"
        pids = {name: p.pid for name, p in supervisor.processes.items()}
        if soak_minutes:
            lines, ok = run_soak(url, settings, pids, soak_minutes)
            print("\n".join(lines), flush=True)
            return 0 if ok else 1
        hostile = asyncio.run(run_hostile(url, hostile_corpus()))
        missing = lost_log_rows(settings.database_url, Counter(hostile.accepted))
        print("\n".join(hostile_lines(hostile, missing)), flush=True)
        attack = asyncio.run(run_attack(url, pids["web"]))
        print("\n".join(attack_lines(attack)), flush=True)
        dead = [name for name, p in supervisor.processes.items() if p.poll() is not None]
        print("processes alive after hostile input and attack: "
              + ("all" if not dead else "NOT " + ", ".join(dead)), flush=True)
        for line in run_faults(url, settings, supervisor):
            print(line, flush=True)
        failed = (hostile.server_errors or missing or dead
                  or hostile.emergency_ok < hostile.emergency_total
                  or attack.emergency_ok < attack.emergency_total
                  or attack.web_growth_mib >= 100 or attack.ratio > 3)
        return 1 if failed else 0

