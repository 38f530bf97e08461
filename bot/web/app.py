"""Builds the aiohttp application: routes, middlewares and shared resources."""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.config import Settings
from bot.content.phone_book import phone_book
from bot.content.texts import texts
from bot.seal import internal_secret
from bot.store.conversation_log import ConversationLog
from bot.store.database import Database
from bot.store.redaction import Redactor
from bot.store.retention import purge_configured
from bot.store.token_uses import TokenUses
from bot.triage.degraded import red_flag_outcome
from bot.web.chat import ChatGateway, json_error
from bot.web.context_token import ContextVerifier
from bot.web.embed_demo import demo_page
from bot.web.health import healthz
from bot.web.ordering import SenderLocks
from bot.web.rasa_client import RasaClient
from bot.web.rate_limit import Limits, MemoryLimiter, RedisLimiter, Rule
from bot.web.spool import Spool
from bot.web.staff_views import StaffConsole
from bot.web.staff_views import install as install_staff

STATIC_DIR = Path(__file__).resolve().parent / "static"
# Largest request body: far above MAX_MESSAGE_CHARS in UTF-8 JSON (so those get a clear
# Swedish answer), far below what could hurt the process.
MAX_BODY_BYTES = 256 * 1024

logger = logging.getLogger(__name__)

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'; "
       "frame-src 'self'; frame-ancestors {ancestors}")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# Pages that host pages may frame (the chat panel); everything else refuses framing.
FRAMEABLE = ("/chat",)


@web.middleware
async def no_compressed_bodies(request: web.Request, handler):  # type: ignore[no-untyped-def]
    """A compressed request body is refused before it is read: inflating it first would let a
    small upload grow the process by gigabytes (the server does not decompress either)."""
    if request.headers.get("Content-Encoding", "identity").lower() != "identity":
        return json_error(415, "unsupported_encoding", "compressed bodies are not accepted")
    return await handler(request)


@web.middleware
async def json_errors(request: web.Request, handler):  # type: ignore[no-untyped-def]
    """API clients get JSON for every error, including 404, 405, 413 and crashes."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400 or request.path.startswith("/staff"):
            raise  # redirects, and the staff console's own pages
        if error.status == 413:
            return json_error(413, "body_too_large", texts()["body_too_large"])
        return json_error(error.status, error.reason.lower().replace(" ", "_"), error.reason)
    except Exception:
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return json_error(500, "internal_error", texts()["internal_error"])


def _security_headers(settings: Settings):  # type: ignore[no-untyped-def]
    framers = " ".join(("'self'", *settings.embed_allowed_origins))

    async def add(request: web.Request, response: web.StreamResponse) -> None:
        ancestors = framers if request.path in FRAMEABLE else "'none'"
        response.headers.setdefault("Content-Security-Policy", CSP.format(ancestors=ancestors))
        if request.path not in FRAMEABLE:
            response.headers.setdefault("X-Frame-Options", "DENY")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        origin = request.headers.get("Origin", "").rstrip("/")
        if request.path.startswith("/api/") and origin in settings.embed_allowed_origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"

    return add


async def preflight(request: web.Request) -> web.Response:
    """CORS preflight: only configured host origins may call the API from their pages."""
    origin = request.headers.get("Origin", "").rstrip("/")
    if origin not in request.app["settings"].embed_allowed_origins:
        return web.Response(status=403)
    return web.Response(status=204, headers={
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "600",
    })


def make_verifier(settings: Settings, database: Database) -> ContextVerifier | None:
    """The configured key, or in demo mode a secret kept under var/ for /embed-demo."""
    key = settings.embed_jwt_key
    if key is None and settings.embed_demo and settings.embed_jwt_algorithm == "HS256":
        secret_file = settings.var_dir / "embed_demo_secret"
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        if not secret_file.exists():
            secret_file.write_text(secrets.token_hex(32), encoding="utf-8")
            secret_file.chmod(0o600)
        key = secret_file.read_text(encoding="utf-8").strip()
    if key is None:
        return None
    return ContextVerifier(settings.embed_jwt_algorithm, key, settings.embed_jwt_issuer,
                           settings.embed_jwt_audience, TokenUses(database).claim)


async def index(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "index.html")


async def chat_panel(_request: web.Request) -> web.FileResponse:
    # The same page as /; chat.js styles it as a panel when it runs at /chat.
    return web.FileResponse(STATIC_DIR / "index.html")


async def widget_script(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "widget.js", headers={
        "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "max-age=300"})


async def purge_on_schedule(database: Database, settings: Settings) -> None:
    """Retention runs by itself: at start, then every RETENTION_INTERVAL_HOURS."""
    if settings.retention_interval_hours <= 0:
        return
    loop = asyncio.get_running_loop()
    while True:
        try:
            counts = await loop.run_in_executor(None, purge_configured, database, settings)
            logger.info("retention purge: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
        except Exception:   # a database outage must not end the schedule
            logger.exception("retention purge failed; trying again at the next interval")
        await asyncio.sleep(settings.retention_interval_hours * 3600)


def create_app(settings: Settings, database: Database | None = None) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES,
                          middlewares=[no_compressed_bodies, json_errors])
    database = database or Database(settings.database_url)
    redactor = Redactor(public_numbers=[entry.number for entry in phone_book().values()])
    log = ConversationLog(database, redactor)
    verifier = make_verifier(settings, database)
    app["settings"] = settings
    app["database"] = database
    app["conversation_log"] = log
    app["spool"] = Spool()
    # Shared through Redis when several web processes serve one site, else in this process.
    app["limiter"] = RedisLimiter(settings.redis_url) if settings.redis_url else MemoryLimiter()

    async def open_resources(app: web.Application) -> None:
        app["http"] = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=200, keepalive_timeout=30)
        )
        rasa = RasaClient(settings.rasa_urls, settings.upstream_timeout, app["http"])
        app["locks"] = SenderLocks(settings.redis_url)
        # With several replicas a dead one is found by the health check, not by a resident.
        app["replica_task"] = (asyncio.create_task(rasa.watch())
                               if len(settings.rasa_urls) > 1 else None)
        gateway = ChatGateway(rasa, log, redactor, texts(), settings.max_message_chars,
                              verifier, Limits(
                                  app["limiter"],
                                  Rule("chat_address", settings.chat_limit_per_address),
                                  Rule("chat_conversation", settings.chat_limit_per_conversation),
                                  settings.trusted_proxies), app["spool"],
                              internal_secret(settings.var_dir), app["locks"])
        app["gateway"] = gateway
        app["spool_task"] = asyncio.create_task(app["spool"].run())
        app["retention_task"] = asyncio.create_task(purge_on_schedule(database, settings))
        # Red-flag screening runs on every message (the emergency fast path, degraded mode):
        # its rules are loaded before the first resident is served, not during an outage.
        await asyncio.get_running_loop().run_in_executor(None, red_flag_outcome, "")

    async def close_resources(app: web.Application) -> None:
        app["spool_task"].cancel()
        app["retention_task"].cancel()
        if app["replica_task"] is not None:
            app["replica_task"].cancel()
        await app["locks"].close()
        await app["spool"].flush()   # a last try for what is still waiting
        await app["http"].close()
        if isinstance(app["limiter"], RedisLimiter):
            await app["limiter"].close()

    async def chat(request: web.Request) -> web.Response:
        return await request.app["gateway"].handle(request)

    app.on_startup.append(open_resources)
    app.on_cleanup.append(close_resources)
    async def embed_demo(request: web.Request) -> web.Response:
        if (not settings.embed_demo or settings.embed_jwt_key is not None or verifier is None
                or verifier.algorithm != "HS256"):
            raise web.HTTPNotFound()
        return demo_page(request, verifier)

    app.on_response_prepare.append(_security_headers(settings))
    app.router.add_get("/", index)
    app.router.add_get("/chat", chat_panel)
    app.router.add_get("/widget.js", widget_script)
    app.router.add_get("/embed-demo", embed_demo)
    app.router.add_post("/api/chat", chat)
    app.router.add_route("OPTIONS", "/api/chat", preflight)
    install_staff(app, StaffConsole(database, settings.retention_days,
                                    functools.partial(purge_configured, database, settings),
                                    settings.staff_cookie_secure, Limits(
                                        app["limiter"],
                                        Rule("login_address", settings.login_limit_per_address),
                                        Rule("login_account", settings.login_limit_per_account),
                                        settings.trusted_proxies)))
    app.router.add_get("/healthz", healthz)
    app.router.add_static("/static/", STATIC_DIR, follow_symlinks=False)
    return app
