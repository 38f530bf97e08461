"""Texts that code sends to residents, from texts.yml, with phone numbers filled in."""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.content.loader import CONTENT_DIR, ContentError, get, get_date, read_yaml
from bot.content.phone_book import phone_book

TEXTS_FILE = CONTENT_DIR / "texts.yml"


class _KeepUnknown(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def load_texts(path: Path = TEXTS_FILE) -> dict[str, str]:
    data = read_yaml(path)
    get_date(data, "reviewed", path)
    get(data, "source", str, path)
    entries = get(data, "texts", dict, path)
    numbers = _KeepUnknown({key: entry.number for key, entry in phone_book().items()})
    texts: dict[str, str] = {}
    for key in entries:
        # Folded (>-) texts are one paragraph; a literal block (|) keeps its line breaks.
        raw = get(entries, key, str, path, "texts.")
        text = "\n".join(" ".join(line.split()) for line in raw.splitlines() if line.strip())
        try:
            list(string.Formatter().parse(text))
        except ValueError as error:
            raise ContentError(path, f"texts.{key}", f"bad placeholder: {error}") from None
        texts[key] = text.format_map(numbers)
    return texts


@lru_cache(maxsize=1)
def texts() -> dict[str, str]:
    return load_texts()


def render(key: str, **values: Any) -> str:
    """The text `key` with its per-message placeholders filled."""
    return texts()[key].format(**values)


def weekday(number: int) -> str:
    """The name of a weekday (0 = Monday), as residents read it."""
    return texts()[f"weekday_{number}"]
