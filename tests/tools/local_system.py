"""Starts the three processes on free ports in a scratch directory, for benchmarks,
the triage evaluation and integration tests. `make run` uses bot.launcher.run instead.
"""

from __future__ import annotations

import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.config import Settings
from bot.launcher import Supervisor, base_env, process_specs
from bot.model_cache import ensure_model
from bot.seed import seed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scratch_settings(var_dir: Path, extra: dict[str, str] | None = None) -> Settings:
    return Settings.from_env({
        **(extra or {}),
        "VARDLOTSEN_VAR_DIR": str(var_dir),
        "WEB_PORT": str(free_port()),
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        # Benchmarks and evaluations send every conversation from 127.0.0.1: the address
        # limit would measure the limiter, not the bot (it has tests of its own).
        "CHAT_LIMIT_PER_ADDRESS": "0",
        "CHAT_LIMIT_PER_CONVERSATION": "0",
        # Tests sign resident identities with the demo secret, as the demo page does.
        "EMBED_DEMO": "1",
    })


POSTGRES = "postgresql://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/0"


@contextmanager
def postgres_databases(*kinds: str) -> Iterator[list[str]]:
    """Fresh PostgreSQL databases (URLs), dropped afterwards: the scaled profile's app
    database and tracker store for a test or a benchmark."""
    import uuid

    import sqlalchemy as sa

    names = [f"vl_test_{kind}_{uuid.uuid4().hex[:8]}" for kind in kinds]
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield [f"{POSTGRES}/{name}" for name in names]
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{name}'"))
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def scaled_env(app_db: str, tracker_db: str, replicas: int = 2) -> dict[str, str]:
    """The scaled profile on this machine: Rasa replicas on free ports, PostgreSQL, Redis."""
    urls = ",".join(f"http://127.0.0.1:{free_port()}" for _ in range(replicas))
    return {"RASA_URLS": urls, "DATABASE_URL": app_db, "TRACKER_STORE_URL": tracker_db,
            "REDIS_URL": REDIS_URL}


@contextmanager
def running_system(var_dir: Path | None = None, model: Path | None = None,
                   env: dict[str, str] | None = None) -> Iterator[tuple[Settings, Supervisor]]:
    """Yields settings and the supervisor of a fully started system; stops it afterwards.
    `env` adds configuration (the scaled profile: RASA_URLS, TRACKER_STORE_URL, ...)."""
    with tempfile.TemporaryDirectory(prefix="vardlotsen-") as scratch:
        directory = var_dir or Path(scratch)
        settings = scratch_settings(directory, env)
        seed(settings)
        with open(directory / "launcher.out", "w", encoding="utf-8") as out:
            supervisor = Supervisor(process_specs(settings, model or ensure_model()),
                                    base_env(settings), directory / "log", out=out)
            supervisor.start_all()
            try:
                supervisor.wait_until_up(timeout=300)
                yield settings, supervisor
            finally:
                supervisor.stop_all()
