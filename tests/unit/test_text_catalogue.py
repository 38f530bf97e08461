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


# ---------------------------------------------------------------- languages: one file each

def catalogue_ids() -> set[str]:
    """Every message id of the Swedish source: texts.yml and the clinical texts."""
    from bot.care.info import guarantee_sections, info_sections
    from bot.content.texts import texts
    from bot.triage.protocols import protocols
    from bot.triage.red_flags import red_flags
    from bot.triage.risk import risk_groups

    ids = set(texts())
    for protocol in protocols().values():
        ids |= {f"protocol.{protocol.id}.{key}"
                for key in ("title", "summary", "self_care", "seek_care_if")}
        ids |= {f"protocol.{q.id}.{key}" for q in protocol.questions
                for key in ("text", "why", "reason")}
        ids |= {f"protocol.{rule.id}.reason" for rule in protocol.age_rules}
    ids |= {f"red_flag.{flag.id}.{key}" for flag in red_flags() for key in ("reason", "response")}
    ids |= {f"risk_group.{group.id}.reason" for group in risk_groups()}
    ids |= {f"care_guarantee.{key}.text" for key in guarantee_sections()[0]}
    ids |= {f"care_info.{key}.text" for key in info_sections()[0]}
    return ids


def test_every_language_file_names_only_ids_of_the_swedish_source() -> None:
    from bot.content.texts import LANGUAGE_DIR, load_translations

    known = catalogue_ids()
    assert {"option_line", "protocol.abdominal_pain.title",
            "protocol.abdominal_pain.severe_or_shock.text"} <= known
    assert "red_flag.heart_attack_atypical.response" in known
    for path in sorted(LANGUAGE_DIR.glob("*.yml")):
        stray = sorted(set(load_translations(path)) - known)
        assert not stray, f"{path.name} names ids the Swedish source lacks: {stray}"


def test_a_second_language_is_a_file_not_a_code_change(tmp_path, monkeypatch) -> None:
    import bot.content.texts as catalogue
    from bot.care.info import GUARANTEE_FILE, _load
    from bot.triage.engine import TriageEngine
    from bot.triage.protocols import load_protocols
    from bot.triage.red_flags import load_red_flags

    (tmp_path / "xx.yml").write_text("""
reviewed: 2026-12-07
source: test
texts:
  option_line: "{parts} (why: {why})"
  protocol.abdominal_pain.severe_or_shock.text: Is the pain very bad, or did you faint?
  protocol.abdominal_pain.self_care: [Rest and drink water., "Call {healthcare_advice} if unsure."]
  red_flag.heart_attack_atypical.response: Call {emergency} now.
  care_guarantee.overview.text: The care guarantee in short.
""", encoding="utf-8")
    monkeypatch.setattr(catalogue, "LANGUAGE_DIR", tmp_path)
    catalogue.translations.cache_clear()
    catalogue.texts.cache_clear()
    try:
        assert catalogue.render("option_line", "xx", parts="a", why="b") == "a (why: b)"
        assert catalogue.texts("xx")["weekday_0"] == catalogue.texts()["weekday_0"]  # fallback
        protocols = load_protocols(language="xx")
        pain = protocols["abdominal_pain"]
        assert pain.questions[0].text == "Is the pain very bad, or did you faint?"
        assert pain.self_care == ("Rest and drink water.", "Call 1177 if unsure.")
        assert pain.title == load_protocols()["abdominal_pain"].title  # not translated: Swedish
        flags = load_red_flags(language="xx")
        flag = next(f for f in flags if f.id == "heart_attack_atypical")
        assert flag.response == "Call 112 now."
        sections, _ = _load(GUARANTEE_FILE, "sections", "xx")
        assert sections["overview"].text == "The care guarantee in short."
        engine = TriageEngine(protocol_set=protocols, flag_set=flags)
        first = engine.advance(None, "jag har ont i magen, 40 år")
        assert first.ask is not None and first.ask.text.startswith("Is the pain very bad")
    finally:
        catalogue.translations.cache_clear()
        catalogue.texts.cache_clear()


def test_a_language_without_a_file_is_an_error_not_swedish_in_disguise() -> None:
    import pytest

    from bot.content.loader import ContentError
    from bot.content.texts import texts

    with pytest.raises(ContentError):
        texts("zz")
