"""The audit log: every view, search and export of conversations, and admin actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.store.database import Database
from bot.store.models import AuditEntry


class AuditLog:
    def __init__(self, database: Database) -> None:
        self._db = database

    def record(self, username: str | None, action: str, target: str | None = None,
               details: dict[str, Any] | None = None, ip: str | None = None) -> None:
        with self._db.session() as session:
            session.add(AuditEntry(username=username, action=action, target=target,
                                   details=details, ip=ip))

    def entries(self, username: str | None = None, action: str | None = None,
                limit: int = 200, offset: int = 0) -> list[AuditEntry]:
        query = select(AuditEntry).order_by(AuditEntry.id.desc())
        if username:
            query = query.where(AuditEntry.username == username)
        if action:
            query = query.where(AuditEntry.action == action)
        with self._db.session() as session:
            return list(session.execute(query.limit(limit).offset(offset)).scalars())
