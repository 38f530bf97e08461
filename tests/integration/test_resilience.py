"""The short resilience suite inside `make test`: > 1000 hostile requests and an attack while
a stroke message is being answered, against the real running system (`make resilience` adds
faults under load and prints figures; timing limits are checked there, not here)."""

from __future__ import annotations

import asyncio
from collections import Counter

from tests.integration.conftest import RunningSystem
from tests.tools.resilience import (
    hostile_corpus,
    hostile_lines,
    lost_log_rows,
    run_attack,
    run_hostile,
)


def test_hostile_input_gets_no_5xx_keeps_every_message_and_every_112(
        system: RunningSystem) -> None:
    probes = hostile_corpus()
    assert len(probes) >= 1000
    result = asyncio.run(run_hostile(system.url, probes))
    missing = lost_log_rows(system.settings.database_url, Counter(result.accepted))
    report = "\n".join(hostile_lines(result, missing))
    assert result.server_errors == 0, report
    assert result.emergency_total >= 100 and result.emergency_ok == result.emergency_total, \
        report
    assert len(result.accepted) > 500 and missing == 0, report
    # Everything that is not a message was refused as the client's fault, not the server's.
    for kind in ("binary", "deep_json", "compressed", "content_type", "bad_sender",
                 "huge_body", "too_long"):
        assert set(result.by_kind[kind]) <= {400, 413, 415}, (kind, result.by_kind[kind])
    assert all(p.poll() is None for p in system.supervisor.processes.values())


def test_an_attack_never_keeps_a_stroke_from_its_112_answer(system: RunningSystem) -> None:
    web = system.supervisor.processes["web"].pid
    result = asyncio.run(run_attack(system.url, web, probes=10))
    assert result.emergency_ok == result.emergency_total, result
    assert result.web_growth_mib < 100, result
    assert sum(n for key, n in result.attack_requests.items() if key.startswith("gzip 415"))
    assert not any(key.endswith("error") or " 5" in key for key in result.attack_requests), \
        result.attack_requests
    assert all(p.poll() is None for p in system.supervisor.processes.values())
