from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.store import migrate
from bot.store.conversation_log import ConversationLog, UserTurn
from bot.store.database import Database
from bot.store.models import Base
from bot.store.redaction import Redactor


def _migrated(tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    return Database(url)


def test_migrations_create_exactly_the_models(tmp_path: Path) -> None:
    database = _migrated(tmp_path)
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, Base.metadata) == []
    assert {"conversations", "messages", "alembic_version"} <= set(
        inspect(database.engine).get_table_names()
    )


def test_migrations_go_down_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    assert "messages" not in inspect(Database(url).engine).get_table_names()
    migrate.upgrade(url)
    assert "messages" in inspect(Database(url).engine).get_table_names()


def test_log_stores_redacted_user_text_and_bot_replies(tmp_path: Path) -> None:
    log = ConversationLog(_migrated(tmp_path), Redactor(public_numbers=["1177"]))
    log.record_turn(
        "web-1",
        UserTurn(text="Jag heter Kim, 19850412-1234, ring 0701234567", intent="greet",
                 confidence=0.93, details={"actions": ["utter_greet"]}),
        [{"recipient_id": "web-1", "text": "Hej! Ring 1177.",
          "buttons": [{"title": "Ja", "payload": "/affirm"}]}],
    )
    log.record_event("web-1", {"kind": "message_too_long", "length": 5000})
    rows = log.transcript("web-1")
    assert [r["role"] for r in rows] == ["user", "bot", "event"]
    user = rows[0]
    assert "1234" not in user["text"] and "0701234567" not in user["text"]
    assert user["intent"] == "greet" and user["confidence"] == 0.93
    assert user["payload"]["redactions"] == {"personnummer": 1, "phone": 1}
    assert rows[1]["text"] == "Hej! Ring 1177."
    assert rows[1]["payload"]["buttons"][0]["title"] == "Ja"
    assert rows[2]["payload"] == {"kind": "message_too_long", "length": 5000}


def test_conversations_are_kept_apart(tmp_path: Path) -> None:
    log = ConversationLog(_migrated(tmp_path), Redactor())
    log.record_turn("a", UserTurn(text="hej"), [])
    log.record_turn("b", UserTurn(text="tjena"), [])
    log.record_turn("a", UserTurn(text="hej igen"), [])
    assert [r["text"] for r in log.transcript("a")] == ["hej", "hej igen"]
    assert [r["text"] for r in log.transcript("b")] == ["tjena"]
    assert log.transcript("nobody") == []


def test_seed_loads_care_units_and_keeps_staff_edits(tmp_path: Path) -> None:
    from sqlalchemy import select

    from bot.care.directory import content_directory
    from bot.care.store import load_directory_from_db, seed_care_units
    from bot.store.models import CareUnitRecord

    database = _migrated(tmp_path)
    first = seed_care_units(database)
    assert first["added"] == len(content_directory().units)
    assert seed_care_units(database) == {"added": 0, "updated": 0, "kept_staff_edits": 0,
                                         "kept_imports": 0}
    with database.session() as session:
        row = session.execute(select(CareUnitRecord).limit(1)).scalar_one()
        edited = dict(row.data, phone="031-999 99 99")
        row.data, row.origin = edited, "staff"
        edited_id = row.id
    assert seed_care_units(database)["kept_staff_edits"] == 1
    directory = load_directory_from_db(database)
    assert directory.units[edited_id].phone == "031-999 99 99"
    assert len(directory.units) == len(content_directory().units)


def test_kind_migration_keeps_units_that_staff_edited_under_the_old_name(tmp_path: Path) -> None:
    import json

    import sqlalchemy as sa

    from bot.care.directory import content_directory
    from bot.care.store import load_directory_from_db

    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url, "0005")
    unit = next(u for u in content_directory().units.values() if u.kind == "vardcentral")
    old_data = {"type" if key == "kind" else key: value
                for key, value in _unit_entry(unit.id).items()}
    database = Database(url)
    with database.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO care_units (id, name, type, region, municipality, data, origin, "
            "updated_at) VALUES (:id, :name, 'vardcentral', :region, :municipality, :data, "
            "'staff', '2026-12-01 00:00:00')"),
            {"id": unit.id, "name": unit.name, "region": unit.region,
             "municipality": unit.municipality, "data": json.dumps(old_data)})
    database.dispose()
    migrate.upgrade(url)
    directory = load_directory_from_db(Database(url))
    assert directory.units[unit.id].kind == "vardcentral"
    with Database(url).engine.connect() as connection:
        assert connection.execute(sa.text("SELECT kind FROM care_units")).scalar_one() == (
            "vardcentral")


def _unit_entry(unit_id: str) -> dict:
    from bot.care.directory import UNITS_FILE
    from bot.care.store import _json_safe
    from bot.content.loader import read_yaml

    return _json_safe(next(e for e in read_yaml(UNITS_FILE)["units"] if e["id"] == unit_id))
