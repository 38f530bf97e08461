"""Cuts to Rasa's own cost per message, each found with py-spy under load (issue 12).

Imported by the gateway channel, so it applies in every Rasa process and nowhere else.

- Rasa validates every action server response with `jsonschema.validate`, which checks the
  schema itself and builds a new validator on each call (about 4 % of the Rasa process's CPU
  under load). The schema is fixed, so its validator is built and checked once; responses are
  validated exactly as before and a bad one raises the same error.
- The embedded profile's SQLite tracker store ran in rollback-journal mode with a full sync
  on every commit (each message saves the tracker). It now runs in WAL mode with
  `synchronous=NORMAL`, as the app database does: still safe when a process dies, and the
  web app's retention purge can read while Rasa writes. Its connections are pooled: SQLAlchemy
  1.4 opens a new SQLite connection for every session of a file database, and Rasa opens four
  or more sessions a message. PostgreSQL is not touched (Rasa pools it already).
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from typing import Any

import jsonschema
import rasa.core.tracker_store as rasa_tracker_store
from rasa.core.actions.action import RemoteAction
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

_INVALID_RESPONSE = (". Failed to validate Action server response from API, make sure your "
                     "response from the Action endpoint is valid.")


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    spec = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(spec)
    validator_class.check_schema(spec)
    return validator_class(spec)


def validate_action_result(_: RemoteAction, result: dict[str, Any]) -> bool:
    error = jsonschema.exceptions.best_match(_response_validator().iter_errors(result))
    if error is not None:
        error.message += _INVALID_RESPONSE
        raise error
    return True


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


_rasa_engine_kwargs = rasa_tracker_store.create_engine_kwargs


def engine_kwargs(url: Any) -> dict[str, Any]:
    """Rasa's engine arguments for the tracker store, with a pool for a SQLite file."""
    text = str(url)
    if text.startswith("sqlite") and ":memory:" not in text:
        return {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}
    return _rasa_engine_kwargs(url)


def apply() -> None:
    rasa_tracker_store.create_engine_kwargs = engine_kwargs
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    if not event.contains(Engine, "connect", sqlite_pragmas):
        event.listen(Engine, "connect", sqlite_pragmas)
