"""The gateway's conversation log: every user message and bot reply, redacted before writing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.database import Database
from bot.store.language import guess_language
from bot.store.models import Conversation, Message, utcnow
from bot.store.redaction import Redactor


@dataclass(frozen=True)
class UserTurn:
    """What the gateway knows about one user message after the dialogue engine saw it."""

    text: str
    intent: str | None = None
    confidence: float | None = None
    details: dict[str, Any] = field(default_factory=dict)


class ConversationLog:
    def __init__(self, database: Database, redactor: Redactor) -> None:
        self._db = database
        self._redactor = redactor

    def record_turn(self, sender_id: str, user: UserTurn, bot_messages: Sequence[dict[str, Any]],
                    events: Iterable[dict[str, Any]] = ()) -> None:
        """Writes a user message, the bot's replies and gateway events in one transaction."""
        redacted = self._redactor.redact(user.text)
        user_payload = dict(user.details)
        if redacted.changed:
            user_payload["redactions"] = {k: v for k, v in redacted.counts.items() if v}
        rows = [Message(role="user", text=redacted.text, intent=user.intent,
                        confidence=user.confidence, payload=user_payload or None)]
        rows += [Message(role="event", payload=dict(event)) for event in events]
        rows += [self._bot_row(message) for message in bot_messages]
        self._write(sender_id, rows, _summary(user, bot_messages))

    def record_event(self, sender_id: str, event: dict[str, Any]) -> None:
        self._write(sender_id, [Message(role="event", payload=dict(event))])

    def transcript(self, sender_id: str) -> list[dict[str, Any]]:
        with self._db.session() as session:
            conversation = session.execute(
                select(Conversation).where(Conversation.sender_id == sender_id)
            ).scalar_one_or_none()
            if conversation is None:
                return []
            return [
                {
                    "role": m.role,
                    "text": m.text,
                    "intent": m.intent,
                    "confidence": m.confidence,
                    "payload": m.payload,
                    "created_at": m.created_at.isoformat(),
                }
                for m in conversation.messages
            ]

    def _bot_row(self, message: dict[str, Any]) -> Message:
        text = message.get("text")
        if isinstance(text, str):
            text = self._redactor.redact(text).text
        payload = {k: v for k, v in message.items() if k not in ("text", "recipient_id")}
        return Message(role="bot", text=text, payload=payload or None)

    def _write(self, sender_id: str, rows: list[Message],
               summary: dict[str, Any] | None = None) -> None:
        for attempt in range(2):
            try:
                with self._db.session() as session:
                    conversation = self._conversation(session, sender_id)
                    conversation.last_activity_at = utcnow()
                    for key, value in (summary or {}).items():
                        if key == "language" and conversation.language:
                            continue  # the first message decides
                        setattr(conversation, key, value)
                    for row in rows:
                        row.conversation = conversation
                    session.add_all(rows)
                return
            except IntegrityError:
                # Two first messages of one conversation raced to create it; the retry finds it.
                if attempt == 1:
                    raise

    @staticmethod
    def _conversation(session: Session, sender_id: str) -> Conversation:
        conversation = session.execute(
            select(Conversation).where(Conversation.sender_id == sender_id)
        ).scalar_one_or_none()
        if conversation is None:
            conversation = Conversation(sender_id=sender_id)
            session.add(conversation)
            session.flush()
        return conversation


def _summary(user: UserTurn, bot_messages: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """What this turn adds to the conversation's filterable summary."""
    summary: dict[str, Any] = {
        "language": guess_language(user.text, "language_guard" in user.details)}
    if user.intent == "nlu_fallback":
        summary["fallback"] = 1
    if user.intent == "request_human":
        summary["human_requested"] = 1
    if user.details.get("red_flags"):
        summary["red_flag"] = 1
    for message in bot_messages:
        custom = message.get("custom") or {}
        if custom.get("type") == "triage_result":
            summary["level"] = custom.get("level")
            summary["protocol"] = custom.get("protocol")
            if custom.get("red_flags"):
                summary["red_flag"] = 1
    return summary
