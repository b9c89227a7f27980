"""Time the equality monitoring report: `python -m tools.bench_equality [--applicants 150000] [--database sqlite]`.

On the bidding benchmark's council (tools.bench_bids, no history): three households in four have answered
the equality questions, and every household has bid three times in this week's cycle. Times the whole report
(every stage's query, the suppression and the tables) for the financial year.
"""

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from cbl.database import Database
from cbl.models import Advert, Applicant, Bid, Cycle, EqualityAnswers
from cbl.models.states import ActorKind, StaffRole
from cbl.reports.equality import equality_report
from cbl.rules.equality_categories import QUESTIONS
from cbl.rules.reporting_periods import financial_year
from cbl.services.actors import Actor
from tests.support import databases as throwaway
from tools import bench_bids

MANAGER = Actor(ActorKind.STAFF, None, "bench", StaffRole.MANAGER)


def _fill(db: Database, rng: random.Random) -> int:
    """Answers, dates of birth and bids for the seeded households; the number of bids."""
    now = datetime.now(timezone.utc)
    with db.transaction() as s:
        adverts = s.execute(sa.select(Advert.id)).scalars().all()
        cycle_id = s.execute(sa.select(Cycle.id)).scalar_one()
        households = s.execute(sa.select(Applicant.id)).scalars().all()
        s.connection().execute(
            sa.update(Applicant).where(Applicant.id == sa.bindparam("household"))
            .values(lead_date_of_birth=sa.bindparam("born")),
            [{"household": household, "born": date(1940, 1, 1) + timedelta(days=rng.randint(0, 22000))}
             for household in households])
        s.connection().execute(EqualityAnswers.__table__.insert(), [
            {"applicant_id": household, "source": "online", "answered_at": now,
             **{question.key: rng.choice(question.answers)[0] for question in QUESTIONS}}
            for household in households if rng.random() < 0.75])
        bids = [{"advert_id": advert, "applicant_id": household, "cycle_id": cycle_id, "status": "active",
                 "preference": preference, "placed_at": now, "placed_by": "applicant"}
                for household in households for preference, advert in enumerate(rng.sample(adverts, 3), start=1)]
        s.connection().execute(Bid.__table__.insert(), bids)
    return len(bids)


def equality_benchmark(kind: str, applicants: int) -> None:
    with throwaway.database(kind, prefix="cbl_bench") as url:
        bench_bids.seed(url, history_weeks=0, applicants=applicants)
        db = Database(url)
        bids = _fill(db, random.Random(7))
        period = financial_year(date.today())
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            with db.reading() as s:
                equality_report(s, MANAGER, *period)
            timings.append(time.perf_counter() - started)
        db.dispose()
    print(f"{kind}: the equality report over {applicants:,} households and {bids:,} bids in "
          f"{min(timings):.2f} s (best of 3; {', '.join(f'{t:.2f}' for t in timings)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--applicants", type=int, default=150_000)
    args = parser.parse_args(argv)
    for kind in ["sqlite", "postgresql"] if args.database == "both" else [args.database]:
        if kind == "postgresql" and not throwaway.postgres_reachable():
            print(f"postgresql: skipped, nothing answers at {throwaway.ADMIN_URL}")
            continue
        equality_benchmark(kind, args.applicants)
    return 0


if __name__ == "__main__":
    sys.exit(main())
