"""`python -m bot run` as a user runs it: starts all three, restarts a dead one, stops on Ctrl-C."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from bot.config import ROOT
from tests.integration.conftest import require_model
from tests.tools.local_system import free_port


def children(pid: int) -> dict[int, str]:
    """Direct children of a process, with their command lines, from /proc."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
                found[int(entry.name)] = command.decode()
        except (OSError, ValueError, IndexError):
            continue
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Output:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self._queue.put(line)

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            self.lines.append(line)
            if text in line:
                return
        tail = "".join(self.lines[-40:])
        pytest.fail(f"launcher never printed {text!r} within {timeout} s; last output:\n{tail}")


def test_run_restarts_a_dead_process_and_stops_cleanly(tmp_path: Path) -> None:
    require_model()
    web_port = free_port()
    env = dict(os.environ, VARDLOTSEN_VAR_DIR=str(tmp_path), WEB_PORT=str(web_port),
               RASA_PORT=str(free_port()), ACTION_PORT=str(free_port()),
               PYTHONPATH=str(ROOT))
    launcher = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = Output(launcher)
    try:
        output.wait_for("Vårdlotsen is running", timeout=300)
        assert f"http://localhost:{web_port}/" in output.lines[-1]
        assert requests.get(f"http://127.0.0.1:{web_port}/healthz", timeout=10).status_code == 200

        started = children(launcher.pid)
        assert len(started) == 3, started
        actions_pid = next(pid for pid, cmd in started.items() if "rasa_sdk" in cmd)
        os.kill(actions_pid, signal.SIGKILL)
        output.wait_for("actions stopped unexpectedly", timeout=30)
        output.wait_for("restarting actions", timeout=10)
        deadline = time.monotonic() + 60
        while requests.get(f"http://127.0.0.1:{web_port}/healthz", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "actions did not come back"
            time.sleep(0.5)
        running = children(launcher.pid)
        assert len(running) == 3 and actions_pid not in running

        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(timeout=60) == 0
        output.wait_for("all processes stopped", timeout=5)
        assert not any(alive(pid) for pid in running)
    finally:
        if launcher.poll() is None:
            launcher.kill()
