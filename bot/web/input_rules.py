"""Rules for what the chat API accepts, as plain functions over the decoded JSON body."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from bot.help import CAPABILITY_INTENTS

SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_.:\-]{1,128}$")
# A chat message is a flat object; deep nesting only costs the parser (and "[" × 5000 used to
# raise a RecursionError).
MAX_JSON_DEPTH = 16
MAX_TOKEN_CHARS = 8192
# Quick-reply payloads: exactly the buttons the bot itself sends. Rasa treats any text
# starting with "/" as an intent and skips the NLU pipeline, red-flag screening included, so
# anything else ("/describe_symptom{...}", "/emergency") loses its slash and is read as text.
PAYLOAD_PATTERN = re.compile(
    r'^/(?:affirm|deny|dont_know|ask_source|' + "|".join(CAPABILITY_INTENTS) + r')$'
    r'|^/inform_municipality\{"municipality": ?"[^"{}\\]{1,60}"\}$'
    r'|^/(?:cancel_appointment|rebook_appointment)\{"booking_reference": ?"VL-[A-Z0-9]{6}"\}$')
# Control, format, surrogate and unassigned characters (NUL, escape sequences, zero-width and
# bidi marks, lone surrogates) carry no meaning for a resident's message, can hide text from
# reviewers and cannot all be stored as UTF-8; newlines and tabs stay.
_KEEP = {"\n", "\t"}


class InvalidRequest(ValueError):
    """The request is malformed; the message says why, in English, for the developer."""

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class ChatRequest:
    sender: str
    text: str
    context_token: str | None = None   # signed resident context from an embedding portal


def json_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text, strings skipped; linear time."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:        # backslash
                escaped = True
            elif byte == 0x22:        # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):    # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):    # ] }
            depth -= 1
    return deepest


def clean_text(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw)
    text = "".join(
        ch for ch in text if ch in _KEEP or unicodedata.category(ch)[0] != "C"
    )
    return text.strip()


def parse_chat_request(body: Any) -> ChatRequest:
    if not isinstance(body, dict):
        raise InvalidRequest("invalid_body", "the body must be a JSON object")
    sender = body.get("sender")
    if sender is None or sender == "":
        raise InvalidRequest("missing_sender", "'sender' is required")
    if not isinstance(sender, str) or not SENDER_PATTERN.match(sender):
        raise InvalidRequest(
            "invalid_sender", "'sender' must be 1-128 characters of A-Z, a-z, 0-9, '_.:-'"
        )
    message = body.get("message", "")
    if message is None:
        message = ""
    if not isinstance(message, str):
        raise InvalidRequest("invalid_message", "'message' must be a string")
    # The REST channel's shape allows metadata; it is checked but never forwarded (only
    # verified claims reach the dialogue, bot/web/chat.py).
    metadata = body.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise InvalidRequest("invalid_metadata", "'metadata' must be an object")
    token = body.get("context_token")
    if token is not None and (not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS):
        raise InvalidRequest("invalid_context_token", "'context_token' must be a JWT string")
    text = clean_text(message)
    if text.startswith("/") and not PAYLOAD_PATTERN.match(text):
        text = text.lstrip("/").strip()
    return ChatRequest(sender=sender, text=text, context_token=token or None)
