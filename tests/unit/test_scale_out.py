"""Scale-out pieces: the replica choice, failover over real HTTP, the per-conversation lock
(in one process and through the real Redis), the scaled configuration and its processes."""

from __future__ import annotations

import asyncio
import collections
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.config import Settings, lock_store_env
from bot.launcher import process_specs
from bot.web.ordering import SenderLocks
from bot.web.rasa_client import DialogueUnavailable, RasaClient
from bot.web.replicas import DOWN_SECONDS, ReplicaHealth, preference

REPLICAS = [f"http://rasa-{i}:5005" for i in range(3)]
REDIS_URL = "redis://127.0.0.1:6379/0"


def test_a_sender_keeps_its_replica_and_senders_spread() -> None:
    senders = [f"resident-{i}" for i in range(3000)]
    first = {s: preference(s, REPLICAS)[0] for s in senders}
    assert first == {s: preference(s, list(reversed(REPLICAS)))[0] for s in senders}
    counts = collections.Counter(first.values())
    assert all(800 < count < 1200 for count in counts.values()), counts


def test_only_a_lost_replicas_conversations_move() -> None:
    senders = [f"resident-{i}" for i in range(1000)]
    before = {s: preference(s, REPLICAS)[0] for s in senders}
    after = {s: preference(s, REPLICAS[:2])[0] for s in senders}
    moved = [s for s in senders if before[s] != after[s]]
    assert moved and all(before[s] == REPLICAS[2] for s in moved)


def test_a_replica_marked_down_is_tried_last_until_it_is_up_again() -> None:
    now = [100.0]
    health = ReplicaHealth(REPLICAS, clock=lambda: now[0])
    sender = "resident-1"
    own = health.order(sender)[0]
    health.mark_down(own)
    assert health.order(sender)[-1] == own and health.order(sender)[0] != own
    now[0] += DOWN_SECONDS + 1          # no health check came: it gets another chance
    assert health.order(sender)[0] == own
    health.mark_down(own)
    health.mark_up(own)
    assert health.order(sender)[0] == own


class Replica:
    """A stand-in Rasa replica over real HTTP: answers, fails with 500, or is stopped."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.status = 200
        self.received: list[str] = []

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body["sender"])
        return web.json_response({"messages": [{"text": self.name}]}, status=self.status)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhooks/gateway/webhook", self.webhook)
        app.router.add_get("/", lambda _: web.Response(text="Hello from Rasa",
                                                       status=self.status))
        return app


async def test_failover_to_the_next_replica_and_back(aiohttp_server: Any) -> None:
    replicas = [Replica("a"), Replica("b")]
    servers = [await aiohttp_server(r.app()) for r in replicas]
    urls = [str(s.make_url("")).rstrip("/") for s in servers]
    async with aiohttp.ClientSession() as session:
        client = RasaClient(urls, 2.0, session)
        sender = next(s for s in (f"r{i}" for i in range(100))
                      if client.health.order(s)[0] == urls[0])
        assert (await client.send(sender, "hej", {})).messages[0]["text"] == "a"
        replicas[0].status = 500                      # a failing replica
        assert (await client.send(sender, "hej", {})).messages[0]["text"] == "b"
        assert client.health.snapshot()[urls[0]] is False
        await servers[0].close()                      # a dead one: found by the check
        assert (await client.check())[urls[0]] is False
        assert (await client.send(sender, "hej", {})).messages[0]["text"] == "b"
        await servers[1].close()
        with pytest.raises(DialogueUnavailable):
            await client.send(sender, "hej", {})


async def test_the_health_check_brings_a_replica_back(aiohttp_server: Any) -> None:
    replica = Replica("a")
    server = await aiohttp_server(replica.app())
    url = str(server.make_url("")).rstrip("/")
    async with aiohttp.ClientSession() as session:
        client = RasaClient([url, "http://127.0.0.1:9"], 2.0, session)
        assert await client.check() == {url: True, "http://127.0.0.1:9": False}
        replica.status = 503
        assert (await client.check())[url] is False
        replica.status = 200
        assert (await client.check())[url] is True


@pytest.mark.parametrize("redis_url", [None, REDIS_URL])
async def test_one_message_at_a_time_per_conversation(redis_url: str | None) -> None:
    """Two gateways (as two web processes) never run one conversation's turns at once;
    other conversations are not held up."""
    gateways = [SenderLocks(redis_url), SenderLocks(redis_url)] if redis_url else \
        [SenderLocks()] * 2
    sender, other = f"s-{uuid.uuid4().hex}", f"o-{uuid.uuid4().hex}"
    running: collections.Counter[str] = collections.Counter()
    overlaps: list[str] = []
    order: list[str] = []

    async def turn(locks: SenderLocks, who: str, label: str) -> None:
        async with locks.hold(who):
            running[who] += 1
            if running[who] > 1:
                overlaps.append(who)
            order.append(label)
            await asyncio.sleep(0.05)
            running[who] -= 1

    await asyncio.gather(*(turn(gateways[i % 2], sender, f"s{i}") for i in range(6)),
                         turn(gateways[0], other, "o"))
    assert not overlaps and len(order) == 7
    assert order.index("o") < 3                      # not queued behind the busy one
    for locks in gateways:
        await locks.close()


async def test_an_unreachable_redis_does_not_stop_a_message() -> None:
    locks = SenderLocks("redis://127.0.0.1:9/0")
    async with locks.hold("someone"):
        pass
    await locks.close()


def test_scaled_configuration_and_its_processes(tmp_path: Path) -> None:
    settings = Settings.from_env({
        "VARDLOTSEN_VAR_DIR": str(tmp_path), "RASA_PORT": "6005", "ACTION_PORT": "6055",
        "RASA_REPLICAS": "3", "ACTION_REPLICAS": "2", "REDIS_URL": "redis://cache:6380/2",
        "TRACKER_STORE_URL": "postgresql://rasa@db/tracker"})
    assert settings.rasa_urls == ("http://127.0.0.1:6005", "http://127.0.0.1:6006",
                                  "http://127.0.0.1:6007")
    specs = {spec.name: spec for spec in process_specs(settings, tmp_path / "model.tar.gz")}
    assert list(specs) == ["actions-1", "actions-2", "rasa-1", "rasa-2", "rasa-3", "web"]
    assert [specs[f"rasa-{i}"].env["ACTION_URL"] for i in (1, 2, 3)] == [
        "http://127.0.0.1:6055", "http://127.0.0.1:6056", "http://127.0.0.1:6055"]
    assert "6007" in specs["rasa-3"].argv
    env = settings.process_env()
    assert env["LOCK_STORE_TYPE"] == "redis" and env["LOCK_STORE_HOST"] == "cache"
    assert (env["LOCK_STORE_PORT"], env["LOCK_STORE_DB"]) == ("6380", "2")
    assert Settings.from_env(env).rasa_urls == settings.rasa_urls   # children agree


def test_the_default_profile_is_one_of_each_without_redis(tmp_path: Path) -> None:
    settings = Settings.from_env({"VARDLOTSEN_VAR_DIR": str(tmp_path)})
    names = [spec.name for spec in process_specs(settings, tmp_path / "m.tar.gz")]
    assert names == ["actions", "rasa", "web"]
    assert lock_store_env(None)["LOCK_STORE_TYPE"] == "in_memory"


def test_several_replicas_refuse_a_sqlite_tracker_store(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="TRACKER_STORE_URL"):
        Settings.from_env({"VARDLOTSEN_VAR_DIR": str(tmp_path), "RASA_REPLICAS": "2"})


def test_urls_named_elsewhere_win(tmp_path: Path) -> None:
    settings = Settings.from_env({
        "VARDLOTSEN_VAR_DIR": str(tmp_path), "TRACKER_STORE_URL": "postgresql://x/y",
        "RASA_URLS": "http://rasa-0.rasa:5005/, http://rasa-1.rasa:5005"})
    assert settings.rasa_urls == ("http://rasa-0.rasa:5005", "http://rasa-1.rasa:5005")
    assert settings.rasa_url == "http://rasa-0.rasa:5005"
