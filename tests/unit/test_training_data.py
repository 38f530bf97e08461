"""Training data rules: enough Swedish examples per intent, and the held-out NLU set never
seen in training."""

from __future__ import annotations

import re
from collections import defaultdict

import yaml

from bot.config import ROOT

MIN_EXAMPLES = 40
# Rasa's inline annotation: "[text](entity)" or "[text]{json}" -> "text".
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def examples(folder: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted((ROOT / folder).glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" in block:
                for line in block["examples"].splitlines():
                    if line.strip().startswith("- "):
                        text = _ANNOTATION.sub(r"\1", line.strip()[2:])
                        found[block["intent"]].append(" ".join(text.lower().split()))
    return found


def test_every_intent_has_enough_examples() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    training = examples("nlu_data/nlu")
    thin = {intent: len(training[intent]) for intent in domain["intents"]
            if len(training[intent]) < MIN_EXAMPLES}
    assert thin == {}


def test_held_out_examples_are_never_trained_on() -> None:
    trained = {text for texts in examples("nlu_data/nlu").values() for text in texts}
    held_out = {text for texts in examples("tests/nlu_heldout").values() for text in texts}
    assert len(held_out) > 600
    assert sorted(held_out & trained) == []


def test_no_example_is_taught_as_two_intents() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for intent, texts in examples("nlu_data/nlu").items():
        for text in texts:
            owners[text].add(intent)
    assert {text: sorted(i) for text, i in owners.items() if len(i) > 1} == {}
