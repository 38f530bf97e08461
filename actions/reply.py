"""A `Reply` from a conversation service into Rasa: dispatcher calls and events."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.reply import Message, Reply


def send(dispatcher: CollectingDispatcher, message: Message) -> None:
    if message.text:
        buttons = [{"title": title, "payload": payload} for title, payload in message.buttons]
        dispatcher.utter_message(text=message.text, buttons=buttons or None)
    if message.custom:
        dispatcher.utter_message(json_message=message.custom)


def events(dispatcher: CollectingDispatcher, reply: Reply) -> list[dict[str, Any]]:
    """Sends the reply's messages; returns its slots and next action as events."""
    for message in reply.messages:
        send(dispatcher, message)
    result: list[dict[str, Any]] = [SlotSet(slot, value) for slot, value in reply.slots.items()]
    if reply.next_action:
        result.append(FollowupAction(reply.next_action))
    return result


class StepAction(Action):
    """An action that is one step of a conversation service: `service()` builds the service,
    `turn(tracker)` its input, and `step` names the method that gives the Reply."""
    action_name = ""
    step = ""

    def name(self) -> str:
        return self.action_name

    def service(self) -> Any:
        raise NotImplementedError

    def turn(self, tracker: Tracker) -> Any:
        raise NotImplementedError

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        return events(dispatcher, getattr(self.service(), self.step)(self.turn(tracker)))


def slots(dispatcher: CollectingDispatcher, reply: Reply) -> dict[str, Any]:
    """For a form validator: sends the messages, returns the slots to set."""
    for message in reply.messages:
        send(dispatcher, message)
    return dict(reply.slots)
