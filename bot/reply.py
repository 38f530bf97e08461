"""Reply: what a conversation service answers, without knowing about Rasa or the web.

A service takes plain inputs (what the resident said, the verified context, stored state)
and returns a `Reply`; an adapter (a Rasa action, a web handler) turns it into dispatcher
calls and events. Every text comes from the text catalogue (bot/content/texts.yml).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.content.texts import render


@dataclass(frozen=True)
class Message:
    text: str
    buttons: tuple[tuple[str, str], ...] = ()   # (title, payload)
    custom: dict = field(default_factory=dict)  # a contract payload (bot/contract.py)


@dataclass
class Reply:
    messages: list[Message] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)   # state to keep: slot -> value
    next_action: str | None = None                        # a form or action to run next

    def say(self, key: str, buttons: tuple[tuple[str, str], ...] = (),
            **values: Any) -> Reply:
        """Adds the catalogue text `key` with its placeholders filled."""
        self.messages.append(Message(render(key, **values), buttons))
        return self

    def send(self, custom: dict) -> Reply:
        """Adds a contract payload (no text of its own)."""
        self.messages.append(Message("", custom=custom))
        return self

    def keep(self, **slots: Any) -> Reply:
        self.slots.update(slots)
        return self

    def then(self, action: str) -> Reply:
        self.next_action = action
        return self
