"""Time one cycle close through the database: `python -m tools.bench_close [--applicants 50000] [--adverts 300]`.

On the bidding benchmark's council (tools.bench_bids) with no history: every applicant bids three
times, then the close claims the cycle, loads the bids, ranks them, allocates, stores the shortlists,
tells the officers and the households and commits. The figure printed is that whole transaction.

    python -m tools.bench_close [--database sqlite|postgresql|both] [--applicants N] [--adverts N]
                                [--officers N] [--contactable] [--profile] [--profile-file FILE]

It prints the whole close and each step of it: wall-clock time, and CPU time of this process and of the
PostgreSQL backend (on a shared machine CPU time says more than the clock). --contactable gives every
household an e-mail address, so that each shortlisted bid puts a message in the outbox. --profile prints
the top of a cProfile of the close; --profile-file FILE writes its stats (FILE.sqlite, FILE.postgresql).
Peak memory: run it under `/usr/bin/time -v`; it also prints this process's peak resident set before and
after the close (the bids are seeded in slices, so that the close's own peak shows).
"""

import argparse
import cProfile
import importlib
import os
import pstats
import random
import resource
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from itertools import islice
from typing import Any
from unittest.mock import patch

import sqlalchemy as sa

from cbl.database import Database
from cbl.models import Advert, Applicant, Bid, Cycle, Organisation, OutboxMessage, StaffUser
from cbl.models.states import StaffRole
from tests.support import databases as throwaway
from tools import bench_bids

BIDS_EACH = 3
SLICE = 30_000  # applicants whose bids are generated and inserted at a time


def seed_bids(db: Database, cycle_id: int, now: datetime) -> int:
    """Every applicant bids for BIDS_EACH adverts chosen at random (the same ones each run)."""
    rng = random.Random(7)
    count = 0
    with db.transaction() as s:
        adverts = s.execute(sa.select(Advert.id).order_by(Advert.id)).scalars().all()
        applicants = iter(s.execute(sa.select(Applicant.id).order_by(Applicant.id)).scalars().all())
        while chunk := list(islice(applicants, SLICE)):
            rows = [{"advert_id": advert, "applicant_id": applicant, "cycle_id": cycle_id, "status": "active",
                     "preference": preference, "placed_at": now, "placed_by": "applicant"}
                    for applicant in chunk
                    for preference, advert in enumerate(rng.sample(adverts, BIDS_EACH), start=1)]
            s.connection().execute(Bid.__table__.insert(), rows)
            count += len(rows)
    if db.dialect == "postgresql":  # statistics, as a database in service has them
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    return count


def seed_officers(db: Database, count: int) -> None:
    """Officers of the council to be told the cycle has closed (one message each)."""
    with db.transaction() as s:
        council = s.execute(sa.select(Organisation.id)).scalars().first()
        s.add_all(StaffUser(organisation_id=council, email=f"officer{n}@bench.example", name=f"Officer {n}",
                            role=StaffRole.OFFICER, password_hash="") for n in range(count))


def make_contactable(db: Database) -> None:
    """Every household has an e-mail address, so each shortlisted bid is told to its household."""
    with db.transaction() as s:
        s.execute(sa.update(Applicant).values(email=sa.literal("hr") + sa.cast(Applicant.id, sa.String)
                                              + sa.literal("@bench.example")))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def server_cpu(pid: int | None) -> float:
    """The CPU seconds a PostgreSQL backend on this machine has used (0 where it cannot be read): with
    the machine shared, CPU time says more than the wall clock."""
    if pid is None:
        return 0.0
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _exists(module: str, name: str) -> bool:
    """(Earlier versions of the close had other steps: the bench times those it finds.)"""
    try:
        return hasattr(importlib.import_module(module), name)
    except ImportError:
        return False


class Phases:
    """Wall-clock and CPU time (this process's, and the database backend's) of each step of the close, by
    wrapping the functions the close calls for the length of the bench."""

    STEPS = (("read", "cbl.services.close_rows", "engine_instance"), ("engine", "matching", "solve"),
             ("store", "cbl.services.close_rows", "store_shortlists"),
             ("households told", "cbl.messages.notices", "shortlisted"))

    def __init__(self, backend: int | None) -> None:
        self.backend = backend
        self.spent: dict[str, tuple[float, float, float]] = {}
        self._patches = [patch(f"{module}.{name}", self._timed(step, getattr(importlib.import_module(module), name)))
                         for step, module, name in self.STEPS if _exists(module, name)]

    def _timed(self, step: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu, server = time.perf_counter(), time.process_time(), server_cpu(self.backend)
            try:
                return function(*args, **kwargs)
            finally:
                self.spent[step] = (time.perf_counter() - wall, time.process_time() - cpu,
                                    server_cpu(self.backend) - server)
        return timed

    def __enter__(self) -> "Phases":
        for patched in self._patches:
            patched.start()
        return self

    def __exit__(self, *_: object) -> None:
        for patched in self._patches:
            patched.stop()

    def lines(self, total: tuple[float, float, float]) -> list[str]:
        rest = tuple(t - sum(spent[n] for spent in self.spent.values()) for n, t in enumerate(total))
        rows = [*self.spent.items(), ("the rest: claim, updates, audit, officers, commit", rest),
                ("the whole close", total)]
        width = max(len(step) for step, _ in rows)
        server = "  backend CPU s" if self.backend else ""
        lines = [f"  {'step':<{width}}   wall s   CPU s{server}"]
        lines += [f"  {step:<{width}}  {wall:7.2f} {cpu:7.2f}" + (f" {backend:7.2f}" if self.backend else "")
                  for step, (wall, cpu, backend) in rows]
        return lines


def close_benchmark(kind: str, applicants: int, adverts: int, officers: int, contactable: bool, profile: bool,
                    profile_file: str | None) -> None:
    """Time one cycle close through the database: load the bids, rank, allocate, store shortlists."""
    from cbl.rules.scheme import load_scheme
    from cbl.services.actors import SYSTEM
    from cbl.services.cycles import close_cycle
    from cbl.settings import DEFAULT_SCHEME

    with throwaway.database(kind, prefix="cbl_bench") as url:
        bench_bids.seed(url, history_weeks=0, applicants=applicants, adverts=adverts)
        db = Database(url, pool_size=1, max_overflow=0)  # one connection: the close's backend is known
        seed_officers(db, officers)
        if contactable:
            make_contactable(db)
        with db.reading() as s:
            cycle_id = s.execute(sa.select(Cycle.id)).scalar_one()
        now = datetime.now(timezone.utc)
        bids = seed_bids(db, cycle_id, now)
        scheme = load_scheme(DEFAULT_SCHEME)
        before = peak_mb()
        with db.engine.connect() as connection:
            backend = (connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
                       if db.dialect == "postgresql" else None)
        profiler = cProfile.Profile() if profile or profile_file else None
        with Phases(backend) as phases:
            server_started, started_cpu, started = server_cpu(backend), time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            db.run(close_cycle, SYSTEM, scheme, cycle_id, now + timedelta(days=2))
            if profiler:
                profiler.disable()
            total = (time.perf_counter() - started, time.process_time() - started_cpu,
                     server_cpu(backend) - server_started)
        with db.reading() as s:
            report_ = s.get(Cycle, cycle_id).close_report
            messages = s.execute(sa.select(sa.func.count()).select_from(OutboxMessage)).scalar_one()
        db.dispose()
    told = " (households told by e-mail)" if contactable else ""
    print(f"{kind}{told}: closed a cycle of {adverts:,} adverts, {applicants:,} applicants, {bids:,} bids in "
          f"{total[0]:.1f} s ({report_['proposed_lets']} lets proposed, status {report_['engine_status']}, "
          f"{messages:,} messages in the outbox); peak resident {before:,.0f} MB before the close, "
          f"{peak_mb():,.0f} MB after")
    print("\n".join(phases.lines(total)))
    if profiler and profile:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    if profiler and profile_file:
        profiler.dump_stats(f"{profile_file}.{kind}")
        print(f"profile written to {profile_file}.{kind}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--applicants", type=int, default=50_000)
    parser.add_argument("--adverts", type=int, default=bench_bids.ADVERTS,
                        help=f"homes advertised in the cycle (default {bench_bids.ADVERTS})")
    parser.add_argument("--officers", type=int, default=5, help="active officers told of the close (default 5)")
    parser.add_argument("--contactable", action="store_true",
                        help="households have e-mail addresses: each shortlisted bid puts a message in the outbox")
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of the close")
    parser.add_argument("--profile-file", metavar="FILE", help="write the close's cProfile stats to FILE.<database>")
    args = parser.parse_args(argv)
    if args.adverts < BIDS_EACH:
        parser.error(f"--adverts must be at least {BIDS_EACH} (each applicant bids {BIDS_EACH} times)")
    for kind in ["sqlite", "postgresql"] if args.database == "both" else [args.database]:
        if kind == "postgresql" and not throwaway.postgres_reachable():
            print(f"postgresql: skipped, nothing answers at {throwaway.ADMIN_URL}")
            continue
        close_benchmark(kind, args.applicants, args.adverts, args.officers, args.contactable, args.profile,
                        args.profile_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
