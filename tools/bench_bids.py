"""Bidding through the API at a council's peak: `python -m tools.bench_bids`.

Starts `cbl serve` on a fresh database (SQLite file, and PostgreSQL when one answers), fills it as a
council's database in service (its stock of homes, a year of weekly cycles already let with their
bids, and an open cycle), then sends RATE requests a second for SECONDS with httpx: half of them
bids, the rest withdrawals, the adverts list and live positions. Prints p50/p95/p99 per endpoint,
then checks that every bid answered as accepted in the open cycle is stored (and nothing else is).

    python -m tools.bench_bids [--database sqlite|postgresql|both] [--rate 40] [--seconds 20] [--workers 2]
                               [--history 52]
"""

import argparse
import asyncio
import random
import sys
from datetime import date, datetime, timedelta, timezone

import httpx
import sqlalchemy as sa

from tests.support import databases as throwaway
from tools import load
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


def seed(url: str, history_weeks: int = HISTORY_WEEKS, applicants: int = APPLICANTS, adverts: int = ADVERTS) -> None:
    """An open cycle with `adverts` homes anyone may bid for, `applicants` households with API tokens, and
    the rest of the stock with `history_weeks` past cycles.

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
        for n in range(adverts):
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
            for n in range(applicants)])
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
            for n, (home, void) in enumerate(zip(let, voids, strict=True))])
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


class Bidders:
    """Households bidding, withdrawing and looking, one request per call; remembers what it was told."""

    def __init__(self, base: str) -> None:
        self.rng = random.Random(9)
        self.client = httpx.AsyncClient(base_url=base, timeout=60)
        self.bids: dict[int, list[int]] = {}  # household -> its bids still active, as answered
        self.last_action: dict[int, str] = {}  # bid id -> "placed" | "withdrawn", as answered

    async def send(self) -> tuple[str, int]:
        rng = self.rng
        who = rng.randrange(APPLICANTS)
        token = {"authorization": f"Bearer bench-token-{who}"}
        mine = self.bids.setdefault(who, [])
        roll = rng.random()
        if roll < 0.5:
            answer = await self.client.post("/api/v1/me/bids", json={"advert": f"AD{rng.randrange(ADVERTS):05d}"},
                                            headers=token)
            if answer.status_code == 201:
                self.last_action[answer.json()["id"]] = "placed"
                mine.append(answer.json()["id"])
            return "POST /me/bids", answer.status_code
        if roll < 0.65 and mine:
            bid_id = mine.pop(rng.randrange(len(mine)))
            answer = await self.client.delete(f"/api/v1/me/bids/{bid_id}", headers=token)
            if answer.status_code == 200:
                self.last_action[bid_id] = "withdrawn"
            return "DELETE /me/bids/{id}", answer.status_code
        if roll < 0.85:
            answer = await self.client.get(f"/api/v1/adverts?page={rng.randint(1, 5)}")
            return "GET /adverts", answer.status_code
        answer = await self.client.get("/api/v1/me/bids", headers=token)
        return "GET /me/bids", answer.status_code


async def bidding(base: str, rate: float, seconds: float) -> tuple[load.Tally, Bidders]:
    bidders = Bidders(base)
    await load.at_rate(bidders.send, rate, 3, load.Tally())  # warm up: connections opened, statements prepared
    tally = load.Tally()
    await load.at_rate(bidders.send, rate, seconds, tally, seed=2)
    await bidders.client.aclose()
    return tally, bidders


def verify(url: str, bidders: Bidders) -> tuple[int, int, bool]:
    db = Database(url)
    with db.reading() as s:
        stored: dict[int, BidStatus] = dict(s.execute(
            sa.select(Bid.id, Bid.status).join(Cycle, Cycle.id == Bid.cycle_id)
            .where(Cycle.status == CycleStatus.OPEN)).all())
    db.dispose()
    expected_active = {i for i, action in bidders.last_action.items() if action == "placed"}
    stored_active = {i for i, status in stored.items() if status == BidStatus.ACTIVE}
    return len(expected_active), len(stored_active), expected_active == stored_active


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rate", type=float, default=40, help="requests a second, half of them bids (default 40)")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--history", type=int, default=HISTORY_WEEKS, metavar="WEEKS",
                        help=f"past weekly cycles in the database, with their lets and bids (default {HISTORY_WEEKS})")
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    ok = True
    for kind in kinds:
        if kind == "postgresql" and not throwaway.postgres_reachable():
            print(f"postgresql: skipped, nothing answers at {throwaway.ADMIN_URL}")
            continue
        with throwaway.database(kind, prefix="cbl_bench") as url:
            seed(url, args.history)
            with load.server(url, args.workers) as base:
                tally, bidders = asyncio.run(bidding(base, args.rate, args.seconds))
            expected, stored, same = verify(url, bidders)
        print(f"\n{kind}: {args.rate:g} requests a second for {args.seconds:g} s, `cbl serve --workers {args.workers}`")
        load.print_table(tally, args.seconds)
        print(f"  bids accepted: {tally.statuses['POST /me/bids'].get(201, 0) / args.seconds:.1f}/s")
        print(f"  stored bids: {stored} active, answered as accepted and not withdrawn: {expected} -> "
              f"{'no bid lost' if same else 'MISMATCH'}")
        ok = ok and same
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
