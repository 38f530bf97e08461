"""Reading content YAML with errors that name the file and the field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

CONTENT_DIR = Path(__file__).resolve().parent


class ContentError(ValueError):
    """Content that does not follow its schema; the message names file and field."""

    def __init__(self, path: Path | str, field: str, problem: str) -> None:
        self.path = str(path)
        self.field = field
        self.problem = problem
        super().__init__(f"{path}: field '{field}': {problem}")


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except FileNotFoundError:
        raise ContentError(path, "<file>", "file not found") from None
    except yaml.YAMLError as error:
        raise ContentError(path, "<file>", f"invalid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ContentError(path, "<root>", "expected a mapping at the top level")
    return data


def get(data: dict[str, Any], key: str, kind: type | tuple[type, ...], path: Path | str,
        prefix: str = "", required: bool = True, default: Any = None) -> Any:
    """Returns data[key] checked against `kind`, or raises ContentError naming the field."""
    name = f"{prefix}{key}"
    if key not in data or data[key] is None:
        if required:
            raise ContentError(path, name, "is missing")
        return default
    value = data[key]
    if not isinstance(value, kind):
        kinds = (kind,) if isinstance(kind, type) else kind
        expected = " or ".join(k.__name__ for k in kinds)
        raise ContentError(path, name, f"must be {expected}, got {type(value).__name__}")
    if isinstance(value, str) and not value.strip():
        raise ContentError(path, name, "must not be empty")
    return value


def get_date(data: dict[str, Any], key: str, path: Path | str, prefix: str = "") -> dt.date:
    value = get(data, key, (dt.date, str), path, prefix)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ContentError(
            path, f"{prefix}{key}", f"must be a date YYYY-MM-DD, got {value!r}"
        ) from None
