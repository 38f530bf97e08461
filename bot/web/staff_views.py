"""The staff console at /staff: server-rendered pages over bot.staff.

Every route except the login page needs a session; admin routes need the admin role.
Every POST needs the session's CSRF token. Every view, search and export of conversations
is written to the audit log before the answer is sent.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import urllib.parse
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import jinja2
import yaml
from aiohttp import web

from bot.config import ROOT
from bot.staff.accounts import AccountError, Accounts, Staff
from bot.staff.audit import AuditLog
from bot.staff.charts import bar_chart
from bot.staff.review import Filters, Review
from bot.store.database import Database
from bot.triage.levels import LEVEL_IDS
from bot.web.rate_limit import Limits

COOKIE = "vl_staff"
LOGIN_CSRF_COOKIE = "vl_staff_login"
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=True,  # everything a resident wrote is shown as text
)
FLAGS = (("red_flag", "Röd flagga"), ("fallback", "Fallback"), ("human", "Bad om människa"),
         ("annotated", "Granskad"))
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
HASHING_THREADS = 2
MAX_WAITING_LOGINS = 8
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def served_locally(request: web.Request) -> bool:
    """True when the browser reached us as localhost (development, tests): the one place a
    staff cookie may travel without TLS."""
    host = (request.host or "").lower()   # "name:port", "[v6]:port" or bare
    if host.startswith("["):
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host in LOOPBACK_HOSTS


class StaffConsole:
    def __init__(self, database: Database, retention_days: int,
                 purge: Callable[[int], dict[str, int]], secure_cookies: bool | None,
                 limits: Limits | None = None) -> None:
        self._limits = limits
        # Password hashing has a small pool of its own, and a bound on waiting logins: a
        # flood of logins (argon2 is slow on purpose) must never take the threads that
        # write the residents' conversation log.
        self._hashing = ThreadPoolExecutor(max_workers=HASHING_THREADS,
                                           thread_name_prefix="staff-login")
        self._logins_waiting = asyncio.Semaphore(MAX_WAITING_LOGINS)
        self.accounts = Accounts(database)
        self.audit = AuditLog(database)
        self.review = Review(database)
        self.retention_days = retention_days
        self._purge = purge   # every store, not only the conversations shown here
        self.secure_cookies = secure_cookies   # None: Secure unless reached as localhost

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """Database work off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(None, function, *args)

    # --- helpers ---------------------------------------------------------------------
    def page(self, template: str, request: web.Request, status: int = 200,
             headers: dict[str, str] | None = None, **values: Any) -> web.Response:
        html = TEMPLATES.get_template(template).render(
            staff=request.get("staff"), csrf=request.get("csrf", ""), **values)
        return web.Response(text=html, content_type="text/html", status=status,
                            headers={"Cache-Control": "no-store", **(headers or {})})

    def set_cookie(self, request: web.Request, response: web.StreamResponse, name: str,
                   value: str, max_age: int | None = None) -> None:
        secure = (self.secure_cookies if self.secure_cookies is not None
                  else not served_locally(request))
        response.set_cookie(name, value, httponly=True, samesite="Strict", path="/staff",
                            secure=secure, max_age=max_age)

    async def audit_log(self, request: web.Request, action: str, target: str | None = None,
                        details: dict[str, Any] | None = None) -> None:
        staff: Staff | None = request.get("staff")
        await self.run(self.audit.record, staff.username if staff else None, action, target,
                       details, request.remote)

    async def _over_limit(self, request: web.Request, username: str) -> int | None:
        if self._limits is None:
            return None
        account = username.strip().lower()[:64] or "-"
        return await self._limits.wait_for(request.remote,
                                           request.headers.get("X-Forwarded-For"), account)

    # --- login -------------------------------------------------------------------------
    async def login_form(self, request: web.Request) -> web.Response:
        import secrets

        token = secrets.token_urlsafe(24)
        request["csrf"] = token
        response = self.page("login.html", request, title="Logga in")
        self.set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=1800)
        return response

    async def login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        expected = request.cookies.get(LOGIN_CSRF_COOKIE)
        if not expected or form.get("csrf") != expected:
            raise web.HTTPForbidden(text="CSRF-kontrollen misslyckades. Ladda om sidan.")
        wait = await self._over_limit(request, str(form.get("username", "")))
        if wait is not None:
            request["csrf"] = expected
            return self.page("login.html", request, status=429, title="Logga in",
                             message=f"För många inloggningsförsök. Försök igen om {wait} "
                                     "sekunder.", headers={"Retry-After": str(wait)})
        if self._logins_waiting.locked():
            request["csrf"] = expected
            return self.page("login.html", request, status=429, title="Logga in",
                             message="För många inloggningar just nu. Försök igen om en minut.",
                             headers={"Retry-After": "60"})
        async with self._logins_waiting:
            result = await asyncio.get_running_loop().run_in_executor(
                self._hashing, self.accounts.login, str(form.get("username", "")),
                str(form.get("password", "")))
        await self.run(self.audit.record, str(form.get("username", ""))[:64],
                       "login_ok" if result.staff else "login_locked" if result.locked
                       else "login_failed", None, None, request.remote)
        if result.staff is None:
            request["csrf"] = expected
            # One answer whether or not the account exists, and whether or not it is locked.
            message = ("Fel användarnamn eller lösenord, eller så är kontot tillfälligt låst "
                       "efter för många felaktiga försök.")
            return self.page("login.html", request, status=401, title="Logga in",
                             message=message)
        token, _ = await self.run(self.accounts.open_session, result.staff)
        response = web.HTTPSeeOther("/staff/conversations")
        self.set_cookie(request, response, COOKIE, token)
        response.del_cookie(LOGIN_CSRF_COOKIE, path="/staff")
        return response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        await self.run(self.accounts.close_session, request.cookies.get(COOKIE))
        await self.audit_log(request, "logout")
        response = web.HTTPSeeOther("/staff/login")
        response.del_cookie(COOKIE, path="/staff")
        return response

    # --- conversations -------------------------------------------------------------------
    async def conversations(self, request: web.Request) -> web.Response:
        filters = Filters.parse(dict(request.query))
        page_number = _int(request.query.get("page"), 1)
        page = await self.run(self.review.conversations, filters, page_number)
        await self.audit_log(request, "search" if filters.as_dict() else "list",
                             details={**filters.as_dict(), "page": page.page})
        query = urllib.parse.urlencode({k: v for k, v in request.query.items() if k != "page"})
        return self.page("conversations.html", request, title="Konversationer", page=page,
                         q=request.query, query=query, levels=LEVEL_IDS, flags=FLAGS)

    async def conversation(self, request: web.Request) -> web.Response:
        conversation_id = _int(request.match_info["id"], 0)
        found = await self.run(self.review.conversation, conversation_id)
        if found is None:
            raise web.HTTPNotFound(text="Konversationen finns inte.")
        await self.audit_log(request, "view", f"conversation:{conversation_id}")
        conversation, messages, notes = found
        return self.page("conversation.html", request, title="Konversation",
                         conversation=conversation, messages=[_view(m) for m in messages],
                         notes=notes, result=_result(messages), levels=LEVEL_IDS)

    async def annotate(self, request: web.Request) -> web.StreamResponse:
        conversation_id = _int(request.match_info["id"], 0)
        form = await request.post()
        try:
            await self.run(functools.partial(
                self.review.annotate, conversation_id, request["staff"].username,
                str(form.get("verdict", "")), str(form.get("right_level", "")) or None,
                str(form.get("right_intent", "")) or None, str(form.get("comment", "")) or None,
                _int(form.get("message_id"), 0) or None))
        except ValueError as error:
            raise web.HTTPBadRequest(text=f"Granskningen kunde inte sparas: {error}") from None
        await self.audit_log(request, "annotate", f"conversation:{conversation_id}",
                             {"verdict": str(form.get("verdict", ""))})
        if form.get("return_to") == "fallbacks":
            raise web.HTTPSeeOther("/staff/fallbacks")
        raise web.HTTPSeeOther(f"/staff/conversations/{conversation_id}#annotations")

    async def fallbacks(self, request: web.Request) -> web.Response:
        filters = Filters.parse({k: v for k, v in request.query.items() if k in ("from", "to")})
        groups = await self.run(self.review.fallback_groups, filters)
        await self.audit_log(request, "fallbacks", details=filters.as_dict())
        return self.page("fallbacks.html", request, title="Missförstånd", groups=groups,
                         q=request.query, intents=domain_intents())

    async def export(self, request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        filters = Filters.parse(dict(request.query))
        if kind == "conversations.jsonl":
            body, content_type = await self.run(self.review.export_jsonl, filters), \
                "application/x-ndjson"
        elif kind == "conversations.csv":
            body, content_type = await self.run(self.review.export_csv, filters), "text/csv"
        elif kind == "nlu.yml":
            body, content_type = await self.run(self.review.export_nlu), "application/yaml"
        else:
            raise web.HTTPNotFound()
        await self.audit_log(request, "export", kind, filters.as_dict())
        stamp = dt.date.today().isoformat()
        return web.Response(text=body, content_type=content_type, charset="utf-8", headers={
            "Content-Disposition": f'attachment; filename="vardlotsen-{stamp}-{kind}"',
            "Cache-Control": "no-store"})

    async def stats(self, request: web.Request) -> web.Response:
        filters = Filters.parse({k: v for k, v in request.query.items() if k in ("from", "to")})
        stats = await self.run(self.review.stats, filters)
        await self.audit_log(request, "stats", details=filters.as_dict())
        charts = [
            ("Konversationer per dag", bar_chart("Konversationer per dag", stats.per_day)),
            ("Triagenivåer", bar_chart("Triagenivåer", list(stats.levels.items()))),
            ("Vart bedömningarna ledde först (egenvård först)",
             bar_chart("Vart bedömningarna ledde först", sorted(stats.routes.items()))),
            ("Mest trafik (timme på dygnet)",
             bar_chart("Mest trafik", [(f"kl {h:02d}", n) for h, n in stats.busiest_hours])),
        ]
        return self.page("stats.html", request, title="Statistik", stats=stats,
                         charts=charts, q=request.query)

    # --- admin ---------------------------------------------------------------------------
    async def audit_page(self, request: web.Request) -> web.Response:
        entries = await self.run(self.audit.entries, request.query.get("username") or None,
                                 request.query.get("action") or None)
        await self.audit_log(request, "audit_view")
        return self.page("audit.html", request, title="Granskningslogg", entries=entries,
                         q=request.query)

    async def users(self, request: web.Request, message: str | None = None) -> web.Response:
        users = await self.run(self.accounts.users)
        return self.page("users.html", request, title="Konton", users=users, message=message,
                         retention_days=self.retention_days)

    async def create_user(self, request: web.Request) -> web.Response:
        form = await request.post()
        try:
            await self.run(self.accounts.create, str(form.get("username", "")),
                           str(form.get("password", "")), str(form.get("role", "")))
            message = "Kontot är skapat."
            await self.audit_log(request, "create_user", str(form.get("username", "")))
        except AccountError as error:
            message = f"Kontot kunde inte skapas: {error}"
        return await self.users(request, message)

    async def deactivate_user(self, request: web.Request) -> web.Response:
        form = await request.post()
        try:
            await self.run(self.accounts.deactivate, str(form.get("username", "")))
            await self.audit_log(request, "deactivate_user", str(form.get("username", "")))
            message = "Kontot är inaktiverat."
        except AccountError as error:
            message = str(error)
        return await self.users(request, message)

    async def purge(self, request: web.Request) -> web.Response:
        form = await request.post()
        days = max(1, _int(form.get("days"), self.retention_days))
        counts = await self.run(self._purge, days)
        await self.audit_log(request, "purge", details={"days": days, **counts})
        return await self.users(request, f"{counts['conversations']} konversationer och "
                                         f"{counts['appointments']} bokningar äldre än {days} "
                                         "dagar raderades, liksom utgångna sessioner och "
                                         "samtalsloggar i Rasa.")


MAX_ID = 2**31 - 1   # database integer ids: anything larger is no row (404, not a 500)


@functools.lru_cache(maxsize=1)
def domain_intents() -> tuple[str, ...]:
    """The intents a reviewer can name as the right one (from domain.yml)."""
    data = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return tuple(str(name) for name in data.get("intents") or [])


def _int(value: Any, default: int) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return number if 0 <= number <= MAX_ID else default


def _view(message: Any) -> dict[str, Any]:
    payload = message.payload or {}
    trace = []
    for flag in payload.get("red_flags") or []:
        trace.append(f"röd flagga {flag.get('id')} ({flag.get('level')})")
    if payload.get("triage_trace"):
        trace.append(f"intent ändrad: {payload['triage_trace']}")
    if payload.get("redactions"):
        trace.append(f"maskerat: {payload['redactions']}")
    custom = payload.get("custom") or {}
    if custom.get("type") == "triage_question":
        trace.append(f"fråga {custom.get('question_id')}")
    if message.role == "event":
        trace.append(f"händelse {payload.get('kind')}")
    return {"id": message.id, "role": message.role, "text": message.text,
            "intent": message.intent, "confidence": message.confidence,
            "created_at": message.created_at, "trace": "; ".join(trace)}


def _said(item: dict[str, Any]) -> str:
    """One piece of evidence for staff: what was said, where, about which concept."""
    where = f"meddelande {item['message'] + 1}: " if item.get("message") is not None else ""
    concept = f"{item['concept']} " if item.get("concept") else ""
    status = {"present": "", "absent": "(nej) ", "unknown": "(vet inte) "}.get(
        item.get("status", "present"), "")
    return f"{concept}{status}– {where}”{item.get('detail', '')}” ({item.get('source', '')})"


def _result(messages: list[Any]) -> dict[str, Any] | None:
    for message in reversed(messages):
        custom = (message.payload or {}).get("custom") or {}
        if custom.get("type") == "triage_result":
            evidence = custom.get("evidence") or {}
            why = [(reason, text, [_said(item) for item in evidence.get(reason, [])])
                   for reason, text in zip(custom.get("reasons", []),
                                           custom.get("explanations", []), strict=False)]
            return {**custom, "why": why}
    return None


def install(app: web.Application, console: StaffConsole) -> None:
    """Routes, with the session and CSRF checks as a middleware around /staff."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/staff") or request.path == "/staff/login":
            return await handler(request)
        found = await console.run(console.accounts.session, request.cookies.get(COOKIE))
        if found is None:
            if request.method == "GET":
                raise web.HTTPSeeOther("/staff/login")
            raise web.HTTPUnauthorized(text="Logga in först.")
        request["staff"], request["csrf"] = found
        if request.method == "POST":
            form = await request.post()
            if form.get("csrf") != request["csrf"]:
                raise web.HTTPForbidden(text="CSRF-kontrollen misslyckades.")
        admin_only = request.path.startswith(("/staff/audit", "/staff/users", "/staff/purge"))
        if admin_only and not request["staff"].is_admin:
            await console.audit_log(request, "denied", request.path)
            raise web.HTTPForbidden(text="Bara för administratörer.")
        return await handler(request)

    app.middlewares.append(guard)
    routes = app.router
    async def home(_: web.Request) -> web.StreamResponse:
        raise web.HTTPSeeOther("/staff/conversations")

    routes.add_get("/staff", home)
    routes.add_get("/staff/login", console.login_form)
    routes.add_post("/staff/login", console.login)
    routes.add_post("/staff/logout", console.logout)
    routes.add_get("/staff/conversations", console.conversations)
    routes.add_get("/staff/conversations/{id}", console.conversation)
    routes.add_post("/staff/conversations/{id}/annotations", console.annotate)
    routes.add_get("/staff/fallbacks", console.fallbacks)
    routes.add_get("/staff/export/{kind}", console.export)
    routes.add_get("/staff/stats", console.stats)
    routes.add_get("/staff/audit", console.audit_page)
    routes.add_get("/staff/users", console.users)
    routes.add_post("/staff/users", console.create_user)
    routes.add_post("/staff/users/deactivate", console.deactivate_user)
    routes.add_post("/staff/purge", console.purge)
