"""Rate limits on /api/chat and /staff/login: per address, per conversation and per
account; in memory for one web process and shared through Redis for several."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient as Client

from bot.config import Settings
from bot.staff.accounts import Accounts
from bot.store import migrate
from bot.store.database import Database
from bot.web.app import create_app
from bot.web.rate_limit import MemoryLimiter, RedisLimiter, Rule, client_address


async def echo(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response({"messages": [{"recipient_id": body["sender"], "text": "ok"}],
                              "turn": {"intent": "greet", "confidence": 0.9}})


@pytest.fixture
async def client(aiohttp_client: Any, aiohttp_server: Any, tmp_path: Path) -> Client:
    rasa = web.Application()
    rasa.router.add_post("/webhooks/gateway/webhook", echo)
    server = await aiohttp_server(rasa)
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    Accounts(Database(url)).create("anna", "a-long-password-1", "reviewer")
    settings = dataclasses.replace(
        Settings.from_env({}), database_url=url, var_dir=tmp_path, upstream_timeout=1.0,
        rasa_urls=(str(server.make_url("")).rstrip("/"),), chat_limit_per_address=10,
        chat_limit_per_conversation=3, login_limit_per_address=50, login_limit_per_account=2)
    app = create_app(settings, Database(url))
    # Fixed one-minute windows: a test that straddles a minute boundary would see two.
    app["limiter"]._now = lambda: 1_800_000_030.0
    return await aiohttp_client(app)


async def say(client: Client, sender: str, text: str) -> Any:
    return await client.post("/api/chat", json={"sender": sender, "message": text})


async def test_a_flooding_conversation_gets_429_in_swedish_with_retry_after(
        client: Client) -> None:
    for _ in range(3):
        assert (await say(client, "flood-1", "hej")).status == 200
    reply = await say(client, "flood-1", "hej")
    assert reply.status == 429 and int(reply.headers["Retry-After"]) >= 1
    body = await reply.json()
    assert body["error"] == "rate_limited" and "Vänta" in body["message"]
    assert "112" in body["message"]
    # Another conversation from the same address goes on.
    assert (await say(client, "other-1", "hej")).status == 200


async def test_an_emergency_is_answered_even_when_limited(client: Client) -> None:
    for _ in range(3):
        await say(client, "flood-2", "hej")
    reply = await say(client, "flood-2", "min man har ont i bröstet och kallsvettas")
    assert reply.status == 200
    messages = await reply.json()
    assert messages[0]["text"].startswith("Ring 112")


async def test_the_address_limit_covers_many_conversations(client: Client) -> None:
    statuses = [(await say(client, f"many-{i}", "hej")).status for i in range(12)]
    assert statuses.count(200) == 10 and statuses[-1] == 429


async def test_login_attempts_are_limited_per_account(client: Client) -> None:
    form = await (await client.get("/staff/login")).text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    statuses = []
    for _ in range(3):
        reply = await client.post("/staff/login", allow_redirects=False, data={
            "csrf": csrf, "username": "anna", "password": "wrong-password-xx"})
        statuses.append(reply.status)
    assert statuses == [401, 401, 429]


def test_forwarded_for_is_believed_only_from_trusted_proxies() -> None:
    assert client_address("10.0.0.2", "203.0.113.5", ()) == "10.0.0.2"
    assert client_address("10.0.0.2", "203.0.113.5, 10.0.0.9", ("10.0.0.2", "10.0.0.9")) \
        == "203.0.113.5"
    assert client_address("10.0.0.2", "not-an-ip", ("10.0.0.2",)) == "10.0.0.2"
    # Networks too: an Ingress controller's pods change address.
    assert client_address("10.1.2.3", "203.0.113.5, 10.1.9.9", ("10.1.0.0/16",)) \
        == "203.0.113.5"
    assert client_address("10.2.0.1", "203.0.113.5", ("10.1.0.0/16",)) == "10.2.0.1"


async def test_memory_limiter_counts_per_window() -> None:
    limiter, rule = MemoryLimiter(), Rule("test", 2, window=60)
    assert [await limiter.wait_for(rule, "k") for _ in range(2)] == [None, None]
    assert (await limiter.wait_for(rule, "k")) is not None
    assert await limiter.wait_for(Rule("off", 0), "k") is None


def _redis_up() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis at 127.0.0.1:6379 on this machine")
async def test_two_web_processes_share_the_limit_through_redis() -> None:
    first = RedisLimiter("redis://127.0.0.1:6379/0")
    second = RedisLimiter("redis://127.0.0.1:6379/0")
    rule, key = Rule("shared", 3, window=60), f"test-{uuid.uuid4().hex}"
    try:
        results = [await first.wait_for(rule, key), await second.wait_for(rule, key),
                   await first.wait_for(rule, key), await second.wait_for(rule, key)]
        assert results[:3] == [None, None, None] and results[3] is not None
    finally:
        await first.close()
        await second.close()


async def test_an_unreachable_redis_never_stops_a_resident() -> None:
    limiter = RedisLimiter("redis://127.0.0.1:1/0")
    try:
        assert await asyncio.wait_for(limiter.wait_for(Rule("x", 1), "k"), 3) is None
    finally:
        await limiter.close()
