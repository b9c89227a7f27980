"""Where one page's time goes: `python -m tools.profile_page --url URL [--as officer] PATH [PATH ...]`.

Builds the app as `cbl.asgi:create` does, less the worker's background ranking of the open cycle (its statements
would be counted as the page's), on the database at URL (one a `tools.bench_pages --keep` run filled),
signs in as the visitor (a session made straight in the database, as the bench's visitors would have), opens
each page once to warm up and then TIMES times in this process, and prints the median, fastest and slowest
milliseconds, the CPU milliseconds this process spent (on a shared machine the steadier figure: wall-clock
time there is mostly waiting for a core), how much of each was in the handler rather than rendering, and
the SQL statements of the last run with their times. --explain N runs EXPLAIN ANALYZE on the N slowest of
them; --profile one more run under cProfile (the event loop's thread and the handler's, merged). The
sessions it made are removed again.

    python -m tools.profile_page --url postgresql://postgres@127.0.0.1:5432/DB --as officer \\
        /admin/applicants/HR000001 --times 5 --profile
"""

import argparse
import cProfile
import io
import logging
import os
import pstats
import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone

import sqlalchemy as sa
from litestar.concurrency import set_asyncio_executor
from litestar.testing import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from cbl.app import create_app
from cbl.database import Database
from cbl.models import Applicant, StaffUser, WebSession
from cbl.models.states import StaffRole
from cbl.settings import load_settings
from cbl.web.auth import COOKIE, digest, start_session

VISITORS = ("public", "applicant", "officer", "manager", "provider")


@dataclass
class Timed:
    """A statement's SQL (first line) and its milliseconds."""

    sql: str
    ms: float
    statement: str  # as sent to the driver, with its parameters: to EXPLAIN it again
    parameters: object


@dataclass
class Statements:
    ran: list[Timed] = field(default_factory=list)

    @property
    def ms(self) -> float:
        return sum(t.ms for t in self.ran)


@contextmanager
def timing_statements(engine: Engine) -> Iterator[Statements]:
    """Every statement run on the engine while the block runs, with the time the driver took."""
    found = Statements()

    def before(_connection, _cursor, _statement, _parameters, context, _many) -> None:  # noqa: ANN001
        context._profile_started = time.perf_counter()

    def after(_connection, _cursor, statement, _parameters, context, _many) -> None:  # noqa: ANN001
        found.ran.append(Timed(" ".join(statement.split()), (time.perf_counter() - context._profile_started) * 1000,
                               statement, _parameters))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def sign_in(db: Database, who: str, applicant: str | None) -> str | None:
    """A session cookie for the visitor: the newest staff user of the role, or a household that can sign
    in (the first the bench signs in, unless `applicant` names one)."""
    if who == "public":
        return None
    at = datetime.now(timezone.utc)
    with db.transaction() as session:
        if who == "applicant":
            query = sa.select(Applicant.id)
            query = (query.where(Applicant.reference == applicant) if applicant else
                     query.where(Applicant.password_hash.is_not(None), Applicant.reference > "HR002000"))
            user_id = session.execute(query.order_by(Applicant.id).limit(1)).scalar_one()
            return start_session(session, "applicant", user_id, at)
        staff_id = session.execute(sa.select(StaffUser.id).where(
            StaffUser.role == StaffRole(who), StaffUser.active).order_by(StaffUser.id.desc()).limit(1)).scalar_one()
        return start_session(session, "staff", staff_id, at)


def sign_out(db: Database, token: str | None) -> None:
    if token:
        with db.transaction() as session:
            session.execute(sa.delete(WebSession).where(WebSession.key == digest(token)))


@dataclass
class Run:
    """One request: wall-clock ms; CPU ms of this process (all threads); wall-clock and CPU ms in sync handlers
    (the page's reads and forms: rendering the template runs in the event loop, outside them); ms waiting for
    the driver's statements (the database's work, and the round trips)."""

    ms: float
    cpu_ms: float
    handler_ms: float
    handler_cpu_ms: float
    driver_ms: float


def report(path: str, runs: list[Run], statements: Statements, status: int, top: int) -> list[str]:
    def median(values: list[float]) -> str:
        return f"{statistics.median(values):.0f}"

    times = [run.ms for run in runs]
    lines = [f"{path}: {status}, median {median(times)} ms (fastest {min(times):.0f}, slowest {max(times):.0f}, "
             f"{len(runs)} runs); CPU {median([r.cpu_ms for r in runs])} ms; in sync handlers "
             f"{median([r.handler_ms for r in runs])} ms, CPU {median([r.handler_cpu_ms for r in runs])} ms "
             f"(rendering is outside them); {len(statements.ran)} statements, "
             f"{median([r.driver_ms for r in runs])} ms in the driver"]
    for timed in sorted(statements.ran, key=lambda t: -t.ms)[:top]:
        lines.append(f"  {timed.ms:8.1f} ms  {timed.sql[:220]}")
    return lines


class ProfilingExecutor(ThreadPoolExecutor):
    """Litestar's executor for sync handlers: it times each call (the handler, apart from rendering, which
    runs in the event loop), and while `on` runs each under a cProfile of its own (cProfile sees only the
    thread it was enabled in)."""

    def __init__(self) -> None:
        super().__init__()
        self.on = False
        self.profiles: list[cProfile.Profile] = []
        self.ms = self.cpu_ms = 0.0

    def submit(self, fn, /, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        def timed_call():  # noqa: ANN202
            started, used = time.perf_counter(), time.thread_time()
            try:
                if not self.on:
                    return fn(*args, **kwargs)
                profile = cProfile.Profile()
                self.profiles.append(profile)
                return profile.runcall(fn, *args, **kwargs)
            finally:
                self.ms += (time.perf_counter() - started) * 1000
                self.cpu_ms += (time.thread_time() - used) * 1000

        return super().submit(timed_call)


def explained(db: Database, statements: Statements, how_many: int) -> list[str]:
    """The plans of the slowest statements as PostgreSQL runs them again (EXPLAIN ANALYZE)."""
    lines = []
    connection = db.engine.raw_connection()
    try:
        for timed in sorted(statements.ran, key=lambda t: -t.ms)[:how_many]:
            cursor = connection.cursor()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + timed.statement, timed.parameters)
            lines += [f"-- {timed.ms:.1f} ms: {timed.sql[:300]}"] + [f"   {row[0]}" for row in cursor.fetchall()]
            cursor.close()
        connection.rollback()
    finally:
        connection.close()
    return lines


def profiled(client: TestClient, executor: ProfilingExecutor, path: str, top: int) -> str:
    """One request profiled in the event loop's thread and in the handler's worker thread, merged."""
    in_loop = cProfile.Profile()
    portal = client.blocking_portal
    executor.on, executor.profiles = True, []
    portal.call(_enable, in_loop)
    try:
        client.get(path, follow_redirects=False)
    finally:
        portal.call(_disable, in_loop)
        executor.on = False
    stats = pstats.Stats(in_loop, stream=(out := io.StringIO()))
    for profile in executor.profiles:
        stats.add(profile)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


async def _enable(profile: cProfile.Profile) -> None:
    profile.enable()


async def _disable(profile: cProfile.Profile) -> None:
    profile.disable()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the database (a kept bench database)")
    parser.add_argument("--as", dest="who", choices=VISITORS, default="officer")
    parser.add_argument("--applicant", help="the household signed in as (--as applicant), by reference")
    parser.add_argument("--times", type=int, default=5)
    parser.add_argument("--statements", type=int, default=12, help="how many of the slowest statements to show")
    parser.add_argument("--explain", type=int, default=0, metavar="N",
                        help="EXPLAIN ANALYZE the N slowest statements of the last run (PostgreSQL)")
    parser.add_argument("--profile", action="store_true", help="one more run under cProfile")
    parser.add_argument("--top", type=int, default=30, help="cProfile entries shown")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    os.environ.update({"CBL_DATABASE_URL": args.url, "CBL_EMBED_SCHEDULER": "0",
                       "CBL_SECRET_KEY": os.environ.get("CBL_SECRET_KEY", "profile-page-secret-" * 3)})
    logging.disable(logging.INFO)  # not a line per request
    executor = ProfilingExecutor()
    set_asyncio_executor(executor)
    app = create_app(load_settings(), run_scheduler=False)
    db: Database = app.state["db"]
    token = sign_in(db, args.who, args.applicant)
    try:
        with TestClient(app) as client:
            if token:
                client.cookies.set(COOKIE, token)
            for path in args.paths:
                status = client.get(path, follow_redirects=False).status_code  # warm: templates, connections
                runs = []
                for _ in range(args.times):
                    with timing_statements(db.engine) as statements:
                        executor.ms = executor.cpu_ms = 0.0
                        started, used = time.perf_counter(), time.process_time()
                        status = client.get(path, follow_redirects=False).status_code
                        runs.append(Run((time.perf_counter() - started) * 1000, (time.process_time() - used) * 1000,
                                        executor.ms, executor.cpu_ms, statements.ms))
                print("\n".join(report(path, runs, statements, status, args.statements)), flush=True)
                if args.explain:
                    print("\n".join(explained(db, statements, args.explain)), flush=True)
                if args.profile:
                    print(profiled(client, executor, path, args.top), flush=True)
    finally:
        sign_out(db, token)
        db.dispose()


if __name__ == "__main__":
    main()
