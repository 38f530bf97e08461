"""Prints the intent accuracy of a `rasa test` run on the held-out NLU set."""

from __future__ import annotations

import json
from pathlib import Path


def main(results_dir: str, min_accuracy: float) -> int:
    report_file = Path(results_dir) / "intent_report.json"
    if not report_file.exists():
        print(f"No intent report at {report_file}: did `rasa test` run with --nlu?")
        return 1
    report = json.loads(report_file.read_text(encoding="utf-8"))
    accuracy = float(report["accuracy"])
    intents = {name: scores for name, scores in report.items() if isinstance(scores, dict)
               and "support" in scores and name not in ("macro avg", "weighted avg", "micro avg")}
    total = sum(int(s["support"]) for s in intents.values())
    print(f"Held-out NLU set: {total} examples, intent accuracy {accuracy:.1%}")
    for name, scores in sorted(intents.items(), key=lambda item: item[1]["f1-score"]):
        confused = scores.get("confused_with") or {}
        note = f"  confused with {confused}" if confused else ""
        print(f"  {name:<24} f1 {scores['f1-score']:.2f}  n={scores['support']}{note}")
    if accuracy < min_accuracy:
        print(f"Intent accuracy {accuracy:.1%} is below the floor of {min_accuracy:.0%}")
        return 1
    return 0
