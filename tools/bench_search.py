"""Register and homes search latency at a sub-regional scheme's size: `python -m tools.bench_search`.

Fills a database with tools.council (150,000 households with their members, 10,000 homes; a week of lets, which
no search reads), then runs each kind of search REPEAT times, each time with another value drawn from the data and
in its own read session as a page does, and prints p50 and p95 per kind. Also the case page's possible duplicates,
and the register page itself answering a name search (POST, in-process: the search, its 25 rows drawn). The
target: every kind's p95 under 100 ms.

    python -m tools.bench_search [--database sqlite|postgresql|both] [--households 150000] [--repeat 40] [--keep]
    python -m tools.bench_search --url URL   # a database an earlier --keep run filled: no seeding
"""

import argparse
import logging
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from litestar.testing import TestClient
from sqlmodel import select

from cbl.database import Database
from cbl.models import Applicant, HouseholdMember, Property, StaffUser
from cbl.models.states import StaffRole
from cbl.queries import stock
from cbl.queries.duplicates import elsewhere
from cbl.queries.register_search import RegisterSearch, search
from cbl.rules.scheme import load_scheme
from cbl.rules.search_keys import words
from cbl.settings import DEFAULT_SCHEME
from cbl.web.auth import COOKIE, start_session
from tests.support import databases as throwaway
from tests.support.statement_counts import app_for
from tools import council

P95_TARGET = 0.100
SAMPLE = 3000  # people, households and homes drawn to search for
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


class Samples:
    """Values to search for, drawn from the database once."""

    def __init__(self, db: Database, rng: random.Random) -> None:
        self.rng = rng
        with db.reading() as s:
            def some(query: sa.Select) -> list:
                rows = list(s.execute(query.order_by(sa.func.random()).limit(SAMPLE)).all())
                assert rows, query
                return rows

            self.people = some(select(HouseholdMember.name, HouseholdMember.date_of_birth,
                                      HouseholdMember.national_insurance_number, HouseholdMember.applicant_id))
            self.households = some(select(Applicant.id, Applicant.reference, Applicant.email, Applicant.phone,
                                          Applicant.postcode, Applicant.address))
            self.numbers = [row[0] for row in some(select(HouseholdMember.national_insurance_number).where(
                HouseholdMember.national_insurance_number.is_not(None)))]
            self.phones = [row[0] for row in some(select(Applicant.phone).where(Applicant.phone.is_not(None)))]
            self.homes = some(select(Property.reference, Property.uprn, Property.address, Property.postcode))
            self.accented = [row[0] for row in s.execute(select(HouseholdMember.name).where(sa.or_(*(
                HouseholdMember.name.like(f"%{c}%") for c in "éëłøöüñó"))).limit(SAMPLE)).all()]

    def pick(self, rows: list):  # noqa: ANN201
        return self.rng.choice(rows)


def _retyped(phone: str) -> str:
    """The same number as someone else writes it: +44 for 0, or 0 for +44, no spaces."""
    digits = "".join(c for c in phone if c.isdigit())
    return "0" + digits[2:] if phone.startswith("+44") else "+44" + digits[1:]


def register_kinds(x: Samples) -> dict[str, Callable[[], RegisterSearch]]:
    """Each kind of register search, making a new one from the samples each call."""
    return {
        "reference, whole": lambda: RegisterSearch(reference=x.pick(x.households).reference),
        "reference, part (5 digits)": lambda: RegisterSearch(reference=x.pick(x.households).reference[-5:]),
        "name, whole": lambda: RegisterSearch(name=x.pick(x.people).name),
        "name, surname alone": lambda: RegisterSearch(name=x.pick(x.people).name.split()[-1]),
        "name, first 4 letters of each word": lambda: RegisterSearch(
            name=" ".join(word[:4] for word in x.pick(x.people).name.split())),
        "name, accented typed plain": lambda: RegisterSearch(name=" ".join(words(x.pick(x.accented)))),
        "name and date of birth": lambda: RegisterSearch(name=x.pick(x.people).name.split()[0],
                                                         date_of_birth=x.pick(x.people).date_of_birth),
        "date of birth": lambda: RegisterSearch(date_of_birth=x.pick(x.people).date_of_birth),
        "National Insurance number": lambda: RegisterSearch(national_insurance_number=x.pick(x.numbers)),
        "e-mail": lambda: RegisterSearch(email=x.pick(x.households).email.upper()),
        "phone, written another way": lambda: RegisterSearch(phone=_retyped(x.pick(x.phones))),
        "postcode, whole": lambda: RegisterSearch(postcode=x.pick(x.households).postcode.replace(" ", "")),
        "postcode, district (~19,000 found)": lambda: RegisterSearch(postcode=x.pick(x.households).postcode.split()[0]),
        "address, number and street word": lambda: RegisterSearch(
            address=" ".join(x.pick(x.households).address.split()[:2])),
        "status and band (~40,000 found)": lambda: RegisterSearch(status="active", band=x.rng.choice("CD")),
        "band, page 400": lambda: RegisterSearch(band="D", page=400),
        "name surname, postcode district, band": lambda: RegisterSearch(
            name=x.pick(x.people).name.split()[-1], postcode=x.pick(x.households).postcode.split()[0], band="C"),
    }


def home_kinds(x: Samples) -> dict[str, Callable[[], stock.HomeSearch]]:
    return {
        "home reference, part": lambda: stock.HomeSearch(reference=x.pick(x.homes).reference[-4:]),
        "home UPRN": lambda: stock.HomeSearch(uprn=x.pick(x.homes).uprn),
        "home address words": lambda: stock.HomeSearch(address=" ".join(x.pick(x.homes).address.split()[:3])),
        "home postcode, district": lambda: stock.HomeSearch(postcode=x.pick(x.homes).postcode.split()[0]),
    }


class Server:
    """The CPU time of the one PostgreSQL backend the benchmark's single pooled connection talks to (read from
    /proc: this machine's server), or nothing on SQLite, whose work is in this process's own CPU time."""

    def __init__(self, db: Database) -> None:
        self.pid = None
        if db.dialect == "postgresql":
            with db.engine.connect() as connection:
                self.pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()

    def seconds(self) -> float:
        if self.pid is None:
            return 0.0
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime and stime


def timed(runs: int, once: Callable[[], int], server: Server) -> tuple[list[float], list[int], list[float], float]:
    """Seconds each of `runs` calls took (after one to warm up), what each found, this process's CPU seconds each
    took (on a shared machine, what the wall clock adds is mostly other work's), and the database server's mean
    CPU seconds a call (PostgreSQL; counted in hundredths of a second, so only the mean is worth reading)."""
    once()
    seconds, totals, cpu = [], [], []
    server_before = server.seconds()
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        totals.append(once())
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    return seconds, totals, cpu, (server.seconds() - server_before) / runs


Result = tuple[str, list[float], list[int], list[float], float]


def measure(db: Database, url: str, repeat: int, rng: random.Random) -> list[Result]:
    samples = Samples(db, rng)
    server = Server(db)
    results = []
    for name, make in register_kinds(samples).items():
        def run(make: Callable[[], RegisterSearch] = make) -> int:
            with db.reading() as session:
                return search(session, make()).total
        results.append((name, *timed(repeat, run, server)))
    for name, find in home_kinds(samples).items():
        def run_homes(find: Callable[[], stock.HomeSearch] = find) -> int:
            with db.reading() as session:
                return stock.homes(session, find()).total
        results.append((name, *timed(repeat, run_homes, server)))

    def duplicates() -> int:
        with db.reading() as session:
            applicant = session.get(Applicant, samples.pick(samples.households).id)
            members = list(session.exec(select(HouseholdMember).where(HouseholdMember.applicant_id == applicant.id)))
            return len(elsewhere(session, applicant, members))
    results.append(("a case's possible duplicates", *timed(repeat, duplicates, server)))
    results.append(("register page: name search (POST, drawn)",
                    *timed(repeat, _page_search(db, url, samples), server)))
    return results


def _page_search(db: Database, url: str, samples: Samples) -> Callable[[], int]:
    """The register page answering a surname search, in-process: an officer's session made in the database."""
    app = app_for(db, load_scheme(DEFAULT_SCHEME), Path(tempfile.mkdtemp(prefix="bench-search-")))
    client = TestClient(app)
    client.__enter__()
    with db.transaction() as session:
        officer = session.exec(select(StaffUser).where(StaffUser.role == StaffRole.OFFICER)).first()
        client.cookies.set(COOKIE, start_session(session, "staff", officer.id, datetime.now(timezone.utc)))
    token = CSRF.search(client.get("/admin/applicants").text).group(1)

    def once() -> int:
        answer = client.post("/admin/applicants/search", data={
            "_csrf_token": token, "name": samples.pick(samples.people).name.split()[-1]})
        assert answer.status_code == 200, answer.status_code
        return int(re.search(r'id="result-count">([\d,]+)', answer.text).group(1).replace(",", ""))

    return once


def report(kind: str, results: list[Result]) -> int:
    print(f"\n{kind}: {len(results[0][1])} searches of each kind, one at a time (wall clock; this process's CPU; "
          "the database server's mean CPU)")
    print(f"{'search':<44} {'found (median)':>14} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'CPU p50':>8} "
          f"{'CPU p95':>8} {'server':>7}")
    missed = 0
    for name, seconds, totals, cpu, server in results:
        p95 = statistics.quantiles(seconds, n=20, method="inclusive")[-1]
        missed += p95 > P95_TARGET
        print(f"{name:<44} {statistics.median(totals):>14,.0f} {statistics.median(seconds) * 1000:>8.1f} "
              f"{p95 * 1000:>8.1f} {max(seconds) * 1000:>8.1f} {statistics.median(cpu) * 1000:>8.1f} "
              f"{statistics.quantiles(cpu, n=20, method='inclusive')[-1] * 1000:>8.1f} {server * 1000:>7.1f}"
              f"{'  over target' if p95 > P95_TARGET else ''}", flush=True)
    return missed


@contextmanager
def filled(kind: str, args: argparse.Namespace) -> Iterator[str]:
    if args.url:
        yield args.url
        return
    manager = (throwaway.database(kind, prefix="cbl_search") if not args.keep
               else nullcontext(throwaway.kept_database(kind, "search")))
    with manager as url:
        started = time.perf_counter()
        council.seed(url, households=args.households, weeks=1, lets_per_week=5, past_bids=5, bids_per_advert=20)
        if kind == "sqlite":
            db = Database(url)
            with db.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")  # statistics, as PRAGMA optimize keeps them in service
            db.dispose()
        print(f"{kind}: seeded {args.households:,} households and {council.STOCK:,} homes in "
              f"{time.perf_counter() - started:.0f} s{f' at {url}' if args.keep else ''}.", flush=True)
        yield url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--url", help="a database filled by an earlier run with --keep (no seeding)")
    parser.add_argument("--keep", action="store_true", help="keep the filled database and print its URL")
    parser.add_argument("--households", type=int, default=council.HOUSEHOLDS)
    parser.add_argument("--repeat", type=int, default=40, help="searches of each kind (default 40)")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)  # the migrations' and the test client's lines
    kinds = (["sqlite", "postgresql"] if args.database == "both" else [args.database]) if not args.url else [
        args.url.split(":")[0]]
    if "postgresql" in kinds and not args.url and not throwaway.postgres_reachable():
        print(f"postgresql: nothing answers at {throwaway.ADMIN_URL}", file=sys.stderr)
        return 1
    missed = 0
    for kind in kinds:
        with filled(kind, args) as url:
            db = Database(url, **({"pool_size": 1, "max_overflow": 0} if kind == "postgresql" else {}))
            try:
                missed += report(kind, measure(db, url, args.repeat, random.Random(24)))
            finally:
                db.dispose()
    print(f"\nTarget p95 < {P95_TARGET * 1000:.0f} ms: "
          + (f"{missed} kinds of search missed it." if missed else "every kind of search met it."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
