"""No resident-facing sentence lives in Python: every text comes from the catalogue.

A string literal in a module that talks to residents is flagged when it reads like Swedish
prose: two or more words, with å/ä/ö or a common Swedish function word, and no regular
expression syntax. Vocabulary the code reads (answers, phrases) is not prose to a resident
and is listed in ALLOWED with why.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from bot.config import ROOT

# Modules whose output a resident reads. The staff console, tooling and the NLU adapters
# are outside: they speak to staff and developers, or read words rather than write them.
RESIDENT_FACING = ("actions", "bot/booking", "bot/care", "bot/triage", "bot/web/app.py",
                   "bot/web/chat.py", "bot/web/input_rules.py", "bot/dialogue", "bot/help.py",
                   "bot/reply.py", "bot/contract.py")
_SWEDISH = re.compile(r"[åäöÅÄÖ]|\b(?:och|att|du|din|ditt|dina|inte|för|kan|vill|har|är|på|"
                      r"med|som|eller|ring|kontakta|vården|tid)\b", re.IGNORECASE)
_REGEX = re.compile(r"\\|\[.*\]|\(\?|[|*^$]")
# (file, literal): words the code reads, never shows.
ALLOWED: set[tuple[str, str]] = {
    ("bot/care/calendar.py", "från kl"),       # a half day in the holidays library's names
    ("bot/care/info.py", "halls inte"),        # folded question phrases (the guarantee topics)
    ("bot/care/info.py", "galler inte"),
}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and \
                isinstance(body[0].value, ast.Constant):
            ids.add(id(body[0].value))
    return ids


def prose_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or \
                id(node) in docs:
            continue
        text = node.value.strip()
        words = re.findall(r"[^\W\d_]+", text)
        if len(words) >= 2 and _SWEDISH.search(text) and not _REGEX.search(text):
            found.append((node.lineno, text))
    return found


def test_no_resident_facing_sentence_in_python() -> None:
    offenders = []
    for entry in RESIDENT_FACING:
        target = ROOT / entry
        paths = [target] if target.suffix == ".py" else sorted(target.rglob("*.py"))
        for path in paths:
            relative = str(path.relative_to(ROOT))
            offenders += [f"{relative}:{line}: {text!r}" for line, text in prose_literals(path)
                          if (relative, text) not in ALLOWED]
    assert not offenders, "put these texts in bot/content/texts.yml:\n" + "\n".join(offenders)


def test_the_check_finds_a_sentence() -> None:
    sample = ROOT / "var" / "catalogue_probe.py"
    sample.parent.mkdir(exist_ok=True)
    sample.write_text('MESSAGE = "Ring din vårdcentral i morgon"\nPATTERN = r"\\boch\\b"\n',
                      encoding="utf-8")
    try:
        assert [text for _, text in prose_literals(sample)] == ["Ring din vårdcentral i morgon"]
    finally:
        sample.unlink()


def test_rasa_responses_are_the_catalogue_texts() -> None:
    """domain.yml's responses are copies of the catalogue (Rasa reads them only there), with
    the phone numbers of phone_numbers.yml: a changed number or wording fails here."""
    import yaml

    from bot.content.texts import texts

    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    catalogue = texts()
    for key, variants in responses.items():
        assert key in catalogue, f"{key} is missing from bot/content/texts.yml"
        for variant in variants:
            assert " ".join(variant["text"].split()) == catalogue[key], key
