"""The `cbl` command: set up, seed, serve."""

import argparse
import logging
import os
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from cbl import database
from cbl.models.states import ActorKind
from cbl.services.actors import Actor
from cbl.settings import Settings, load_settings

KINDS = ("households", "members", "homes")
# Who the audit trail names for what the command line does: whoever runs it on the server.
COMMAND_LINE = Actor(ActorKind.SYSTEM, None, "cbl command line")


def _migrate(settings: Settings, revision: str = "head") -> None:
    """Migrate as the owner; then, where the app connects as another role, grant it its rights."""
    from cbl.roles import grant_runtime_rights

    database.upgrade(settings.migration_database_url, revision)
    role = grant_runtime_rights(settings.migration_database_url, settings.database_url)
    if role:
        print(f"Granted the application's role {role} its rights on every table.")


def _db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    _migrate(settings, args.revision)
    print(f"Database at revision {database.head_revision() if args.revision == 'head' else args.revision}.")
    return 0


def _db_check(settings: Settings, args: argparse.Namespace) -> int:
    db = database.Database(settings.database_url)
    try:
        database.check_schema(db)
    except database.SchemaOutOfDate as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print("Database schema is up to date.")
    return 0


def _scheme_check(settings: Settings, args: argparse.Namespace) -> int:
    from cbl.rules.scheme import SchemeError, load_scheme

    path = args.path or settings.scheme_path
    try:
        scheme = load_scheme(path)
    except SchemeError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{path}: {scheme.name} is valid.")
    if scheme.ranking.registration_date_share_pct:
        print(f"{scheme.ranking.registration_date_share_pct}% of each cycle's homes are let by date of registration.")
    return 0


def _existing_database(settings: Settings) -> database.Database | None:
    """The configured database if it exists and is up to date; else None, having said why in one line.

    Commands that only read or change what is there use this, so that a mistyped URL or a missing
    file is reported, not made: SQLite would otherwise create an empty file on connecting.
    """
    url = sa.engine.make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not Path(url.database).exists():
        print(f"There is no database at {url.database}: run `cbl up` (or `cbl db upgrade`) first.", file=sys.stderr)
        return None
    db = database.Database(settings.database_url)
    try:
        database.check_schema(db)
    except database.SchemaOutOfDate as error:
        print(error, file=sys.stderr)
    except sa.exc.OperationalError as error:
        print(f"Cannot reach the database {url.render_as_string(hide_password=True)}: "
              f"{str(error.orig).strip().splitlines()[0]}", file=sys.stderr)
    else:
        return db
    db.dispose()
    return None


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from cbl import demo
    from cbl.rules.scheme import load_scheme

    if args.sign_ins:
        return _demo_sign_ins(settings)
    if args.code:
        return _demo_code()
    scheme = load_scheme(settings.scheme_path)
    db = database.Database(settings.database_url)
    try:
        database.check_schema(db)
        with db.transaction() as session:
            if not demo.is_empty(session):
                print("The database already holds data; cbl demo seeds only an empty one "
                      "(`cbl demo --sign-ins` lists the demo's sign-ins).", file=sys.stderr)
                return 1
            started = time.perf_counter()
            sign_ins = demo.seed(session, scheme, seed=args.seed, applicants=args.applicants,
                                 site_key=settings.secret_key)
        print(f"Seeded the demo council (seed {args.seed}) in {time.perf_counter() - started:.1f} s.")
        _print_sign_ins(sign_ins)
    except database.SchemaOutOfDate as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        db.dispose()
    return 0


def _demo_sign_ins(settings: Settings) -> int:
    from cbl import demo

    db = _existing_database(settings)
    if db is None:
        return 1
    try:
        with db.reading() as session:
            sign_ins = demo.sign_ins(session)
    finally:
        db.dispose()
    if not sign_ins:
        print("This database holds no demo council (seed an empty one with `cbl demo`).", file=sys.stderr)
        return 1
    _print_sign_ins(sign_ins)
    return 0


def _demo_code() -> int:
    from datetime import datetime, timezone

    from cbl.demo import DEMO_SECOND_FACTOR
    from cbl.services.second_factor import current_code

    # Each code signs a given account in once (a code is never accepted twice): wait for the next for another go.
    print(f"{current_code(DEMO_SECOND_FACTOR, datetime.now(timezone.utc))}  (the demo staff's code for the next "
          "30 seconds at most)")
    return 0


def _print_sign_ins(sign_ins) -> None:  # noqa: ANN001
    from cbl.demo import DEMO_SECOND_FACTOR
    from cbl.services.second_factor import spaced

    print("Demo sign-ins:")
    for sign_in in sign_ins:
        print(f"  {sign_in.who:<62} {sign_in.username:<28} {sign_in.password}")
    if any("@" in sign_in.username for sign_in in sign_ins):
        print(f"Staff then give a code from an authenticator app: add the key {spaced(DEMO_SECOND_FACTOR)}\n"
              "(time-based, the same for every demo staff account) to one, or print the current code with "
              "`cbl demo --code`.")


def _assets(settings: Settings, args: argparse.Namespace) -> int:
    from cbl.assets import build_assets, stylesheet

    ok = build_assets(force=args.force)
    print(f"Stylesheet built at {stylesheet()}." if ok else "The stylesheet could not be built (see above).")
    return 0 if ok else 1


def _up(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from cbl import demo
    from cbl.app import create_app
    from cbl.assets import build_assets
    from cbl.rules.scheme import load_scheme

    scheme = load_scheme(settings.scheme_path)
    _migrate(settings)
    build_assets()
    db = database.Database(settings.database_url)
    sign_ins = []
    if not args.no_demo:
        with db.transaction() as session:
            if demo.is_empty(session):
                print("Empty database: seeding the demo council ...")
                sign_ins = demo.seed(session, scheme, seed=args.seed, site_key=settings.secret_key)
    app = create_app(settings, db=db, scheme=scheme, run_scheduler=settings.embed_scheduler)
    base = f"http://{settings.host}:{settings.port}"
    print(f"\nPublic site:      {base}/\nHealth:           {base}/health")
    if sign_ins:
        _print_sign_ins(sign_ins)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning",
                proxy_headers=False)  # the app believes proxies only from CBL_TRUSTED_PROXIES
    return 0


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    db = database.Database(settings.database_url)
    database.check_schema(db)  # here, once, rather than in workers that would die and restart
    db.dispose()
    # One `cbl scheduler` runs beside the workers; none of them runs its own.
    os.environ["CBL_EMBED_SCHEDULER"] = "0"
    print(f"Serving http://{settings.host}:{settings.port}/ with {args.workers} workers (run `cbl scheduler` "
          "beside them to open and close cycles). Stop with Ctrl+C.", flush=True)
    # Gunicorn's workers running uvicorn's protocol (chosen by measurement: docs/decisions/0001). This
    # process becomes gunicorn's master: it restarts a worker that dies, and SIGTERM stops them all.
    address = f"[{settings.host}]:{settings.port}" if ":" in settings.host else f"{settings.host}:{settings.port}"
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "--worker-class", "uvicorn_worker.UvicornWorker",
                              "--workers", str(args.workers), "--bind", address, "--log-level", "warning",
                              "--graceful-timeout", "20", "cbl.asgi:create()"])


def _scheduler(settings: Settings, args: argparse.Namespace) -> int:
    from cbl.rules.scheme import load_scheme
    from scheduler import runner

    logging.getLogger("cbl").setLevel(logging.INFO)
    scheme = load_scheme(settings.scheme_path)
    db = database.Database(settings.database_url)
    database.check_schema(db)
    print("Scheduler running: opening and closing cycles. Stop with Ctrl+C.")
    try:
        runner.start(db, scheme, settings, blocking=True)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        db.dispose()
    return 0


def _provider_key(settings: Settings, args: argparse.Namespace) -> int:
    from cbl.services.actors import SYSTEM
    from cbl.services.errors import NotFound
    from cbl.services.sign_in import issue_provider_key

    if not args.list and not args.organisation:
        print("Give the provider's code (e.g. cbl provider-key RHA), or --list to see them.", file=sys.stderr)
        return 2
    db = _existing_database(settings)
    if db is None:
        return 1
    try:
        if args.list:
            return _list_providers(db)
        key = db.run(issue_provider_key, SYSTEM, args.organisation)
    except NotFound as missing:
        print(f"{missing} (`cbl provider-key --list` shows them).", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"API key for {args.organisation} (shown once; the previous key no longer works):\n{key}")
    return 0


def _reset_second_factor(settings: Settings, args: argparse.Namespace) -> int:
    """On the site an administrator resets someone else's; this is for the one who has no one else to."""
    from datetime import datetime, timezone

    from sqlmodel import select

    from cbl.models import StaffUser
    from cbl.services.actors import SYSTEM
    from cbl.services.errors import DomainError
    from cbl.services.staff import reset_second_factor

    db = _existing_database(settings)
    if db is None:
        return 1
    try:
        with db.transaction() as session:
            user = session.exec(select(StaffUser).where(
                sa.func.lower(StaffUser.email) == args.email.strip().lower())).first()
            if user is None:
                print(f"There is no member of staff with the e-mail address {args.email}.", file=sys.stderr)
                return 1
            reset_second_factor(session, SYSTEM, user.id, datetime.now(timezone.utc))  # type: ignore[arg-type]
    except DomainError as refused:
        print(refused.message, file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"{user.name}'s second factor is reset and their sessions ended: they set up an authenticator app "
          "again after their password at their next sign-in.")
    return 0


def _list_providers(db: database.Database) -> int:
    from cbl.queries.providers import registered_providers

    with db.reading() as session:
        providers = registered_providers(session)
    if not providers:
        print("No registered providers yet (add them on the admin site).")
    for provider in providers:
        print(f"{provider.code:<10} {provider.name:<48} {'has a key' if provider.has_key else 'no key yet'}")
    return 0


def _audit_verify(settings: Settings, args: argparse.Namespace) -> int:
    from cbl.services.actors import SYSTEM
    from cbl.services.audit_check import verify_lets

    db = database.Database(settings.database_url)
    database.check_schema(db)
    try:
        with db.reading() as session:
            checked, gaps = verify_lets(session, SYSTEM)
    finally:
        db.dispose()
    for gap in gaps:
        print(f"{gap.property} (void {gap.void_id}): no audit event for {gap.missing}")
    print(f"{checked} lets checked; {len(gaps)} missing audit events.")
    return 1 if gaps else 0


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    from cbl.backup import BackupError, backup

    try:
        written = backup(settings.database_url, args.file)
    except BackupError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Backed up to {written}.")
    return 0


def _restore(settings: Settings, args: argparse.Namespace) -> int:
    from cbl.backup import BackupError, restore

    if not args.yes:
        print("Restoring replaces everything in the database with the backup. Stop the site and the scheduler, "
              "then run again with --yes.", file=sys.stderr)
        return 2
    try:
        restore(settings.migration_database_url, args.file)  # replaces tables: the owner's work
    except BackupError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Restored from {args.file}.")
    return 0


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from cbl.rules.scheme import load_scheme
    from cbl.services.imports import Problem, import_file
    from cbl.web.auth import now

    if not args.file.is_file():
        print(f"{args.file}: no such file.", file=sys.stderr)
        return 1
    scheme = load_scheme(settings.scheme_path)
    db = _existing_database(settings)
    if db is None:
        return 1
    shown = str(args.file)

    def report(problem: Problem) -> None:
        print(problem.line(shown))

    try:
        outcome = db.run_keeping(lambda done: done.written, import_file, COMMAND_LINE, scheme, args.kind, args.file,
                                 now(), write=not args.dry_run, report=report, file=args.file.name,
                                 writes=not args.dry_run)
    finally:
        db.dispose()
    print(outcome.summary(shown, dry_run=args.dry_run))
    return 1 if outcome.problems else 0


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from cbl.services.imports import export_file

    db = _existing_database(settings)
    if db is None:
        return 1
    try:
        # In a transaction of its own (rolled back: it changes nothing), so that the rows come a batch at a time.
        written = db.run_keeping(lambda _: False, export_file, COMMAND_LINE, args.kind, args.file, writes=False)
    finally:
        db.dispose()
    print(f"Exported {written:,} {args.kind} to {args.file}.")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="cbl", description="Choice-based lettings and nominations.")
    commands = top.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    upgrade = db.add_parser("upgrade", help="migrate the database to this version's schema")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(run=_db_upgrade)
    db.add_parser("check", help="exit 1 unless the schema is up to date").set_defaults(run=_db_check)

    scheme = commands.add_parser("scheme", help="allocation scheme").add_subparsers(dest="scheme_command",
                                                                                    required=True)
    check = scheme.add_parser("check", help="validate a scheme file")
    check.add_argument("path", nargs="?")
    check.set_defaults(run=_scheme_check)

    seed = commands.add_parser("demo", help="seed an empty database with a demo council")
    seed.add_argument("--seed", type=int, default=2026)
    seed.add_argument("--applicants", type=int, default=2000)
    seed.add_argument("--sign-ins", action="store_true", help="print the demo's sign-ins again (seeds nothing)")
    seed.add_argument("--code", action="store_true",
                      help="print the current code of the demo staff's authenticator app (seeds nothing)")
    seed.set_defaults(run=_demo)

    assets = commands.add_parser("assets", help="install and compile the GOV.UK Frontend stylesheet")
    assets.add_argument("--force", action="store_true")
    assets.set_defaults(run=_assets)

    commands.add_parser("scheduler", help="run the cycle scheduler on its own (set CBL_EMBED_SCHEDULER=0 "
                        "for the web workers)").set_defaults(run=_scheduler)

    audit_commands = commands.add_parser("audit", help="the audit trail").add_subparsers(dest="audit_command",
                                                                                         required=True)
    audit_commands.add_parser("verify", help="exit 1 unless every let's history has all its audit events"
                              ).set_defaults(run=_audit_verify)

    saving = commands.add_parser("backup", help="back up the database to a file (safe while the site runs)")
    saving.add_argument("file", type=Path)
    saving.set_defaults(run=_backup)
    restoring = commands.add_parser("restore", help="replace the database's contents with a backup")
    restoring.add_argument("file", type=Path)
    restoring.add_argument("--yes", action="store_true", help="yes, replace everything")
    restoring.set_defaults(run=_restore)

    key = commands.add_parser("provider-key", help="issue a registered provider's API key (replaces the old one)")
    key.add_argument("organisation", nargs="?", help="the provider's code, e.g. RHA")
    key.add_argument("--list", action="store_true", help="list the registered providers' codes and names")
    key.set_defaults(run=_provider_key)

    reset = commands.add_parser("reset-second-factor", help="reset a member of staff's authenticator app and "
                                "recovery codes, for a system administrator no other administrator can reset")
    reset.add_argument("email", help="the member of staff's e-mail address")
    reset.set_defaults(run=_reset_second_factor)

    importing = commands.add_parser("import", help="check a CSV file of households, members or homes and import "
                                    "it: all of it, or nothing if any row has a problem (docs/import-formats.md)")
    importing.add_argument("kind", choices=KINDS)
    importing.add_argument("file", type=Path)
    importing.add_argument("--dry-run", action="store_true", help="check only: write nothing (exit 0 if it would "
                           "import)")
    importing.set_defaults(run=_import)
    exporting = commands.add_parser("export", help="write the register's households, members or homes as CSV, in "
                                    "the import's formats")
    exporting.add_argument("kind", choices=KINDS)
    exporting.add_argument("file", type=Path)
    exporting.set_defaults(run=_export)

    up = commands.add_parser("up", help="migrate, seed the demo if empty, and serve the site")
    up.add_argument("--no-demo", action="store_true", help="do not seed an empty database")
    up.add_argument("--seed", type=int, default=2026)
    up.set_defaults(run=_up)

    serve = commands.add_parser("serve", help="serve the site with several worker processes (production; "
                                "run `cbl scheduler` beside it)")
    serve.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    serve.set_defaults(run=_serve)
    return top


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    from cbl.rules.scheme import SchemeError

    try:
        return args.run(load_settings(), args)
    except SchemeError as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
