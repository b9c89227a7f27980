"""Load benchmark of bidding over loopback against the real server: `python -m tools.bench_bids`.

Starts `cbl serve` on a fresh database (SQLite file, and PostgreSQL when one answers), fills it as a
council's database in service (its stock of homes, a year of weekly cycles already let with their
bids, and an open cycle), then runs CLIENTS concurrent applicants for SECONDS: placing and
withdrawing bids, reading the adverts list and their live positions. Prints requests a second and
p50/p99 latency per endpoint, and the CPU a request cost the server, PostgreSQL and the load itself
(see bench_cpu), then checks that every bid answered as accepted in the open cycle is stored (and
nothing else is).

    python -m tools.bench_bids [--database sqlite|postgresql|both] [--clients 50] [--seconds 20] [--workers 2]
                        [--history 52] [--rate N]
    python -m tools.bench_bids --close 50000      # time one cycle close through the database instead
"""

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

import httpx
import sqlalchemy as sa

from tests.support import databases as throwaway
from tools.bench_cpu import CpuMeter, python_speed
from tools.bench_http import Connection
from cbl.database import Database, upgrade
from cbl.models import ApiToken, Advert, Applicant, Bid, Cycle, Organisation, Property, Void
from cbl.models.states import (
    AdvertStatus, ApplicationStatus, BidStatus, CycleStatus, OrganisationKind, PropertyType, VoidStatus,
)
from cbl.services.sign_in import digest

ADVERTS = 300  # homes advertised in each cycle
APPLICANTS = 5000
STOCK = 10_000  # the council's homes, ADVERTS of them empty and advertised now
HISTORY_WEEKS = 52  # past cycles, each of which let ADVERTS homes
PAST_BIDS = 20  # bids each of those homes had
AREAS = ["Northgate", "Riverside", "Old Town"]


def seed(url: str, history_weeks: int = HISTORY_WEEKS) -> None:
    """An open cycle with ADVERTS homes anyone may bid for, APPLICANTS households with API tokens,
    and the rest of the stock with `history_weeks` past cycles.

    The history is there for the database's sake: with only this week's 300 adverts in it,
    PostgreSQL plans the bid checks as scans of whole tables, which costs more than the index
    lookups it makes on a council's real tables (0.5 ms against 0.2 ms a bid here).
    """
    upgrade(url)
    db = Database(url)
    now = datetime.now(timezone.utc)
    with db.transaction() as s:
        council = Organisation(code="ATC", name="Anytown Council", kind=OrganisationKind.COUNCIL)
        s.add(council)
        s.flush()
        cycle = Cycle(name="Bench", opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1),
                      status=CycleStatus.OPEN)
        s.add(cycle)
        s.flush()
        for n in range(ADVERTS):
            home = Property(landlord_id=council.id, reference=f"P{n}", address=f"{n} Road", postcode="AT1 1AA",
                            area=AREAS[n % 3], property_type=PropertyType.FLAT,
                            bedrooms=1 + n % 3, weekly_rent_pence=9000)
            s.add(home)
            s.flush()
            void = Void(property_id=home.id, tenancy_end_date=date.today())
            s.add(void)
            s.flush()
            s.add(Advert(reference=f"AD{n:05d}", cycle_id=cycle.id, void_id=void.id, property_id=home.id,
                         status=AdvertStatus.LIVE))
        s.execute(sa.insert(Applicant), [
            {"reference": f"HR{n:06d}", "status": ApplicationStatus.ACTIVE, "band": "ABCD"[n % 4],
             "band_date": date(2024, 1, 1) + timedelta(days=n % 700), "registration_date": date(2020, 1, 1),
             "bedroom_need": 1, "household_size": 1, "lead_date_of_birth": date(1980, 1, 1), "local_connection": [],
             "needs": [], "homeless_duty": False, "transfer_tenant": False, "housing_debt": False, "verified": True,
             "address": "", "postcode": "", "created_at": now}
            for n in range(APPLICANTS)])
        ids = s.execute(sa.select(Applicant.id).order_by(Applicant.id)).scalars().all()
        s.execute(sa.insert(ApiToken), [
            {"applicant_id": applicant_id, "token_hash": digest(f"bench-token-{n}"), "created_at": now,
             "expires_at": now + timedelta(days=1)} for n, applicant_id in enumerate(ids)])
        _seed_history(s, council.id, history_weeks, now)
    if db.dialect == "postgresql":  # statistics, as a database in service has them
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    db.dispose()


def _seed_history(s, landlord_id: int, weeks: int, now: datetime) -> None:  # noqa: ANN001
    """The rest of the stock, and `weeks` closed weekly cycles that each let ADVERTS of its homes,
    every one of them bid for by PAST_BIDS households."""
    rng = random.Random(11)
    homes = s.execute(sa.insert(Property).returning(Property.id, sort_by_parameter_order=True), [
        {"landlord_id": landlord_id, "reference": f"S{n:05d}", "uprn": None, "address": f"{n} Stock Street",
         "postcode": "AT1 1AA", "area": AREAS[n % 3], "property_type": PropertyType.FLAT, "bedrooms": 1 + n % 3,
         "floor": n % 4, "lift": False, "step_free": False, "wheelchair_adapted": False, "garden": n % 2 == 0,
         "sheltered": False, "weekly_rent_pence": 9000, "weekly_charges_pence": 0}
        for n in range(STOCK - ADVERTS)]).scalars().all()
    for week in range(1, weeks + 1):
        closes_at = now - timedelta(weeks=week)
        cycle_id = s.execute(sa.insert(Cycle).returning(Cycle.id), {
            "name": f"Week {week} ago", "opens_at": closes_at - timedelta(days=4), "closes_at": closes_at,
            "status": CycleStatus.CLOSED, "closed_at": closes_at, "close_report": None}).scalar_one()
        let = rng.sample(homes, ADVERTS)
        voids = s.execute(sa.insert(Void).returning(Void.id, sort_by_parameter_order=True), [
            {"property_id": home, "status": VoidStatus.LET, "first_let": False, "reason": "",
             "tenancy_end_date": (closes_at - timedelta(days=14)).date(), "logged_at": closes_at}
            for home in let]).scalars().all()
        s.execute(sa.insert(Advert), [
            {"reference": f"W{week:02d}-{n:03d}", "cycle_id": cycle_id, "void_id": void, "property_id": home,
             "status": AdvertStatus.LET, "description": "", "min_bedroom_need": None, "max_bedroom_need": None,
             "min_household": None, "max_household": None, "min_age": None, "step_free_only": False,
             "wheelchair_only": False, "transfer_only": False, "preference_groups": [], "agreement_id": None,
             "created_by_id": None, "created_at": closes_at}
            for n, (home, void) in enumerate(zip(let, voids))])
    # The bids in one statement: the k-th bidder on each past advert is an applicant spread
    # evenly by the advert's id (PAST_BIDS of them, all different).
    k = sa.union_all(*(sa.select(sa.literal(n).label("k")) for n in range(PAST_BIDS))).subquery()
    first, count = s.execute(sa.select(sa.func.min(Applicant.id), sa.func.count(Applicant.id))).one()
    past = Advert.__table__.alias("past")
    s.execute(sa.insert(Bid).from_select(
        ["advert_id", "applicant_id", "cycle_id", "status", "preference", "placed_at", "placed_by"],
        sa.select(past.c.id, first + (past.c.id * 37 + k.c.k * (count // PAST_BIDS)) % count, past.c.cycle_id,
                  sa.literal(BidStatus.ACTIVE.value), 1 + k.c.k % 3, Cycle.opens_at, sa.literal("applicant"))
        .select_from(past).join(Cycle, Cycle.id == past.c.cycle_id).join(k, sa.true())
        .where(past.c.status == AdvertStatus.LET.value)))


@contextmanager
def server(url: str, workers: int):
    """The site as deployed: `cbl serve --workers N` on a free port, stopped afterwards."""
    port = throwaway.free_port()
    env = {**os.environ, "CBL_DATABASE_URL": url, "CBL_SECRET_KEY": "bench" * 10, "CBL_HOST": "127.0.0.1",
           "CBL_PORT": str(port)}
    process = subprocess.Popen([sys.executable, "-m", "cbl", "serve", "--workers", str(workers)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_workers(base, workers, process)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=40)


def _wait_for_workers(base: str, workers: int, process: subprocess.Popen) -> None:
    """Until the site answers, and a moment more for every worker to be listening."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server stopped: {process.stderr.read()[-2000:]}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                time.sleep(1 + workers * 0.5)
                return
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not start: {process.stderr.read()[-2000:]}")


class Tally:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.last_action: dict[int, str] = {}  # bid id -> "placed" | "withdrawn", as answered

    def record(self, endpoint: str, status: int, seconds: float) -> None:
        self.latency[endpoint].append(seconds)
        self.statuses[endpoint][status] += 1


class Client:
    """One connection acting for its own share of the households, so its withdrawals find its bids."""

    def __init__(self, n: int, clients: int, rate: float | None) -> None:
        self.rng = random.Random(n)
        self.share = range(n * APPLICANTS // clients, (n + 1) * APPLICANTS // clients)
        self.bids: dict[int, list[int]] = defaultdict(list)  # household -> its bids still active
        self.mean_gap = clients / rate if rate else None  # seconds between this client's requests
        self.due = time.perf_counter()

    async def next_start(self) -> float:
        """When the next request starts: at once (as fast as the server answers), or, at a set rate,
        at its time in a Poisson schedule. A request the server is too busy to take on time counts
        its wait in its latency (no coordinated omission)."""
        if self.mean_gap is None:
            return time.perf_counter()
        self.due += self.rng.expovariate(1 / self.mean_gap)
        if (wait := self.due - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        return self.due


async def applicant_client(connection: Connection, tally: Tally, stop: float, me: Client) -> None:
    rng, share, mine = me.rng, me.share, me.bids
    while time.monotonic() < stop:
        started = await me.next_start()
        who = rng.choice(share)
        token = f"bench-token-{who}"
        roll = rng.random()
        if roll < 0.5:
            answer = await connection.request("POST", "/api/v1/me/bids", {"advert": f"AD{rng.randrange(ADVERTS):05d}"},
                                              token)
            endpoint = "POST /me/bids"
            if answer.status == 201:
                bid_id = answer.json()["id"]
                tally.last_action[bid_id] = "placed"
                mine[who].append(bid_id)
        elif roll < 0.65 and mine[who]:
            bid_id = mine[who].pop(rng.randrange(len(mine[who])))
            answer = await connection.request("DELETE", f"/api/v1/me/bids/{bid_id}", token=token)
            endpoint = "DELETE /me/bids/{id}"
            if answer.status == 200:
                tally.last_action[bid_id] = "withdrawn"
        elif roll < 0.85:
            answer = await connection.request("GET", f"/api/v1/adverts?page={rng.randint(1, 5)}")
            endpoint = "GET /adverts"
        else:
            answer = await connection.request("GET", "/api/v1/me/bids", token=token)
            endpoint = "GET /me/bids"
        tally.record(endpoint, answer.status, time.perf_counter() - started)


async def load(base: str, clients: int, seconds: float, rate: float | None = None,
               warm_up: float = 3.0, meter: CpuMeter | None = None) -> tuple[Tally, float]:
    """CLIENTS at once for SECONDS, each as fast as it is answered or, with RATE, at RATE requests
    a second in all; after WARM_UP seconds of the same load that are not counted (connections
    opened, statements prepared, caches filled: as on a server that has been up)."""
    host, port = base.removeprefix("http://").split(":")
    connections = [await Connection.open(host, int(port)) for _ in range(clients)]
    try:
        households = [Client(n, clients, rate) for n in range(clients)]
        warming = Tally()
        await asyncio.gather(*(applicant_client(connection, warming, time.monotonic() + warm_up, me)
                               for connection, me in zip(connections, households)))
        tally = Tally()
        tally.last_action.update(warming.last_action)
        if meter:
            meter.start()
        started = time.monotonic()
        await asyncio.gather(*(applicant_client(connection, tally, started + seconds, me)
                               for connection, me in zip(connections, households)))
        elapsed = time.monotonic() - started
        if meter:
            meter.stop()
        return tally, elapsed
    finally:
        for connection in connections:
            connection.close()


def verify(url: str, tally: Tally) -> tuple[int, int, bool]:
    db = Database(url)
    with db.reading() as s:
        stored = dict(s.execute(sa.select(Bid.id, Bid.status).join(Cycle, Cycle.id == Bid.cycle_id)
                                .where(Cycle.status == CycleStatus.OPEN)).all())
    db.dispose()
    expected_active = {i for i, action in tally.last_action.items() if action == "placed"}
    stored_active = {i for i, status in stored.items() if status == BidStatus.ACTIVE}
    return len(expected_active), len(stored_active), expected_active == stored_active


def report(kind: str, tally: Tally, elapsed: float, clients: int, workers: int, rate: float | None,
           check: tuple[int, int, bool], meter: CpuMeter) -> None:
    pace = f"{rate:.0f} requests/s offered" if rate else "each as fast as answered"
    print(f"\n{kind}: {clients} clients ({pace}), {workers} server workers, {elapsed:.1f} s")
    print(f"  {'endpoint':<24}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}  statuses")
    def row(name: str, latencies: list[float], statuses: str) -> None:
        ordered = sorted(latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(f"  {name:<24}{len(ordered):>9}{len(ordered) / elapsed:>8.0f}"
              f"{statistics.median(ordered) * 1000:>8.1f}{p99 * 1000:>8.1f}  {statuses}")

    for endpoint, latencies in sorted(tally.latency.items()):
        row(endpoint, latencies, ", ".join(f"{code}: {n}" for code, n in sorted(tally.statuses[endpoint].items())))
    row("all requests", [x for values in tally.latency.values() for x in values], "")
    accepted = tally.statuses["POST /me/bids"].get(201, 0)
    print(f"  bids accepted: {accepted / elapsed:.0f}/s")
    expected, stored, same = check
    print(f"  stored bids: {stored} active, answered as accepted and not withdrawn: {expected} -> "
          f"{'no bid lost' if same else 'MISMATCH'}")
    print(f"  {meter.per_request(sum(len(values) for values in tally.latency.values()))}")


def close_benchmark(kind: str, applicants: int) -> None:
    """Time one cycle close through the database: load the bids, rank, allocate, store shortlists."""
    from cbl.rules.scheme import load_scheme
    from cbl.services.actors import SYSTEM
    from cbl.services.cycles import close_cycle
    from cbl.settings import DEFAULT_SCHEME

    global APPLICANTS
    APPLICANTS = applicants
    with throwaway.database(kind, prefix="cbl_bench") as url:
        seed(url, history_weeks=0)
        db = Database(url)
        rng = random.Random(7)
        with db.transaction() as s:
            adverts = s.execute(sa.select(Advert.id)).scalars().all()
            cycle_id = s.execute(sa.select(Cycle.id)).scalar_one()
            now = datetime.now(timezone.utc)
            rows = [{"advert_id": advert, "applicant_id": applicant, "cycle_id": cycle_id, "status": "active",
                     "preference": preference, "placed_at": now, "placed_by": "applicant"}
                    for applicant in s.execute(sa.select(Applicant.id)).scalars()
                    for preference, advert in enumerate(rng.sample(adverts, 3), start=1)]
            s.connection().execute(Bid.__table__.insert(), rows)
        started = time.perf_counter()
        db.run(close_cycle, SYSTEM, load_scheme(DEFAULT_SCHEME), cycle_id, now + timedelta(days=2))
        elapsed = time.perf_counter() - started
        with db.reading() as s:
            report_ = s.get(Cycle, cycle_id).close_report
        db.dispose()
    print(f"{kind}: closed a cycle of {ADVERTS} adverts, {applicants:,} applicants, {len(rows):,} bids in "
          f"{elapsed:.1f} s (engine {report_['timings'].get('total', 0):.1f} s, {report_['proposed_lets']} lets "
          f"proposed, status {report_['engine_status']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, metavar="REQUESTS_PER_SECOND",
                        help="send this many requests a second in all (Poisson arrivals) instead of as fast as "
                             "answered; latency then counts from each request's due time")
    parser.add_argument("--history", type=int, default=HISTORY_WEEKS, metavar="WEEKS",
                        help=f"past weekly cycles in the database, with their lets and bids (default {HISTORY_WEEKS})")
    parser.add_argument("--close", type=int, metavar="APPLICANTS",
                        help="instead, time one cycle close with this many applicants bidding 3 times each")
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    ok = True
    for kind in kinds:
        if kind == "postgresql" and not throwaway.postgres_reachable():
            print(f"postgresql: skipped, nothing answers at {throwaway.ADMIN_URL}")
            continue
        if args.close:
            close_benchmark(kind, args.close)
            continue
        with throwaway.database(kind, prefix="cbl_bench") as url:
            seed(url, args.history)
            # This machine's speed drifts (a shared host): measured on each side of the run.
            speed_before = python_speed()
            with server(url, args.workers) as (base, server_pid):
                meter = CpuMeter(server_pid)
                tally, elapsed = asyncio.run(load(base, args.clients, args.seconds, args.rate, meter=meter))
            check = verify(url, tally)
            report(kind, tally, elapsed, args.clients, args.workers, args.rate, check, meter)
            print(f"  machine: 10^7 Python additions in {speed_before:.2f} s before the run, "
                  f"{python_speed():.2f} s after")
            ok = ok and check[2]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
