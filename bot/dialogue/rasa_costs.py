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
- The SQL tracker store read a conversation's events, and counted them before each save,
  through an ORM query with a subquery: SQLAlchemy built that query's cache key and an ORM
  object per event every time (about 17 % of the Rasa process's CPU under 20 triage
  conversations, 2026-12-07). The same two questions are now asked as plain SQL: the start
  of the newest session, then its events' data (or their number), in id order.
- Rasa finds an event's class by walking every subclass of `Event`, checking each for being
  abstract, for every event of every tracker it reads (about 7 % of its CPU). The classes do
  not change while it runs, so a type name found once is remembered.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import jsonschema
import rasa.core.tracker_store as rasa_tracker_store
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event, text
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
_rasa_retrieve = rasa_tracker_store.SQLTrackerStore._retrieve
_rasa_additional_events = rasa_tracker_store.SQLTrackerStore._additional_events
_rasa_resolve_event = Event.resolve_by_type
_EVENT_TYPES: dict[str, type] = {}


def engine_kwargs(url: Any) -> dict[str, Any]:
    """Rasa's engine arguments for the tracker store, with a pool for a SQLite file."""
    text = str(url)
    if text.startswith("sqlite") and ":memory:" not in text:
        return {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}
    return _rasa_engine_kwargs(url)


def _events_since(store: Any, session: Any, sender_id: str, all_sessions: bool,
                  count: bool = False) -> Any:
    """The data of the sender's events in its newest session (or all), in id order, or
    their number: what `SQLTrackerStore._event_query` selects, as plain SQL."""
    table = store.SQLEvent.__tablename__
    params: dict[str, Any] = {"sender": sender_id}
    since = ""
    if not all_sessions:
        start = session.execute(
            text(f"SELECT max(timestamp) FROM {table} "
                 "WHERE sender_id = :sender AND type_name = :started"),
            {"sender": sender_id, "started": SessionStarted.type_name}).scalar()
        if start is not None:
            since, params["start"] = " AND timestamp >= :start", start
    what, order = ("count(*)", "") if count else ("data", " ORDER BY id")
    return session.execute(
        text(f"SELECT {what} FROM {table} WHERE sender_id = :sender{since}{order}"), params)


async def retrieve_events(self: Any, sender_id: str, fetch_events_from_all_sessions: bool
                          ) -> DialogueStateTracker | None:
    with self.session_scope() as session:
        rows = _events_since(self, session, sender_id, fetch_events_from_all_sessions).all()
    events = [json.loads(data) for (data,) in rows]
    if self.domain and events:
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
    return None


def additional_events(self: Any, session: Any, tracker: DialogueStateTracker) -> Iterator:
    stored = _events_since(self, session, tracker.sender_id, False, count=True).scalar()
    return itertools.islice(tracker.events, stored, len(tracker.events))


def resolve_event_type(type_name: str, default: type | None = None) -> type | None:
    """`Event.resolve_by_type`, remembering the class found for a type name."""
    known = _EVENT_TYPES.get(type_name)
    if known is not None:
        return known
    found = _rasa_resolve_event(type_name, default)
    if getattr(found, "type_name", None) == type_name:
        _EVENT_TYPES[type_name] = found
    return found


def apply() -> None:
    Event.resolve_by_type = staticmethod(resolve_event_type)  # type: ignore[method-assign]
    rasa_tracker_store.create_engine_kwargs = engine_kwargs
    rasa_tracker_store.SQLTrackerStore._retrieve = retrieve_events  # type: ignore[method-assign]
    rasa_tracker_store.SQLTrackerStore._additional_events = (  # type: ignore[method-assign]
        additional_events)
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    if not event.contains(Engine, "connect", sqlite_pragmas):
        event.listen(Engine, "connect", sqlite_pragmas)
