"""Time the audit trail's reads on a large trail: `python -m tools.bench_audit_trail [--events 1000000]
[--database postgresql]`.

Fills a throwaway database with events like a council's years of them (most by households bidding, the rest by
staff and the scheduler, across 3 years), then times what /admin/audit and /admin/audit.csv run: the lists the
filters offer, a page with each filter, a page deep in the list, and writing a CSV of the largest file allowed.
"""

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from cbl.database import Database, upgrade
from cbl.models import AuditEvent
from cbl.models.states import ActorKind
from cbl.queries import audit_trail
from cbl.queries.audit_trail import Filters
from cbl.reports.csv_files import csv_chunks
from tests.support import databases as throwaway

STAFF = 40
HOUSEHOLDS = 150_000
ACTIONS = {"bid.placed": 60, "bid.withdrawn": 8, "signed_in": 10, "shortlist.verified": 5, "case.note": 5,
           "band.set": 4, "offer.made": 2, "letter.issued": 4, "cycle.closed": 1, "void.logged": 1}
TABLES = {"bid.placed": "bid", "bid.withdrawn": "bid", "signed_in": "staff_user", "shortlist.verified":
          "shortlist_entry", "case.note": "case_note", "band.set": "applicant", "offer.made": "offer",
          "letter.issued": "outbox_message", "cycle.closed": "cycle", "void.logged": "void"}


def fill(url: str, events: int) -> None:
    """`events` events over three years, in batches (Core inserts: the trail is append-only)."""
    rng = random.Random(24)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    span = 3 * 365 * 24 * 3600
    actions, weights = list(ACTIONS), list(ACTIONS.values())
    db = Database(url)
    try:
        done = 0
        while done < events:
            batch = []
            for _ in range(min(20_000, events - done)):
                action = rng.choices(actions, weights)[0]
                household = action.startswith("bid.")
                kind = ActorKind.APPLICANT if household else (
                    ActorKind.SYSTEM if action == "cycle.closed" else ActorKind.STAFF)
                actor = rng.randrange(1, HOUSEHOLDS) if household else (
                    None if kind is ActorKind.SYSTEM else rng.randrange(1, STAFF))
                batch.append({"at": start + timedelta(seconds=rng.randrange(span)), "actor_kind": kind,
                              "actor_id": actor, "actor_name": f"{kind.value} {actor}", "action": action,
                              "subject_type": TABLES[action], "subject_id": rng.randrange(1, 1_000_000),
                              "applicant_id": None, "details": {"note": "seeded"}})
            with db.transaction() as s:
                s.connection().execute(sa.insert(AuditEvent), batch)
            done += len(batch)
        with db.transaction() as s:
            if db.dialect == "postgresql":
                s.execute(sa.text("ANALYZE audit_event"))
    finally:
        db.dispose()


def timed(label: str, work: Callable[[], object], repeats: int = 3) -> None:
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - began)
    print(f"  {label:<52} {best * 1000:8.1f} ms  ({result})")


def bench(kind: str, events: int) -> None:
    with throwaway.database(kind, prefix="cbl_bench") as url:
        upgrade(url)
        began = time.perf_counter()
        fill(url, events)
        print(f"{kind}: {events:,} events written in {time.perf_counter() - began:.0f} s")
        db = Database(url)
        try:
            with db.reading() as s:
                timed("actions on the filter's list", lambda: len(audit_trail.actions(s)))
                timed("kinds of record on the filter's list", lambda: len(audit_trail.record_types(s)))
                pages = {
                    "page 1, no filter": (Filters(), 1),
                    "page 1, one member of staff": (Filters(actor_kind=ActorKind.STAFF, actor_id=7), 1),
                    "page 1, the system": (Filters(actor_kind=ActorKind.SYSTEM), 1),
                    "page 1, one action (offer.made)": (Filters(action="offer.made"), 1),
                    "page 1, one record (cycle 500000)": (Filters(subject_type="cycle", subject_id=500_000), 1),
                    "page 1, one kind of record (case_note)": (Filters(subject_type="case_note"), 1),
                    "page 1, one month": (Filters(start=date(2025, 3, 1), end=date(2025, 3, 31)), 1),
                    "page 1, a member of staff in one month": (Filters(actor_kind=ActorKind.STAFF, actor_id=7,
                                                                       start=date(2025, 3, 1),
                                                                       end=date(2025, 3, 31)), 1),
                    "page 200 (the last counted), no filter": (Filters(), 200),
                }
                for label, (filters, number) in pages.items():
                    timed(label, lambda f=filters, n=number: len(audit_trail.page(s, f, n).page.rows))

            def csv_file() -> tuple[int, int]:
                snapshot = db.open_snapshot()
                try:
                    filters = Filters(start=date(2025, 1, 1), end=date(2025, 1, 31))
                    counted = audit_trail.csv_count(snapshot, filters)
                    written = sum(len(chunk) for chunk in csv_chunks(audit_trail.csv_rows(snapshot, filters)))
                    return counted, written
                finally:
                    snapshot.close()

            timed("CSV of one month: count, then every row written", csv_file, repeats=1)
        finally:
            db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="postgresql")
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    for kind in ["sqlite", "postgresql"] if args.database == "both" else [args.database]:
        if kind == "postgresql" and not throwaway.postgres_reachable():
            print(f"postgresql: skipped, nothing answers at {throwaway.ADMIN_URL}")
            continue
        bench(kind, args.events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
