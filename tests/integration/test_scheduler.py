"""Cycles run themselves: planned, opened (with auto-bids) and closed on time, and caught up after downtime."""

import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from cbl.models import Bid, BiddingPreference, ContactPreference, Cycle, OutboxMessage, ShortlistEntry
from cbl.models.states import BidPlacedBy, CycleStatus
from cbl.settings import load_settings
from scheduler import jobs, runner
from tests.support.factories import NOW, add_advert, add_applicant, make_world

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def configured(db, scheme):
    jobs.configure(jobs.Runtime(db, scheme, LONDON))
    yield
    jobs._runtime = None


def _cycle(db, cycle_id):
    with db.reading() as s:
        return s.get(Cycle, cycle_id)


def test_a_close_missed_while_the_process_was_down_happens_at_the_next_reconcile(db, scheme, configured):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=2)
        add_applicant(s, scheme, world, "HR1")
    later = NOW + timedelta(days=5)  # the cycle closed a day ago; nothing ran since
    jobs.reconcile(later)
    assert _cycle(db, world.cycle).status is CycleStatus.CLOSED
    jobs.reconcile(later + timedelta(minutes=1))  # and again: nothing changes twice
    with db.reading() as s:
        assert s.exec(select(func.count()).select_from(Cycle).where(Cycle.status == CycleStatus.CLOSED)).one() == 1


def test_reconcile_plans_the_next_cycle_in_local_time_and_opens_it_when_due(db, scheme, configured):
    wednesday = datetime(2026, 3, 25, 12, tzinfo=timezone.utc)
    jobs.reconcile(wednesday)
    with db.reading() as s:
        planned = s.exec(select(Cycle)).one()
    assert planned.status is CycleStatus.SCHEDULED
    assert planned.opens_at == datetime(2026, 3, 26, 0, 1, tzinfo=timezone.utc)
    assert planned.closes_at == datetime(2026, 3, 30, 22, 59, tzinfo=timezone.utc)  # 23:59 BST
    jobs.reconcile(datetime(2026, 3, 26, 0, 2, tzinfo=timezone.utc))
    assert _cycle(db, planned.id).status is CycleStatus.OPEN


def test_opening_a_cycle_auto_bids_for_households_who_asked(db, scheme, configured):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=0, cycle_status=CycleStatus.SCHEDULED,
                           now=NOW + timedelta(days=1))  # opens at NOW
        for ref, area in [("N1", "Northgate"), ("N2", "Northgate"), ("R1", "Riverside"), ("C1", "Castlefields")]:
            add_advert(s, world, ref, area=area)
        keen = add_applicant(s, scheme, world, "HR1")
        add_applicant(s, scheme, world, "HR2")  # no preferences: no auto-bids
        s.add(BiddingPreference(applicant_id=keen.id, areas=["Riverside", "Northgate"], auto_bid=True))
    jobs.open_cycle(world.cycle, NOW + timedelta(minutes=1))
    with db.reading() as s:
        bids = s.exec(select(Bid).order_by(Bid.preference)).all()
    assert [b.applicant_id for b in bids] == [keen.id] * 3
    assert all(b.placed_by is BidPlacedBy.AUTO for b in bids)
    # Riverside first (the household's first choice), then Northgate; not Castlefields.
    from cbl.models import Advert

    with db.reading() as s:
        refs = [s.get(Advert, b.advert_id).reference for b in bids]
    assert refs == ["R1", "N1", "N2"]



def test_opening_a_cycle_sends_the_new_homes_alert_to_those_who_asked_with_the_homes_that_fit(db, scheme, configured):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=0, cycle_status=CycleStatus.SCHEDULED, now=NOW + timedelta(days=1))
        add_advert(s, world, "R1", area="Riverside")
        add_advert(s, world, "C1", area="Castlefields")
        keen = add_applicant(s, scheme, world, "HR1", email="keen@example.org")
        add_applicant(s, scheme, world, "HR2", email="quiet@example.org")  # did not ask for the alert
        s.add(ContactPreference(applicant_id=keen.id, by_email=True, new_homes_alert=True))
        s.add(BiddingPreference(applicant_id=keen.id, areas=["Riverside"]))
    jobs.open_cycle(world.cycle, NOW + timedelta(minutes=1))
    jobs.open_cycle(world.cycle, NOW + timedelta(minutes=2))  # a second run (a reconcile) sends nothing more
    with db.reading() as s:
        alerts = s.exec(select(OutboxMessage).where(OutboxMessage.template == "new_homes")).all()
    assert [alert.applicant_id for alert in alerts] == [keen.id]
    assert alerts[0].subject == "1 new home you can bid for"
    assert "R1" in alerts[0].body and "C1" not in alerts[0].body


def test_the_scheduler_sends_what_waits_in_the_outbox_through_the_carrier_set_up(db, scheme):
    from cbl.models.states import Channel, OutboxStatus
    from tests.support.messages import notify_settings
    from tests.support.notify_standin import NotifyStandIn

    with db.transaction() as s:
        world = make_world(s, scheme, adverts=1)
        applicant = add_applicant(s, scheme, world, "HR1", email="ann@example.org")
        s.add(OutboxMessage(channel=Channel.EMAIL, template="shortlisted", applicant_id=applicant.id,
                            subject="You are 1st on the shortlist for AD1", body="Bidding has closed."))
    with NotifyStandIn() as notify:
        jobs.configure(jobs.Runtime(db, scheme, LONDON, delivery=notify_settings(notify.base_url)))
        try:
            jobs.dispatch_messages()
        finally:
            jobs._runtime = None
        [sent] = notify.sent("email")
    assert (sent.to, sent.personalisation["subject"]) == ("ann@example.org", "You are 1st on the shortlist for AD1")
    with db.reading() as s:
        assert s.exec(select(OutboxMessage)).one().status is OutboxStatus.SENT

def test_the_real_scheduler_closes_a_cycle_on_time_and_keeps_its_jobs_in_the_database(db, scheme, tmp_path):
    now = datetime.now(timezone.utc)
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=1, now=now)
        s.get(Cycle, world.cycle).closes_at = now + timedelta(seconds=3)
    settings = load_settings({"CBL_DATABASE_URL": db.url, "CBL_SECRET_KEY": "x"}, workdir=tmp_path)
    scheduler = runner.start(db, scheme, settings)
    try:
        with db.engine.connect() as connection:
            stored = connection.execute(sa.text("SELECT id FROM apscheduler_jobs")).scalars().all()
        assert f"close-cycle-{world.cycle}" in stored and "reconcile-cycles" in stored
        deadline = time.monotonic() + 20
        while _cycle(db, world.cycle).status is not CycleStatus.CLOSED and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _cycle(db, world.cycle).status is CycleStatus.CLOSED
    finally:
        scheduler.shutdown(wait=True)
        jobs._runtime = None


def test_a_scheduler_started_after_a_missed_close_closes_it_at_once(db, scheme, tmp_path):
    now = datetime.now(timezone.utc)
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=1, now=now - timedelta(days=5))  # closed 2 days ago, still open
        add_applicant(s, scheme, world, "HR1")
    settings = load_settings({"CBL_DATABASE_URL": db.url, "CBL_SECRET_KEY": "x"}, workdir=tmp_path)
    scheduler = runner.start(db, scheme, settings)
    try:
        assert _cycle(db, world.cycle).status is CycleStatus.CLOSED
        with db.reading() as s:
            assert s.exec(select(func.count()).select_from(ShortlistEntry)).one() == 0  # no bids, no entries
            # and the current week's cycle has been planned
            assert s.exec(select(func.count()).select_from(Cycle)).one() == 2
    finally:
        scheduler.shutdown(wait=True)
        jobs._runtime = None


def test_expired_sessions_and_throttling_windows_are_forgotten(db, scheme, configured):
    from cbl.models import Throttle, WebSession

    with db.transaction() as s:
        s.add(WebSession(key="old", data=b"{}", expires_at=NOW - timedelta(minutes=1)))
        s.add(WebSession(key="live", data=b"{}", expires_at=datetime.now(timezone.utc) + timedelta(minutes=20)))
        s.add(Throttle(key="ip:1.2.3.4", count=3, window_ends_at=NOW - timedelta(minutes=1)))
    jobs.purge_expired()
    with db.reading() as s:
        assert [row.key for row in s.exec(select(WebSession))] == ["live"]
        assert s.exec(select(func.count()).select_from(Throttle)).one() == 0
