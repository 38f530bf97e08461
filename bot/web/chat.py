"""POST /api/chat: checks input, forwards it to Rasa, logs the turn, always answers safely."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web

from bot.seal import seal
from bot.store.conversation_log import ConversationLog, UserTurn
from bot.store.redaction import Redactor, only_identifiers
from bot.triage.degraded import emergency_messages, messages_when_unavailable
from bot.web.context_token import ContextTokenError, ContextVerifier
from bot.web.input_rules import (
    MAX_JSON_DEPTH,
    ChatRequest,
    InvalidRequest,
    json_depth,
    parse_chat_request,
)
from bot.web.ordering import SenderLocks
from bot.web.rasa_client import DialogueTurn, DialogueUnavailable, RasaClient
from bot.web.rate_limit import Limits
from bot.web.spool import Spool

logger = logging.getLogger(__name__)
# How long an emergency waits for the dialogue before the web app answers it itself (the
# dialogue answers one in about 0.1 s when it is not busy).
EMERGENCY_WAIT_SECONDS = 0.25


def bot_message(sender: str, text: str) -> dict[str, Any]:
    return {"recipient_id": sender, "text": text}


def json_error(status: int, code: str, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": code, "message": message, **extra}, status=status)


class ChatGateway:
    def __init__(self, rasa: RasaClient, log: ConversationLog, redactor: Redactor,
                 texts: dict[str, str], max_chars: int,
                 verifier: ContextVerifier | None = None,
                 limits: Limits | None = None, spool: Spool | None = None,
                 secret: bytes = b"", locks: SenderLocks | None = None) -> None:
        self._limits = limits
        self._locks = locks if locks is not None else SenderLocks()
        self._secret = secret
        self._background: set[asyncio.Future[Any]] = set()   # late dialogue replies
        self._spool = spool if spool is not None else Spool()
        self._verifier = verifier
        self._rasa = rasa
        self._log = log
        self._redactor = redactor
        self._texts = texts
        self._max_chars = max_chars

    async def handle(self, request: web.Request) -> web.Response:
        # Only a plain JSON body: a cross-origin form or text/plain POST never reaches the bot,
        # and a compressed body is never inflated (a small gzip can hold gigabytes).
        if request.content_type != "application/json":
            return json_error(415, "unsupported_media_type",
                              "the body must be JSON (Content-Type: application/json)")
        if request.headers.get("Content-Encoding", "identity").lower() != "identity":
            return json_error(415, "unsupported_encoding", "compressed bodies are not accepted")
        raw = await request.read()
        if json_depth(raw) > MAX_JSON_DEPTH:
            return json_error(400, "too_deep", "the JSON nests too deeply")
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return json_error(400, "invalid_json", "the body must be valid UTF-8 JSON")
        try:
            chat = parse_chat_request(body)
        except InvalidRequest as error:
            return json_error(400, error.code, error.reason)

        if not chat.text:
            return web.json_response([bot_message(chat.sender, self._texts["empty_message"])])

        if len(chat.text) > self._max_chars:
            await self._write(self._log.record_event, chat.sender,
                              {"kind": "message_too_long", "length": len(chat.text)})
            text = self._texts["message_too_long"].format(
                length=len(chat.text), limit=self._max_chars
            )
            return json_error(413, "message_too_long", text, limit=self._max_chars)

        # Identifiers are removed before the text reaches Rasa's tracker store or our log.
        redacted = self._redactor.redact(chat.text).text
        wait = await self._over_limit(request, chat.sender)
        if wait is not None:
            return await self._limited(chat.sender, redacted, wait)
        if only_identifiers(redacted):
            reply = [bot_message(chat.sender, self._texts["identifier_only"])]
            await self._write(self._log.record_turn, chat.sender, UserTurn(text=redacted),
                              reply, [{"kind": "identifier_only"}])
            return web.json_response(reply)
        events: list[dict[str, Any]] = []
        notices: list[dict[str, Any]] = []
        metadata = await self._resident_metadata(chat, events, notices)
        emergency = emergency_messages(redacted)
        sending = asyncio.ensure_future(self._send(chat.sender, redacted, metadata))
        try:
            if emergency:
                # 112 must not queue behind other residents' messages (or an attack) in
                # Rasa: the dialogue's answer if it comes at once, else the web's own.
                turn = await asyncio.wait_for(asyncio.shield(sending), EMERGENCY_WAIT_SECONDS)
            else:
                turn = await sending
            messages, intent, confidence, details = (
                turn.messages, turn.intent, turn.confidence, turn.details
            )
            if not messages:
                events.append({"kind": "empty_reply", "details": details})
        except asyncio.TimeoutError:
            # Rasa still gets the message (its tracker stays whole); the answer is not waited for.
            self._background.add(sending)
            sending.add_done_callback(self._background_done)
            messages = [{"recipient_id": chat.sender, **m} for m in emergency or []]
            intent, confidence, details = None, None, {}
            events.append({"kind": "emergency_answered_in_web",
                           "waited_seconds": EMERGENCY_WAIT_SECONDS})
        except DialogueUnavailable as error:
            logger.error("dialogue unavailable for %s: %s", chat.sender, error)
            messages, intent, confidence, details = [], None, None, {}
            events.append({"kind": "dialogue_unavailable", "error": str(error)})
        if not messages:
            # Rasa down, or an action failed and left the resident without an answer: the red
            # flags are still screened here, so an emergency gets its own 112 answer.
            safe = messages_when_unavailable(redacted) or []
            messages = [{"recipient_id": chat.sender, **m} for m in safe]
            messages.append(bot_message(chat.sender, self._texts["service_unavailable"]))
            if safe:
                events.append({"kind": "red_flags_screened_in_web"})
        messages = notices + messages
        writing = self._write(
            self._log.record_turn, chat.sender,
            UserTurn(text=redacted, intent=intent, confidence=confidence, details=details),
            messages, events,
        )
        if any(e["kind"] == "emergency_answered_in_web" for e in events):
            # Nor behind other residents' log writes: the row follows (spooled if it fails).
            task = asyncio.ensure_future(writing)
            self._background.add(task)
            task.add_done_callback(self._background_done)
        else:
            await writing
        return web.json_response(messages)

    async def _send(self, sender: str, text: str, metadata: dict[str, Any]) -> DialogueTurn:
        """One message at a time per conversation, across every web process."""
        async with self._locks.hold(sender):
            return await self._rasa.send(sender, text, metadata=metadata)

    def _background_done(self, task: asyncio.Future[Any]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("background work after an emergency answer failed: %s",
                           type(task.exception()).__name__)

    async def _over_limit(self, request: web.Request, sender: str) -> int | None:
        if self._limits is None:
            return None
        return await self._limits.wait_for(request.remote,
                                           request.headers.get("X-Forwarded-For"), sender)

    async def _limited(self, sender: str, redacted: str, wait: int) -> web.Response:
        """Too many messages: a clear Swedish answer and Retry-After, except that an
        emergency still gets its own 112 answer, whatever the flood."""
        emergency = emergency_messages(redacted)
        await self._write(self._log.record_event, sender,
                          {"kind": "rate_limited", "retry_after": wait,
                           "red_flags_screened": bool(emergency)})
        text = self._texts["rate_limited"].format(seconds=wait)
        if emergency:
            return web.json_response([{"recipient_id": sender, **m} for m in emergency])
        return web.json_response({"error": "rate_limited", "message": text,
                                  "retry_after": wait}, status=429,
                                 headers={"Retry-After": str(wait)})

    async def _resident_metadata(self, chat: ChatRequest, events: list[dict[str, Any]],
                                 notices: list[dict[str, Any]]) -> dict[str, Any]:
        """Only verified claims reach the dialogue; the browser's own metadata never does."""
        anonymous: dict[str, Any] = {"resident": {"verified": False}}
        if not chat.context_token:
            return anonymous
        try:
            if self._verifier is None:
                raise ContextTokenError("not_configured", "no key to verify context tokens")
            claims = await asyncio.get_running_loop().run_in_executor(
                None, self._verifier.verify, chat.context_token, chat.sender)
        except ContextTokenError as error:
            logger.warning("context token refused for %s: %s", chat.sender, error.reason)
            events.append({"kind": "context_rejected", "code": error.code})
            notices.append(bot_message(chat.sender, self._texts["context_rejected"]))
            notices.append({"recipient_id": chat.sender,
                            "custom": {"type": "context_rejected", "reason": error.code}})
            return anonymous
        metadata = claims.metadata()
        # Sealed for the action server, which trusts only what the web app vouched for.
        metadata["resident"] = seal(metadata["resident"], chat.sender, self._secret)
        return metadata

    async def _write(self, function: Any, *args: Any) -> None:
        """Writes to the log off the event loop; a failing database must not silence the bot,
        and the write waits in the spool to be retried instead of being lost."""
        if len(self._spool):
            self._spool.add(function, args)   # keep the order of what is already waiting
            return
        try:
            await asyncio.get_running_loop().run_in_executor(None, function, *args)
        except Exception as error:
            logger.error("conversation log write failed (%s); spooled for a retry",
                         type(error).__name__)
            self._spool.add(function, args)
