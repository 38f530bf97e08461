"""The text catalogue: every resident-facing text, keyed by message id, per language.

Swedish is the source. texts.yml holds what code sends; clinical texts stay beside their
rules (protocols, red flags, risk groups) and are read through `translated` under ids such
as `protocol.<protocol>.<question>.text` or `red_flag.<flag>.response`. Another language is
one file, bot/content/lang/<code>.yml, mapping the same ids to its texts; an id it lacks
falls back to Swedish. Phone placeholders ({emergency}, ...) are filled in every language.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from bot.content.loader import CONTENT_DIR, ContentError, get, get_date, read_yaml
from bot.content.phone_book import phone_book

TEXTS_FILE = CONTENT_DIR / "texts.yml"
LANGUAGE_DIR = CONTENT_DIR / "lang"
SOURCE_LANGUAGE = "sv"
Text = str | tuple[str, ...]  # a list for advice bullets
T = TypeVar("T", str, tuple[str, ...])


class _KeepUnknown(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@cache
def _phone_numbers() -> _KeepUnknown:
    return _KeepUnknown({key: entry.number for key, entry in phone_book().items()})


def _clean(raw: str, path: Path, field: str) -> str:
    """Folded (>-) texts become one paragraph; a literal block (|) keeps its line breaks.
    Phone placeholders are filled, other placeholders kept for `render`."""
    text = "\n".join(" ".join(line.split()) for line in raw.splitlines() if line.strip())
    try:
        list(string.Formatter().parse(text))
    except ValueError as error:
        raise ContentError(path, field, f"bad placeholder: {error}") from None
    return text.format_map(_phone_numbers())


def load_texts(path: Path = TEXTS_FILE) -> dict[str, str]:
    data = read_yaml(path)
    get_date(data, "reviewed", path)
    get(data, "source", str, path)
    entries = get(data, "texts", dict, path)
    return {key: _clean(get(entries, key, str, path, "texts."), path, f"texts.{key}")
            for key in entries}


def load_translations(path: Path) -> dict[str, Text]:
    """A language file: message id -> text (or list of texts), with its review data."""
    data = read_yaml(path)
    get_date(data, "reviewed", path)
    get(data, "source", str, path)
    entries = get(data, "texts", dict, path)
    found: dict[str, Text] = {}
    for key, raw in entries.items():
        field = f"texts.{key}"
        if isinstance(raw, str) and raw.strip():
            found[key] = _clean(raw, path, field)
        elif isinstance(raw, list) and raw and all(isinstance(t, str) and t.strip()
                                                    for t in raw):
            found[key] = tuple(_clean(t, path, field) for t in raw)
        else:
            raise ContentError(path, field, "must be a text or a non-empty list of texts")
    return found


@cache
def translations(language: str) -> dict[str, Text]:
    """The texts a language replaces; empty for Swedish, the source."""
    if language == SOURCE_LANGUAGE:
        return {}
    path = LANGUAGE_DIR / f"{language}.yml"
    if not path.exists():
        raise ContentError(path, "<file>", f"no texts for language {language!r}")
    return load_translations(path)


def translated(language: str, key: str, swedish: T) -> T:
    """The text of message id `key` in `language`, falling back to the Swedish source."""
    found = translations(language).get(key, swedish)
    if isinstance(swedish, str) != isinstance(found, str):
        raise ContentError(LANGUAGE_DIR / f"{language}.yml", f"texts.{key}",
                           "must be a text" if isinstance(swedish, str) else "must be a list")
    return found  # type: ignore[return-value]  # same kind as the source, checked above


@cache
def texts(language: str = SOURCE_LANGUAGE) -> dict[str, str]:
    source = load_texts()
    return {key: translated(language, key, text) for key, text in source.items()}


def render(key: str, language: str = SOURCE_LANGUAGE, **values: Any) -> str:
    """The text `key` with its per-message placeholders filled."""
    return texts(language)[key].format(**values)


def weekday(number: int, language: str = SOURCE_LANGUAGE) -> str:
    """The name of a weekday (0 = Monday), as residents read it."""
    return texts(language)[f"weekday_{number}"]
