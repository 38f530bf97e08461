"""Conversation review for staff: filtered lists, transcripts, annotations, statistics,
exports and retention. Texts in the log are already redacted when they are written."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import yaml
from sqlalchemy import and_, exists, func, select

from bot.store.database import Database
from bot.store.models import Annotation, Conversation, Message
from bot.triage.levels import LEVEL_IDS

PAGE_SIZE = 25
VERDICTS = ("correct", "wrong_level", "unsafe", "nlu_error")


@dataclass(frozen=True)
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    level: str | None = None
    protocol: str | None = None
    red_flag: bool | None = None
    fallback: bool | None = None
    human: bool | None = None
    language: str | None = None
    annotated: bool | None = None
    text: str | None = None

    @classmethod
    def parse(cls, query: dict[str, str]) -> Filters:
        def day(key: str) -> dt.date | None:
            try:
                return dt.date.fromisoformat(query[key]) if query.get(key) else None
            except ValueError:
                return None

        def flag(key: str) -> bool | None:
            return {"yes": True, "no": False}.get(query.get(key, ""))

        level = query.get("level") or None
        return cls(day("from"), day("to"), level if level in LEVEL_IDS else None,
                   (query.get("protocol") or "").strip()[:64] or None, flag("red_flag"),
                   flag("fallback"), flag("human"), query.get("language") or None,
                   flag("annotated"), (query.get("q") or "").strip()[:200] or None)

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v)
                for k, v in self.__dict__.items() if v is not None}


@dataclass
class ConversationRow:
    id: int
    sender_id: str
    started_at: dt.datetime
    last_activity_at: dt.datetime
    level: str | None
    protocol: str | None
    red_flag: bool
    fallback: bool
    human_requested: bool
    language: str | None
    messages: int
    annotated: bool


@dataclass
class Page:
    rows: list[ConversationRow]
    page: int
    pages: int
    total: int


@dataclass
class Stats:
    per_day: list[tuple[str, int]] = field(default_factory=list)
    levels: dict[str, int] = field(default_factory=dict)
    routes: dict[str, int] = field(default_factory=dict)
    conversations: int = 0
    fallback_rate: float = 0.0
    human_requests: int = 0
    red_flags: int = 0
    busiest_hours: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class FallbackExample:
    conversation_id: int
    message_id: int
    text: str
    corrected: str | None       # the right intent a reviewer already gave, if any


@dataclass
class FallbackGroup:
    """Misunderstood messages that the classifier's two best guesses have in common."""
    guesses: tuple[str, ...]
    count: int = 0
    examples: list[FallbackExample] = field(default_factory=list)


FALLBACK_EXAMPLES = 10


def _bounds(filters: Filters) -> list[Any]:
    conditions = []
    if filters.date_from:
        conditions.append(Conversation.started_at >= dt.datetime.combine(
            filters.date_from, dt.time(0), dt.timezone.utc))
    if filters.date_to:
        conditions.append(Conversation.started_at < dt.datetime.combine(
            filters.date_to + dt.timedelta(days=1), dt.time(0), dt.timezone.utc))
    return conditions


def _where(filters: Filters) -> list[Any]:
    conditions = _bounds(filters)
    if filters.level:
        conditions.append(Conversation.level == filters.level)
    if filters.protocol:
        conditions.append(Conversation.protocol == filters.protocol)
    for column, wanted in ((Conversation.red_flag, filters.red_flag),
                           (Conversation.fallback, filters.fallback),
                           (Conversation.human_requested, filters.human)):
        if wanted is not None:
            conditions.append(column == int(wanted))
    if filters.language:
        conditions.append(Conversation.language == filters.language)
    has_annotation = exists().where(Annotation.conversation_id == Conversation.id)
    if filters.annotated is True:
        conditions.append(has_annotation)
    elif filters.annotated is False:
        conditions.append(~has_annotation)
    if filters.text:
        pattern = f"%{filters.text.replace('%', '').replace('_', '')}%"
        conditions.append(exists().where(and_(Message.conversation_id == Conversation.id,
                                              Message.text.ilike(pattern))))
    return conditions


class Review:
    def __init__(self, database: Database) -> None:
        self._db = database

    def conversations(self, filters: Filters, page: int = 1) -> Page:
        conditions = _where(filters)
        message_count = (select(func.count(Message.id))
                         .where(Message.conversation_id == Conversation.id)
                         .scalar_subquery())
        annotated = exists().where(Annotation.conversation_id == Conversation.id)
        with self._db.session() as session:
            total = session.execute(select(func.count(Conversation.id)).where(*conditions)
                                    ).scalar_one()
            pages = max(1, -(-total // PAGE_SIZE))
            page = min(max(1, page), pages)
            rows = session.execute(
                select(Conversation, message_count, annotated.label("annotated"))
                .where(*conditions).order_by(Conversation.last_activity_at.desc(),
                                             Conversation.id.desc())
                .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
            return Page([ConversationRow(
                c.id, c.sender_id, c.started_at, c.last_activity_at, c.level, c.protocol,
                bool(c.red_flag), bool(c.fallback), bool(c.human_requested), c.language,
                count, bool(has)) for c, count, has in rows], page, pages, total)

    def conversation(self, conversation_id: int) -> tuple[Conversation, list[Message],
                                                          list[Annotation]] | None:
        with self._db.session() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                return None
            messages = list(session.execute(select(Message).where(
                Message.conversation_id == conversation_id).order_by(Message.id)).scalars())
            notes = list(session.execute(select(Annotation).where(
                Annotation.conversation_id == conversation_id).order_by(Annotation.id)
            ).scalars())
            return conversation, messages, notes

    def annotate(self, conversation_id: int, username: str, verdict: str,
                 right_level: str | None, right_intent: str | None, comment: str | None,
                 message_id: int | None = None) -> None:
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}")
        if right_level and right_level not in LEVEL_IDS:
            raise ValueError("unknown level")
        with self._db.session() as session:
            if session.get(Conversation, conversation_id) is None:
                raise ValueError("no such conversation")
            if message_id is not None:
                message = session.get(Message, message_id)
                if message is None or message.conversation_id != conversation_id:
                    raise ValueError("no such message in this conversation")
            session.add(Annotation(conversation_id=conversation_id, message_id=message_id,
                                   username=username, verdict=verdict,
                                   right_level=right_level or None,
                                   right_intent=(right_intent or "").strip()[:64] or None,
                                   comment=(comment or "").strip()[:2000] or None))

    # --- misunderstandings ---------------------------------------------------------------
    def fallback_groups(self, filters: Filters) -> list[FallbackGroup]:
        """Messages that fell back, grouped by the classifier's top-2 intents, largest group
        first: what to teach the model next. Corrections become training data through
        export_nlu."""
        with self._db.session() as session:
            rows = session.execute(
                select(Message.id, Message.conversation_id, Message.text, Message.payload)
                .join(Conversation)
                .where(*_bounds(filters), Message.role == "user",
                       Message.intent == "nlu_fallback")
                .order_by(Message.id.desc())).all()
            corrected = dict(session.execute(
                select(Annotation.message_id, Annotation.right_intent)
                .where(Annotation.verdict == "nlu_error", Annotation.message_id.is_not(None),
                       Annotation.right_intent.is_not(None))).all())
        groups: dict[tuple[str, ...], FallbackGroup] = {}
        for message_id, conversation_id, text, payload in rows:
            top = [entry[0] for entry in (payload or {}).get("top_intents") or []
                   if isinstance(entry, list) and entry and isinstance(entry[0], str)]
            guesses = tuple(top[:2]) or ("(okänd)",)
            group = groups.setdefault(guesses, FallbackGroup(guesses))
            group.count += 1
            if len(group.examples) < FALLBACK_EXAMPLES:
                group.examples.append(FallbackExample(conversation_id, message_id, text or "",
                                                      corrected.get(message_id)))
        return sorted(groups.values(), key=lambda g: (-g.count, g.guesses))

    # --- statistics --------------------------------------------------------------------
    def stats(self, filters: Filters) -> Stats:
        bounds = _bounds(filters)
        stats = Stats()
        with self._db.session() as session:
            rows = session.execute(select(Conversation.started_at, Conversation.level,
                                          Conversation.fallback, Conversation.human_requested,
                                          Conversation.red_flag).where(*bounds)).all()
            results = session.execute(
                select(Message.payload).join(Conversation).where(*bounds, Message.role == "bot",
                                                                 Message.payload.is_not(None))
            ).scalars().all()
        stats.conversations = len(rows)
        per_day = Counter(started.date().isoformat() for started, *_ in rows)
        stats.per_day = sorted(per_day.items())
        stats.levels = {level: 0 for level in LEVEL_IDS}
        for _, level, *_ in rows:
            if level in stats.levels:
                stats.levels[level] += 1
        stats.fallback_rate = (sum(1 for r in rows if r[2]) / len(rows)) if rows else 0.0
        stats.human_requests = sum(1 for r in rows if r[3])
        stats.red_flags = sum(1 for r in rows if r[4])
        hours = Counter(started.hour for started, *_ in rows)
        stats.busiest_hours = sorted(hours.items(), key=lambda item: (-item[1], item[0]))[:5]
        # Egenvård först: where triage outcomes pointed first (self-care, digital, physical).
        routes = Counter()
        for payload in results:
            custom = (payload or {}).get("custom") or {}
            if custom.get("type") != "triage_result":
                continue
            first = (custom.get("care_options") or [{}])[0].get("kind")
            routes["egenvård" if custom.get("level") == "self_care" else
                   "digital vård" if first in ("digital", "e_service") else
                   "112" if custom.get("level") == "emergency" else "fysisk vård"] += 1
        stats.routes = dict(routes)
        return stats

    # --- exports -----------------------------------------------------------------------
    def export_rows(self, filters: Filters) -> list[dict[str, Any]]:
        conditions = _where(filters)
        with self._db.session() as session:
            conversations = session.execute(select(Conversation).where(*conditions)
                                            .order_by(Conversation.id)).scalars().all()
            ids = [c.id for c in conversations]
            messages = session.execute(select(Message).where(Message.conversation_id.in_(ids))
                                       .order_by(Message.id)).scalars().all() if ids else []
        by_conversation: dict[int, list[Message]] = {}
        for message in messages:
            by_conversation.setdefault(message.conversation_id, []).append(message)
        return [{
            "conversation": c.sender_id, "started_at": c.started_at.isoformat(),
            "level": c.level, "protocol": c.protocol, "red_flag": bool(c.red_flag),
            "messages": [{"role": m.role, "text": m.text, "intent": m.intent,
                          "confidence": m.confidence, "at": m.created_at.isoformat()}
                         for m in by_conversation.get(c.id, [])],
        } for c in conversations]

    def export_jsonl(self, filters: Filters) -> str:
        return "".join(json.dumps(row, ensure_ascii=False) + "\n"
                       for row in self.export_rows(filters))

    def export_csv(self, filters: Filters) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["conversation", "started_at", "level", "protocol", "red_flag", "role",
                         "text", "intent", "confidence", "at"])
        for row in self.export_rows(filters):
            for m in row["messages"]:
                writer.writerow([_inert(cell) for cell in (
                    row["conversation"], row["started_at"], row["level"], row["protocol"],
                    row["red_flag"], m["role"], m["text"], m["intent"], m["confidence"],
                    m["at"])])
        return out.getvalue()

    def export_nlu(self) -> str:
        """Annotated user turns as Rasa NLU YAML: the right intent for NLU errors."""
        with self._db.session() as session:
            rows = session.execute(
                select(Annotation.right_intent, Message.text)
                .join(Message, Annotation.message_id == Message.id)
                .where(Annotation.verdict == "nlu_error", Annotation.right_intent.is_not(None),
                       Message.role == "user")).all()
        grouped: dict[str, list[str]] = {}
        for intent, text in rows:
            if text and text not in grouped.setdefault(intent, []):
                grouped[intent].append(text)
        data = {"version": "3.1", "nlu": [
            {"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)}
            for intent, texts in sorted(grouped.items())]}
        header = "# Exported from the Vårdlotsen staff console: reviewed NLU corrections.\n"
        return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)

    # --- retention -----------------------------------------------------------------------


def _inert(cell: object) -> object:
    """A resident's text that starts like a formula ("=HYPERLINK(...)") is shown as text by
    spreadsheet programs, not run."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell

