"""The triage engine over small protocols written for these tests (not the real content)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.triage.answers import Answer
from bot.triage.concepts import load_concepts
from bot.triage.engine import (
    MAX_QUESTIONS,
    PENDING_AGE,
    PENDING_COMPLAINT,
    TriageEngine,
    TriageState,
    Turn,
)
from bot.triage.levels import Level
from bot.triage.protocols import load_protocols
from bot.triage.red_flags import load_red_flags

CONCEPTS = """
reviewed: 2026-12-06
source: test
concepts:
  - id: breathing_difficulty
    title: Svårt att andas
    topic: breathing
    forms: [svart att andas, far knappt luft, kan knappt prata mellan andetag*]
    absent_forms: [andas normalt]
  - id: fever
    title: Feber
    topic: fever
    forms: [feber*, febrig]
    present_when: {temperature_at_least: 38}
  - id: asthma
    title: Astma
    forms: [astma]
"""

COUGH = """
id: cough
title: Hosta
summary: Hosta.
applies_to: any
reviewed: 2026-11-22
source: test
terms: [hosta*, hostar]
default_level: self_care
digital_ok: true
questions:
  - id: breathing
    text: Har du svårt att andas?
    why: Andningen går först.
    if_yes: emergency
    reason: svårt att andas
    asks: [breathing_difficulty]
  - id: blood
    text: Hostar du blod?
    why: Blod ska undersökas.
    if_yes: urgent
    if_unknown: primary_care
    reason: blod i hostan
  - id: long
    text: Har du hostat i mer än tre veckor?
    why: Lång hosta ska undersökas.
    if_yes: primary_care
    reason: hosta i mer än tre veckor
    when: {duration_days_at_least: 21}
advice:
  self_care: [Drick varmt.]
  seek_care_if: [du får svårt att andas]
"""

FEVER_CHILD = """
id: fever_child
title: Feber hos barn
summary: Feber hos barn.
applies_to: child
reviewed: 2026-11-22
source: test
terms: ["@fever"]
default_level: self_care
digital_ok: false
age_rules:
  - id: infant
    applies_to: {max_years: 0.25}
    level: urgent
    reason: barnet är yngre än tre månader
questions:
  - id: drinking
    text: Har barnet slutat dricka?
    why: Barn blir fort uttorkade.
    if_yes: urgent
    reason: barnet dricker inte
    yes_terms: [dricker inte, slutat dricka]
  - id: long
    text: Har febern hållit i mer än fem dagar?
    why: Lång feber ska undersökas.
    if_yes: primary_care
    reason: feber i mer än fem dagar
    when: {duration_days_at_least: 5}
advice:
  self_care: [Ge barnet att dricka.]
  seek_care_if: [barnet slutar dricka]
"""

ADMIN = """
id: admin
title: Recept och intyg
summary: Administrativa ärenden.
kind: administrative
applies_to: any
reviewed: 2026-11-22
source: test
terms: [forny* recept*, sjukintyg]
default_level: primary_care
digital_ok: true
advice:
  self_care: [Logga in på 1177.]
  seek_care_if: [du får nya besvär]
"""

ASTHMA = """
id: asthma
title: Astma
summary: Astma.
applies_to: any
reviewed: 2026-12-06
source: test
terms: [astmaanfall, astman ar varre]
context_terms: ["@asthma"]
default_level: primary_care
digital_ok: true
questions:
  - id: reliever
    text: Hjälper din astmamedicin sämre än vanligt?
    why: Då behöver astman bedömas i dag.
    if_yes: urgent
    reason: astmamedicinen hjälper sämre
advice:
  self_care: [Ta din medicin.]
  seek_care_if: [medicinen hjälper sämre]
"""

GENERAL = """
id: general
title: Andra besvär
summary: Det som inget annat protokoll passar.
kind: general
applies_to: any
reviewed: 2026-12-06
source: test
default_level: primary_care
digital_ok: false
questions:
  - id: breathing
    text: Har du svårt att andas?
    why: Andningen går först.
    if_yes: emergency
    reason: svårt att andas
    asks: [breathing_difficulty]
  - id: worse
    text: Blir du snabbt sämre?
    why: Snabb försämring behöver bedömas i dag.
    if_yes: urgent
    reason: snabbt sämre
advice:
  self_care: [Vila.]
  seek_care_if: [du blir sämre]
"""

FLAGS = """
reviewed: 2026-11-22
source: test
red_flags:
  - id: not_breathing
    level: emergency
    title: Andas inte
    reason: personen andas inte
    any_of: [andas inte, far ingen luft]
    response: Ring {emergency} nu.
  - id: blood_thinner_fall
    level: urgent
    title: Fall på blodförtunnande
    reason: fall med blodförtunnande
    all_of: [[raml*, slagit, slog], [waran, blodfortunnande*]]
    response: Sök vård i dag.
  - id: low_oxygen
    level: emergency
    title: Låg syremättnad
    reason: syremättnaden är låg
    when: {spo2_below: 90}
    response: Ring {emergency} nu.
"""


def _engine(root: object, protocol_texts: dict[str, str]) -> TriageEngine:
    from pathlib import Path

    root = Path(str(root))
    (root / "protocols").mkdir()
    (root / "concepts").mkdir()
    (root / "concepts" / "test.yml").write_text(CONCEPTS, encoding="utf-8")
    for name, text in protocol_texts.items():
        (root / "protocols" / f"{name}.yml").write_text(text, encoding="utf-8")
    (root / "red_flags.yml").write_text(FLAGS, encoding="utf-8")
    known = load_concepts(root / "concepts")
    return TriageEngine(load_protocols(root / "protocols", known),
                        load_red_flags(root / "red_flags.yml", known), known)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> TriageEngine:
    return _engine(tmp_path_factory.mktemp("content"), {
        "cough": COUGH, "fever_child": FEVER_CHILD, "admin": ADMIN, "asthma": ASTHMA})


@pytest.fixture(scope="module")
def with_general(tmp_path_factory: pytest.TempPathFactory) -> TriageEngine:
    return _engine(tmp_path_factory.mktemp("content"), {"cough": COUGH, "general": GENERAL})


def run(engine: TriageEngine, *messages: str) -> Turn:
    turn = engine.advance(None, messages[0])
    for message in messages[1:]:
        turn = engine.advance(turn.state, message)
    return turn


def test_asks_most_urgent_question_first(engine: TriageEngine) -> None:
    turn = run(engine, "jag hostar mycket")
    assert turn.ask is not None and turn.ask.id == "cough.breathing"


def test_no_to_everything_gives_default_level_with_advice(engine: TriageEngine) -> None:
    turn = run(engine, "jag hostar mycket", "nej", "nej", "nej")
    assert turn.disposition is not None
    assert turn.disposition.level == Level.SELF_CARE
    assert turn.disposition.self_care == ("Drick varmt.",)
    assert [r.id for r in turn.disposition.reasons] == ["cough.no_warning_signs"]


def test_yes_raises_and_explains(engine: TriageEngine) -> None:
    turn = run(engine, "jag hostar", "nej", "ja")
    assert turn.disposition is not None and turn.disposition.level == Level.URGENT
    assert turn.disposition.reasons[0].id == "cough.blood"
    assert turn.disposition.reasons[0].text == "blod i hostan"


def test_questions_that_cannot_change_the_level_are_skipped(engine: TriageEngine) -> None:
    # After "yes" to blood (urgent), the three-week question (primary care) is pointless.
    turn = run(engine, "jag hostar", "nej", "ja")
    assert turn.state.asked == ["cough.breathing", "cough.blood"]


def test_facts_in_the_first_message_answer_questions(engine: TriageEngine) -> None:
    turn = run(engine, "jag har hostat i fyra veckor", "nej", "nej")
    assert turn.disposition is not None and turn.disposition.level == Level.PRIMARY_CARE
    assert engine.read(turn.state).answers["cough.long"] == (Answer.YES, "number")


def test_yes_terms_in_free_text_answer_without_asking(engine: TriageEngine) -> None:
    turn = run(engine, "jag hostar och har svårt att andas")
    assert turn.disposition is not None and turn.disposition.level == Level.EMERGENCY
    assert turn.state.asked == []
    evidence = turn.disposition.reasons[0].evidence
    assert evidence[0]["concept"] == "breathing_difficulty"
    assert evidence[0]["detail"] == "svart att andas" and evidence[0]["message"] == 0


def test_negated_yes_term_answers_no(engine: TriageEngine) -> None:
    turn = run(engine, "hostar men har inte svårt att andas")
    assert turn.ask is not None and turn.ask.id == "cough.blood"
    assert engine.read(turn.state).answers["cough.breathing"] == (Answer.NO, "evidence")


def test_dont_know_is_conservative_and_said(engine: TriageEngine) -> None:
    turn = run(engine, "jag hostar", "nej", "vet inte")
    assert turn.disposition is not None
    assert turn.disposition.level == Level.PRIMARY_CARE
    assert turn.disposition.uncertain == ("cough.blood",)


def test_unclear_answer_is_asked_again_then_treated_as_dont_know(engine: TriageEngine) -> None:
    turn = run(engine, "jag hostar", "banan")
    assert turn.ask is not None and turn.ask.id == "cough.breathing" and turn.ask.retry
    turn = engine.advance(turn.state, "banan igen")
    assert turn.disposition is not None and turn.disposition.level == Level.EMERGENCY
    assert "cough.breathing" in turn.disposition.uncertain


def test_child_facts_select_child_protocol_and_age_rule(engine: TriageEngine) -> None:
    # Under three months with fever is urgent at once: no question could change that.
    turn = run(engine, "min bebis är 6 veckor och har feber")
    assert turn.disposition is not None and turn.disposition.level == Level.URGENT
    assert turn.state.protocol == "fever_child" and turn.state.asked == []
    assert turn.disposition.reasons[0].id == "fever_child.infant"


def test_age_is_asked_when_it_matters_and_unknown(engine: TriageEngine) -> None:
    turn = run(engine, "mitt barn har feber")
    assert turn.ask is not None and turn.ask.id == PENDING_AGE
    turn = engine.advance(turn.state, "4 år")
    assert turn.state.facts.age_years == 4.0
    assert turn.ask is not None and turn.ask.id == "fever_child.drinking"


def test_age_answer_in_months_applies_the_age_rule(engine: TriageEngine) -> None:
    turn = run(engine, "mitt barn har feber", "2 månader")
    assert turn.state.facts.age_years == pytest.approx(0.164, abs=0.01)
    assert turn.disposition is not None and turn.disposition.level == Level.URGENT


def test_several_complaints_are_all_active_without_asking_which_is_worst(
        engine: TriageEngine) -> None:
    turn = run(engine, "min son 4 år hostar och har feber")
    assert turn.state.protocols == ["cough", "fever_child"]
    assert turn.ask is not None and turn.ask.id == "cough.breathing"
    # Equally urgent questions: the complaint named first leads.
    turn = engine.advance(turn.state, "nej")
    assert turn.ask is not None and turn.ask.id == "cough.blood"
    turn = engine.advance(turn.state, "nej")
    assert turn.ask is not None and turn.ask.id == "fever_child.drinking"
    turn = engine.advance(turn.state, "ja")
    assert turn.disposition is not None and turn.disposition.level == Level.URGENT
    assert turn.disposition.protocol == "fever_child"
    assert turn.disposition.protocols == ("cough", "fever_child")


def test_a_message_while_a_question_is_pending_is_read_as_news(engine: TriageEngine) -> None:
    turn = run(engine, "min son hostar")
    assert turn.ask is not None and turn.ask.id == "cough.breathing"
    # Not an answer, but new: fever joins as a complaint, and its age rule needs the age.
    turn = engine.advance(turn.state, "han har fått feber också")
    assert turn.state.protocols == ["cough", "fever_child"]
    assert turn.ask is not None and turn.ask.id == PENDING_AGE and not turn.ask.retry
    turn = engine.advance(turn.state, "2 månader")
    # Under three months with fever is urgent; the breathing question can still raise it.
    assert turn.ask is not None and turn.ask.id == "cough.breathing"
    turn = engine.advance(turn.state, "nej")
    assert turn.disposition is not None and turn.disposition.level == Level.URGENT


def test_news_instead_of_an_answer_is_not_asked_as_a_failure(engine: TriageEngine) -> None:
    turn = run(engine, "jag hostar", "nej")
    assert turn.ask is not None and turn.ask.id == "cough.blood"
    turn = engine.advance(turn.state, "har haft 39 graders feber hela natten")
    assert turn.ask is not None and turn.ask.id == "cough.blood" and not turn.ask.retry
    assert turn.state.facts.temperature == 39.0


def test_a_yes_that_goes_on_about_something_else_is_asked_again(engine: TriageEngine) -> None:
    """"ja, sen ungefär tre veckor, har feber också" to "is it hard to breathe?": the yes may
    answer a question the resident expected. The news is read and the question asked again,
    saying why; a yes there is taken."""
    turn = run(engine, "jag hostar")
    assert turn.ask is not None and turn.ask.id == "cough.breathing"
    turn = engine.advance(turn.state, "ja sen ungefär tre veckor, har feber också")
    assert turn.disposition is None and turn.ask is not None
    assert turn.ask.id == "cough.breathing" and turn.ask.confirm and not turn.ask.retry
    assert turn.state.facts.duration_days == 21   # the news was read
    turn = engine.advance(turn.state, "ja")
    assert turn.disposition is not None and turn.disposition.level == Level.EMERGENCY


def test_a_yes_that_speaks_of_what_was_asked_is_taken(engine: TriageEngine) -> None:
    for reply in ("ja", "ja det gör det", "ja jag har svårt att andas nu"):
        turn = run(engine, "jag hostar")
        turn = engine.advance(turn.state, reply)
        assert turn.disposition is not None, reply
        assert turn.disposition.level == Level.EMERGENCY, reply


def test_free_text_answer_in_other_words(engine: TriageEngine) -> None:
    turn = run(engine, "jag hostar")
    turn = engine.advance(turn.state, "jag kan knappt prata mellan andetagen")
    assert turn.disposition is not None and turn.disposition.level == Level.EMERGENCY
    turn = run(engine, "jag hostar", "jag andas normalt")
    assert turn.ask is not None and turn.ask.id == "cough.blood"


def test_a_number_names_the_complaint_and_answers(engine: TriageEngine) -> None:
    turn = run(engine, "min dotter 3 år har 38,9")
    assert turn.state.protocols == ["fever_child"]


def test_a_number_fires_a_red_flag(engine: TriageEngine) -> None:
    turn = run(engine, "jag hostar", "saturationen är 87 nu")
    assert turn.disposition is not None and turn.disposition.level == Level.EMERGENCY
    assert turn.disposition.red_flags == ("low_oxygen",)
    assert turn.disposition.reasons[0].evidence[0]["detail"] == "spo2 87"


def test_a_long_standing_condition_is_context_not_the_complaint(engine: TriageEngine) -> None:
    turn = run(engine, "jag har astma sedan barndomen, nu hostar jag sen tre dagar")
    assert turn.state.protocols == ["cough", "asthma"]
    turn = run(engine, "jag har astma sedan barndomen, nu hostar jag sen tre dagar",
               "nej", "nej", "nej")
    assert turn.disposition is not None and turn.disposition.level == Level.SELF_CARE
    assert turn.disposition.protocol == "cough"
    # Alone, the condition is the complaint.
    assert run(engine, "min astma").state.protocols == ["asthma"]


def test_a_concluded_triage_reopens_with_everything_kept(engine: TriageEngine) -> None:
    turn = run(engine, "jag hostar", "nej", "nej", "nej")
    assert turn.disposition is not None and turn.disposition.level == Level.SELF_CARE
    turn = engine.advance(turn.state, "nu får jag knappt luft")
    assert turn.disposition is not None and turn.disposition.level == Level.EMERGENCY
    assert turn.state.texts[0] == "jag hostar"


def test_general_protocol_when_nothing_fits(with_general: TriageEngine) -> None:
    turn = run(with_general, "jag mår konstigt")
    assert turn.ask is not None and turn.ask.id == PENDING_COMPLAINT
    turn = with_general.advance(turn.state, "det är svårt att förklara")
    assert turn.ask is not None and turn.ask.id == "general.breathing"
    turn = with_general.advance(turn.state, "nej")
    turn = with_general.advance(turn.state, "nej")
    assert turn.disposition is not None and turn.disposition.general
    assert turn.disposition.level == Level.PRIMARY_CARE


def test_unknown_complaint_without_general_protocol_is_primary_care(
        engine: TriageEngine) -> None:
    turn = run(engine, "jag mår konstigt")
    assert turn.ask is not None and turn.ask.kind == "complaint"
    turn = engine.advance(turn.state, "det är svårt att förklara")
    assert turn.disposition is not None
    assert turn.disposition.level == Level.PRIMARY_CARE
    assert turn.disposition.protocol is None


def test_administrative_errand_needs_no_questions(engine: TriageEngine) -> None:
    turn = run(engine, "jag vill förnya mitt recept")
    assert turn.disposition is not None and turn.disposition.administrative


def test_red_flag_ends_triage_at_once_in_any_state(engine: TriageEngine) -> None:
    turn = run(engine, "jag hostar", "nej", "nu får han ingen luft")
    assert turn.disposition is not None and turn.disposition.level == Level.EMERGENCY
    assert turn.disposition.red_flags == ("not_breathing",)


def test_urgent_red_flag_is_a_floor_under_the_protocol(engine: TriageEngine) -> None:
    turn = run(engine, "jag hostar, och ramlade igår och slog huvudet, äter waran", "nej")
    assert turn.disposition is not None and turn.disposition.level == Level.URGENT
    assert "blood_thinner_fall" in turn.disposition.red_flags


def test_red_flags_combine_across_messages(engine: TriageEngine) -> None:
    turn = run(engine, "jag hostar och har slagit mig", "nej")
    turn = engine.advance(turn.state, "jag tar waran förresten")
    assert "blood_thinner_fall" in turn.state.red_flags


def test_why_explains_the_pending_question(engine: TriageEngine) -> None:
    turn = run(engine, "jag hostar")
    assert engine.why(turn.state) == "Andningen går först."


def test_state_survives_a_round_trip_as_dict(engine: TriageEngine) -> None:
    turn = run(engine, "jag hostar", "nej")
    restored = TriageState.from_dict(turn.state.to_dict())
    assert engine.advance(restored, "ja").disposition.level == Level.URGENT  # type: ignore[union-attr]


def test_text_starting_with_a_slash_is_still_screened(engine: TriageEngine) -> None:
    turn = engine.advance(None, "/ han andas inte")
    assert turn.disposition is not None and turn.disposition.level == Level.EMERGENCY


def test_at_most_five_questions(engine: TriageEngine) -> None:
    state = TriageState(asked=[f"q{i}" for i in range(MAX_QUESTIONS)])
    turn = engine.advance(state, "jag hostar")
    assert turn.disposition is not None


@settings(max_examples=150, deadline=None)
@given(prefix=st.text(min_size=0, max_size=80),
       answers=st.lists(st.sampled_from(["ja", "nej", "vet inte", "banan"]), max_size=4))
def test_red_flag_is_never_lowered(engine: TriageEngine, prefix: str, answers: list[str]) -> None:
    """Whatever came before and whatever is answered after, a red flag stays emergency."""
    turn = engine.advance(None, prefix + " och nu andas han inte")
    for answer in answers:
        turn = engine.advance(turn.state, answer) if not turn.state.finished else turn
    assert turn.disposition is not None
    assert turn.disposition.level == Level.EMERGENCY


def test_a_question_asked_again_after_a_loose_yes_says_why() -> None:
    from bot.content.texts import texts
    from bot.triage.engine import Ask
    from bot.triage.wording import ask_message

    ask = Ask(kind="question", id="cough.breathing", text="Har du svårt att andas?",
              protocol="cough", noted=True, confirm=True)
    shown = ask_message(ask).text
    assert shown.startswith(texts()["answer_noted"])
    assert texts()["answer_confirm"] in shown and shown.endswith("Har du svårt att andas?")


def test_a_note_that_answers_the_pending_question_clears_it() -> None:
    engine = TriageEngine()
    state = engine.advance(None, "jag har diarré sen igår").state
    assert state.pending == "diarrhea_vomiting.adult_drowsy"
    engine.note(state,
                "varför frågar du det? jag är inte alls trött eller förvirrad, pigg som vanligt")
    assert state.pending is None and "pigg som vanligt" in state.texts[-1]
    engine.note(state, "varför undrar du?")
    assert "pigg som vanligt" in state.texts[-1]   # no news: not kept
    state = engine.advance(None, "jag har hosta").state
    engine.note(state, "varför frågar du? jag har feber också")
    assert state.pending == "cough.breathing"       # news, but no answer to this question
