"""The supervisor with small stand-in processes (the real three are in tests/integration)."""

from __future__ import annotations

import io
import os
import socket
import sys
import time
from pathlib import Path

import pytest

from bot.launcher import ProcessSpec, Supervisor


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_server(name: str) -> ProcessSpec:
    port = free_port()
    return ProcessSpec(
        name=name,
        argv=[sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        health_url=f"http://127.0.0.1:{port}/",
    )


def crasher(name: str) -> ProcessSpec:
    return ProcessSpec(
        name=name,
        argv=[sys.executable, "-c", "import time, sys; time.sleep(0.3); sys.exit(3)"],
        health_url="http://127.0.0.1:9/",
    )


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


@pytest.fixture
def out() -> io.StringIO:
    return io.StringIO()


def test_starts_waits_and_stops(tmp_path: Path, out: io.StringIO) -> None:
    supervisor = Supervisor([http_server("one"), http_server("two")], dict(os.environ),
                            tmp_path, out=out)
    supervisor.start_all()
    try:
        supervisor.wait_until_up(timeout=20)
        pids = [p.pid for p in supervisor.processes.values()]
        assert all(alive(pid) for pid in pids)
    finally:
        supervisor.stop_all()
    assert supervisor.processes == {}
    assert not any(alive(pid) for pid in pids)


def test_a_dying_process_is_reported_and_restarted(tmp_path: Path, out: io.StringIO) -> None:
    supervisor = Supervisor([http_server("steady"), crasher("flaky")], dict(os.environ),
                            tmp_path, out=out, max_restarts=2, restart_window=60)
    supervisor.start_all()
    steady_pid = supervisor.processes["steady"].pid
    started = time.monotonic()
    code = supervisor.watch(lambda: time.monotonic() - started > 20, poll_seconds=0.1)
    log = out.getvalue()
    assert code == 1, log
    assert "flaky stopped unexpectedly (exit code 3)" in log
    assert "restarting flaky (1/2)" in log and "restarting flaky (2/2)" in log
    assert "stopping everything" in log
    # Never half-running: the healthy process was stopped with the failing one.
    assert supervisor.processes == {}
    assert not alive(steady_pid)


def test_start_failure_is_explained(tmp_path: Path, out: io.StringIO) -> None:
    supervisor = Supervisor([crasher("broken")], dict(os.environ), tmp_path, out=out)
    supervisor.start_all()
    with pytest.raises(RuntimeError, match="broken exited while starting"):
        supervisor.wait_until_up(timeout=20)
    supervisor.stop_all()


def test_child_output_is_prefixed_and_logged(tmp_path: Path, out: io.StringIO) -> None:
    spec = ProcessSpec(name="talker", argv=[sys.executable, "-c", "print('hej från barnet')"],
                       health_url="http://127.0.0.1:9/")
    supervisor = Supervisor([spec], dict(os.environ), tmp_path, out=out)
    supervisor.start("talker")
    supervisor.processes["talker"].wait(timeout=10)
    time.sleep(0.2)
    assert "[talker] hej från barnet" in out.getvalue()
    assert "hej från barnet" in (tmp_path / "talker.log").read_text(encoding="utf-8")
