"""Rasa input channel used by the web gateway.

Same request as Rasa's REST channel, but the answer also carries what the gateway needs
for its log (the turn's intent, confidence, red flags and executed actions), so the web
app never needs Rasa's private HTTP API. Listed in credentials.yml.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import ActionExecuted, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

# Keys an NLU component may add to parse data that the gateway logs for reviewers.
TRACE_KEYS = ("red_flags", "triage_trace", "language_guard")


async def turn_summary(agent: Any, sender_id: str) -> dict[str, Any]:
    """Intent, confidence and actions of the newest user turn in the tracker."""
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None:
        return {}
    summary: dict[str, Any] = {}
    actions: list[str] = []
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecuted) and event.action_name != "action_listen":
            actions.append(event.action_name or "")
        if isinstance(event, UserUttered):
            intent = event.intent or {}
            summary["intent"] = intent.get("name")
            summary["confidence"] = intent.get("confidence")
            for key in TRACE_KEYS:
                if event.parse_data.get(key):  # type: ignore[attr-defined]
                    summary[key] = event.parse_data[key]  # type: ignore[index]
            break
    summary["actions"] = list(reversed(actions))
    return summary


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
