"""The scaled profile, really running: two Rasa replicas on PostgreSQL (tracker store and
app database) and Redis (conversation locks, Rasa's lock store, rate limits). The replica
serving a conversation is killed with SIGKILL in the middle of a triage; the next message
is answered by the other replica with the dialogue state intact."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest
import requests

from bot.web.replicas import preference
from tests.integration.conftest import RunningSystem, require_model
from tests.integration.helpers import custom, new_sender, texts
from tests.tools.local_system import postgres_databases, running_system, scaled_env


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    with postgres_databases("app", "tracker") as (app_db, tracker_db), running_system(
            tmp_path_factory.mktemp("scaled"), require_model(), scaled_env(app_db, tracker_db)
    ) as (settings, supervisor):
        yield RunningSystem(settings, supervisor)


def test_both_replicas_serve_and_report_healthy(scaled: RunningSystem) -> None:
    health = requests.get(scaled.url + "/healthz", timeout=10).json()
    assert health["components"]["rasa"] == {"ok": True, "replicas_up": 2, "replicas": 2}
    senders = [new_sender("spread") for _ in range(12)]
    homes = {preference(s, scaled.settings.rasa_urls)[0] for s in senders}
    assert len(homes) == 2                    # conversations go to both replicas
    for sender in senders[:4]:
        assert "förstod inte" not in texts(scaled.say(sender, "hej"))


def test_a_conversation_survives_its_replica(scaled: RunningSystem) -> None:
    sender = new_sender("failover")
    urls = scaled.settings.rasa_urls
    home = preference(sender, urls)[0]
    name = f"rasa-{urls.index(home) + 1}"

    first = texts(scaled.say(sender, "jag har haft ont i halsen i två dagar"))
    assert "?" in first                       # triage asks its first question
    process = scaled.supervisor.processes[name]
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)

    # The other replica continues the same triage: it does not start over, and the
    # conversation ends with advice for a sore throat.
    second = texts(scaled.say(sender, "nej"))
    assert second and "tekniskt fel" not in second and second != first
    result = None
    for _ in range(8):
        replies = scaled.say(sender, "nej")
        result = custom(replies, "triage_result")
        if result is not None:
            break
    assert result is not None, "no triage result after the failover"
    assert result["level"] == "self_care" and "sore_throat" in result["protocols"]
    health = requests.get(scaled.url + "/healthz", timeout=10).json()
    assert health["components"]["rasa"]["replicas_up"] == 1
