"""Helpers for the fault tests: a deterministic cycle full of bids, and a close run in its own process
(so that it can be killed with SIGKILL in the middle)."""

import random
import sys
from datetime import timedelta

from sqlmodel import select

from cbl.database import Database
from cbl.models import Advert, Applicant, Bid, Cycle, ShortlistEntry
from cbl.models.states import BidPlacedBy
from tests.support.factories import add_applicant, make_world

APPLICANTS, ADVERTS = 400, 20


def prepare(db: Database, scheme) -> int:
    """The same cycle every time: 20 adverts, 400 households, 1,200 bids. Returns the cycle id."""
    rng = random.Random(7)
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=ADVERTS)
        references = [f"HR{n:06d}" for n in range(1, APPLICANTS + 1)]
        for reference in references:
            add_applicant(s, scheme, world, reference, band=rng.choice("ABCD"), children=rng.choice([0, 0, 1, 2]))
        adverts = {a.reference: a.id for a in s.exec(select(Advert))}
        for reference in references:
            for preference, advert in enumerate(rng.sample(sorted(adverts), 3), start=1):
                s.add(Bid(advert_id=adverts[advert], applicant_id=world.applicants[reference], cycle_id=world.cycle,
                          preference=preference, placed_by=BidPlacedBy.APPLICANT))
        return world.cycle


def shortlists(db: Database) -> list[tuple]:
    with db.reading() as s:
        return [tuple(row) for row in s.exec(
            select(Advert.reference, Applicant.reference, ShortlistEntry.position, ShortlistEntry.eligible,
                   ShortlistEntry.proposed, ShortlistEntry.explanation)
            .join(Advert, Advert.id == ShortlistEntry.advert_id)
            .join(Applicant, Applicant.id == ShortlistEntry.applicant_id)
            .order_by(Advert.reference, ShortlistEntry.eligible.desc(), ShortlistEntry.position, Applicant.reference))]


def close_time(db: Database, cycle_id: int):
    with db.reading() as s:
        return s.get(Cycle, cycle_id).closes_at + timedelta(minutes=1)


if __name__ == "__main__":
    # python -m tests.faults.closing URL CYCLE_ID: close the cycle, saying when the close starts.
    from cbl.rules.scheme import load_scheme
    from cbl.services.actors import SYSTEM
    from cbl.services.cycles import close_cycle
    from cbl.settings import load_settings

    import time

    import matching

    url, cycle_id = sys.argv[1], int(sys.argv[2])
    database = Database(url)
    scheme = load_scheme(load_settings({}).scheme_path)

    solve = matching.solve

    def slow_solve(instance, **kwargs):
        """The engine, announcing itself and taking its time, so the kill lands inside the close."""
        result = solve(instance, **kwargs)
        print("ranked", flush=True)
        time.sleep(30)
        return result

    matching.solve = slow_solve  # the close calls matching.solve at run time
    print("closing", flush=True)
    database.run(close_cycle, SYSTEM, scheme, cycle_id, close_time(database, cycle_id), time_limit=30)
    print("closed", flush=True)
