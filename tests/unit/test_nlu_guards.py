"""Errand words and the TriageGuard's override of errand intents (blind triage set G: long
descriptions of symptoms read as care-guarantee questions), and follow-ups on an errand."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.components import (
    PREVIOUS_FLAGS_KEY,
    PREVIOUS_INTENT_KEY,
    PREVIOUS_TEXT_KEY,
    FollowUpGuard,
    TriageGuard,
)
from bot.nlp.errands import errand_words, is_errand, names_errand
from bot.nlp.follow_up import continues
from bot.triage.matcher import tokenize


def guarded(text: str, intent: str, confidence: float = 0.95, previous: str | None = None
            ) -> str:
    message = Message({TEXT: text, INTENT: {"name": intent, "confidence": confidence},
                       INTENT_RANKING_KEY: [{"name": intent, "confidence": confidence}],
                       "metadata": {PREVIOUS_TEXT_KEY: previous}})
    guard = TriageGuard(TriageGuard.get_default_config())
    return guard.process([message])[0].get(INTENT)["name"]


def test_a_danger_sign_told_over_two_messages_is_one() -> None:
    """Outside a triage nothing else joins two messages: "pappa satte i halsen på köttet"
    (called off topic by a classifier), then the signs of choking."""
    first = "pappa satte i halsen på köttet"
    second = "nu kan han inte hosta"
    assert guarded(first, "out_of_scope") != "emergency"
    assert guarded(second, "out_of_scope") != "emergency"
    assert guarded(second, "out_of_scope", previous=first) == "emergency"


def test_a_danger_sign_of_the_previous_message_alone_is_not_fired_again() -> None:
    """The previous message's own red flags were answered then; "tack" is thanks."""
    assert guarded("tack", "thanks", previous="min pappa har blivit sned i ansiktet och "
                                               "pratar sluddrigt") == "thanks"


def test_the_red_flags_the_gateway_says_were_raised_are_not_raised_again() -> None:
    message = Message({TEXT: "nu kan han inte hosta",
                       INTENT: {"name": "out_of_scope", "confidence": 0.9},
                       INTENT_RANKING_KEY: [{"name": "out_of_scope", "confidence": 0.9}],
                       "metadata": {PREVIOUS_TEXT_KEY: "pappa satte i halsen på köttet",
                                    PREVIOUS_FLAGS_KEY: ["choking"]}})
    guard = TriageGuard(TriageGuard.get_default_config())
    assert guard.process([message])[0].get(INTENT)["name"] != "emergency"


def test_every_errand_is_a_domain_intent() -> None:
    import yaml

    from bot.config import ROOT
    intents = set(yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))["intents"])
    assert set(errand_words()) <= intents
    assert not is_errand("describe_symptom") and not is_errand("greet")


@pytest.mark.parametrize(("intent", "text"), [
    ("ask_care_guarantee", "hur länge får jag vänta på en operation?"),
    ("ask_care_guarantee", "what is the waiting time guarantee"),
    ("ask_opening_hours", "när öppnar vc i morgon"),
    ("book_appointment", "jag vill boka en tid, har ont i halsen"),
    ("cancel_appointment", "avboka min tid på torsdag"),
    ("ask_privacy", "sparas det jag skriver?"),
])
def test_a_message_naming_its_errand(intent: str, text: str) -> None:
    assert names_errand(intent, tokenize(text))


@pytest.mark.parametrize(("intent", "text"), [
    ("ask_care_guarantee", "Min mamma 79 år har covid sen 5 dagar och är mer andfådd"),
    ("ask_care_guarantee", "Jag har druckit en flaska vin om dagen och nu skakar jag"),
    ("ask_why", "Fick näsblod, undrar vad jag ska göra om det kommer igen"),
])
def test_a_description_of_symptoms_names_no_errand(intent: str, text: str) -> None:
    assert not names_errand(intent, tokenize(text))


@pytest.mark.parametrize(("intent", "text"), [
    ("ask_care_guarantee", "Min mamma 79 år har covid sen 5 dagar. Idag är hon mer andfådd"),
    ("ask_care_guarantee", "Sonen 2 år satte i halsen av en jordnöt och hostade jättemycket"),
    ("ask_why", "Fick näsblod från höger näsborre, undrar vad jag ska göra om det kommer igen"),
    # A red flag is never left to an errand, even one the message names.
    ("ask_opening_hours", "när öppnar vårdcentralen? min son 2 mån har 38,5 i feber"),
])
def test_the_guard_reads_symptoms_not_an_errand(intent: str, text: str) -> None:
    assert guarded(text, intent) in ("describe_symptom", "emergency")


@pytest.mark.parametrize(("intent", "text"), [
    ("ask_care_guarantee", "hur länge får jag vänta på en remiss för mitt knä?"),
    ("book_appointment", "vill boka tid för mitt eksem"),
    ("ask_opening_hours", "vilka tider har vårdcentralen öppet"),
])
def test_the_guard_keeps_a_named_errand(intent: str, text: str) -> None:
    assert guarded(text, intent) == intent


# --- follow-ups on the same errand ------------------------------------------------------

@pytest.mark.parametrize(("previous", "guesses", "words"), [
    ("ask_opening_hours", ["greet", "affirm"], 4),          # "och på söndag då?"
    ("ask_care_guarantee", ["greet", "affirm"], 3),         # "and in Halland?"
    ("list_bookings", ["rebook_appointment", "book_appointment", "list_bookings"], 9),
    ("out_of_scope", ["ask_privacy"], 3),                   # "nåt med fisk"
])
def test_an_undecided_message_continues_the_errand(previous: str, guesses: list[str],
                                                   words: int) -> None:
    assert continues(previous, guesses, words, names_complaint=False)


@pytest.mark.parametrize(("previous", "guesses", "words", "complaint"), [
    (None, ["ask_opening_hours"], 3, False),                # nothing to continue
    ("greet", ["greet"], 2, False),                         # small talk is no errand
    ("describe_symptom", ["describe_symptom"], 2, False),   # triage has its own form
    ("ask_opening_hours", ["greet"], 4, True),              # a complaint goes to triage
    ("ask_opening_hours", ["greet", "thanks", "deny"], 12, False),  # long and unlike it
])
def test_what_does_not_continue(previous: str | None, guesses: list[str], words: int,
                                complaint: bool) -> None:
    assert not continues(previous, guesses, words, names_complaint=complaint)


def followed(text: str, previous: str | None, guesses: list[str]) -> Message:
    ranking = [{"name": "nlu_fallback", "confidence": 1.0}] + [
        {"name": name, "confidence": 0.3} for name in guesses]
    message = Message({TEXT: text, INTENT: ranking[0], INTENT_RANKING_KEY: ranking,
                       "metadata": {PREVIOUS_INTENT_KEY: previous}})
    return FollowUpGuard(FollowUpGuard.get_default_config()).process([message])[0]


def test_the_follow_up_guard_sets_the_previous_errand() -> None:
    message = followed("och på söndag då?", "ask_opening_hours", ["greet", "affirm"])
    assert message.get(INTENT)["name"] == "ask_opening_hours"
    assert message.get("follow_up") == {"continues": "ask_opening_hours"}


@pytest.mark.parametrize(("intent", "first", "expected"), [
    ("goodbye", "och", True),          # "och på söndag då?" read as "hej då"
    ("greet", "and", True),            # "and in Halland?"
    ("goodbye", "tack", False),        # "tack, hej då" ends the conversation
    ("book_appointment", "och", False),  # another errand is the classifier's to choose
])
def test_small_talk_that_opens_as_a_follow_up(intent: str, first: str, expected: bool) -> None:
    assert continues("ask_opening_hours", [], 4, names_complaint=False, intent=intent,
                     first_word=first) is expected


def test_the_follow_up_guard_leaves_a_complaint_and_a_new_conversation() -> None:
    assert followed("och nu har jag ont i bröstet", "ask_opening_hours",
                    ["greet"]).get(INTENT)["name"] == "nlu_fallback"
    assert followed("och på söndag då?", None, ["greet"]).get(INTENT)["name"] == "nlu_fallback"


def test_a_complaint_read_as_dont_know_is_a_symptom() -> None:
    assert guarded("jag har svårt att sova", "dont_know") == "describe_symptom"
    assert guarded("vet inte", "dont_know") == "dont_know"


def test_a_red_flag_overrules_any_intent() -> None:
    assert guarded("hjärtat rusar, pulsen 190 enligt klockan", "inform_time") == \
        "describe_symptom"


@pytest.mark.parametrize(("intent", "text"), [
    ("describe_symptom", "Min katt nyser hela tiden, vad ska jag göra?"),
    ("out_of_scope", "hunden har diarré sen igår"),
    ("describe_symptom", "my dog keeps vomiting"),
])
def test_an_animal_as_the_patient_is_off_topic(intent: str, text: str) -> None:
    assert guarded(text, intent) == "out_of_scope"


@pytest.mark.parametrize(("intent", "text", "expected"), [
    ("describe_symptom", "hunden bet mig i handen och det blöder", "describe_symptom"),
    ("out_of_scope", "jag är allergisk mot katt och har fått utslag", "describe_symptom"),
    ("describe_symptom", "min son och hunden har kräkts i natt", "describe_symptom"),
    ("describe_symptom", "sjuåringen har en rund röd fläck på armen, katten har också en",
     "describe_symptom"),
    # A red flag about a person wins even when an animal is named.
    ("out_of_scope", "katten är borta och min pappa har blivit sned i ansiktet", "emergency"),
])
def test_a_person_with_an_animal_is_still_triaged(intent: str, text: str, expected: str) -> None:
    assert guarded(text, intent) == expected


def test_the_bot_not_working_is_no_complaint() -> None:
    assert guarded("det här funkar inte, jag vill prata med personal", "request_human") == \
        "request_human"


def test_who_is_ill_is_no_complaint() -> None:
    assert guarded("hur mycket skatt betalar man på pension", "out_of_scope") == "out_of_scope"
    assert guarded("min man har ont i bröstet", "out_of_scope") in ("describe_symptom",
                                                                   "emergency")


def test_signs_without_the_errands_words_are_symptoms() -> None:
    # Set J: a model took this for a care-guarantee question.
    text = "My son is 8, he just ate a cookie with peanuts in it. His lips are swelling"
    assert guarded(text, "ask_care_guarantee") == "describe_symptom"
    assert guarded("hur länge får jag vänta på en tid för min hosta", "ask_care_guarantee") == \
        "ask_care_guarantee"


def test_a_denied_sign_does_not_overrule_an_errand() -> None:
    text = "är inte nöjd med min vårdcentral, kan jag gå någon annanstans"
    assert guarded(text, "ask_change_unit") == "ask_change_unit"


@pytest.mark.parametrize("text", [
    "bygglov för en altan i kungälv",
    "ladda västtrafikkortet",
    "när går båten till styrsö",
    "how do I renew a passport",
])
def test_an_unplaced_message_about_something_else_is_off_topic(text: str) -> None:
    assert guarded(text, "nlu_fallback", 0.4) == "out_of_scope"


@pytest.mark.parametrize("text", [
    "du förstår inte vad jag menar",      # talking with the bot
    "min bokning kl?",                    # an errand's word
    "distansbesök",                       # one word is too little to tell
    "hej hej",                            # small talk
    "ont i magen sen i går",              # a complaint: triage
    "inte nu",                            # steering the conversation
    "kan vi pausa?",
    "på lördag",                          # a time as an answer
    "om en timme",
    "vad heter min vc",
])
def test_an_unplaced_message_about_care_stays_a_misunderstanding(text: str) -> None:
    assert guarded(text, "nlu_fallback", 0.4) != "out_of_scope"


def test_the_first_message_after_loading_is_judged_like_the_rest() -> None:
    """The first call compiled the on-topic words after indexing the message's tokens, so
    "hej där" right after a model load was called off topic. A fresh process shows it."""
    import subprocess
    import sys

    code = ("from bot.nlp.errands import off_topic; from bot.triage.matcher import tokenize; "
            "print(off_topic(tokenize('hej där')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


def test_another_language_stays_a_misunderstanding() -> None:
    """The LanguageGuard marks messages in other languages: they get the fallback that says
    which languages the bot understands, not "I cannot help with that"."""
    text = "missä on lähin terveyskeskus"
    message = Message({TEXT: text, INTENT: {"name": "nlu_fallback", "confidence": 1.0},
                       INTENT_RANKING_KEY: [{"name": "nlu_fallback", "confidence": 1.0}],
                       "language_guard": {"known_words": 0, "words": 4}})
    guard = TriageGuard(TriageGuard.get_default_config())
    assert guard.process([message])[0].get(INTENT)["name"] == "nlu_fallback"


def ranked(text: str, ranking: list[tuple[str, float]]) -> str:
    message = Message({TEXT: text, INTENT: {"name": ranking[0][0], "confidence": ranking[0][1]},
                       INTENT_RANKING_KEY: [{"name": n, "confidence": c} for n, c in ranking]})
    guard = TriageGuard(TriageGuard.get_default_config())
    return guard.process([message])[0].get(INTENT)["name"]


def test_not_an_emergency_in_the_residents_words_gives_the_next_guess() -> None:
    """Set M: "i need a doctor today but it's not an emergency" got 112 from the classifier
    alone. A red-flag rule still gives 112, whatever the resident calls it."""
    guesses = [("emergency", 0.7), ("ask_where_care", 0.2), ("ask_opening_hours", 0.1)]
    assert ranked("behöver träffa en läkare idag men det är inte akut", guesses) == \
        "ask_where_care"
    assert ranked("need a doctor today, it's not an emergency", guesses) == "ask_where_care"
    assert ranked("det är akut, jag behöver en läkare", guesses) == "emergency"
    assert ranked("inte akut tror jag men pappa är sned i ansiktet och sluddrar", guesses) == \
        "emergency"


@pytest.mark.parametrize(("text", "intent"), [
    ("måste sticka nu, hej hej", "goodbye"),       # "sticka" is no splinter ("stickan")
    ("första gången jag använder det här", "ask_capabilities"),   # history, no complaint
])
def test_everyday_words_near_the_triage_vocabulary_keep_their_intent(text: str,
                                                                    intent: str) -> None:
    assert guarded(text, intent) == intent


@pytest.mark.parametrize(("text", "expected"), [
    ("jag behöver förnya mitt recept", "describe_symptom"),   # an errand of triage
    ("vad kan du hjälpa mig med, jag har ont i halsen", "describe_symptom"),
    ("vad kan du hjälpa mig med", "ask_capabilities"),
])
def test_a_capabilities_guess_gives_way_to_a_complaint(text: str, expected: str) -> None:
    assert guarded(text, "ask_capabilities", 0.58) == expected
