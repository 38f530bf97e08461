"""Risk groups (bot/content/risk_groups.yml): people for whom any complaint needs care one
tier sooner, such as those with a weak immune system or a serious chronic disease."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.content.loader import CONTENT_DIR, ContentError, get, get_date, read_yaml
from bot.content.texts import SOURCE_LANGUAGE, translated
from bot.triage.concepts import Concept, concept_ids, concepts
from bot.triage.levels import Level

RISK_FILE = CONTENT_DIR / "risk_groups.yml"


@dataclass(frozen=True)
class RiskGroup:
    id: str
    concept: str
    requires: tuple[str, ...]
    level: Level
    reason: str


def load_risk_groups(path: Path = RISK_FILE, known: dict[str, Concept] | None = None,
                     language: str = SOURCE_LANGUAGE) -> tuple[RiskGroup, ...]:
    known = concepts() if known is None else known
    data = read_yaml(path)
    get_date(data, "reviewed", path)
    get(data, "source", str, path)
    groups = []
    for index, entry in enumerate(get(data, "risk_groups", list, path)):
        if not isinstance(entry, dict):
            raise ContentError(path, f"risk_groups[{index}]", "must be a mapping")
        prefix = f"risk_groups[{get(entry, 'id', str, path, f'risk_groups[{index}].')}]."
        try:
            level = Level.parse(get(entry, "level", str, path, prefix))
        except ValueError as error:
            raise ContentError(path, f"{prefix}level", str(error)) from None
        groups.append(RiskGroup(
            id=entry["id"],
            concept=concept_ids(get(entry, "concept", str, path, prefix), path,
                                f"{prefix}concept", known)[0],
            requires=(concept_ids(entry["requires"], path, f"{prefix}requires", known)
                      if entry.get("requires") else ()),
            level=level,
            reason=translated(language, f"risk_group.{entry['id']}.reason",
                              " ".join(get(entry, "reason", str, path, prefix).split())),
        ))
    return tuple(groups)


@cache
def risk_groups(language: str = SOURCE_LANGUAGE) -> tuple[RiskGroup, ...]:
    return load_risk_groups(language=language)
