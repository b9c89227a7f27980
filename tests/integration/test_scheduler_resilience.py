"""The scheduler survives a scheme change and a kill between opening a cycle and its auto-bids."""

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from cbl.models import Bid, BiddingPreference, Cycle
from cbl.models.states import BidPlacedBy, CycleStatus
from cbl.rules.scheme import Scheme
from cbl.settings import load_settings
from scheduler import jobs, runner
from tests.support.factories import NOW, add_advert, add_applicant, make_world

LONDON = ZoneInfo("Europe/London")
WEDNESDAY = datetime(2026, 3, 25, 12, tzinfo=timezone.utc)


def opening_at(scheme: Scheme, hour: int, minute: int = 0) -> Scheme:
    opens = scheme.cycle.opens.model_copy(update={"time": time(hour, minute)})
    return scheme.model_copy(update={"cycle": scheme.cycle.model_copy(update={"opens": opens})})


@pytest.fixture
def run_with(db):
    def configure(scheme: Scheme) -> None:
        jobs.configure(jobs.Runtime(db, scheme, LONDON))

    yield configure
    jobs._runtime = None


def cycles(db) -> list[Cycle]:
    with db.reading() as s:
        return list(s.exec(select(Cycle).order_by(Cycle.id)))


def test_moving_the_opening_time_moves_the_planned_cycle_instead_of_planning_a_second(db, scheme, run_with):
    run_with(scheme)
    jobs.reconcile(WEDNESDAY)
    run_with(opening_at(scheme, 9))  # the council moves the opening from 00:01 to 09:00
    jobs.reconcile(WEDNESDAY + timedelta(minutes=1))
    jobs.reconcile(WEDNESDAY + timedelta(minutes=2))
    [planned] = cycles(db)
    assert planned.status is CycleStatus.SCHEDULED
    assert planned.opens_at == datetime(2026, 3, 26, 9, 0, tzinfo=timezone.utc)  # 09:00 GMT on Thursday


def test_a_scheme_change_while_a_cycle_is_open_leaves_it_running_on_its_own_times(db, scheme, run_with):
    run_with(scheme)
    jobs.reconcile(WEDNESDAY)
    thursday = datetime(2026, 3, 26, 10, tzinfo=timezone.utc)
    jobs.reconcile(thursday)
    [opened] = cycles(db)
    assert opened.status is CycleStatus.OPEN
    for hour in (9, 11):  # a window that includes now, then one that opens later today
        run_with(opening_at(scheme, hour))
        jobs.reconcile(thursday + timedelta(minutes=hour))
    [still] = cycles(db)
    assert (still.id, still.status, still.opens_at) == (opened.id, CycleStatus.OPEN, opened.opens_at)


def test_a_cycle_closed_earlier_the_same_day_does_not_stop_the_next_being_planned(db, scheme, run_with):
    # Closed Thursday 08:00; the new pattern opens a cycle on Thursday too: both are named for the day.
    with db.transaction() as s:
        s.add(Cycle(name="Cycle 2026-03-26", opens_at=datetime(2026, 3, 19, 0, 1, tzinfo=timezone.utc),
                    closes_at=datetime(2026, 3, 26, 8, tzinfo=timezone.utc), status=CycleStatus.CLOSED))
    run_with(opening_at(scheme, 9))
    jobs.reconcile(datetime(2026, 3, 26, 8, 30, tzinfo=timezone.utc))
    names = [c.name for c in cycles(db)]
    assert len(names) == 2 and len(set(names)) == 2


def test_the_scheduler_starts_even_when_planning_fails(db, scheme, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("planning failed")

    monkeypatch.setattr("cbl.services.cycles.plan_next_cycle", broken)
    settings = load_settings({"CBL_DATABASE_URL": db.url, "CBL_SECRET_KEY": "x"}, workdir=tmp_path)
    scheduler = runner.start(db, scheme, settings)  # logs the failure; the service keeps running
    try:
        assert scheduler.running
    finally:
        scheduler.shutdown(wait=True)
        jobs._runtime = None


class Killed(BaseException):
    """The process dying: not an error anything catches."""


def test_a_scheduler_killed_between_opening_and_auto_bidding_places_the_bids_after_a_restart(
        db, scheme, run_with, monkeypatch):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=0, cycle_status=CycleStatus.SCHEDULED, now=NOW + timedelta(days=1))
        add_advert(s, world, "N1", area="Northgate")
        keen = add_applicant(s, scheme, world, "HR1")
        s.add(BiddingPreference(applicant_id=keen.id, areas=["Northgate"], auto_bid=True))
    run_with(scheme)

    def killed(*args, **kwargs):
        raise Killed

    with monkeypatch.context() as patched:
        patched.setattr("scheduler.jobs.auto_bid_cycle", killed)
        patched.setattr("cbl.services.auto_bid.auto_bid_cycle", killed)
        with pytest.raises(Killed):
            jobs.open_cycle(world.cycle, NOW + timedelta(minutes=1))
    jobs.reconcile(NOW + timedelta(minutes=2))  # the restarted scheduler catches up
    with db.reading() as s:
        assert s.get(Cycle, world.cycle).status is CycleStatus.OPEN
        bids = s.exec(select(Bid)).all()
    assert [(b.applicant_id, b.placed_by) for b in bids] == [(keen.id, BidPlacedBy.AUTO)]
