"""The phone numbers residents may be given, loaded from phone_numbers.yml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.content.loader import CONTENT_DIR, ContentError, get, get_date, read_yaml

PHONE_FILE = CONTENT_DIR / "phone_numbers.yml"
CERTAINTIES = {"SRC", "SRC-OLD", "KNOW", "UNVERIFIED", "ILLUSTRATIVE"}


@dataclass(frozen=True)
class PhoneNumber:
    key: str
    number: str
    name: str
    hours: str
    certainty: str
    source: str


def load_phone_book(path: Path = PHONE_FILE) -> dict[str, PhoneNumber]:
    data = read_yaml(path)
    get_date(data, "reviewed", path)
    entries = get(data, "numbers", dict, path)
    book: dict[str, PhoneNumber] = {}
    for key, entry in entries.items():
        prefix = f"numbers.{key}."
        if not isinstance(entry, dict):
            raise ContentError(path, f"numbers.{key}", "must be a mapping")
        certainty = get(entry, "certainty", str, path, prefix)
        if certainty not in CERTAINTIES:
            raise ContentError(path, f"{prefix}certainty", f"must be one of {sorted(CERTAINTIES)}")
        book[key] = PhoneNumber(
            key=key,
            number=str(get(entry, "number", (str, int), path, prefix)),
            name=get(entry, "name", str, path, prefix),
            hours=get(entry, "hours", str, path, prefix),
            certainty=certainty,
            source=get(entry, "source", str, path, prefix),
        )
    for required in ("emergency", "healthcare_advice"):
        if required not in book:
            raise ContentError(path, f"numbers.{required}", "is missing")
    return book


@lru_cache(maxsize=1)
def phone_book() -> dict[str, PhoneNumber]:
    return load_phone_book()


def number(key: str) -> str:
    return phone_book()[key].number
