"""Verified resident context in actions: only what the gateway verified, read per message."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.context import (
    listed_unit,
    municipality,
    resident_id,
    routing_context,
    verified_context,
)


def tracker(resident: Any, slots: dict[str, Any] | None = None) -> Tracker:
    message = {"text": "hej", "intent": {"name": "greet"}, "entities": [],
               "metadata": {"resident": resident} if resident is not None else {}}
    return Tracker("r", slots or {}, message, [], False, None, None, None)


VERIFIED = {"verified": True, "resident_id": "r-1", "listed_unit": "narhalsan_lundby",
            "municipality": "goteborg", "age_years": 40}


def test_verified_claims_are_read() -> None:
    context = verified_context(tracker(VERIFIED))
    assert context.resident_id == "r-1" and context.listed_unit == "narhalsan_lundby"
    assert context.municipality == "Göteborg" and context.age_years == 40.0


def test_unverified_or_missing_context_is_empty() -> None:
    claimed = {**VERIFIED, "verified": False}
    for resident in (None, claimed, {"verified": "true", **{k: v for k, v in VERIFIED.items()
                                                            if k != "verified"}}, "x"):
        assert verified_context(tracker(resident)).resident_id is None
        assert listed_unit(tracker(resident)) is None


def test_unknown_unit_and_odd_values_are_dropped() -> None:
    context = verified_context(tracker({**VERIFIED, "listed_unit": "Falsk VC",
                                        "age_years": True, "resident_id": ""}))
    assert context.listed_unit is None and context.age_years is None
    assert resident_id(tracker({**VERIFIED, "resident_id": ""})) is None


def test_what_the_resident_said_wins_over_the_registered_municipality() -> None:
    assert municipality(tracker(VERIFIED, {"municipality": "Halmstad"})) == "Halmstad"
    assert municipality(tracker(VERIFIED)) == "Göteborg"
    assert municipality(tracker(None)) is None


def test_routing_context_prefers_stated_age_and_place() -> None:
    context = routing_context(tracker(VERIFIED, {"municipality": "Halmstad"}), age_years=7.0)
    assert (context.municipality, context.listed_unit, context.age_years) == (
        "Halmstad", "narhalsan_lundby", 7.0)
    assert routing_context(tracker(VERIFIED)).age_years == 40.0
    assert routing_context(tracker(None)).listed_unit is None
