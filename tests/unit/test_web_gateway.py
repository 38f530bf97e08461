"""The web handlers against a stand-in Rasa server (the real one is in tests/integration)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient as Client

from bot.config import Settings
from bot.store import migrate
from bot.store.database import Database
from bot.web.app import create_app


class FakeRasa:
    """Answers like bot.dialogue.channel.GatewayInput and records what it received."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.reply: list[dict[str, Any]] | None = None
        self.delay = 0.0
        self.status = 200

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        await asyncio.sleep(self.delay)
        messages = self.reply if self.reply is not None else [
            {"recipient_id": body["sender"], "text": f"Du skrev: {body['message']}"}
        ]
        return web.json_response(
            {"messages": messages, "turn": {"intent": "greet", "confidence": 0.97,
                                             "actions": ["utter_greet"]}},
            status=self.status,
        )

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhooks/gateway/webhook", self.webhook)
        app.router.add_get("/", lambda _: web.Response(text="Hello from Rasa"))
        return app


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
async def client(aiohttp_client: Any, aiohttp_server: Any, rasa: FakeRasa,
                 tmp_path: Path) -> Client:
    server = await aiohttp_server(rasa.app())
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    settings = dataclasses.replace(
        Settings.from_env({"EMBED_ALLOWED_ORIGINS": "https://portal.example", "EMBED_DEMO": "1"}),
        database_url=url, rasa_urls=(str(server.make_url("")).rstrip("/"),),
        action_urls=("http://127.0.0.1:9",), upstream_timeout=1.0, var_dir=tmp_path,
    )
    return await aiohttp_client(create_app(settings, Database(url)))


def transcript(client: Client) -> list[dict[str, Any]]:
    return client.server.app["conversation_log"].transcript("web-test")


async def test_chat_forwards_and_logs_the_turn(client: Client, rasa: FakeRasa) -> None:
    reply = await client.post("/api/chat", json={"sender": "web-test", "message": "Hej!"})
    assert reply.status == 200
    assert await reply.json() == [{"recipient_id": "web-test", "text": "Du skrev: Hej!"}]
    assert rasa.received[0]["message"] == "Hej!"
    rows = transcript(client)
    assert [(r["role"], r["text"]) for r in rows] == [("user", "Hej!"), ("bot", "Du skrev: Hej!")]
    assert rows[0]["intent"] == "greet" and rows[0]["confidence"] == 0.97


async def test_identifiers_never_reach_rasa_or_the_log(client: Client, rasa: FakeRasa) -> None:
    text = "Jag är 19850412-1234, ring 070-123 45 67 eller mejla kim@example.se"
    await client.post("/api/chat", json={"sender": "web-test", "message": text})
    forwarded = rasa.received[0]["message"]
    stored = json.dumps(transcript(client), ensure_ascii=False)
    for secret in ("19850412", "1234", "070-123", "kim@example.se"):
        assert secret not in forwarded
        assert secret not in stored


async def test_browser_metadata_is_not_forwarded(client: Client, rasa: FakeRasa) -> None:
    await client.post("/api/chat", json={"sender": "web-test", "message": "hej",
                                         "metadata": {"listed_unit": "Falsk VC"}})
    assert rasa.received[0]["metadata"] == {"resident": {"verified": False}}


@pytest.mark.parametrize("message", ["", "   ", "\n\t", "\x00\x01", None])
async def test_empty_message_gets_a_friendly_prompt_without_calling_rasa(
    client: Client, rasa: FakeRasa, message: str | None
) -> None:
    reply = await client.post("/api/chat", json={"sender": "web-test", "message": message})
    assert reply.status == 200
    body = await reply.json()
    assert "vad du behöver hjälp med" in body[0]["text"]
    assert rasa.received == []


async def test_too_long_message_is_refused_in_swedish_and_noted(
    client: Client, rasa: FakeRasa
) -> None:
    reply = await client.post("/api/chat", json={"sender": "web-test", "message": "a" * 2001})
    assert reply.status == 413
    body = await reply.json()
    assert body["error"] == "message_too_long"
    assert "för långt" in body["message"] and "2001" in body["message"]
    assert rasa.received == []
    assert transcript(client)[0]["payload"] == {"kind": "message_too_long", "length": 2001}


async def test_message_at_the_limit_is_accepted(client: Client, rasa: FakeRasa) -> None:
    reply = await client.post("/api/chat", json={"sender": "web-test", "message": "a" * 2000})
    assert reply.status == 200


async def test_huge_body_gets_json_413(client: Client) -> None:
    reply = await client.post("/api/chat", data=b"{" + b" " * (300 * 1024) + b"}",
                              headers={"Content-Type": "application/json"})
    assert reply.status == 413
    assert (await reply.json())["error"] == "body_too_large"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"not json", "invalid_json"),
        (b"\xff\xfe\x00garbage", "invalid_json"),
        (b'{"message": "hej"}', "missing_sender"),
        (b'["hej"]', "invalid_body"),
        (b'{"sender": "a b", "message": "hej"}', "invalid_sender"),
    ],
)
async def test_malformed_requests_get_400_with_a_reason(
    client: Client, data: bytes, code: str
) -> None:
    reply = await client.post("/api/chat", data=data, headers={"Content-Type": "application/json"})
    assert reply.status == 400
    body = await reply.json()
    assert body["error"] == code and body["message"]


async def test_rasa_down_gives_safe_answer_and_logs_it(client: Client, rasa: FakeRasa) -> None:
    rasa.status = 500
    reply = await client.post("/api/chat", json={"sender": "web-test", "message": "ont i magen"})
    assert reply.status == 200
    text = (await reply.json())[0]["text"]
    assert "112" in text and "1177" in text
    rows = transcript(client)
    assert rows[0]["role"] == "user" and rows[0]["text"] == "ont i magen"
    assert rows[1]["payload"]["kind"] == "dialogue_unavailable"


async def test_rasa_too_slow_gives_safe_answer(client: Client, rasa: FakeRasa) -> None:
    rasa.delay = 3.0
    reply = await client.post("/api/chat", json={"sender": "web-test", "message": "hej"})
    assert "112" in (await reply.json())[0]["text"]


async def test_empty_reply_from_rasa_gives_safe_answer(client: Client, rasa: FakeRasa) -> None:
    rasa.reply = []
    reply = await client.post("/api/chat", json={"sender": "web-test", "message": "hej"})
    assert "1177" in (await reply.json())[0]["text"]
    assert transcript(client)[1]["payload"]["kind"] == "empty_reply"


async def test_unknown_route_and_wrong_method_are_json(client: Client) -> None:
    missing = await client.get("/nope")
    assert missing.status == 404 and (await missing.json())["error"] == "not_found"
    wrong = await client.get("/api/chat")
    assert wrong.status == 405 and "error" in await wrong.json()


async def test_index_page_and_security_headers(client: Client) -> None:
    page = await client.get("/")
    assert page.status == 200
    html = await page.text()
    assert 'lang="sv"' in html and "inte en människa" in html and "112" in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    script = await client.get("/static/chat.js")
    assert script.status == 200 and "textContent" in await script.text()


async def test_healthz_reports_each_component(client: Client) -> None:
    reply = await client.get("/healthz")
    body = await reply.json()
    assert reply.status == 503  # the action server of this test does not exist
    assert body["components"]["rasa"]["ok"] is True
    assert body["components"]["database"]["ok"] is True
    assert body["components"]["actions"]["ok"] is False


def _demo_token(client: Client, **override: object) -> str:
    from bot.web.embed_demo import DEMO_RESIDENT

    verifier = client.server.app["gateway"]._verifier
    return verifier.mint({**DEMO_RESIDENT, **override})


async def test_verified_context_reaches_the_dialogue(client: Client, rasa: FakeRasa) -> None:
    token = _demo_token(client)
    await client.post("/api/chat", json={"sender": "web-test", "message": "hej",
                                         "context_token": token})
    resident = rasa.received[0]["metadata"]["resident"]
    assert resident["verified"] is True and resident["listed_unit"] == "narhalsan_lundby"


async def test_tampered_context_is_refused_and_chat_goes_on(client: Client,
                                                            rasa: FakeRasa) -> None:
    head, payload, signature = _demo_token(client).split(".")
    reply = await client.post("/api/chat", json={
        "sender": "web-test", "message": "hej", "context_token": f"{head}.{payload}.x{signature}"})
    messages = await reply.json()
    assert reply.status == 200
    assert "kunde inte bekräftas" in messages[0]["text"]
    assert messages[1]["custom"]["type"] == "context_rejected"
    assert messages[2]["text"] == "Du skrev: hej"
    assert rasa.received[0]["metadata"] == {"resident": {"verified": False}}
    assert transcript(client)[1]["payload"]["kind"] == "context_rejected"


async def test_cors_only_for_configured_origins(client: Client) -> None:
    allowed = await client.options("/api/chat", headers={"Origin": "https://portal.example"})
    assert allowed.status == 204
    other = await client.options("/api/chat", headers={"Origin": "https://evil.example"})
    assert other.status == 403
    reply = await client.post("/api/chat", json={"sender": "web-test", "message": "hej"},
                              headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in reply.headers
    reply = await client.post("/api/chat", json={"sender": "web-test", "message": "hej"},
                              headers={"Origin": "https://portal.example"})
    assert reply.headers["Access-Control-Allow-Origin"] == "https://portal.example"


async def test_embedding_pages_and_frame_policy(client: Client) -> None:
    panel = await client.get("/chat")
    assert "frame-ancestors 'self' https://portal.example" in panel.headers[
        "Content-Security-Policy"]
    widget = await client.get("/widget.js")
    assert widget.status == 200 and "javascript" in widget.headers["Content-Type"]
    demo = await client.get("/embed-demo")
    html = await demo.text()
    assert 'src="/widget.js" data-token="' in html
    assert "unsafe-inline" not in demo.headers["Content-Security-Policy"]
    assert demo.headers["X-Frame-Options"] == "DENY"


def test_demo_identity_is_off_unless_enabled_and_never_with_a_real_key() -> None:
    assert not Settings.from_env({}).embed_demo
    assert Settings.from_env({"EMBED_DEMO": "1"}).embed_demo
    assert not Settings.from_env({"EMBED_JWT_KEY": "k" * 32}).embed_demo
    with pytest.raises(SystemExit, match="EMBED_DEMO=1 cannot be combined"):
        Settings.from_env({"EMBED_JWT_KEY": "k" * 32, "EMBED_DEMO": "1"})


async def test_rasa_down_still_gives_an_emergency_its_112_answer(client: Client,
                                                                  rasa: FakeRasa) -> None:
    """Degraded mode: the web app screens red flags itself when the dialogue is down."""
    rasa.status = 500
    reply = await client.post("/api/chat", json={
        "sender": "web-test", "message": "min man har ont i bröstet och kallsvettas"})
    messages = await reply.json()
    assert reply.status == 200
    assert messages[0]["text"].startswith("Ring 112 nu. Bröstsmärta")
    result = next(m["custom"] for m in messages if m.get("custom"))
    assert result["type"] == "triage_result" and result["level"] == "emergency"
    assert result["degraded"] and result["care_options"][0]["phone"] == "112"
    assert "chest_pain_with_breathlessness_or_sweat" in result["reasons"]
    kinds = [r["payload"].get("kind") for r in transcript(client) if r["role"] == "event"]
    assert "red_flags_screened_in_web" in kinds


async def test_a_busy_dialogue_never_holds_back_an_emergency(client: Client,
                                                            rasa: FakeRasa) -> None:
    """Rasa slow (queued behind other residents, or an attack): the web app answers 112 after
    a short wait, without the outage text, and Rasa still gets the message."""
    rasa.delay = 0.8   # less than the upstream timeout: busy, not down
    started = asyncio.get_running_loop().time()
    reply = await client.post("/api/chat", json={
        "sender": "web-test", "message": "pappa sluddrar och ena mungipan hänger"})
    waited = asyncio.get_running_loop().time() - started
    messages = await reply.json()
    assert waited < rasa.delay            # answered before the dialogue was done
    assert messages[0]["text"].startswith("Ring 112")
    assert not any("tekniskt fel" in (m.get("text") or "") for m in messages)
    assert rasa.received and rasa.received[0]["message"].startswith("pappa sluddrar")
    await asyncio.sleep(rasa.delay)       # the late reply is taken in without an error
    # The log row is written after the answer, not before it.
    rows = transcript(client)
    assert rows[0]["role"] == "user"
    assert any(r["role"] == "bot" and (r["text"] or "").startswith("Ring 112") for r in rows)
    assert "emergency_answered_in_web" in [r["payload"].get("kind") for r in rows
                                           if r["role"] == "event"]


async def test_an_emergency_gets_the_dialogues_answer_when_it_comes_at_once(
        client: Client, rasa: FakeRasa) -> None:
    rasa.reply = [{"recipient_id": "web-test", "text": "Ring 112 nu (från dialogen)."}]
    reply = await client.post("/api/chat", json={
        "sender": "web-test", "message": "pappa sluddrar och ena mungipan hänger"})
    assert (await reply.json())[0]["text"] == "Ring 112 nu (från dialogen)."


async def test_rasa_down_without_a_red_flag_gives_the_outage_text_only(
        client: Client, rasa: FakeRasa) -> None:
    rasa.status = 500
    reply = await client.post("/api/chat", json={"sender": "web-test",
                                                 "message": "jag har ont i halsen"})
    messages = await reply.json()
    assert len(messages) == 1 and "tekniskt fel" in messages[0]["text"]


async def test_compressed_body_is_refused_unread(client: Client, rasa: FakeRasa) -> None:
    import gzip

    bomb = gzip.compress(b"[" + b" " * 5_000_000 + b"]")
    reply = await client.post("/api/chat", data=bomb, headers={
        "Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert reply.status == 415 and (await reply.json())["error"] == "unsupported_encoding"
    assert rasa.received == []


async def test_only_json_bodies_reach_the_bot(client: Client, rasa: FakeRasa) -> None:
    """A cross-origin form or text/plain POST (no CORS preflight) must not reach Rasa."""
    body = '{"sender": "web-test", "message": "hej"}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        reply = await client.post("/api/chat", data=body, headers={"Content-Type": content_type})
        assert reply.status == 415, content_type
    assert rasa.received == []


async def test_deeply_nested_json_is_a_clear_400(client: Client, rasa: FakeRasa) -> None:
    for body in ("[" * 5000, '{"sender": "x", "metadata": ' + "[" * 100 + "]" * 100 + "}"):
        reply = await client.post("/api/chat", data=body,
                                  headers={"Content-Type": "application/json"})
        assert reply.status == 400, body[:20]
        assert (await reply.json())["error"] in ("too_deep", "invalid_json")
    assert rasa.received == []


async def test_a_failed_log_write_is_spooled_and_written_later(client: Client,
                                                               rasa: FakeRasa) -> None:
    """The database is away for a moment: the resident is answered, and the turn is
    written once it is back, in order."""
    log = client.server.app["conversation_log"]
    spool = client.server.app["spool"]
    real = log.record_turn
    failures = {"left": 1}

    def flaky(*args: Any) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise OSError("database restarting")
        real(*args)

    log.record_turn = flaky   # type: ignore[method-assign]
    first = await client.post("/api/chat", json={"sender": "web-test", "message": "ett"})
    second = await client.post("/api/chat", json={"sender": "web-test", "message": "två"})
    assert first.status == 200 and second.status == 200
    assert len(spool) == 2 and transcript(client) == []
    assert await spool.flush() == 2
    assert [r["text"] for r in transcript(client) if r["role"] == "user"] == ["ett", "två"]
