"""Runs the web app: python -m bot.web"""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from bot.config import Settings
from bot.web.app import create_app

logger = logging.getLogger("bot.web")


async def serve(settings: Settings) -> None:
    # Our own runner instead of web.run_app, which cannot switch off the automatic
    # decompression of request bodies (see app.no_compressed_bodies).
    runner = web.AppRunner(create_app(settings), access_log=None, handle_signals=False,
                           auto_decompress=False)
    await runner.setup()
    await web.TCPSite(runner, settings.web_host, settings.web_port).start()
    logger.info("Serving on http://%s:%s", settings.web_host, settings.web_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main() -> None:
    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
