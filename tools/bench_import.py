"""Importing a whole register at go-live: households and their members from CSV files, as `cbl import` does.

    python -m tools.bench_import [--households 100000] [--members 250000] [--database postgresql|sqlite]

Makes the files (households with areas and bands, members two or three to a household on average), then on a
fresh database with the homes' areas in it: a dry run of each file, then the import of each, and prints rows a
second, seconds and the process's peak memory. The targets (issue 23): under 60 s for both imports, under 20 s
for both dry runs, under 1 GB, on PostgreSQL.
"""

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event

from cbl.database import Database, upgrade
from cbl.models.states import ActorKind
from cbl.rules.scheme import load_scheme
from cbl.services.actors import Actor
from cbl.services.imports import Outcome, Problem, import_file
from cbl.settings import DEFAULT_SCHEME
from tests.support.databases import database
from tests.support.factories import make_world

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
AREAS = ["Northgate", "Riverside", "Castlefields", "Old Town"]
GIVEN = ["Amira", "Tom", "Grace", "Yusuf", "Maeve", "Olu", "Priya", "Sam", "Chen", "Zofia", "Kwame", "Ines"]
FAMILY = ["Hassan", "O'Neill", "Mensah", "Smith", "Nowak", "Patel", "Jones", "Okafor", "Li", "Evans"]


def make_files(folder: Path, households: int, members: int, seed: int = 23) -> tuple[Path, Path]:
    rng = random.Random(seed)
    household_file, member_file = folder / "households.csv", folder / "members.csv"
    with household_file.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["reference", "given_name", "family_name", "date_of_birth", "ni_number", "email", "phone",
                         "address", "postcode", "band", "band_date", "registration_date", "status", "homeless_duty",
                         "transfer", "local_connection", "needs"])
        for number in range(households):
            registered = date(2015, 1, 1) + timedelta(days=rng.randrange(4000))
            born = date(1950, 1, 1) + timedelta(days=rng.randrange(18000))
            writer.writerow([f"HR{number:07d}", f"{rng.choice(GIVEN)}{number}", rng.choice(FAMILY), born.isoformat(),
                             "", f"person{number}@example.com", "07700 900123",
                             f"{rng.randint(1, 200)} Station Road, Anytown", "AT1 2BC", rng.choice("ABCD"),
                             (registered + timedelta(days=30)).strftime("%d/%m/%Y"), registered.isoformat(), "active",
                             rng.choice(["yes", "no"]), "no", rng.choice(AREAS), rng.choice(["", "step_free"])])
    with member_file.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["reference", "given_name", "family_name", "date_of_birth", "sex", "relationship"])
        for number in range(members):
            household = rng.randrange(households)
            born = date(2000, 1, 1) + timedelta(days=rng.randrange(9000))
            writer.writerow([f"HR{household:07d}", f"Member{number}", rng.choice(FAMILY), born.isoformat(),
                             rng.choice("FM"), rng.choice(["child", "other_adult", "other_child", "parent"])])
    return household_file, member_file


def _backend_cpu(db: Database) -> Callable[[], float]:
    """The CPU seconds used so far by the PostgreSQL server process of the import's connection (the server is on
    this machine): with this process's own, a figure that other work on the machine does not inflate."""
    pids: list[int] = []

    @event.listens_for(db.engine, "begin")
    def _remember(connection: Any) -> None:
        if db.dialect == "postgresql":
            pids.append(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())

    def used() -> float:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in set(pids):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks
        return total

    return used


def timed(db: Database, scheme, kind: str, path: Path, write: bool,  # noqa: ANN001
          backend: Callable[[], float]) -> tuple[Outcome, float, float, float]:
    problems: list[Problem] = []
    started, cpu, server = time.perf_counter(), time.process_time(), backend()
    outcome = db.run_keeping(lambda done: done.written, import_file, Actor(ActorKind.SYSTEM, None, "bench"), scheme,
                             kind, path, NOW, write=write, report=problems.append, writes=write)
    elapsed = time.perf_counter() - started
    client, server = time.process_time() - cpu, backend() - server
    if outcome.problems:
        print(f"{kind}: {outcome.problems} problems, the first: {problems[0].line(path.name)}")
    return outcome, elapsed, client, server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=250_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    args = parser.parse_args()
    scheme = load_scheme(DEFAULT_SCHEME)
    with tempfile.TemporaryDirectory() as folder, database(args.database, prefix="cbl_bench_import") as url:
        households, members = make_files(Path(folder), args.households, args.members)
        upgrade(url)
        db = Database(url)
        with db.transaction() as session:
            world = make_world(session, scheme, adverts=0)
            from tests.support.factories import add_advert

            for number, area in enumerate(AREAS):
                add_advert(session, world, f"AREA{number}", area=area)
        figures = []
        ok = True
        backend = _backend_cpu(db)
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
        for kind, path, rows in (("households", households, args.households), ("members", members, args.members)):
            for write in (False, True):
                outcome, elapsed, client, server = timed(db, scheme, kind, path, write, backend)
                ok = ok and not outcome.problems
                figures.append((write, elapsed, client + server))
                print(f"{kind:<10} {'import ' if write else 'dry run'} {rows:>8,} rows {elapsed:6.1f} s "
                      f"{rows / elapsed:8,.0f} rows/s, CPU {client:5.1f} s here + {server:4.1f} s in PostgreSQL "
                      f"({outcome.added:,} added, {outcome.changed:,} changed)", flush=True)
        db.dispose()
    dry, imported = ([sum(figure[n] for figure in figures if figure[0] is writes) for n in (1, 2)]
                     for writes in (False, True))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"{args.database}: dry runs {dry[0]:.1f} s in all (CPU {dry[1]:.1f} s; target 20 s), imports "
          f"{imported[0]:.1f} s in all (CPU {imported[1]:.1f} s; target 60 s), peak memory {peak:,.0f} MiB "
          f"(target 1,024); load average after: {os.getloadavg()[0]:.1f}")
    print("(CPU: this process's and its PostgreSQL server process's, which other work on the machine does not "
          "inflate as it does the seconds)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
