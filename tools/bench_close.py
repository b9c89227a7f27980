"""Time one cycle close through the database: `python -m tools.bench_close [--applicants 50000]`.

On the bidding benchmark's council (tools.bench_bids) with no history: every applicant bids three
times, then the close loads the bids, ranks them, allocates and stores the shortlists.
"""

import argparse
import random
import sys
import time
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from cbl.database import Database
from cbl.models import Advert, Applicant, Bid, Cycle
from tests.support import databases as throwaway
from tools import bench_bids


def close_benchmark(kind: str, applicants: int) -> None:
    """Time one cycle close through the database: load the bids, rank, allocate, store shortlists."""
    from cbl.rules.scheme import load_scheme
    from cbl.services.actors import SYSTEM
    from cbl.services.cycles import close_cycle
    from cbl.settings import DEFAULT_SCHEME

    with throwaway.database(kind, prefix="cbl_bench") as url:
        bench_bids.seed(url, history_weeks=0, applicants=applicants)
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
    print(f"{kind}: closed a cycle of {bench_bids.ADVERTS} adverts, {applicants:,} applicants, {len(rows):,} bids in "
          f"{elapsed:.1f} s (engine {report_['timings'].get('total', 0):.1f} s, {report_['proposed_lets']} lets "
          f"proposed, status {report_['engine_status']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--applicants", type=int, default=50_000)
    args = parser.parse_args(argv)
    for kind in ["sqlite", "postgresql"] if args.database == "both" else [args.database]:
        if kind == "postgresql" and not throwaway.postgres_reachable():
            print(f"postgresql: skipped, nothing answers at {throwaway.ADMIN_URL}")
            continue
        close_benchmark(kind, args.applicants)
    return 0


if __name__ == "__main__":
    sys.exit(main())
