"""Closing a cycle: shortlists with reasons and the proposal stored once, whoever tries and however often."""

import threading
from datetime import timedelta

import pytest
from sqlmodel import func, select

from cbl.models import Advert, AuditEvent, Cycle, OutboxMessage, ShortlistEntry, Void
from cbl.models.states import AdvertStatus, CycleStatus
from cbl.services import actors
from cbl.services.actors import SYSTEM
from cbl.services.bidding import place_bid
from cbl.services.cycles import close_cycle
from cbl.services.errors import Conflict, NotAllowed
from tests.support.factories import NOW, add_applicant, make_world

AFTER_CLOSE = NOW + timedelta(days=4)


@pytest.fixture
def world(db, scheme):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=3)
        people = [("HR1", "C", {}), ("HR2", "A", {}), ("HR3", "B", {}), ("HR4", "B", {"children": 2})]
        for ref, band, extra in people:
            add_applicant(s, scheme, world, ref, band=band, **extra)
    bids = {"HR1": ["AD1", "AD2"], "HR2": ["AD1"], "HR3": ["AD2", "AD1"], "HR4": ["AD3"]}
    for ref, adverts in bids.items():
        for advert in adverts:
            with db.reading() as s:
                from cbl.models import Applicant

                actor = actors.applicant(s.get(Applicant, world.applicants[ref]))
            db.run(place_bid, actor, scheme, world.applicants[ref], advert, NOW)
    with db.transaction() as s:
        # The officer corrects AD3 after bids came in: it is for households needing one bedroom.
        s.exec(select(Advert).where(Advert.reference == "AD3")).one().max_bedroom_need = 1
    return world


def _shortlist(db, advert):
    with db.reading() as s:
        rows = s.exec(
            select(ShortlistEntry).join(Advert, Advert.id == ShortlistEntry.advert_id)
            .where(Advert.reference == advert).order_by(ShortlistEntry.position)
        ).all()
        return rows


def test_closing_stores_ranked_explained_shortlists_and_the_cycle_wide_proposal(db, scheme, world):
    assert db.run(close_cycle, SYSTEM, scheme, world.cycle, AFTER_CLOSE) is True
    ad1 = _shortlist(db, "AD1")
    by_id = {v: k for k, v in world.applicants.items()}
    assert [by_id[e.applicant_id] for e in ad1] == ["HR2", "HR3", "HR1"]  # band A, B, C
    assert [e.position for e in ad1] == [1, 2, 3]
    assert all(e.explanation for e in ad1)
    # HR2 (band A) gets AD1; HR3 then gets AD2 ahead of HR1; HR4's household needs more room than AD3.
    proposed = {by_id[e.applicant_id]: e for e in [*ad1, *_shortlist(db, "AD2")] if e.proposed}
    assert set(proposed) == {"HR2", "HR3"}
    ad3 = _shortlist(db, "AD3")
    assert len(ad3) == 1 and not ad3[0].eligible and ad3[0].position is None
    assert ad3[0].reasons[0]["code"] == "bedroom_need_too_high"
    with db.reading() as s:
        cycle = s.get(Cycle, world.cycle)
        assert cycle.status is CycleStatus.CLOSED and cycle.closed_at == AFTER_CLOSE
        assert cycle.close_report["proposed_lets"] == 2 and cycle.close_report["engine_status"] == "optimal"
        assert {a.status for a in s.exec(select(Advert))} == {AdvertStatus.SHORTLISTED}
        assert all(v.shortlisted_at == AFTER_CLOSE for v in s.exec(select(Void)))
        assert s.exec(select(OutboxMessage).where(OutboxMessage.template == "cycle_closed")).first()
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "cycle.closed")).one()


def test_a_cycle_is_not_closed_before_its_time(db, scheme, world):
    assert db.run(close_cycle, SYSTEM, scheme, world.cycle, NOW) is False
    with db.reading() as s:
        assert s.get(Cycle, world.cycle).status is CycleStatus.OPEN


def test_closing_twice_changes_nothing(db, scheme, world):
    assert db.run(close_cycle, SYSTEM, scheme, world.cycle, AFTER_CLOSE) is True
    first = [(e.advert_id, e.applicant_id, e.position, e.proposed) for e in _shortlist(db, "AD1")]
    assert db.run(close_cycle, SYSTEM, scheme, world.cycle, AFTER_CLOSE + timedelta(hours=1)) is False
    assert [(e.advert_id, e.applicant_id, e.position, e.proposed) for e in _shortlist(db, "AD1")] == first
    with db.reading() as s:
        assert s.get(Cycle, world.cycle).closed_at == AFTER_CLOSE
        assert s.exec(select(func.count()).select_from(AuditEvent)
                      .where(AuditEvent.action == "cycle.closed")).one() == 1


def test_two_processes_racing_to_close_close_it_once(db, scheme, world):
    barrier = threading.Barrier(2)
    outcomes = []

    def close():
        barrier.wait()
        outcomes.append(db.run(close_cycle, SYSTEM, scheme, world.cycle, AFTER_CLOSE))

    threads = [threading.Thread(target=close) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == [False, True]
    with db.reading() as s:
        assert s.exec(select(func.count()).select_from(ShortlistEntry)).one() == 6


def test_no_bid_is_taken_after_close(db, scheme, world):
    db.run(close_cycle, SYSTEM, scheme, world.cycle, AFTER_CLOSE)
    from cbl.models import Applicant

    with db.reading() as s:
        actor = actors.applicant(s.get(Applicant, world.applicants["HR4"]))
    with pytest.raises(Conflict, match="closed"):
        db.run(place_bid, actor, scheme, world.applicants["HR4"], "AD2", NOW)  # even with a stale clock


def test_only_the_system_or_an_administrator_may_close_a_cycle(db, scheme, world):
    from cbl.models import StaffUser

    with db.reading() as s:
        officer = actors.staff(s.get(StaffUser, world.officer))
    with pytest.raises(NotAllowed):
        db.run(close_cycle, officer, scheme, world.cycle, AFTER_CLOSE)


def test_a_close_that_fails_half_way_leaves_the_cycle_open_to_be_closed_again(db, scheme, world, monkeypatch):
    import matching

    real_solve = matching.solve

    def crash(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(matching, "solve", crash)
    with pytest.raises(RuntimeError):
        db.run(close_cycle, SYSTEM, scheme, world.cycle, AFTER_CLOSE)
    with db.reading() as s:
        assert s.get(Cycle, world.cycle).status is CycleStatus.OPEN
        assert s.exec(select(func.count()).select_from(ShortlistEntry)).one() == 0
    monkeypatch.setattr(matching, "solve", real_solve)
    assert db.run(close_cycle, SYSTEM, scheme, world.cycle, AFTER_CLOSE) is True
