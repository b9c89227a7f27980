"""A manager closes an open cycle early, or reopens one just closed, with a reason (cbl/services/cycle_overrides.py):
the cycle is closed once whatever the scheduler does after, a reopened one closes again at the time the manager set,
and each is refused to anyone else, without a reason, too late, or once its shortlists have been worked from."""

from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from cbl.models import Advert, Applicant, AuditEvent, Cycle, Offer, OutboxMessage, ShortlistEntry, StaffUser, Void
from cbl.models.states import AdvertStatus, CycleStatus, StaffRole
from cbl.queries import close_reports, stock
from cbl.rules.working_days import LONDON, local_date
from scheduler import jobs
from cbl.services import actors
from cbl.services.actors import SYSTEM
from cbl.services.bidding import place_bid
from cbl.services.cycle_overrides import close_early, reopen
from cbl.services.cycles import close_cycle
from cbl.services.errors import Conflict, InvalidInput, NotAllowed
from cbl.services.shortlisting import verify_entry
from tests.support.factories import NOW, PASSWORD_HASH, add_applicant, make_world

REASON = "The homes must be let before the repairs contract starts"


@pytest.fixture
def world(db, scheme):
    jobs.configure(jobs.Runtime(db, scheme, LONDON))  # the scheduler's jobs, run by hand at the times given
    yield _world(db, scheme)
    jobs._runtime = None


def _world(db, scheme):
    """Three adverts, three households bidding (each with an e-mail address), an officer and a manager."""
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=3)
        for reference, band in (("HR1", "C"), ("HR2", "A"), ("HR3", "B")):
            add_applicant(s, scheme, world, reference, band=band, email=f"{reference.lower()}@example.org")
        manager = StaffUser(organisation_id=world.council, email="manager@example.org", name="Mo Manager",
                            role=StaffRole.MANAGER, password_hash=PASSWORD_HASH)
        s.add(manager)
        s.flush()
        world.manager = actors.staff(manager)
        world.officer_actor = actors.staff(s.get(StaffUser, world.officer))
    for reference, adverts in {"HR1": ["AD1", "AD2"], "HR2": ["AD1"], "HR3": ["AD2"]}.items():
        _bid(db, scheme, world, reference, adverts, NOW - timedelta(hours=1))
    return world


def _bid(db, scheme, world, reference, adverts, at):
    with db.reading() as s:
        actor = actors.applicant(s.get(Applicant, world.applicants[reference]))
    for advert in adverts:
        db.run(place_bid, actor, scheme, world.applicants[reference], advert, at)


def _cycle(db, world) -> Cycle:
    with db.reading() as s:
        return s.get(Cycle, world.cycle)


def _events(db, action: str) -> list[AuditEvent]:
    with db.reading() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all())


def _places(db) -> int:
    with db.reading() as s:
        return s.exec(select(func.count()).select_from(ShortlistEntry)).one()


def test_a_manager_closes_an_open_cycle_early_and_the_scheduler_does_not_close_it_again(db, scheme, world):
    due = _cycle(db, world).closes_at
    with pytest.raises(NotAllowed):
        db.run(close_early, world.officer_actor, scheme, world.cycle, REASON, NOW)
    with pytest.raises(InvalidInput) as no_reason:
        db.run(close_early, world.manager, scheme, world.cycle, "  ", NOW)
    assert no_reason.value.field == "reason"
    with pytest.raises(InvalidInput, match="1,000 characters or fewer"):
        db.run(close_early, world.manager, scheme, world.cycle, "x" * 1001, NOW)
    assert _cycle(db, world).status is CycleStatus.OPEN and not _events(db, "cycle.closed_early")

    db.run(close_early, world.manager, scheme, world.cycle, REASON, NOW)

    cycle = _cycle(db, world)
    assert cycle.status is CycleStatus.CLOSED and cycle.closed_at == NOW == cycle.closes_at
    assert cycle.close_report["engine_status"] == "optimal" and cycle.close_report["proposed_lets"] == 2
    assert _places(db) == 4  # every bid ranked, as at the cycle's own time
    early, = _events(db, "cycle.closed_early")
    closed, = _events(db, "cycle.closed")
    assert early.actor_name == closed.actor_name == "Mo Manager"
    assert early.details["reason"] == REASON and early.details["was_due"] == due.isoformat()
    # The scheduler's close job at the old time, and its minute-by-minute reconcile, find nothing to do.
    jobs.close_cycle(world.cycle, due + timedelta(minutes=1))
    jobs.reconcile(due + timedelta(minutes=2))
    assert len(_events(db, "cycle.closed")) == 1 and _places(db) == 4
    with pytest.raises(Conflict, match="already closed"):
        db.run(close_early, world.manager, scheme, world.cycle, REASON, NOW + timedelta(minutes=5))

    # Its close report: the engine's result, what it proposed advert by advert, and the manager's early close.
    with db.reading() as s:
        report = close_reports.close_report(s, world.cycle, 1)
    assert report.closed and report.report["engine_status"] == "optimal" and report.report["bids"] == 4
    assert [(line.reference, line.bids, line.proposed, line.band, line.place) for line in report.adverts.rows] == [
        ("AD1", 2, "HR2", "A", "1st on the shortlist"), ("AD2", 2, "HR3", "B", "1st on the shortlist"),
        ("AD3", 0, None, None, "")]
    assert [(o.early_close, o.by, o.reason) for o in report.overrides] == [(True, "Mo Manager", REASON)]
    assert report.timings[-1][0] == "total" and report.sizes["bids"] == 4 and not report.shortfalls


def test_a_manager_reopens_a_cycle_just_closed_and_it_closes_again_at_the_time_set(db, scheme, world):
    closed_at = _cycle(db, world).closes_at + timedelta(minutes=1)
    assert db.run(close_cycle, SYSTEM, scheme, world.cycle, closed_at)
    later = closed_at + timedelta(hours=2)
    until = later + timedelta(days=2)
    refusals = [
        (NotAllowed, "permission", world.officer_actor, REASON, until, later),
        (InvalidInput, "reason", world.manager, "", until, later),
        (InvalidInput, "in the future", world.manager, REASON, later, later),
        (InvalidInput, "no later than the next cycle opens", world.manager, REASON, later + timedelta(days=3), later),
        (Conflict, "24 hours", world.manager, REASON, until, closed_at + timedelta(hours=24, seconds=1)),
    ]
    for error, message, actor, reason, closes_at, now in refusals:
        with pytest.raises(error, match=message):
            db.run(reopen, actor, scheme, world.cycle, reason, closes_at, now)
    assert _cycle(db, world).status is CycleStatus.CLOSED and _places(db) == 4

    def clock():  # the void clock on AD1's home: empty since 30 October, at £95 a week
        with db.reading() as s:
            (_, found, rent_lost), = stock.void_clocks(stock.home_record(s, "P-AD1"), local_date(later))
        return [(stage.name, stage.days) for stage in found.stages], found.total_days, rent_lost

    assert clock() == ([("Advertised, until the shortlist", 24), ("Since shortlisted, so far", 0)], 24, "£325.71")

    db.run(reopen, world.manager, scheme, world.cycle, REASON, until, later)

    cycle = _cycle(db, world)
    assert cycle.status is CycleStatus.OPEN and cycle.closes_at == until and cycle.closed_at is None
    assert _places(db) == 0
    with db.reading() as s:
        assert {a.status for a in s.exec(select(Advert))} == {AdvertStatus.LIVE}
        assert all(v.shortlisted_at is None for v in s.exec(select(Void)))
        told = s.exec(select(OutboxMessage.applicant_id).where(OutboxMessage.template == "bidding_reopened")).all()
        assert sorted(told) == sorted(world.applicants.values())  # each household with a place, once
        assert s.exec(select(OutboxMessage).where(OutboxMessage.template == "cycle_reopened",
                                                  OutboxMessage.staff_user_id == world.officer)).one()
    reopened, = _events(db, "cycle.reopened")
    assert reopened.actor_name == "Mo Manager" and reopened.details["reason"] == REASON
    assert reopened.details["places_discarded"] == 4
    assert clock() == ([("Since tenancy ended, so far", 24)], 24, "£325.71")  # shortlisted no longer

    # Households bid again; the scheduler closes it at the new time, not before.
    _bid(db, scheme, world, "HR3", ["AD1"], later + timedelta(hours=1))
    jobs.reconcile(until - timedelta(minutes=1))
    assert _cycle(db, world).status is CycleStatus.OPEN
    jobs.reconcile(until + timedelta(minutes=1))
    assert _places(db) == 5 and len(_events(db, "cycle.closed")) == 2
    assert _cycle(db, world).closed_at == until + timedelta(minutes=1)


def test_a_cycle_whose_shortlists_were_worked_from_is_not_reopened(db, scheme, world):
    closed_at = _cycle(db, world).closes_at + timedelta(minutes=1)
    db.run(close_cycle, SYSTEM, scheme, world.cycle, closed_at)
    with db.reading() as s:
        place = s.exec(select(ShortlistEntry).where(ShortlistEntry.proposed)).first()
    db.run(verify_entry, world.officer_actor, place.id, closed_at + timedelta(minutes=10))
    with pytest.raises(Conflict, match=r"1 check before an offer, 1 shortlist place worked on"):
        db.run(reopen, world.manager, scheme, world.cycle, REASON, closed_at + timedelta(days=1),
               closed_at + timedelta(hours=1))
    with db.transaction() as s:  # an offer made from the shortlist
        advert = s.get(Advert, place.advert_id)
        s.add(Offer(applicant_id=place.applicant_id, void_id=advert.void_id, advert_id=advert.id,
                    respond_by=date(2026, 11, 30)))
    with pytest.raises(Conflict, match=r"1 offer, "):
        db.run(reopen, world.manager, scheme, world.cycle, REASON, closed_at + timedelta(days=1),
               closed_at + timedelta(hours=1))
    assert _cycle(db, world).status is CycleStatus.CLOSED and _places(db) == 4 and not _events(db, "cycle.reopened")
