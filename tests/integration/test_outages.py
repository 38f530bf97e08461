"""The resident still gets a safe answer when a process behind the web app is down."""

from __future__ import annotations

import uuid

from tests.integration.conftest import RunningSystem


def test_action_server_down_gives_safe_answer_then_recovers(system: RunningSystem) -> None:
    sender = f"outage-{uuid.uuid4().hex[:8]}"
    system.supervisor.stop("actions")
    try:
        reply = system.chat(sender, "jag vill prata med en människa")
        assert reply.status_code == 200
        answer = " ".join(m.get("text", "") for m in reply.json())
        assert "112" in answer and "1177" in answer
        rows = system.transcript(sender)
        assert rows[0]["text"] == "jag vill prata med en människa"
        assert any(r["role"] == "event" for r in rows)
    finally:
        system.supervisor.start("actions")
        system.supervisor.wait_until_up(["actions"], timeout=60)
    # Back to normal once it is up again.
    messages = system.say(sender, "jag vill prata med en människa")
    answer = " ".join(m.get("text", "") for m in messages)
    assert "vårdcentral" in answer


def test_rasa_down_gives_safe_answer_quickly(system: RunningSystem) -> None:
    import time

    sender = f"outage-{uuid.uuid4().hex[:8]}"
    system.supervisor.stop("rasa")
    try:
        started = time.monotonic()
        reply = system.chat(sender, "hej")
        elapsed = time.monotonic() - started
        answer = reply.json()[0]["text"]
        assert reply.status_code == 200 and "112" in answer and "1177" in answer
        # Functional bound, not a benchmark: never wait for the full upstream timeout
        # when Rasa refuses connections.
        assert elapsed < system.settings.upstream_timeout, f"safe answer took {elapsed:.1f} s"
        assert system.transcript(sender)[1]["payload"]["kind"] == "dialogue_unavailable"
        # An emergency still gets its own 112 answer while Rasa is down.
        emergency = system.chat(sender, "pappa sluddrar och munnen hänger på ena sidan").json()
        assert emergency[0]["text"].startswith("Ring 112")
        assert any((m.get("custom") or {}).get("level") == "emergency" for m in emergency)
    finally:
        system.supervisor.start("rasa")
        system.supervisor.wait_until_up(["rasa"], timeout=240)
