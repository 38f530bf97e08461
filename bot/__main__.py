"""Command line: python -m bot {train,model-path,seed,run,create-staff,purge,import-directory}.

Developer tooling (eval, questions, bench, resilience, nlu-report) is `python -m tests.tools`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Vårdlotsen")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train the Rasa model if its inputs changed")
    train.add_argument("--force", action="store_true", help="train even if a model exists")
    commands.add_parser("model-path", help="print the path of the current model")
    commands.add_parser("seed", help="create or migrate the app database and load content")
    commands.add_parser("run", help="train if needed, seed, and start all processes")
    staff = commands.add_parser("create-staff", help="create a staff account (password asked)")
    staff.add_argument("--username", required=True)
    staff.add_argument("--role", choices=("reviewer", "admin"), default="reviewer")
    staff.add_argument("--password-stdin", action="store_true",
                       help="read the password from standard input instead of a prompt")
    purge = commands.add_parser(
        "purge", help="delete resident data past the retention time, in every store")
    purge.add_argument("--days", type=int, help="override RETENTION_DAYS")
    directory = commands.add_parser(
        "import-directory", help="update the care directory from an HSA export (JSON)")
    directory.add_argument("file", type=Path, help="the export file")
    directory.add_argument("--dry-run", action="store_true",
                           help="show what would be added and changed, change nothing")
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
    elif args.command == "create-staff":
        return create_staff(settings, args.username, args.role, args.password_stdin)
    elif args.command == "import-directory":
        return import_directory(settings, args.file, args.dry_run)
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


def import_directory(settings: Settings, path: Path, dry_run: bool) -> int:
    from sqlalchemy import inspect

    from bot.care import importer
    from bot.store import migrate
    from bot.store.database import Database

    if not path.is_file():
        print(f"No such file: {path}")
        return 1
    if not dry_run:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        migrate.upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        if "care_units" not in inspect(database.engine).get_table_names():
            print("The app database is not prepared yet: run python -m bot seed first.")
            return 1
        report = importer.import_directory(database, path, dry_run=dry_run)
    finally:
        database.dispose()
    print(importer.format_report(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
