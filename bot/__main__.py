"""Command line: python -m bot {train,seed,run,bench,nlu-report}"""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Vårdlotsen")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train the Rasa model if its inputs changed")
    train.add_argument("--force", action="store_true", help="train even if a model exists")
    commands.add_parser("model-path", help="print the path of the current model")
    commands.add_parser("seed", help="create or migrate the app database and load content")
    commands.add_parser("run", help="train if needed, seed, and start all processes")
    bench = commands.add_parser("bench", help="measure /api/chat latency and throughput")
    bench.add_argument("--url", help="use a running system at this base URL")
    bench.add_argument("--seconds", type=float, default=20.0, help="duration of each load run")
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
    staff = commands.add_parser("create-staff", help="create a staff account (password asked)")
    staff.add_argument("--username", required=True)
    staff.add_argument("--role", choices=("reviewer", "admin"), default="reviewer")
    staff.add_argument("--password-stdin", action="store_true",
                       help="read the password from standard input instead of a prompt")
    purge = commands.add_parser(
        "purge", help="delete resident data past the retention time, in every store")
    purge.add_argument("--days", type=int, help="override RETENTION_DAYS")
    report = commands.add_parser("nlu-report", help="print intent accuracy of a rasa test run")
    report.add_argument("results_dir")
    report.add_argument("--min-accuracy", type=float, default=0.0)
    args = parser.parse_args(argv)
    settings = Settings.from_env()

    if args.command == "train":
        from bot.model_cache import ensure_model

        ensure_model(force=args.force)
    elif args.command == "model-path":
        from bot.model_cache import model_path

        print(model_path())
    elif args.command == "seed":
        from bot.seed import seed

        seed(settings)
    elif args.command == "run":
        from bot.launcher import run
        from bot.model_cache import ensure_model
        from bot.seed import seed

        model = ensure_model()
        seed(settings)
        return run(settings, model)
    elif args.command == "bench":
        from bot.bench import main as bench_main

        return bench_main(settings, url=args.url, seconds=args.seconds)
    elif args.command == "resilience":
        from bot.resilience import main as resilience_main

        return resilience_main(args.soak)
    elif args.command == "eval":
        from pathlib import Path

        from bot.triage_eval import CASES_FILE
        from bot.triage_eval import main as eval_main
        cases = Path(args.cases) if args.cases else CASES_FILE
        return eval_main(args.url, args.verbose, args.engine, cases, not args.figures_only)
    elif args.command == "questions":
        from pathlib import Path

        from bot.questions_eval import CASES_FILE as QUESTIONS
        from bot.questions_eval import main as questions_main
        return questions_main(Path(args.cases) if args.cases else QUESTIONS,
                              not args.figures_only)
    elif args.command == "create-staff":
        return create_staff(settings, args.username, args.role, args.password_stdin)
    elif args.command == "purge":
        from bot.staff.audit import AuditLog
        from bot.store.database import Database
        from bot.store.retention import purge_configured

        database = Database(settings.database_url)
        counts = purge_configured(database, settings, args.days)
        AuditLog(database).record("system", "purge", details=counts)
        print("Deleted: " + ", ".join(f"{count} {store.replace('_', ' ')}"
                                      for store, count in counts.items())
              + f" (resident data older than {args.days or settings.retention_days} days, "
              f"audit entries older than {settings.audit_retention_days}).")
    elif args.command == "nlu-report":
        from bot.nlu_report import main as report_main

        return report_main(args.results_dir, args.min_accuracy)
    return 0


def create_staff(settings: Settings, username: str, role: str, from_stdin: bool) -> int:
    import getpass

    from bot.seed import seed
    from bot.staff.accounts import AccountError, Accounts
    from bot.store.database import Database

    seed(settings)
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password (at least 12 characters): ")
        if getpass.getpass("Again: ") != password:
            print("The passwords differ.")
            return 1
    try:
        Accounts(Database(settings.database_url)).create(username, password, role)
    except AccountError as error:
        print(f"Could not create the account: {error}")
        return 1
    print(f"Created {role} {username!r}. Log in at /staff/login.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
