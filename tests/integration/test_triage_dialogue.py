"""Triage through /api/chat with the real Rasa server, action server and web app."""

from __future__ import annotations

from tests.integration.conftest import RunningSystem
from tests.integration.helpers import buttons, custom, new_sender, texts

LEVELS = {"self_care", "primary_care", "urgent", "emergency"}


def answer_no_until_result(system: RunningSystem, sender: str, first: str,
                           limit: int = 8) -> tuple[dict, list[list[dict]]]:
    replies = [system.say(sender, first)]
    for _ in range(limit):
        result = custom(replies[-1], "triage_result")
        if result:
            return result, replies
        question = custom(replies[-1], "triage_question")
        assert question, f"neither a question nor a result: {replies[-1]}"
        replies.append(system.say(sender, "/deny"))
    raise AssertionError("no triage result")


def test_sore_throat_ends_in_self_care_with_advice(system: RunningSystem) -> None:
    sender = new_sender()
    first = system.say(sender, "jag har haft ont i halsen sen i förrgår")
    question = custom(first, "triage_question")
    assert question and question["protocol"] == "sore_throat"
    assert [b["title"] for b in buttons(first)] == ["Ja", "Nej", "Vet inte"]
    result, replies = answer_no_until_result(system, sender, "nej")
    assert result["level"] == "self_care"
    assert result["reasons"] and result["care_options"]
    answer = texts(replies[-1])
    assert "hemma" in answer and "Sök vård om" in answer


def test_facts_in_the_first_message_are_not_asked_again(system: RunningSystem) -> None:
    sender = new_sender()
    replies = system.say(sender, "min son är 3 år och har haft 39 graders feber i två dagar")
    asked = texts(replies).lower()
    assert "hur gammal" not in asked
    result, conversation = answer_no_until_result(system, sender, "nej")
    all_questions = " ".join(texts(r) for r in conversation).lower()
    assert "hur gammal" not in all_questions and "hur länge" not in all_questions
    assert result["level"] in LEVELS


def test_red_flag_in_first_message_is_an_emergency(system: RunningSystem) -> None:
    sender = new_sender()
    replies = system.say(sender, "min man har ont i bröstet och kallsvettas")
    result = custom(replies, "triage_result")
    assert result and result["level"] == "emergency"
    assert result["care_options"][0]["phone"] == "112"
    assert "112" in texts(replies)
    user = system.transcript(sender)[0]
    assert user["intent"] == "emergency" and user["payload"]["red_flags"]


def test_red_flag_in_an_answer_stops_the_questions(system: RunningSystem) -> None:
    sender = new_sender()
    first = system.say(sender, "min dotter hostar mycket sen igår")
    assert custom(first, "triage_question")
    replies = system.say(sender, "nu får hon ingen luft")
    result = custom(replies, "triage_result")
    assert result and result["level"] == "emergency"


def test_why_do_you_ask_then_the_same_question_again(system: RunningSystem) -> None:
    sender = new_sender()
    first = system.say(sender, "jag har ont i magen")
    question = custom(first, "triage_question")
    assert question
    replies = system.say(sender, "varför frågar du det?")
    again = custom(replies, "triage_question")
    assert again and again["question_id"] == question["question_id"]
    assert len(texts(replies)) > len(texts(first))  # the explanation came first


def test_stop_ends_the_questions_safely(system: RunningSystem) -> None:
    sender = new_sender()
    system.say(sender, "jag sover jättedåligt")
    answer = texts(system.say(sender, "avbryt, jag vill inte svara mer"))
    assert "1177" in answer and "112" in answer


def test_unknown_complaint_gets_the_general_protocol(system: RunningSystem) -> None:
    """What no protocol fits gets the universal danger questions, then a careful route
    (1177), never a silent default."""
    sender = new_sender()
    replies = system.say(sender, "jag mår inte bra i kroppen")
    if not custom(replies, "triage_result"):
        replies = system.say(sender, "det är svårt att förklara")
    asked = texts(replies)
    result, conversation = answer_no_until_result(system, sender, "/deny")
    assert result["level"] == "primary_care" and result["general"]
    assert "andas" in asked   # the first danger question is about breathing
    assert "1177" in texts(conversation[-1])


def test_each_level_carries_care_options_for_the_place(system: RunningSystem) -> None:
    cases = {
        "self_care": "jag har fått en liten solbränna på armarna",
        "primary_care": "jag behöver förnya mitt recept",
        "urgent": "jag har ont när jag kissar och feber och ont i sidan av ryggen",
        "emergency": "pappa sluddrar plötsligt och ena mungipan hänger",
    }
    seen = {}
    for _expected, message in cases.items():
        sender = new_sender()
        system.say(sender, "jag bor i Kungälv")
        result, _ = answer_no_until_result(system, sender, message)
        seen[result["level"]] = result
        assert result["care_options"], result
    assert "emergency" in seen and seen["emergency"]["care_options"][0]["phone"] == "112"
    assert len(seen) >= 3


def test_triage_outcome_is_logged_for_staff(system: RunningSystem) -> None:
    sender = new_sender()
    answer_no_until_result(system, sender, "jag har hosta sedan en vecka")
    rows = system.transcript(sender)
    payloads = [r["payload"] for r in rows if r["role"] == "bot" and r["payload"]]
    results = [p["custom"] for p in payloads if (p.get("custom") or {}).get("type") ==
               "triage_result"]
    assert results and results[-1]["level"] in LEVELS


def test_news_while_a_question_is_pending_is_used_not_discarded(system: RunningSystem) -> None:
    """A parent adds new signs while the bot waits for an answer: they count at once."""
    sender = new_sender()
    first = system.say(sender, "min dotter 4 år har ont i halsen och lite feber")
    assert custom(first, "triage_question")
    replies = system.say(sender, "nu har hon över 40 graders feber och magen är stenhård, "
                                 "hon skriker när man nuddar den")
    result = custom(replies, "triage_result")
    asked = custom(replies, "triage_question")
    # Either the outcome comes at once, or the next question builds on the news: it never
    # asks again whether she has a fever.
    if result is None:
        assert asked and "feber" not in texts(replies).lower().split("?")[0]
        result, _ = answer_no_until_result(system, sender, "/deny")
    assert result["level"] in ("urgent", "emergency")
    assert "fever_child" in result["protocols"]


def test_free_text_answer_in_own_words(system: RunningSystem) -> None:
    sender = new_sender()
    first = system.say(sender, "jag har astma och den är mycket värre idag")
    question = custom(first, "triage_question")
    assert question
    replies = system.say(sender, "jag kan knappt prata mellan andetagen")
    result = custom(replies, "triage_result")
    assert result and result["level"] == "emergency"


def test_a_number_from_a_home_device_drives_the_level(system: RunningSystem) -> None:
    sender = new_sender()
    replies = system.say(sender, "hostar och känner mig andfådd, saturationen är 87")
    result = custom(replies, "triage_result")
    assert result and result["level"] == "emergency"
    assert "oxygen_saturation_very_low" in result["reasons"]


def test_several_complaints_without_asking_which_is_worst(system: RunningSystem) -> None:
    sender = new_sender()
    result, replies = answer_no_until_result(
        system, sender, "jag har ont i halsen och feber sedan två dagar, och så hostar jag")
    said = " ".join(texts(r) for r in replies).lower()
    assert "värst" not in said
    assert {"sore_throat", "cough"} <= set(result["protocols"])
    assert result["evidence"]   # staff see what each reason rests on


def test_a_classifier_guess_of_emergency_does_not_end_a_triage(system: RunningSystem) -> None:
    """Mid-triage, only the red-flag rules can turn a reply into 112."""
    sender = new_sender()
    assert custom(system.say(sender, "jag har haft ont i halsen i två dagar"), "triage_question")
    replies = system.say(sender, "har inte tagit nån alvedon än")
    result = custom(replies, "triage_result")
    assert result is None or result["level"] != "emergency"
    assert "112 nu" not in texts(replies)
