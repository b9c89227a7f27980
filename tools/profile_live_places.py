"""Time "My bids" queue places, one view at a time: `python -m tools.profile_live_places --url URL`.

For households with bids in the open cycle (those tools.bench_pages signs in, by default) it times
what the page reads, `queries.account.bids` (the live places, with their adverts' cards) and
`queries.account.past_bids`, in a read session as the page opens one, and prints per-view milliseconds:

- cold: the memos of households and rankings emptied before each view (a process just started,
  or every advert's bids changed since);
- a rival changed (--touch): before each view another household bidding on one of its adverts is
  updated (its row version moves, as with a band change), so that advert is ranked again from the
  memoised households and the one read again;
- warm: nothing changed since the last view.

    python -m tools.profile_live_places --url postgresql://postgres@127.0.0.1:5432/NAME [--views 30]
                                        [--households 10] [--touch] [--spread] [--memory] [--profile cold|warm|random]
    python -m tools.profile_live_places --seed 150000 [--adverts 1500] [--database postgresql] ...

--seed N makes a throwaway database as the close bench's (tools.bench_close): N households, each with
three bids in the open cycle of --adverts adverts (150,000 and 1,500: the largest scheme's cycle, 450,000
bids, 300 an advert); the households viewed are drawn at random from them.

--spread also times views by households drawn at random from every household with bids (--households
2000 of them by default there), each seen once, with the memos as the views before left them: the
memos, bounded, hold only part of a cycle that large.

--memory also fills the memos with every advert of the open cycle and prints what a household and a
ranked bid take (the figures in services/live_rankings.py).

Reads only, except with --touch (a row updated with its own values: only its row version changes).
"""

import argparse
import cProfile
import gc
import pstats
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime, timezone

import sqlalchemy as sa

from cbl.database import Database
from cbl.models import Advert, Applicant, Bid, Cycle
from cbl.models.states import BidStatus, CycleStatus
from cbl.queries import account
from cbl.rules.scheme import load_scheme
from cbl.services import bidding, live_rankings
from cbl.settings import DEFAULT_SCHEME
from tests.support import databases as throwaway
from tools import bench_bids, bench_close


def random_households(db: Database, count: int, seed: int = 5) -> list[int]:
    """`count` households with bids in the open cycle, drawn at random (the same ones each run)."""
    with db.reading() as s:
        bidders = sorted(s.execute(sa.select(Bid.applicant_id).distinct().join(Cycle, Cycle.id == Bid.cycle_id)
                                   .where(Cycle.status == CycleStatus.OPEN, Bid.status == BidStatus.ACTIVE))
                         .scalars())
    return random.Random(seed).sample(bidders, min(count, len(bidders)))


def bench_households(db: Database, count: int) -> list[int]:
    """The households tools.bench_pages signs in (the first with a password after HR002000) that have
    bids in the open cycle."""
    with db.reading() as s:
        open_bids = (sa.select(Bid.applicant_id).join(Cycle, Cycle.id == Bid.cycle_id)
                     .where(Cycle.status == CycleStatus.OPEN, Bid.status == BidStatus.ACTIVE))
        return list(s.execute(sa.select(Applicant.id).where(
            Applicant.password_hash.is_not(None), Applicant.reference > "HR002000", Applicant.id.in_(open_bids))
            .order_by(Applicant.id).limit(count)).scalars())


class Views:
    """The households' "My bids" views in turn, and what may happen before each."""

    def __init__(self, db: Database, applicant_ids: list[int]) -> None:
        self.db, self.scheme, self.turn = db, load_scheme(DEFAULT_SCHEME), 0
        with db.reading() as s:
            self.applicants = [s.get(Applicant, applicant_id) for applicant_id in applicant_ids]
            # For each household, other households bidding on one of its adverts.
            self.others = [list(s.execute(sa.select(Bid.applicant_id).where(
                Bid.advert_id.in_(sa.select(Bid.advert_id).where(Bid.applicant_id == applicant_id,
                                                                 Bid.status == BidStatus.ACTIVE)),
                Bid.status == BidStatus.ACTIVE, Bid.applicant_id != applicant_id).limit(100)).scalars())
                for applicant_id in applicant_ids]

    def view(self) -> None:
        applicant = self.applicants[self.turn % len(self.applicants)]
        self.turn += 1
        at = datetime.now(timezone.utc)
        with self.db.reading() as session:
            account.bids(session, self.scheme, applicant, at)
            account.past_bids(session, self.scheme, applicant.id, at)

    def touch_a_rival(self) -> None:
        """Another household bidding on an advert of the next household to view changes (a Core update
        with its own values, as a band change would): its row version moves, so that advert's ranking
        is made again."""
        others = self.others[self.turn % len(self.applicants)]
        with self.db.transaction() as s:
            s.execute(sa.update(Applicant).where(Applicant.id == others[self.turn % len(others)])
                      .values(band=Applicant.band))

    def timed(self, views: int, before: Callable[[], None]) -> tuple[list[float], list[float]]:
        """Each view's wall-clock and CPU milliseconds (this process's CPU time is less disturbed by
        others' work on a shared machine)."""
        wall, cpu = [], []
        for _ in range(views):
            before()
            started, started_cpu = time.perf_counter(), time.process_time()
            self.view()
            cpu.append((time.process_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        return wall, cpu

    def warm_up(self) -> None:
        for _ in self.applicants:
            self.view()


def memory(db: Database) -> str:
    """What the memos hold for every advert of the open cycle, measured with tracemalloc: the bytes
    a household's record takes, and a ranked bid, the keys and the caches' book-keeping included."""
    scheme = load_scheme(DEFAULT_SCHEME)
    with db.reading() as s:
        advert_ids = list(s.execute(sa.select(Advert.id).join(Cycle, Cycle.id == Advert.cycle_id)
                                    .where(Cycle.status == CycleStatus.OPEN)).scalars())
    live_rankings.forget()
    gc.collect()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    with db.reading() as s:
        bids = sum(len(entries) for entries in bidding.rankings(s, scheme, advert_ids, datetime.now(timezone.utc))
                   .values())
    gc.collect()
    both = tracemalloc.get_traced_memory()[0] - start
    with db.engine.connect() as connection:
        memos = live_rankings.memos_of(connection)
    households = len(memos.households)
    memos.rankings.clear()
    gc.collect()
    records = tracemalloc.get_traced_memory()[0] - start
    tracemalloc.stop()
    return (f"memos for {len(advert_ids)} adverts: {households:,} households {records / 1e6:.1f} MB "
            f"({records / households:.0f} B each), {bids:,} ranked bids {(both - records) / 1e6:.1f} MB "
            f"({(both - records) / bids:.0f} B each)")


def summary(name: str, times: tuple[list[float], list[float]]) -> str:
    wall, cpu = times
    ordered = sorted(wall)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (f"{name:<16} views {len(wall):>4}  median {statistics.median(wall):7.1f} ms  p95 {p95:7.1f} ms  "
            f"max {max(wall):7.1f} ms  CPU median {statistics.median(cpu):6.1f} ms")


def measure(db: Database, households: list[int], args: argparse.Namespace) -> None:
    views = Views(db, households)
    views.view()  # statements compiled, connection opened
    profiler = cProfile.Profile()
    with profiler if args.profile == "cold" else nullcontext():
        results = [summary("cold", views.timed(args.views, live_rankings.forget))]
    if args.touch:
        views.warm_up()
        results.append(summary("a rival changed", views.timed(args.views, views.touch_a_rival)))
    views.warm_up()
    with profiler if args.profile == "warm" else nullcontext():
        results.append(summary("warm", views.timed(args.views, lambda: None)))
    if args.spread:
        # Every household once to fill the memos as a busy site would, then every one again, timed.
        spread = Views(db, random_households(db, args.spread))
        spread.warm_up()
        with profiler if args.profile == "random" else nullcontext():
            results.append(summary(f"{len(spread.applicants)} at random",
                                   spread.timed(len(spread.applicants), lambda: None)))
    with db.reading() as s:
        open_bids = s.execute(sa.select(sa.func.count()).select_from(Bid).join(Cycle, Cycle.id == Bid.cycle_id)
                              .where(Cycle.status == CycleStatus.OPEN, Bid.status == BidStatus.ACTIVE)).scalar_one()
    print(f"My bids, {len(households)} households, {open_bids:,} bids in the open cycle, {db.dialect}:")
    print("\n".join(results))
    if args.memory:
        print(memory(db))
    if args.profile:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a database seeded by tools.bench_pages (tools.council)")
    where.add_argument("--seed", type=int, metavar="HOUSEHOLDS", help="a throwaway database as the close bench's")
    parser.add_argument("--adverts", type=int, default=1500, help="with --seed: adverts in the open cycle (1,500)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql", help="with --seed")
    parser.add_argument("--households", type=int, default=10)
    parser.add_argument("--views", type=int, default=30, help="views of each kind (default 30)")
    parser.add_argument("--touch", action="store_true", help="also time views after a rival's row changed")
    parser.add_argument("--spread", type=int, nargs="?", const=2000, metavar="HOUSEHOLDS",
                        help="also time views by households drawn at random (2,000 unless told)")
    parser.add_argument("--memory", action="store_true", help="also measure the memos' memory")
    parser.add_argument("--profile", choices=["cold", "warm", "random"],
                        help="print the top of a profile of these views (random: with --spread)")
    args = parser.parse_args(argv)
    if args.url:
        db = Database(args.url)
        # The page bench's households, or on another database (--seed's kept) any bidding households.
        households = bench_households(db, args.households) or random_households(db, args.households, seed=3)
        if not households:
            print("no household has bids in the open cycle", file=sys.stderr)
            return 1
        measure(db, households, args)
        db.dispose()
        return 0
    with throwaway.database(args.database, prefix="cbl_bench") as url:
        bench_bids.seed(url, history_weeks=0, applicants=args.seed, adverts=args.adverts)
        db = Database(url)
        with db.reading() as s:
            cycle_id = s.execute(sa.select(Cycle.id)).scalar_one()
        bench_close.seed_bids(db, cycle_id, datetime.now(timezone.utc))
        measure(db, random_households(db, args.households, seed=3), args)
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
