"""The cut to Rasa's action-response validation (bot/dialogue/rasa_costs.py) accepts and
refuses exactly what `jsonschema.validate` does."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.dialogue import rasa_costs

SPEC = RemoteAction.action_response_format_spec()

VALID: list[dict[str, Any]] = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "triage_state", "value": {"texts": ["ont i halsen"]}},
                {"event": "active_loop", "name": None}],
     "responses": [{"text": "Hej", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]},
    {},
]
INVALID: list[dict[str, Any]] = [
    {"events": "not a list"},
    {"events": [{"name": "no event key"}]},
    {"responses": {"text": "not a list"}},
]


@pytest.mark.parametrize("result", VALID)
def test_a_valid_response_passes_as_before(result: dict[str, Any]) -> None:
    jsonschema.validate(result, SPEC)
    assert rasa_costs.validate_action_result(RemoteAction.__new__(RemoteAction), result)


@pytest.mark.parametrize("result", INVALID)
def test_an_invalid_response_raises_the_same_error(result: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError) as before:
        jsonschema.validate(result, SPEC)
    with pytest.raises(jsonschema.ValidationError) as after:
        rasa_costs.validate_action_result(RemoteAction.__new__(RemoteAction), result)
    assert after.value.message.startswith(before.value.message)


def test_it_is_applied_to_rasa() -> None:
    rasa_costs.apply()
    assert RemoteAction._validate_action_result is rasa_costs.validate_action_result


def test_the_sqlite_tracker_store_runs_in_wal_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    rasa_costs.apply()
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    with store.engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        sync = connection.exec_driver_sql("PRAGMA synchronous").scalar()
    assert (mode, sync) == ("wal", 1)   # 1 is NORMAL
    assert type(store.engine.pool).__name__ == "QueuePool"


def test_postgresql_keeps_rasas_engine_arguments() -> None:
    url = "postgresql://postgres@127.0.0.1:5432/tracker"
    assert rasa_costs.engine_kwargs(url) == rasa_costs._rasa_engine_kwargs(url)


def test_plain_sql_reads_the_same_events_as_rasas_query(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two sessions, saved in two steps: the newest session's events, all events and the
    count before a save are what Rasa's ORM query gives."""
    import asyncio

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    rasa_costs.apply()
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    tracker = DialogueStateTracker("resident-1", [])
    first = [ActionExecuted("action_session_start", timestamp=1.0), SessionStarted(timestamp=1.0),
             UserUttered("hej", {"name": "greet"}, timestamp=2.0),
             ActionExecuted("utter_greet", timestamp=3.0)]
    second = [SessionStarted(timestamp=10.0), UserUttered("ont i halsen", timestamp=11.0),
              SlotSet("x", 1, timestamp=12.0)]

    async def exercise() -> None:
        for event in first:
            tracker.update(event)
        await store.save(tracker)
        for event in second:
            tracker.update(event)
        with store.session_scope() as session:
            ours = list(rasa_costs.additional_events(store, session, tracker))
            rasas = list(rasa_costs._rasa_additional_events(store, session, tracker))
        assert ours == rasas == second
        await store.save(tracker)
        for all_sessions in (False, True):
            ours_tracker = await rasa_costs.retrieve_events(store, "resident-1", all_sessions)
            rasas_tracker = await rasa_costs._rasa_retrieve(store, "resident-1", all_sessions)
            assert ours_tracker.current_state() == rasas_tracker.current_state()
            assert list(ours_tracker.events) == list(rasas_tracker.events)
        newest = await store.retrieve("resident-1")
        assert [e.timestamp for e in newest.events] == [10.0, 11.0, 12.0]
        assert await store.retrieve("nobody") is None

    asyncio.run(exercise())
    assert SQLTrackerStore._retrieve is rasa_costs.retrieve_events


def test_event_classes_are_found_as_rasa_finds_them() -> None:
    from rasa.shared.core.events import Event, UserUttered
    from rasa.shared.utils.common import all_subclasses

    rasa_costs.apply()
    for name in {cls.type_name for cls in all_subclasses(Event)}:
        assert rasa_costs.resolve_event_type(name) is rasa_costs._rasa_resolve_event(name)
        assert Event.resolve_by_type(name) is rasa_costs._rasa_resolve_event(name)
    assert Event.resolve_by_type("no_such_event", UserUttered) is UserUttered
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")
    assert "no_such_event" not in rasa_costs._EVENT_TYPES
