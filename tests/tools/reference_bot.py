"""The yardstick of `make bench`: a default `rasa init` bot served by `rasa run` (REST
channel, in-memory tracker store, the same venv), started beside Vårdlotsen."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.config import ROOT
from tests.tools.local_system import free_port

REFERENCE_DIR = ROOT / "var" / "bench-reference"
WEBHOOK = "/webhooks/rest/webhook"
# The init bot's own five-message conversation: greeting, bot question, mood, yes, bye.
SCRIPT = ("hello", "are you a bot?", "I am sad", "yes", "bye")


def _env() -> dict[str, str]:
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
            "MPLCONFIGDIR": str(REFERENCE_DIR / "matplotlib")}


def _model(project: Path) -> Path:
    """The init bot's model, trained once and kept in var/ (about a minute)."""
    models = sorted((project / "models").glob("*.tar.gz"))
    if not models:
        project.mkdir(parents=True, exist_ok=True)
        print("Training the reference `rasa init` bot (once)...", flush=True)
        subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir",
                        str(project)], cwd=project, env=_env(), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        models = sorted((project / "models").glob("*.tar.gz"))
    return models[-1]


@contextmanager
def reference_bot(project: Path = REFERENCE_DIR) -> Iterator[tuple[str, int]]:
    """Yields the bot's base URL and process id; stops it afterwards."""
    model = _model(project)
    port = free_port()
    with open(project / "rasa.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rasa", "run", "--model", str(model), "--interface",
             "127.0.0.1", "--port", str(port), "--credentials", "credentials.yml"],
            cwd=project, env=_env(), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while not _up(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the reference bot did not start; see {log.name}")
                time.sleep(0.5)
            yield url, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/", timeout=1) as reply:
            return reply.status == 200
    except OSError:
        return False
