"""Rasa graph components for Vårdlotsen's NLU pipeline (see config.yml)."""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.language_guard import KnownWords

VOCABULARY_FILE = "vocabulary.json"
# Set by the gateway channel in the message metadata: the conversation's previous intent.
PREVIOUS_INTENT_KEY = "previous_intent"
# ... and the text of the resident's previous message (redacted, as stored).
PREVIOUS_TEXT_KEY = "previous_text"
PREVIOUS_FLAGS_KEY = "previous_red_flags"   # the red flags raised on it


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LanguageGuard(GraphComponent, IntentClassifier):
    """Turns messages in other languages, or noise, into nlu_fallback.

    Trained on the NLU examples: their words are the vocabulary it knows.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"min_known_share": 0.5}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 lexicon: KnownWords | None = None) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._lexicon = lexicon or KnownWords(())

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LanguageGuard:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts = [m.get(TEXT) for m in training_data.intent_examples if m.get(TEXT)]
        lexicon = KnownWords.from_texts(texts)
        with self._storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(
                json.dumps(sorted(lexicon.vocabulary), ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LanguageGuard:
        with model_storage.read_from(resource) as directory:
            vocabulary = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, KnownWords(vocabulary))

    def process(self, messages: list[Message]) -> list[Message]:
        threshold = self._config["min_known_share"]
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or text.startswith("/"):  # button payloads such as /affirm
                continue
            familiarity = self._lexicon.familiarity(text)
            if familiarity.share >= threshold:
                continue
            fallback = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": 1.0}
            message.set(INTENT, fallback, add_to_output=True)
            ranking = message.get(INTENT_RANKING_KEY) or []
            message.set(INTENT_RANKING_KEY, [fallback, *ranking], add_to_output=True)
            message.set("language_guard", {"known_words": familiarity.known,
                                           "words": familiarity.total}, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FollowUpGuard(GraphComponent, IntentClassifier):
    """A message that continues the previous errand (undecided, or small talk opening with
    "och"/"and") gets that errand's intent (bot/nlp/follow_up.py). The previous intent
    comes in the message's metadata from the gateway channel (bot/dialogue/channel.py)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def __init__(self, config: dict[str, Any]) -> None:
        self._complaints = phrase_index(complaint_terms())

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> FollowUpGuard:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        from bot.nlp.follow_up import continues
        from bot.triage.matcher import presence, tokenize

        for message in messages:
            text = message.get(TEXT) or ""
            intent = (message.get(INTENT) or {}).get("name")
            previous = (message.get("metadata") or {}).get(PREVIOUS_INTENT_KEY)
            if not previous or text.startswith("/") or message.get("language_guard"):
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            guesses = [entry.get("name") for entry in ranking
                       if entry.get("name") != DEFAULT_NLU_FALLBACK_INTENT_NAME]
            tokens = tokenize(text)
            words = [token for token in tokens if token != "|"]
            if continues(previous, guesses, len(words), presence(self._complaints, tokens).present,
                         intent=intent or "", first_word=words[0] if words else ""):
                chosen = {"name": previous, "confidence": 1.0}
                message.set(INTENT, chosen, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
                message.set("follow_up", {"continues": previous}, add_to_output=True)
        return messages


def complaint_terms() -> tuple[Any, ...]:
    """Words that name a health complaint: the protocols' terms, without the administrative
    ones ("journal", "remiss" are errands) and narrower than the whole vocabulary."""
    from bot.triage.protocols import ADMINISTRATIVE, protocols

    return tuple(dict.fromkeys(term for p in protocols().values() if p.kind != ADMINISTRATIVE
                               for term in p.terms + p.context_terms))


def phrase_index(phrases: tuple[Any, ...]) -> Any:
    from bot.triage.matcher import PhraseIndex

    return PhraseIndex(phrases)


# Intents the classifier may pick for a message that is really about symptoms.
# "kan knappt prata mellan andetagen" is no request for a human, however it reads.
# "jag har svårt att sova" is no "vet inte" (a model trained on another machine said so);
# "jag behöver förnya mitt recept" is no question about what the bot can do (round eleven).
SMALL_TALK_INTENTS = ("greet", "goodbye", "thanks", "affirm", "deny", "dont_know",
                      "bot_challenge", "out_of_scope", "request_human", "ask_capabilities",
                      DEFAULT_NLU_FALLBACK_INTENT_NAME)


# Concepts that say who is ill, for how long or where they have been, not what is wrong
# ("en man på 45", "6 månader", "i tre veckor", "utlandsresa"): no complaint on their own
# ("hur mycket skatt betalar man på pension", "vaccin inför utlandsresa" are no symptoms).
# History words ("första gången", "återkommer") say nothing of a complaint by themselves:
# "första gången jag använder det här" is no symptom.
# "Det här funkar inte" (of the bot) or "hjälper inte" names no complaint either.
CONTEXT_TOPICS = ("male", "age", "duration", "travel_abroad", "first_episode", "recurring_episodes",
                  "recurrent", "recurrent_infections", "treatment_failed")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class TriageGuard(GraphComponent, IntentClassifier):
    """Deterministic safety layer after the classifier, on every message in every state.

    - A red flag of level emergency sets the intent to `emergency` (confidence 1.0),
      whatever the classifier said; every red flag is added to the parse data.
    - A message about an animal's health, with no person in it and no red flag, is
      off-topic (a vet's question), whatever the classifier said.
    - Words of the triage vocabulary (a complaint or a sign) turn small talk, off-topic and
      fallback predictions into `describe_symptom`, so health problems are never answered
      as off-topic; and an errand prediction too when the message names none of the
      errand's words (bot/nlp/errand_words.yml); any intent when a red flag of any level
      fires.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"emergency_intent": "emergency", "symptom_intent": "describe_symptom",
                "override_intents": list(SMALL_TALK_INTENTS), "animal_intent": "out_of_scope",
                "off_topic_intent": "out_of_scope"}

    def __init__(self, config: dict[str, Any]) -> None:
        from bot.triage.concepts import concepts
        from bot.triage.protocols import protocols
        from bot.triage.red_flags import red_flags

        self._config = config
        # Loading here validates the content when the model loads, not at the first message.
        self._flags = red_flags()
        from bot.nlp.errands import animal_words, errand_words, not_urgent_words
        errand_words()
        animal_words()
        not_urgent_words()
        # Every word of the triage vocabulary: a complaint, a background condition or a sign,
        # and the words that say a sign is absent ("andas normalt").
        signs = [c for c in concepts().values() if c.topic not in CONTEXT_TOPICS]
        self._terms = phrase_index(tuple(dict.fromkeys(
            [term for p in protocols().values() for term in p.terms + p.context_terms]
            + [form for c in signs for form in c.forms + c.absent_forms])))
        # Complaints named by the protocols and signs affirmed (not "kan gå", which denies
        # one): they overrule an errand prediction whose errand words the message lacks.
        self._complaints = phrase_index(complaint_terms()
                                        + tuple(form for c in signs for form in c.forms))

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> TriageGuard:
        return cls(config)

    def _screen(self, text: str, metadata: dict[str, Any]) -> list[Any]:
        """Red flags of `text`, and those it completes with the resident's previous message
        ("pappa satte i halsen på köttet", then "han kan inte hosta, tar sig om halsen"):
        outside a triage nothing else joins the two. Flags raised on the previous message
        are not raised again."""
        from bot.triage.levels import Level
        from bot.triage.red_flags import screen

        hits = screen(text, flags=self._flags)
        previous = metadata.get(PREVIOUS_TEXT_KEY)
        if (not previous or previous.startswith("/") or not previous.strip()
                or (hits and hits[0].flag.level == Level.EMERGENCY)):
            return hits
        raised = metadata.get(PREVIOUS_FLAGS_KEY)
        if raised is None:   # not told by the gateway: read them here
            raised = [hit.flag.id for hit in screen(previous, flags=self._flags)]
        known = {hit.flag.id for hit in hits} | set(raised)
        added = [hit for hit in screen(f"{previous}\n{text}", flags=self._flags)
                 if hit.flag.id not in known]
        return sorted(hits + added, key=lambda hit: hit.flag.level, reverse=True)

    def process(self, messages: list[Message]) -> list[Message]:
        from bot.nlp.errands import (
            about_an_animal,
            is_errand,
            names_errand,
            off_topic,
            says_not_urgent,
        )
        from bot.triage.levels import Level
        from bot.triage.matcher import presence, tokenize

        for message in messages:
            text = message.get(TEXT) or ""
            if not text.strip() or text.startswith("/"):
                continue
            hits = self._screen(text, message.get("metadata") or {})
            intent = (message.get(INTENT) or {}).get("name")
            new_intent = None
            if hits:
                message.set("red_flags", [hit.to_dict() for hit in hits], add_to_output=True)
                if hits[0].flag.level == Level.EMERGENCY:
                    new_intent = self._config["emergency_intent"]
            tokens = tokenize(text)
            said = presence(self._terms, tokens)
            symptoms = said.present
            # "katten nyser", "hunden har diarré": an animal's health is a vet's question.
            if not hits and about_an_animal(tokens):
                new_intent = self._config["animal_intent"]
            if new_intent is None and intent in self._config["override_intents"] and (
                hits or symptoms
            ):
                new_intent = self._config["symptom_intent"]
            # A red flag is never left to another intent ("pulsen 190" read as a time), and
            # "pappa har kräkts sen igår och magen är spänd" is no care-guarantee question,
            # however confident the classifier.
            if new_intent is None and intent not in (
                self._config["symptom_intent"], self._config["emergency_intent"]
            ) and (hits or (is_errand(intent) and not names_errand(intent, tokens)
                            and presence(self._complaints, tokens).present)):
                new_intent = self._config["symptom_intent"]
            # The classifier alone says "emergency" but no emergency rule does, and the
            # message speaks of signs, even to deny them ("hon andas helt normalt", "inga
            # tankar på att dö"): the triage engine decides, asking the most urgent question
            # first, instead of a blind 112.
            emergency_rule = bool(hits) and hits[0].flag.level == Level.EMERGENCY
            if (new_intent is None and intent == self._config["emergency_intent"]
                    and (symptoms or said.denied or bool(said.negated)) and not emergency_rule):
                new_intent = self._config["symptom_intent"]
            # "i need a doctor today but it's not an emergency": the resident's own word
            # outweighs the classifier's "emergency"; its next guess is taken.
            if (new_intent is None and intent == self._config["emergency_intent"]
                    and not emergency_rule and says_not_urgent(tokens)):
                new_intent = next(
                    (r["name"] for r in message.get(INTENT_RANKING_KEY) or []
                     if r["name"] not in (intent, DEFAULT_NLU_FALLBACK_INTENT_NAME)),
                    self._config["symptom_intent"])
            # The classifier could not place it (not another language: the LanguageGuard
            # marks those), and it names no complaint, no errand and nothing of talking with
            # the bot: a question about something else ("bygglov altan kungälv").
            if (new_intent is None and intent == DEFAULT_NLU_FALLBACK_INTENT_NAME
                    and not hits and not message.get("language_guard") and off_topic(tokens)):
                new_intent = self._config["off_topic_intent"]
            if new_intent and new_intent != intent:
                chosen = {"name": new_intent, "confidence": 1.0}
                ranking = message.get(INTENT_RANKING_KEY) or []
                message.set(INTENT, chosen, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
                message.set("triage_trace", {"overridden_intent": intent, "by": new_intent},
                            add_to_output=True)
        return messages
