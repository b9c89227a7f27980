"""The demo a newcomer starts on any day of the week has homes to bid for and a year of let results,
and the scheduler, started on it, keeps one cycle open at a time (also across a clock change)."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from cbl import demo
from cbl.models import Bid, Cycle
from cbl.models.states import CycleStatus
from cbl.queries import listings
from scheduler import jobs

LONDON = ZoneInfo("Europe/London")

# The default scheme's cycles open on Thursday at 00:01 and close on Monday at 23:59. UK clocks go
# back at 02:00 on Sunday 25 October 2026, so the windows around that week span the change.
MOMENTS = {
    "tuesday (between windows)": datetime(2026, 10, 20, 13, 0, tzinfo=LONDON),
    "wednesday (between windows)": datetime(2026, 10, 21, 13, 0, tzinfo=LONDON),
    "thursday just before opening": datetime(2026, 10, 22, 0, 0, 30, tzinfo=LONDON),
    "thursday": datetime(2026, 10, 22, 13, 0, tzinfo=LONDON),
    "friday": datetime(2026, 10, 23, 13, 0, tzinfo=LONDON),
    "saturday": datetime(2026, 10, 24, 13, 0, tzinfo=LONDON),
    "sunday of the clock change": datetime(2026, 10, 25, 13, 0, tzinfo=LONDON),
    "monday": datetime(2026, 10, 26, 13, 0, tzinfo=LONDON),
    "monday night just after the close": datetime(2026, 10, 26, 23, 59, 30, tzinfo=LONDON),
    "tuesday after the clocks went forward": datetime(2026, 3, 31, 9, 0, tzinfo=LONDON),
}


@pytest.fixture
def configured(db, scheme):
    jobs.configure(jobs.Runtime(db, scheme, LONDON))
    yield
    jobs._runtime = None


# Which day it is matters to the cycle windows, not to the database: every day on SQLite, and on
# PostgreSQL the two that cross a boundary (the clock change, the close).
ON_POSTGRESQL = {"sunday of the clock change", "monday night just after the close"}
DAYS = [pytest.param("sqlite", moment, id=f"sqlite-{name}") for name, moment in MOMENTS.items()] + [
    pytest.param("postgresql", MOMENTS[name], id=f"postgresql-{name}", marks=pytest.mark.postgres)
    for name in sorted(ON_POSTGRESQL)]


@pytest.mark.parametrize(("database_url", "moment"), DAYS, indirect=["database_url"])
def test_the_demo_has_homes_to_bid_for_and_past_lets_whatever_the_day(db, scheme, configured, moment):
    now = moment.astimezone(timezone.utc)
    with db.transaction() as s:
        demo.seed(s, scheme, seed=5, applicants=250, properties=90, now=now)
    jobs.reconcile(now)  # what `cbl up` does when its scheduler starts

    with db.reading() as s:
        adverts, total = listings.search_adverts(s, listings.AdvertFilters())
        assert total >= 5 and all(card.open_for_bids for card in adverts)
        open_cycle = s.exec(select(Cycle).where(Cycle.status == CycleStatus.OPEN)).one()
        assert open_cycle.opens_at <= now < open_cycle.closes_at
        assert s.exec(select(func.count()).select_from(Bid).where(Bid.cycle_id == open_cycle.id)).one() > 20
        lets = listings.let_results(s, moment.date())
        assert len(lets) == 50  # the page's first 50 of the year's lets
        assert all(let.bids >= 1 and let.band for let in lets)
        let_dates = [let.let_on for let in lets]
        assert max(let_dates) <= moment.date() and max(let_dates) >= moment.date() - timedelta(weeks=5)

    # Until the open cycle closes, no second cycle opens beside it; after, the next one opens on time.
    jobs.reconcile(open_cycle.closes_at - timedelta(minutes=1))
    with db.reading() as s:
        assert s.exec(select(func.count()).select_from(Cycle).where(Cycle.status == CycleStatus.OPEN)).one() == 1
    after = open_cycle.closes_at + timedelta(minutes=1)
    jobs.reconcile(after)
    jobs.reconcile(after + timedelta(days=3, hours=1))
    with db.reading() as s:
        following = s.exec(select(Cycle).where(Cycle.status == CycleStatus.OPEN)).one()
    local_opening = following.opens_at.astimezone(LONDON)
    assert (local_opening.strftime("%A"), local_opening.hour, local_opening.minute) == ("Thursday", 0, 1)


def test_the_demo_history_covers_a_year_of_weekly_cycles(db, scheme):
    now = datetime(2026, 10, 21, 12, tzinfo=timezone.utc)
    with db.transaction() as s:
        demo.seed(s, scheme, seed=5, applicants=250, properties=90, now=now)
    with db.reading() as s:
        closed = s.exec(select(Cycle).where(Cycle.status == CycleStatus.CLOSED).order_by(Cycle.opens_at)).all()
    assert now - closed[0].opens_at > timedelta(weeks=45)
    for cycle in closed:  # every past cycle is one of the scheme's weekly windows, in local time
        opens, closes = cycle.opens_at.astimezone(LONDON), cycle.closes_at.astimezone(LONDON)
        assert (opens.strftime("%a %H:%M"), closes.strftime("%a %H:%M")) == ("Thu 00:01", "Mon 23:59")
