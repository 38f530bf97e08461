"""The staff console: access control, CSRF, lock-out, audit trail, retention, stored XSS."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp import CookieJar
from aiohttp.test_utils import TestClient as Client
from sqlalchemy import select, update

from bot.config import Settings
from bot.staff import accounts as accounts_module
from bot.staff.accounts import AccountError, Accounts
from bot.store import migrate
from bot.store.conversation_log import ConversationLog, UserTurn
from bot.store.database import Database
from bot.store.models import AuditEntry, Conversation, Message, StaffUser
from bot.store.redaction import Redactor
from bot.store.retention import purge_conversations
from bot.web.app import create_app

PASSWORD = "korrekt-häst-batteri-1"
XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"
ROUTES_GET = ["/staff", "/staff/conversations", "/staff/conversations/1", "/staff/stats",
              "/staff/fallbacks",
              "/staff/export/conversations.jsonl", "/staff/export/conversations.csv",
              "/staff/export/nlu.yml", "/staff/audit", "/staff/users"]
ROUTES_POST = ["/staff/logout", "/staff/conversations/1/annotations", "/staff/users",
               "/staff/users/deactivate", "/staff/purge"]


@pytest.fixture
def database(tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    database = Database(url)
    accounts = Accounts(database)
    accounts.create("anna", PASSWORD, "reviewer")
    accounts.create("admin", PASSWORD, "admin")
    log = ConversationLog(database, Redactor())
    log.record_turn("web-1", UserTurn(text="ont i magen " + XSS, intent="describe_symptom",
                                      confidence=0.9),
                    [{"text": "Hur länge?", "custom": {"type": "triage_question"}},
                     {"custom": {"type": "triage_result", "level": "urgent",
                                 "protocol": "abdominal_pain",
                                 "protocols": ["abdominal_pain", "fever_adult"],
                                 "reasons": ["abdominal_pain.severe"],
                                 "explanations": ["svår smärta"],
                                 "evidence": {"abdominal_pain.severe": [
                                     {"concept": "severe_pain", "status": "present",
                                      "source": "message", "detail": "outhardlig*",
                                      "message": 0}]},
                                 "care_options": []}}])
    log.record_turn("web-2", UserTurn(text="hej", intent="greet", confidence=0.99), [])
    return database


@pytest.fixture
async def client(aiohttp_client: Any, database: Database, tmp_path: Path) -> Client:
    settings = dataclasses.replace(Settings.from_env({}), database_url=database.url,
                                   var_dir=tmp_path, rasa_urls=("http://127.0.0.1:9",))
    return await aiohttp_client(create_app(settings, database),
                                cookie_jar=CookieJar(unsafe=True))


async def login(client: Client, username: str, password: str = PASSWORD) -> Any:
    form = await (await client.get("/staff/login")).text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    return await client.post("/staff/login", data={"csrf": csrf, "username": username,
                                                   "password": password},
                             allow_redirects=False)


async def csrf_of(client: Client) -> str:
    page = await (await client.get("/staff/conversations")).text()
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def audit(database: Database) -> list[tuple[str, str]]:
    with database.session() as session:
        return [(e.username or "", e.action) for e in session.execute(
            select(AuditEntry).order_by(AuditEntry.id)).scalars()]


@pytest.mark.parametrize("path", ROUTES_GET)
async def test_anonymous_get_goes_to_login(client: Client, path: str) -> None:
    reply = await client.get(path, allow_redirects=False)
    assert reply.status == 303 and reply.headers["Location"] == "/staff/login"


@pytest.mark.parametrize("path", ROUTES_POST)
async def test_anonymous_post_is_refused(client: Client, path: str) -> None:
    reply = await client.post(path, data={"csrf": "x"}, allow_redirects=False)
    assert reply.status == 401


@pytest.mark.parametrize("path", ["/staff/audit", "/staff/users"])
async def test_reviewer_cannot_open_admin_pages(client: Client, path: str) -> None:
    await login(client, "anna")
    assert (await client.get(path)).status == 403


async def test_reviewer_cannot_post_admin_actions(client: Client, database: Database) -> None:
    await login(client, "anna")
    csrf = await csrf_of(client)
    for path in ("/staff/users", "/staff/users/deactivate", "/staff/purge"):
        reply = await client.post(path, data={"csrf": csrf, "days": "1", "username": "admin"})
        assert reply.status == 403
    assert ("anna", "denied") in audit(database)


async def test_post_without_valid_csrf_is_refused(client: Client) -> None:
    await login(client, "anna")
    for data in ({}, {"csrf": "forged"}):
        reply = await client.post("/staff/conversations/1/annotations",
                                  data={**data, "verdict": "correct"})
        assert reply.status == 403
    login_page = await client.post("/staff/login", data={"csrf": "forged", "username": "anna",
                                                         "password": PASSWORD})
    assert login_page.status == 403


async def test_cookies_are_httponly_and_samesite(client: Client) -> None:
    reply = await login(client, "anna")
    assert reply.status == 303
    cookie = reply.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/staff" in cookie


async def test_cookies_are_secure_unless_reached_as_localhost(client: Client) -> None:
    local = await client.get("/staff/login")
    assert "Secure" not in local.headers["Set-Cookie"]      # http://127.0.0.1 in development
    public = await client.get("/staff/login", headers={"Host": "vardlotsen.region.se"})
    assert "Secure" in public.headers["Set-Cookie"]


def test_cookie_secure_setting_overrides_the_host() -> None:
    assert Settings.from_env({}).staff_cookie_secure is None
    assert Settings.from_env({"STAFF_COOKIE_SECURE": "1"}).staff_cookie_secure is True
    assert Settings.from_env({"STAFF_COOKIE_SECURE": "0"}).staff_cookie_secure is False


def test_sessions_end_after_idle_time_and_after_a_working_day(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.timezone.utc)]
    monkeypatch.setattr(accounts_module, "utcnow", lambda: clock[0])
    accounts = Accounts(database)
    staff = accounts.login("anna", PASSWORD).staff
    idle, _ = accounts.open_session(staff)
    busy, _ = accounts.open_session(staff)
    for _ in range(7 * 3):                       # a request every 20 minutes for 7 hours
        clock[0] += dt.timedelta(minutes=20)
        assert accounts.session(busy) is not None
    assert accounts.session(idle) is None        # nothing for 7 hours
    clock[0] += dt.timedelta(minutes=59)         # 7 h 59 min: still within the day
    clock[0] -= dt.timedelta(minutes=40)
    assert accounts.session(busy) is not None
    clock[0] += dt.timedelta(minutes=41)         # 8 h 0 min after login
    assert accounts.session(busy) is None
    fresh, _ = accounts.open_session(staff)
    clock[0] += dt.timedelta(minutes=31)
    assert accounts.session(fresh) is None


@pytest.mark.parametrize("name", ["аdmin", "åsa", "a", "-anna", "anna berg", "x" * 65])
def test_usernames_are_plain_ascii(database: Database, name: str) -> None:
    with pytest.raises(AccountError):
        Accounts(database).create(name, PASSWORD, "reviewer")


def test_ordinary_usernames_are_accepted(database: Database) -> None:
    assert Accounts(database).create("Anna.Berg-2", PASSWORD, "reviewer").username == \
        "anna.berg-2"


async def test_wrong_password_locks_out(client: Client, database: Database) -> None:
    for _ in range(Accounts(database).max_failures):
        assert (await login(client, "anna", "fel-lösenord-här")).status == 401
    locked = await login(client, "anna")          # even the right password now
    assert locked.status == 401 and "låst" in await locked.text()
    assert ("anna", "login_locked") in audit(database)


async def test_passwords_are_not_stored_in_clear(database: Database) -> None:
    with database.session() as session:
        hashes = [u.password_hash for u in session.execute(select(StaffUser)).scalars()]
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


async def test_view_search_export_leave_audit_entries(client: Client, database: Database
                                                      ) -> None:
    await login(client, "anna")
    await client.get("/staff/conversations?level=urgent")
    await client.get("/staff/conversations/1")
    await client.get("/staff/export/conversations.jsonl?level=urgent")
    actions = [action for user, action in audit(database) if user == "anna"]
    assert {"search", "view", "export"} <= set(actions)


async def test_filters_find_the_urgent_conversation(client: Client) -> None:
    await login(client, "anna")
    html = await (await client.get("/staff/conversations?level=urgent")).text()
    assert "1 konversationer" in html and "abdominal_pain" in html
    none = await (await client.get("/staff/conversations?level=emergency")).text()
    assert "0 konversationer" in none
    found = await (await client.get("/staff/conversations?q=magen")).text()
    assert "1 konversationer" in found


async def test_html_from_residents_is_shown_as_text(client: Client) -> None:
    await login(client, "anna")
    page = await (await client.get("/staff/conversations/1")).text()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "<img src=x" not in page
    assert "svår smärta" in page and "abdominal_pain.severe" in page


async def test_annotation_and_nlu_export(client: Client, database: Database) -> None:
    await login(client, "anna")
    csrf = await csrf_of(client)
    with database.session() as session:
        conversation = session.execute(select(Conversation).where(
            Conversation.sender_id == "web-2")).scalar_one()
        message_id = conversation.messages[0].id
    reply = await client.post(f"/staff/conversations/{conversation.id}/annotations", data={
        "csrf": csrf, "verdict": "nlu_error", "right_intent": "describe_symptom",
        "message_id": str(message_id), "comment": "fel tolkning"}, allow_redirects=False)
    assert reply.status == 303
    export = await (await client.get("/staff/export/nlu.yml")).text()
    assert "intent: describe_symptom" in export and "- hej" in export
    annotated = await (await client.get("/staff/conversations?annotated=yes")).text()
    assert "1 konversationer" in annotated


async def test_stats_page_draws_charts_without_scripts(client: Client) -> None:
    await login(client, "anna")
    page = await (await client.get("/staff/stats")).text()
    assert page.count("<svg") == 4 and "<script" not in page
    assert "urgent" in page


async def test_admin_sees_audit_and_manages_accounts(client: Client, database: Database) -> None:
    await login(client, "admin")
    assert (await client.get("/staff/audit")).status == 200
    csrf = await csrf_of(client)
    created = await client.post("/staff/users", data={"csrf": csrf, "username": "bo",
                                                      "password": PASSWORD, "role": "reviewer"})
    assert "Kontot är skapat" in await created.text()
    assert Accounts(database).login("bo", PASSWORD).staff is not None


async def test_admin_purge_runs_retention_over_every_store(client: Client,
                                                           database: Database) -> None:
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=40)
    with database.session() as session:
        session.execute(update(Conversation).where(Conversation.sender_id == "web-1")
                        .values(last_activity_at=old))
    await login(client, "admin")
    csrf = await csrf_of(client)
    page = await (await client.post("/staff/purge", data={"csrf": csrf, "days": "30"})).text()
    assert "1 konversationer och 0 bokningar äldre än 30 dagar raderades" in page
    assert ("admin", "purge") in audit(database)


def test_retention_deletes_exactly_what_is_older(database: Database) -> None:
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=91)
    with database.session() as session:
        session.execute(update(Conversation).where(Conversation.sender_id == "web-1")
                        .values(last_activity_at=old))
    cutoff = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=90)
    assert purge_conversations(database, cutoff) == 1
    with database.session() as session:
        left = [c.sender_id for c in session.execute(select(Conversation)).scalars()]
    assert left == ["web-2"]
    assert purge_conversations(database, cutoff) == 0


async def test_staff_see_every_protocol_and_the_evidence_behind_a_reason(client: Client
                                                                          ) -> None:
    await login(client, "anna")
    page = await (await client.get("/staff/conversations/1")).text()
    assert "abdominal_pain, fever_adult" in page
    assert "severe_pain" in page and "meddelande 1" in page and "outhardlig*" in page



def test_parallel_wrong_passwords_are_counted_before_the_hash_check(database: Database,
                                                                     monkeypatch: Any) -> None:
    """40 parallel guesses: no more than the lock-out limit are ever checked."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.staff import accounts as module

    checked: list[str] = []
    real = module._hasher

    class CountingHasher:
        def verify(self, stored: str, password: str) -> bool:
            checked.append(password)
            return real.verify(stored, password)

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    monkeypatch.setattr(module, "_hasher", CountingHasher())
    accounts = Accounts(database)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda i: accounts.login("anna", f"wrong-{i:02d}-password"),
                                range(40)))
    assert len(checked) <= accounts.max_failures
    assert all(r.staff is None for r in results)
    assert accounts.login("anna", PASSWORD).staff is None   # locked, even with the right one


async def test_csv_export_makes_formulas_inert(client: Client, database: Database) -> None:
    log = ConversationLog(database, Redactor())
    log.record_turn("web-csv", UserTurn(text='=HYPERLINK("http://evil","klicka")',
                                        intent="greet", confidence=0.9), [])
    await login(client, "anna")
    body = await (await client.get("/staff/export/conversations.csv")).text()
    assert "'=HYPERLINK" in body and '\\n=HYPERLINK' not in body


async def test_ids_out_of_range_are_404(client: Client) -> None:
    await login(client, "anna")
    reply = await client.get("/staff/conversations/99999999999999999999999")
    assert reply.status == 404


async def test_fallbacks_grouped_by_top_two_guesses_become_training_data(
        client: Client, database: Database) -> None:
    log = ConversationLog(database, Redactor())
    for sender, text, top in (
            ("web-3", "jour + ort?", [["ask_where_care", 0.4], ["ask_opening_hours", 0.3]]),
            ("web-4", "vc tider kinna", [["ask_where_care", 0.35], ["ask_opening_hours", 0.3],
                                         ["greet", 0.1]]),
            ("web-5", "pnr [personnummer] tid?", [["list_bookings", 0.3], ["book_appointment",
                                                                          0.2]])):
        log.record_turn(sender, UserTurn(text=text, intent="nlu_fallback", confidence=1.0,
                                         details={"top_intents": top}), [])
    await login(client, "anna")
    page = await (await client.get("/staff/fallbacks")).text()
    assert page.index("ask_where_care · ask_opening_hours <small>(2)") < page.index(
        "list_bookings · book_appointment <small>(1)")
    assert "vc tider kinna" in page and "jour + ort?" in page
    with database.session() as session:
        conversation, message = session.execute(
            select(Conversation.id, Message.id).join(Message)
            .where(Conversation.sender_id == "web-4", Message.role == "user")).one()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    reply = await client.post(f"/staff/conversations/{conversation}/annotations", data={
        "csrf": csrf, "verdict": "nlu_error", "right_intent": "ask_opening_hours",
        "message_id": str(message), "return_to": "fallbacks"}, allow_redirects=False)
    assert reply.status == 303 and reply.headers["Location"] == "/staff/fallbacks"
    assert "rätt intent: ask_opening_hours" in await (await client.get("/staff/fallbacks")).text()
    export = await (await client.get("/staff/export/nlu.yml")).text()
    assert "intent: ask_opening_hours" in export and "- vc tider kinna" in export
