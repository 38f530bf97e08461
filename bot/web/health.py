"""GET /healthz: the state of every process and the database, checked concurrently. It is
public (load balancers use it), so it names no internal address."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import text

from bot.store.database import Database

CHECK_TIMEOUT = aiohttp.ClientTimeout(total=2.0)


async def _http_ok(session: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    try:
        async with session.get(url, timeout=CHECK_TIMEOUT) as reply:
            return {"ok": reply.status == 200, "status": reply.status}
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        return {"ok": False, "error": type(error).__name__}


async def _replicas_ok(session: aiohttp.ClientSession, urls: list[str]) -> dict[str, Any]:
    """One process, or several replicas: usable while at least one answers."""
    if len(urls) == 1:
        return await _http_ok(session, urls[0])
    results = await asyncio.gather(*(_http_ok(session, url) for url in urls))
    up = sum(1 for r in results if r["ok"])
    return {"ok": up > 0, "replicas_up": up, "replicas": len(urls)}


def _database_ok(database: Database) -> dict[str, Any]:
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"ok": True}
    except Exception as error:  # any driver error means "not healthy", reported as such
        return {"ok": False, "error": type(error).__name__}


async def healthz(request: web.Request) -> web.Response:
    app = request.app
    session: aiohttp.ClientSession = app["http"]
    settings = app["settings"]
    rasa, actions, database = await asyncio.gather(
        _replicas_ok(session, [url + "/" for url in settings.rasa_urls]),
        _replicas_ok(session, [url + "/health" for url in settings.action_urls]),
        asyncio.get_running_loop().run_in_executor(None, _database_ok, app["database"]),
    )
    components = {"web": {"ok": True}, "rasa": rasa, "actions": actions, "database": database}
    healthy = all(c["ok"] for c in components.values())
    return web.json_response(
        {"status": "ok" if healthy else "degraded", "components": components},
        status=200 if healthy else 503,
    )
