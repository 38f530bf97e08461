"""Starts and watches the three processes: action server, Rasa server and web app.

One child dying is reported at once. It is restarted a few times; if it keeps dying the
launcher stops everything, so there is never a half-running system for long. Ctrl-C (or
SIGTERM) stops all children and waits for them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from bot.config import ROOT, Settings

STOP_GRACE_SECONDS = 15.0


@dataclass
class ProcessSpec:
    name: str
    argv: list[str]
    health_url: str
    env: dict[str, str] = field(default_factory=dict)
    # Any HTTP answer counts as "up" (the web app's /healthz says 503 while others start).
    any_status_is_up: bool = False


def process_specs(settings: Settings, model: Path) -> list[ProcessSpec]:
    """Action servers, Rasa replicas and the web app: one of each by default; with
    RASA_REPLICAS/ACTION_REPLICAS (or RASA_URLS/ACTION_URLS) one process per URL, named
    rasa-1, rasa-2, ... Rasa replica i calls action server i modulo their number."""
    python = sys.executable
    actions = [ProcessSpec(
        name=_name("actions", i, len(settings.action_urls)),
        argv=[python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(_port(url))],
        health_url=f"{url}/health",
        env={"SANIC_HOST": "127.0.0.1"},
    ) for i, url in enumerate(settings.action_urls)]
    rasa = [ProcessSpec(
        name=_name("rasa", i, len(settings.rasa_urls)),
        argv=[python, "-m", "rasa", "run", "--model", str(model),
              "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
              "--interface", "127.0.0.1", "--port", str(_port(url))],
        health_url=f"{url}/webhooks/gateway/",
        env={"ACTION_URL": settings.action_urls[i % len(settings.action_urls)]},
    ) for i, url in enumerate(settings.rasa_urls)]
    web = ProcessSpec(
        name="web",
        argv=[python, "-m", "bot.web"],
        health_url=f"http://127.0.0.1:{settings.web_port}/healthz",
        any_status_is_up=True,
    )
    return [*actions, *rasa, web]


def _name(kind: str, index: int, count: int) -> str:
    return kind if count == 1 else f"{kind}-{index + 1}"


def _port(url: str) -> int:
    port = urlsplit(url).port
    if port is None:
        raise SystemExit(f"Configuration error: {url} names no port to start a process on")
    return port


def base_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(settings.process_env())
    env.update({
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "MPLCONFIGDIR": str(settings.var_dir / "matplotlib"),
    })
    return env


def http_up(url: str, any_status: bool, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return reply.status == 200 or any_status
    except urllib.error.HTTPError:
        return any_status
    except (OSError, ValueError):
        return False


LOG_BYTES = 10 * 1024 * 1024
LOG_BACKUPS = 5


def rotate(path: Path, backups: int) -> None:
    """name.log -> name.log.1 -> ... -> name.log.<backups>; the oldest is dropped."""
    for index in range(backups - 1, 0, -1):
        older = path.with_name(f"{path.name}.{index}")
        if older.exists():
            older.replace(path.with_name(f"{path.name}.{index + 1}"))
    if path.exists():
        path.replace(path.with_name(f"{path.name}.1"))


class Supervisor:
    """Owns the child processes. Used by `python -m bot run` and by the integration tests."""

    def __init__(self, specs: Sequence[ProcessSpec], env: dict[str, str], log_dir: Path,
                 out: TextIO = sys.stdout, max_restarts: int = 3,
                 restart_window: float = 300.0) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self._env = env
        self._log_dir = log_dir
        self._out = out
        self._max_restarts = max_restarts
        self._restart_window = restart_window
        self._restarts: dict[str, deque[float]] = {name: deque() for name in self.specs}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._print_lock = threading.Lock()

    def say(self, text: str) -> None:
        with self._print_lock:
            self._out.write(f"[launcher] {text}\n")
            self._out.flush()

    def start(self, name: str) -> None:
        spec = self.specs[name]
        self._log_dir.mkdir(parents=True, exist_ok=True)
        process = subprocess.Popen(
            spec.argv, cwd=ROOT, env={**self._env, **spec.env},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            # Own session: the terminal's Ctrl-C reaches only the launcher, which then
            # stops the children in order instead of all of them racing.
            start_new_session=True,
        )
        self.processes[name] = process
        threading.Thread(target=self._pump, args=(name, process), daemon=True).start()

    def _pump(self, name: str, process: subprocess.Popen[bytes]) -> None:
        """Copies a child's output to its log file and, prefixed, to the console. The file
        rotates at LOG_BYTES (LOG_BACKUPS kept), so a long run cannot fill the disk."""
        assert process.stdout is not None
        path = self._log_dir / f"{name}.log"
        log_file = open(path, "ab")   # noqa: SIM115 - reopened on rotation below
        try:
            for line in iter(process.stdout.readline, b""):
                log_file.write(line)
                log_file.flush()
                if log_file.tell() > LOG_BYTES:
                    log_file.close()
                    rotate(path, LOG_BACKUPS)
                    log_file = open(path, "ab")   # noqa: SIM115
                with self._print_lock:
                    self._out.write(f"[{name}] {line.decode('utf-8', 'replace').rstrip()}\n")
                    self._out.flush()
        finally:
            log_file.close()

    def start_all(self) -> None:
        for name in self.specs:
            self.start(name)

    def is_up(self, name: str) -> bool:
        spec = self.specs[name]
        return http_up(spec.health_url, spec.any_status_is_up)

    def wait_until_up(self, names: Sequence[str] | None = None, timeout: float = 180.0,
                      should_stop: Callable[[], bool] = lambda: False) -> None:
        waiting = list(names or self.specs)
        deadline = time.monotonic() + timeout
        while waiting and not should_stop():
            for name in list(waiting):
                process = self.processes.get(name)
                if process is None or process.poll() is not None:
                    code = None if process is None else process.returncode
                    raise RuntimeError(f"{name} exited while starting (exit code {code}); "
                                       f"see {self._log_dir / (name + '.log')}")
                if self.is_up(name):
                    waiting.remove(name)
            if waiting and time.monotonic() > deadline:
                raise TimeoutError(f"not up after {timeout:.0f} s: {', '.join(waiting)}")
            if waiting:
                time.sleep(0.3)

    def stop(self, name: str) -> int | None:
        process = self.processes.pop(name, None)
        if process is None:
            return None
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                self.say(f"{name} did not stop in {STOP_GRACE_SECONDS:.0f} s; killing it")
                _signal_group(process, signal.SIGKILL)
                process.wait()
        return process.returncode

    def stop_all(self) -> None:
        # Front door first, so no new requests reach a half-stopped system.
        for name in reversed(list(self.specs)):
            if name in self.processes:
                self.stop(name)

    def dead(self) -> list[tuple[str, int]]:
        return [(name, p.returncode) for name, p in self.processes.items()
                if p.poll() is not None]

    def handle_death(self, name: str, code: int) -> bool:
        """Reports a dead child and restarts it; False when it died too often."""
        self.processes.pop(name, None)
        self.say(f"{name} stopped unexpectedly (exit code {code}); "
                 f"its log is {self._log_dir / (name + '.log')}")
        now = time.monotonic()
        history = self._restarts[name]
        while history and now - history[0] > self._restart_window:
            history.popleft()
        if len(history) >= self._max_restarts:
            self.say(f"{name} died {len(history) + 1} times within "
                     f"{self._restart_window:.0f} s; stopping everything")
            return False
        history.append(now)
        self.say(f"restarting {name} ({len(history)}/{self._max_restarts})")
        self.start(name)
        return True

    def watch(self, should_stop: Callable[[], bool], poll_seconds: float = 0.5) -> int:
        """Runs until asked to stop (exit 0) or a child keeps dying (exit 1)."""
        while not should_stop():
            for name, code in self.dead():
                if not self.handle_death(name, code):
                    self.stop_all()
                    return 1
            time.sleep(poll_seconds)
        return 0


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def run(settings: Settings, model: Path) -> int:
    supervisor = Supervisor(process_specs(settings, model), base_env(settings),
                            settings.var_dir / "log")
    stop_requested = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        if not stop_requested.is_set():
            supervisor.say(f"{signal.Signals(signum).name} received: stopping all processes")
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    supervisor.say(f"starting {', '.join(supervisor.specs)} (web on :{settings.web_port}); "
                   "loading the model takes about half a minute")
    supervisor.start_all()
    try:
        supervisor.wait_until_up(timeout=300, should_stop=stop_requested.is_set)
    except (RuntimeError, TimeoutError) as error:
        supervisor.say(f"start-up failed: {error}")
        supervisor.stop_all()
        return 1
    if not stop_requested.is_set():
        local = settings.web_host in ("127.0.0.1", "0.0.0.0", "::")
        host = "localhost" if local else settings.web_host
        supervisor.say(f"Vårdlotsen is running. Open the chat: http://{host}:{settings.web_port}/")
        supervisor.say("Press Ctrl-C to stop.")
    code = supervisor.watch(stop_requested.is_set)
    supervisor.stop_all()
    supervisor.say("all processes stopped")
    return code

