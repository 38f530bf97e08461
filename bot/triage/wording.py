"""Turns engine output (Ask, Disposition) into the Swedish messages the resident reads."""

from __future__ import annotations

from bot.content.texts import render, texts
from bot.contract import triage_question
from bot.reply import Message
from bot.triage.engine import Ask, Disposition
from bot.triage.levels import Level

MAX_REASONS = 2


def yes_no_buttons() -> tuple[tuple[str, str], ...]:
    t = texts()
    return ((t["button_yes"], "/affirm"), (t["button_no"], "/deny"),
            (t["button_dont_know"], "/dont_know"))


def ask_message(ask: Ask) -> Message:
    t = texts()
    if ask.kind == "question":
        assert ask.text is not None
        if ask.retry:
            text = f"{t['answer_not_understood']} {ask.text} {t['answer_hint']}"
        elif ask.confirm:
            text = f"{t['answer_noted']} {t['answer_confirm']} {ask.text}"
        elif ask.noted:
            text = f"{t['answer_noted']} {ask.text}"
        else:
            text = ask.text
        return Message(text, yes_no_buttons(), triage_question(ask.id, ask.protocol))
    if ask.kind == "age":
        return Message(t["ask_age_retry" if ask.retry else "ask_age"],
                       custom=triage_question(ask.id))
    return Message(t["ask_complaint"], custom=triage_question(ask.id))


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return render("list_and", first=", ".join(parts[:-1]), last=parts[-1])


def headline(disposition: Disposition) -> str:
    """The level in plain words, with why."""
    t = texts()
    if disposition.administrative and disposition.level < Level.URGENT:
        return t["level_administrative"]
    if (disposition.general or disposition.protocol is None) and \
            disposition.level < Level.URGENT:
        return " ".join([t["unknown_complaint"]] + ([t["uncertain_note"]]
                                                      if disposition.uncertain else []))
    key = f"level_{disposition.level.id}"
    if disposition.level == Level.URGENT and disposition.emergency_department:
        key = "level_urgent_emergency_department"
    parts = [t[key]]
    if disposition.level == Level.EMERGENCY and disposition.red_flag_responses:
        parts = [disposition.red_flag_responses[0]]
    top = [r.text for r in disposition.reasons if r.level == disposition.level][:MAX_REASONS]
    if top and not (disposition.level == Level.EMERGENCY and disposition.red_flag_responses):
        parts.append(render("because", reasons=_join(top)))
    if disposition.uncertain:
        parts.append(t["uncertain_note"])
    return " ".join(parts)


def advice_text(disposition: Disposition) -> str | None:
    t = texts()
    lines: list[str] = []
    if disposition.self_care:
        lines.append(t["advice_heading"])
        lines += [render("bullet", item=item) for item in disposition.self_care]
    if disposition.seek_care_if and disposition.level < Level.EMERGENCY:
        if lines:
            lines.append("")
        lines.append(t["seek_care_heading"])
        lines += [render("bullet", item=item) for item in disposition.seek_care_if]
    return "\n".join(lines) if lines else None


def disposition_messages(disposition: Disposition) -> list[Message]:
    messages = [Message(headline(disposition))]
    advice = advice_text(disposition)
    if advice:
        messages.append(Message(advice))
    if disposition.level < Level.EMERGENCY:
        messages.append(Message(texts()["not_a_diagnosis"]))
    return messages
