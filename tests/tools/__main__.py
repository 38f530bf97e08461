"""Command line: python -m tests.tools {eval,questions,bench,resilience,nlu-report}."""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.tools",
                                     description="Vårdlotsen developer tooling")
    commands = parser.add_subparsers(dest="command", required=True)
    bench = commands.add_parser("bench", help="measure /api/chat latency and throughput")
    bench.add_argument("--url", help="use a running system at this base URL")
    bench.add_argument("--seconds", type=float, default=20.0, help="duration of each load run")
    bench.add_argument("--scaled", type=int, default=0, metavar="N",
                       help="N Rasa replicas on PostgreSQL and Redis (the scaled profile)")
    resilience = commands.add_parser(
        "resilience", help="hostile input, attack while serving and faults under load")
    resilience.add_argument("--soak", type=float, metavar="MINUTES",
                            help="instead: 20 conversations for this many minutes")
    evaluation = commands.add_parser("eval", help="run tests/triage_cases.yaml through /api/chat")
    evaluation.add_argument("--url", help="use a running system at this base URL")
    evaluation.add_argument("-v", "--verbose", action="store_true", help="print transcripts")
    evaluation.add_argument("--engine", action="store_true",
                            help="the triage engine alone, without NLU and HTTP (seconds)")
    evaluation.add_argument("--cases", help="case file (default tests/triage_cases.yaml)")
    evaluation.add_argument("--figures-only", action="store_true",
                            help="print no case (a blind set's first run)")
    questions = commands.add_parser(
        "questions", help="run tests/question_cases.yaml (everyday questions) through /api/chat")
    questions.add_argument("--cases", help="case file (default tests/question_cases.yaml)")
    questions.add_argument("--figures-only", action="store_true",
                           help="print no case (a blind set's first run)")
    report = commands.add_parser("nlu-report", help="print intent accuracy of a rasa test run")
    report.add_argument("results_dir")
    report.add_argument("--min-accuracy", type=float, default=0.0)
    args = parser.parse_args(argv)
    settings = Settings.from_env()

    if args.command == "bench":
        from tests.tools.bench import main as bench_main

        return bench_main(settings, url=args.url, seconds=args.seconds, scaled=args.scaled)
    elif args.command == "resilience":
        from tests.tools.resilience import main as resilience_main

        return resilience_main(args.soak)
    elif args.command == "eval":
        from pathlib import Path

        from tests.tools.triage_eval import CASES_FILE
        from tests.tools.triage_eval import main as eval_main
        cases = Path(args.cases) if args.cases else CASES_FILE
        return eval_main(args.url, args.verbose, args.engine, cases, not args.figures_only)
    elif args.command == "questions":
        from pathlib import Path

        from tests.tools.questions_eval import CASES_FILE as QUESTIONS
        from tests.tools.questions_eval import main as questions_main
        return questions_main(Path(args.cases) if args.cases else QUESTIONS,
                              not args.figures_only)
    elif args.command == "nlu-report":
        from tests.tools.nlu_report import main as report_main

        return report_main(args.results_dir, args.min_accuracy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
