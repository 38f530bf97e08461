"""Runs the web app: python -m bot.web"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.config import Settings
from bot.web.app import create_app


def main() -> None:
    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # No automatic decompression of request bodies (see app.no_compressed_bodies).
    web.run_app(create_app(settings), host=settings.web_host, port=settings.web_port,
                print=lambda text: logging.getLogger("bot.web").info(text.strip()),
                access_log=None, handler_args={"auto_decompress": False})


if __name__ == "__main__":
    main()
