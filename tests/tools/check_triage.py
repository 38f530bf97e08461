"""Checks all triage content and prints a short summary: python -m tests.tools.check_triage

Loads red flags and protocols with full validation, and runs the red-flag case table
(tests/unit/red_flag_cases.yml) so content authors see mistakes in seconds.
"""

from __future__ import annotations

import sys
from collections import Counter

import yaml

from bot.config import ROOT
from bot.content.loader import ContentError
from bot.triage.protocols import load_protocols
from bot.triage.red_flags import load_red_flags, screen

CASES_FILE = ROOT / "tests" / "unit" / "red_flag_cases.yml"


def run_red_flag_cases(flags: tuple) -> list[str]:
    if not CASES_FILE.exists():
        return [f"{CASES_FILE} is missing"]
    data = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
    known = {flag.id for flag in flags}
    problems: list[str] = []
    covered = set()
    for case in data["cases"]:
        flag_id = case["flag"]
        covered.add(flag_id)
        if flag_id not in known:
            problems.append(f"case for unknown flag {flag_id}")
            continue
        for text in case.get("fires", []):
            if flag_id not in {hit.flag.id for hit in screen(text, flags=flags)}:
                problems.append(f"{flag_id}: should fire on {text!r}")
        for text in case.get("silent", []):
            if flag_id in {hit.flag.id for hit in screen(text, flags=flags)}:
                problems.append(f"{flag_id}: should stay silent on {text!r}")
    problems += [f"{flag_id}: no test cases" for flag_id in sorted(known - covered)]
    return problems


def main() -> int:
    try:
        flags = load_red_flags()
        protocols = load_protocols()
    except ContentError as error:
        print(f"Content error: {error}")
        return 1
    levels = Counter(flag.level.id for flag in flags)
    print(f"{len(flags)} red flags ({dict(levels)}), {len(protocols)} protocols")
    for protocol in protocols.values():
        print(f"  {protocol.id:<28} {protocol.default_level.id:<13} "
              f"{len(protocol.questions)} questions, {len(protocol.terms)} terms")
    problems = run_red_flag_cases(flags)
    for problem in problems:
        print(f"FAIL {problem}")
    print("red-flag cases: " + ("all pass" if not problems else f"{len(problems)} problems"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
