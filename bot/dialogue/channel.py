"""Rasa input channel used by the web gateway.

Same request as Rasa's REST channel, but the answer also carries what the gateway needs
for its log (the turn's intent, confidence, red flags and executed actions), so the web
app never needs Rasa's private HTTP API. Listed in credentials.yml.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.tracker_store import SQLTrackerStore
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.dialogue import rasa_costs
from bot.nlp.components import PREVIOUS_FLAGS_KEY, PREVIOUS_INTENT_KEY, PREVIOUS_TEXT_KEY

logger = logging.getLogger(__name__)
rasa_costs.apply()

# Keys an NLU component may add to parse data that the gateway logs for reviewers.
TRACE_KEYS = ("red_flags", "triage_trace", "language_guard", "follow_up")


# A turn (one user message and the bot's actions and slots) is far shorter than this.
_TURN_ROWS = 80


def _summary_of_events(events: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """Intent, confidence, trace and actions from events newest first, or None when no user
    message is among them."""
    actions: list[str] = []
    for event in events:
        if event.get("event") == "action" and event.get("name") != "action_listen":
            actions.append(event.get("name") or "")
        if event.get("event") == "user":
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            summary: dict[str, Any] = {"intent": intent.get("name"),
                                       "confidence": intent.get("confidence")}
            summary.update({key: parse[key] for key in TRACE_KEYS if parse.get(key)})
            # The classifier's next guesses, for reviewers grouping misunderstandings.
            summary["top_intents"] = [
                [entry.get("name"), round(float(entry.get("confidence") or 0.0), 3)]
                for entry in (parse.get("intent_ranking") or [])
                if entry.get("name") != "nlu_fallback"][:3]
            summary["actions"] = list(reversed(actions))
            return summary
    return None


def _sql_store(store: Any) -> SQLTrackerStore | None:
    inner = getattr(store, "_tracker_store", store)   # Rasa wraps stores in an awaitable
    return inner if isinstance(inner, SQLTrackerStore) else None


def _newest_sql_events(store: Any, sender_id: str) -> Iterator[dict[str, Any]] | None:
    """The newest events of a conversation straight from Rasa's SQL tracker store, without
    rebuilding the whole tracker (which costs more the longer the conversation). Only a user
    event's JSON is parsed: an action's name is a column (profiled: parsing every row's JSON
    was a third of this read)."""
    inner = _sql_store(store)
    if inner is None:
        return None
    table = inner.SQLEvent
    with inner.session_scope() as session:
        rows = (session.query(table.type_name, table.action_name, table.data)
                .filter(table.sender_id == sender_id)
                .order_by(table.id.desc()).limit(_TURN_ROWS).all())
    return (json.loads(row.data) if row.type_name == "user"
            else {"event": row.type_name, "name": row.action_name} for row in rows)


@dataclass(frozen=True)
class PreviousMessage:
    """The conversation's newest user message, for the NLU guards."""
    intent: str | None = None
    text: str | None = None
    red_flags: tuple[str, ...] = ()   # the red flags raised on it


async def previous_message(agent: Any, sender_id: str) -> PreviousMessage:
    """The conversation's newest user message (for FollowUpGuard and TriageGuard): one row,
    two columns."""
    inner = _sql_store(agent.tracker_store)
    if inner is None:
        tracker = await agent.tracker_store.retrieve(sender_id)
        latest = tracker.latest_message if tracker is not None else None
        if latest is None or latest.text is None:
            return PreviousMessage()
        return _previous(latest.as_dict())
    table = inner.SQLEvent
    with inner.session_scope() as session:
        row = (session.query(table.data)
               .filter(table.sender_id == sender_id, table.type_name == "user")
               .order_by(table.id.desc()).limit(1).first())
    return PreviousMessage() if row is None else _previous(json.loads(row.data))


def _previous(event: dict[str, Any]) -> PreviousMessage:
    parse = event.get("parse_data") or {}
    return PreviousMessage(
        intent=(parse.get("intent") or {}).get("name"), text=event.get("text"),
        red_flags=tuple(flag.get("id") for flag in parse.get("red_flags") or []))


async def turn_summary(agent: Any, sender_id: str) -> dict[str, Any]:
    """Intent, confidence and actions of the newest user turn in the tracker."""
    events = _newest_sql_events(agent.tracker_store, sender_id)
    if events is not None:
        summary = _summary_of_events(events)
        if summary is not None:
            return summary
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None:
        return {}
    newest_first = [event.as_dict() for event in reversed(tracker.events)]
    return _summary_of_events(newest_first) or {"actions": []}


class GatewayInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "gateway"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        gateway = Blueprint("vardlotsen_gateway", __name__)

        @gateway.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @gateway.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json
            if not isinstance(body, dict) or not isinstance(body.get("sender"), str):
                return response.json({"error": "sender is required"}, status=400)
            text = body.get("message") or ""
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
            try:
                # For bot.nlp.components: "och på söndag då?" continues the errand (FollowUp-
                # Guard), and a danger sign told over two messages is one (TriageGuard).
                previous = await previous_message(request.app.ctx.agent, body["sender"])
            except Exception:
                logger.exception("could not read the tracker for %s", body["sender"])
                previous = PreviousMessage()
            metadata = {**metadata, PREVIOUS_INTENT_KEY: previous.intent,
                        PREVIOUS_TEXT_KEY: previous.text,
                        PREVIOUS_FLAGS_KEY: list(previous.red_flags)}
            collector = CollectingOutputChannel()
            failed = False
            try:
                await on_new_message(
                    UserMessage(text, collector, body["sender"], input_channel=self.name(),
                                metadata=metadata)
                )
            except Exception:
                failed = True
                logger.exception("message handling failed for %s", body["sender"])
            try:
                turn = await turn_summary(request.app.ctx.agent, body["sender"])
            except Exception:
                logger.exception("could not read the tracker for %s", body["sender"])
                turn = {}
            return response.json({"messages": collector.messages, "turn": turn,
                                  "failed": failed})

        return gateway
