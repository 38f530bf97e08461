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
    assert seed_care_units(database) == {"added": 0, "updated": 0, "kept_staff_edits": 0}
    with database.session() as session:
        row = session.execute(select(CareUnitRecord).limit(1)).scalar_one()
        edited = dict(row.data, phone="031-999 99 99")
        row.data, row.origin = edited, "staff"
        edited_id = row.id
    assert seed_care_units(database)["kept_staff_edits"] == 1
    directory = load_directory_from_db(database)
    assert directory.units[edited_id].phone == "031-999 99 99"
    assert len(directory.units) == len(content_directory().units)
