"""Replay protection for signed context tokens, shared by all web replicas via the app DB."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.store.database import Database
from bot.store.models import ContextTokenUse, utcnow


class TokenUses:
    def __init__(self, database: Database) -> None:
        self._db = database

    def claim(self, jti: str, sender: str, expires: dt.datetime) -> bool:
        """True when the token is new or already belongs to this conversation."""
        try:
            with self._db.session() as session:
                row = session.execute(
                    select(ContextTokenUse).where(ContextTokenUse.jti == jti)
                ).scalar_one_or_none()
                if row is not None:
                    return row.sender_id == sender
                session.add(ContextTokenUse(jti=jti, sender_id=sender, expires_at=expires))
            return True
        except IntegrityError:
            # Two first uses raced; whoever was stored first owns the token.
            with self._db.session() as session:
                row = session.get(ContextTokenUse, jti)
                return row is not None and row.sender_id == sender

    def purge_expired(self) -> int:
        with self._db.session() as session:
            result = session.execute(delete(ContextTokenUse).where(
                ContextTokenUse.expires_at < utcnow()))
            return result.rowcount or 0
