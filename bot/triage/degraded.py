"""Degraded mode: when the dialogue cannot answer (Rasa or the action server down or slow),
the web app still screens the message for red flags, so an emergency gets its own 112
answer and a `triage_result`, not only the generic outage text. Plain Python: it needs
neither Rasa nor the action server."""

from __future__ import annotations

from functools import lru_cache

from bot.care.routing import CareOption, outage_options
from bot.contract import triage_result
from bot.triage.engine import Disposition, TriageEngine, TriageState
from bot.triage.facts import extract_facts
from bot.triage.levels import Level
from bot.triage.wording import disposition_messages


@lru_cache(maxsize=1)
def _screen_only() -> TriageEngine:
    # Red flags only: with no protocol, the outcome is what the rules alone say.
    return TriageEngine(protocol_set={})


def red_flag_outcome(text: str) -> Disposition | None:
    """The outcome of the red flags alone, or None when no red flag fires."""
    engine = _screen_only()
    state = TriageState(texts=[text], facts=extract_facts(text))
    reading = engine.read(state)
    if not reading.hits:
        return None
    disposition = engine.conclude(state, reading).disposition
    return disposition if disposition is not None and disposition.level >= Level.URGENT \
        else None


def messages_when_unavailable(text: str) -> list[dict[str, object]] | None:
    """What to answer, in the chat API's message shape, when a red flag fires while the
    dialogue is down; None when none fires (the caller gives the outage text)."""
    disposition = red_flag_outcome(text)
    if disposition is None:
        return None
    options: list[CareOption] = outage_options(disposition.level)
    messages: list[dict[str, object]] = [
        {"text": message.text} for message in disposition_messages(disposition)]
    messages.append({"custom": triage_result(disposition, options, degraded=True)})
    return messages


def emergency_messages(text: str) -> list[dict[str, object]] | None:
    """`messages_when_unavailable` when the red flags alone say emergency, else None."""
    messages = messages_when_unavailable(text)
    if messages and any(isinstance(m.get("custom"), dict) and m["custom"].get("level")
                        == "emergency" for m in messages):
        return messages
    return None
