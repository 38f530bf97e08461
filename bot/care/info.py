"""Answers about how care works: the care guarantee, listing, digital care.

Texts and their sources are data (care_guarantee.yml, care_info.yml), each section dated
and sourced; this module only chooses which sections answer a question.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.content.loader import CONTENT_DIR, ContentError, get, get_date, read_yaml
from bot.content.phone_book import phone_book
from bot.content.texts import SOURCE_LANGUAGE, render, translated
from bot.triage.matcher import compile_phrase, presence, tokenize

GUARANTEE_FILE = CONTENT_DIR / "care_guarantee.yml"
INFO_FILE = CONTENT_DIR / "care_info.yml"


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    url: str
    certainty: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    text: str
    region: str | None
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class InfoAnswer:
    texts: tuple[str, ...]
    sources: tuple[Source, ...]
    reviewed: str

    def sources_text(self) -> str:
        lines = [render("sources_heading", reviewed=self.reviewed)]
        lines += [render("sources_line", title=s.title, url=s.url) + (
            "" if s.certainty == "SRC" else f" [{s.certainty}]") for s in self.sources]
        return "\n".join(lines)


def _load(path: Path, entries_key: str,
          language: str = SOURCE_LANGUAGE) -> tuple[dict[str, Section], str]:
    data = read_yaml(path)
    reviewed = get_date(data, "reviewed", path).isoformat()
    sources = {}
    for key, raw in get(data, "sources", dict, path).items():
        prefix = f"sources.{key}."
        sources[key] = Source(key, get(raw, "title", str, path, prefix),
                              get(raw, "url", str, path, prefix),
                              get(raw, "certainty", str, path, prefix))
    numbers = {key: entry.number for key, entry in phone_book().items()}
    sections = {}
    for key, raw in get(data, entries_key, dict, path).items():
        prefix = f"{entries_key}.{key}."
        refs = get(raw, "sources", list, path, prefix)
        missing = [ref for ref in refs if ref not in sources]
        if missing:
            raise ContentError(path, f"{prefix}sources", f"unknown sources {missing}")
        try:
            text = " ".join(get(raw, "text", str, path, prefix).format(**numbers).split())
        except KeyError as error:
            raise ContentError(path, f"{prefix}text", f"unknown placeholder {error}") from None
        # Catalogue ids: care_guarantee.<section>.text, care_info.<answer>.text.
        text = translated(language, f"{path.stem}.{key}.text", text)
        sections[key] = Section(key, raw.get("title", key), text, raw.get("region"),
                                tuple(sources[ref] for ref in refs))
    return sections, reviewed


@cache
def guarantee_sections(language: str = SOURCE_LANGUAGE) -> tuple[dict[str, Section], str]:
    return _load(GUARANTEE_FILE, "sections", language)


@cache
def info_sections(language: str = SOURCE_LANGUAGE) -> tuple[dict[str, Section], str]:
    return _load(INFO_FILE, "answers", language)


def _answer(sections: list[Section], reviewed: str) -> InfoAnswer:
    sources = tuple(dict.fromkeys(s for section in sections for s in section.sources))
    return InfoAnswer(tuple(section.text for section in sections), sources, reviewed)


# Which part of the guarantee a question is about (folded phrases, see matcher.py).
_TOPICS = {
    "not_met": ("inte hall*", "halls inte", "hallit", "vantat", "vanta for lange",
                "over tiden", "overskrid*", "klaga", "brutit", "not met", "waited", "too long"),
    "assessment": ("vem", "sjukskoterska", "bedom*", "tre dagar", "who"),
    "not_covered": ("galler inte", "omfatta*", "undantag", "aterbesok", "rontgen",
                    "hjalpmedel", "not cover*"),
}


def guarantee_answer(question: str, region: str | None) -> InfoAnswer:
    """The sections that answer a care-guarantee question, for the resident's region."""
    sections, reviewed = guarantee_sections()
    tokens = tokenize(question)
    asked = [topic for topic, phrases in _TOPICS.items()
             if presence([compile_phrase(p) for p in phrases], tokens).present]
    regions = [region] if region else ["VGR", "Halland"]
    chosen: list[Section] = []
    if not asked or asked == ["assessment"]:
        chosen.append(sections["overview"])
    chosen += [sections[topic] for topic in ("assessment", "not_covered") if topic in asked]
    if not asked or "not_met" in asked or "assessment" in asked:
        chosen += [s for s in sections.values() if s.key.startswith("regional_")
                   and s.region in regions]
    if not asked or "not_met" in asked:
        chosen += [s for s in sections.values() if s.key.startswith("not_met_")
                   and s.region in regions]
    return _answer(chosen, reviewed)


# Kinds of care a resident may weigh against each other (folded phrases, see matcher.py).
_CARE_LEVELS = {
    "emergency_department": ("akuten", "akutmottagning*", "akutmottagningen", "sjukhus*",
                             "emergency room", "emergency department"),
    "out_of_hours": ("jour*", "narakut*", "helgmottagning*", "kvallsmottagning*",
                     "out of hours", "walk in"),
    "vardcentral": ("vardcentral*", "vc", "vardc", "halsocentral*"),
}
_DIFFERENCE = ("skillnad*", "difference", "skilja*")


def asks_about_care_levels(question: str) -> bool:
    """Where-to-go questions that weigh kinds of care ("skillnad på jourcentral och
    akuten?", "närakuten eller akuten?"): answered in general, without asking the place."""
    tokens = tokenize(question)
    levels = [kind for kind, phrases in _CARE_LEVELS.items()
              if presence([compile_phrase(p) for p in phrases], tokens).present]
    difference = presence([compile_phrase(p) for p in _DIFFERENCE], tokens).present
    return len(levels) >= 2 or (bool(difference) and bool(levels))


def info_answer(key: str) -> InfoAnswer:
    sections, reviewed = info_sections()
    return _answer([sections[key]], reviewed)


def video_answer(region: str | None) -> InfoAnswer:
    return info_answer({"VGR": "video_vgr", "Halland": "video_halland"}.get(region or "",
                                                                          "video_any"))
