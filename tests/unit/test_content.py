import re
from pathlib import Path

import pytest
import yaml

from bot.config import ROOT
from bot.content.loader import ContentError
from bot.content.phone_book import load_phone_book, phone_book
from bot.content.texts import load_texts, render, texts


def test_phone_book_has_the_numbers_the_bot_relies_on() -> None:
    book = phone_book()
    assert book["emergency"].number == "112"
    assert book["healthcare_advice"].number == "1177"
    assert book["suicide_line"].number == "90101"
    assert all(entry.source for entry in book.values())


def test_texts_have_numbers_filled_and_keep_message_placeholders() -> None:
    assert "112" in texts()["service_unavailable"]
    assert "1177" in texts()["service_unavailable"]
    assert "{length}" in texts()["message_too_long"]
    assert "2001" in render("message_too_long", length=2001, limit=2000)


def test_broken_phone_file_names_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "phones.yml"
    bad.write_text(
        "reviewed: 2026-11-22\nnumbers:\n  emergency:\n    number: '112'\n    name: SOS\n"
        "    hours: alltid\n    certainty: MAYBE\n    source: x\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as error:
        load_phone_book(bad)
    assert str(bad) in str(error.value)
    assert "numbers.emergency.certainty" in str(error.value)


def test_missing_text_field_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "texts.yml"
    bad.write_text("reviewed: 2026-11-22\nsource: team\ntexts:\n  hello: ''\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"texts\.hello"):
        load_texts(bad)


def test_invalid_yaml_is_reported_with_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "texts.yml"
    bad.write_text("texts: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError, match="invalid YAML"):
        load_texts(bad)


def _domain_texts() -> list[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return [v["text"] for variants in domain["responses"].values() for v in variants]


def test_every_phone_number_in_domain_responses_is_in_the_phone_book() -> None:
    known = {re.sub(r"\D", "", entry.number) for entry in phone_book().values()}
    for text in _domain_texts():
        for number in re.findall(r"\b\d[\d -]{1,}\d\b", text):
            assert re.sub(r"\D", "", number) in known, f"unknown number {number!r} in {text!r}"


def test_greeting_discloses_ai_and_emergency_number() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    greeting = domain["responses"]["utter_greet"][0]["text"].lower()
    assert "digital assistent, inte en människa" in greeting
    assert "vid livshotande tillstånd, ring 112" in greeting
