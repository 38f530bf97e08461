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
