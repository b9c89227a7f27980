"""Bids: every limit the scheme sets holds, on both databases, even when requests race."""

import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from cbl.models import AuditEvent, Bid, Offer
from cbl.models.states import ApplicationStatus, BidPlacedBy, BidStatus
from cbl.services import actors
from cbl.services import sign_in
from cbl.services.bidding import PlacedBid, place_bid, queue_position, withdraw_bid
from cbl.services.errors import Conflict, NotAllowed, NotFound
from tests.support.factories import NOW, add_applicant, make_world
from cbl.models import Advert, Applicant, Cycle


@pytest.fixture
def world(db, scheme):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=8)
        for ref, band in [("HR1", "C"), ("HR2", "A"), ("HR3", "B")]:
            add_applicant(s, scheme, world, ref, band=band)
    return world


def _as_applicant(db, world, reference):
    with db.reading() as s:
        return actors.applicant(s.get(Applicant, world.applicants[reference]))


def _bid(db, scheme, world, reference, advert, now=NOW, actor=None):
    actor = actor or _as_applicant(db, world, reference)
    return db.run(place_bid, actor, scheme, world.applicants[reference], advert, now)


def _active_bids(db, applicant_id):
    with db.reading() as s:
        return s.exec(select(func.count()).select_from(Bid).where(
            Bid.applicant_id == applicant_id, Bid.status == BidStatus.ACTIVE)).one()


def test_a_bid_is_stored_with_who_placed_it_and_an_audit_event(db, scheme, world):
    bid = _bid(db, scheme, world, "HR1", "AD1")
    with db.reading() as s:
        stored = s.get(Bid, bid.id)
        assert stored.placed_by is BidPlacedBy.APPLICANT and stored.status is BidStatus.ACTIVE
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "bid.placed")).one()
        assert event.subject_id == bid.id and event.applicant_id == world.applicants["HR1"]
        assert event.details["advert"] == "AD1"


def test_the_bid_limit_refuses_the_fourth_bid_and_a_withdrawal_frees_a_place(db, scheme, world):
    bids = [_bid(db, scheme, world, "HR1", advert) for advert in ("AD1", "AD2", "AD3")]
    with pytest.raises(Conflict, match="used all 3 of your bids"):
        _bid(db, scheme, world, "HR1", "AD4")
    db.run(withdraw_bid, _as_applicant(db, world, "HR1"), bids[0].id, NOW)
    _bid(db, scheme, world, "HR1", "AD4")
    assert _active_bids(db, world.applicants["HR1"]) == 3


def test_one_bid_per_home(db, scheme, world):
    _bid(db, scheme, world, "HR1", "AD1")
    with pytest.raises(Conflict, match="already bid for this home"):
        _bid(db, scheme, world, "HR1", "AD1")


def test_a_withdrawn_bid_can_be_placed_again(db, scheme, world):
    bid = _bid(db, scheme, world, "HR1", "AD1")
    db.run(withdraw_bid, _as_applicant(db, world, "HR1"), bid.id, NOW)
    again = _bid(db, scheme, world, "HR1", "AD1")
    assert again.id == bid.id and again.status is BidStatus.ACTIVE


def test_an_ineligible_bid_is_refused_with_the_engines_reason(db, scheme, world):
    with db.transaction() as s:
        from tests.support.factories import add_advert

        add_advert(s, world, "BIG", bedrooms=3, min_bedroom_need=2, max_bedroom_need=3)
    with pytest.raises(Conflict, match="at least 2 bedrooms"):
        _bid(db, scheme, world, "HR1", "BIG")


@pytest.mark.parametrize(("changes", "message"), [
    ({"status": ApplicationStatus.SUSPENDED, "suspended_until": date(2027, 3, 1)},
     "suspended from bidding until 1 March 2027"),
    ({"suspended_until": date(2027, 3, 1)}, "suspended"),
    ({"status": ApplicationStatus.PENDING}, "still being assessed"),
    ({"status": ApplicationStatus.HOUSED}, "housed"),
])
def test_only_active_households_not_suspended_may_bid(db, scheme, world, changes, message):
    with db.transaction() as s:
        applicant = s.get(Applicant, world.applicants["HR1"])
        for name, value in changes.items():
            setattr(applicant, name, value)
    with pytest.raises(Conflict, match=message):
        _bid(db, scheme, world, "HR1", "AD1")


def test_no_bids_while_an_offer_awaits_an_answer(db, scheme, world):
    with db.transaction() as s:
        advert = s.exec(select(Advert).where(Advert.reference == "AD8")).one()
        s.add(Offer(applicant_id=world.applicants["HR1"], void_id=advert.void_id, respond_by=date(2026, 11, 24)))
    with pytest.raises(Conflict, match="offer of a home waiting"):
        _bid(db, scheme, world, "HR1", "AD1")


def test_a_bid_a_moment_before_close_is_kept_and_a_moment_after_is_refused(db, scheme, world):
    with db.reading() as s:
        closes_at = s.get(Cycle, world.cycle).closes_at
    _bid(db, scheme, world, "HR1", "AD1", now=closes_at - timedelta(milliseconds=1))
    with pytest.raises(Conflict, match="closed"):
        _bid(db, scheme, world, "HR1", "AD2", now=closes_at)
    with pytest.raises(Conflict, match="closed"):
        _bid(db, scheme, world, "HR2", "AD2", now=closes_at + timedelta(seconds=1))


def test_an_officer_bid_is_recorded_as_placed_on_the_households_behalf(db, scheme, world):
    from cbl.models import StaffUser

    with db.reading() as s:
        officer = actors.staff(s.get(StaffUser, world.officer))
    bid = _bid(db, scheme, world, "HR1", "AD1", actor=officer)
    assert bid.placed_by is BidPlacedBy.OFFICER and bid.placed_by_staff_id == world.officer


def test_a_household_cannot_bid_for_another(db, scheme, world):
    with pytest.raises(NotAllowed):
        _bid(db, scheme, world, "HR1", "AD1", actor=_as_applicant(db, world, "HR2"))


def test_the_queue_position_follows_band_and_moves_as_others_bid(db, scheme, world):
    def position(reference):
        with db.reading() as s:
            advert = s.exec(select(Advert).where(Advert.reference == "AD1")).one()
            return queue_position(s, scheme, advert, s.get(Applicant, world.applicants[reference]), NOW)

    _bid(db, scheme, world, "HR1", "AD1")  # band C
    assert position("HR1").words == "You are 1st of 1 eligible bid"
    _bid(db, scheme, world, "HR2", "AD1")  # band A goes ahead
    _bid(db, scheme, world, "HR3", "AD1")  # band B too
    mine = position("HR1")
    assert (mine.position, mine.eligible_bids) == (3, 3)
    assert mine.words == "You are 3rd of 3 eligible bids"
    assert "Band C" in mine.explanation
    assert position("HR2").position == 1


def _position(db, scheme, world, reference, advert="AD1"):
    with db.reading() as s:
        home = s.exec(select(Advert).where(Advert.reference == advert)).one()
        return queue_position(s, scheme, home, s.get(Applicant, world.applicants[reference]), NOW).position


def test_a_band_changed_in_this_process_moves_the_queue_at_once(db, scheme, world):
    for reference in ("HR1", "HR2"):  # bands C and A
        _bid(db, scheme, world, reference, "AD1")
    assert _position(db, scheme, world, "HR1") == 2  # ranked, and its households kept in memory
    with db.transaction() as s:
        s.get(Applicant, world.applicants["HR1"]).band = "A"
        s.get(Applicant, world.applicants["HR1"]).band_date = date(2020, 1, 1)
    assert _position(db, scheme, world, "HR1") == 1


def test_a_band_changed_by_another_process_moves_the_queue_at_once(db, scheme, world):
    for reference in ("HR1", "HR2"):
        _bid(db, scheme, world, reference, "AD1")
    assert _position(db, scheme, world, "HR1") == 2
    with db.engine.begin() as connection:  # as another worker would: no ORM session of this one
        connection.execute(sa.update(Applicant).where(Applicant.id == world.applicants["HR1"])
                           .values(band="A", band_date=date(2020, 1, 1)))
    assert _position(db, scheme, world, "HR1") == 1


def _race(work, count):
    """Run `work(i)` on `count` threads released together; return what each returned or raised."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as error:  # the outcome is what the test checks
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_racing_bids_by_one_household_get_exactly_the_limit(db, scheme, world):
    results = _race(lambda i: _bid(db, scheme, world, "HR1", world.adverts[i]), 8)
    accepted = [r for r in results if isinstance(r, PlacedBid)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(accepted) == 3 and len(refused) == 5, results
    assert all("used all 3" in r.message for r in refused)
    assert _active_bids(db, world.applicants["HR1"]) == 3
    with db.reading() as s:
        preferences = s.exec(select(Bid.preference).where(Bid.applicant_id == world.applicants["HR1"])).all()
    assert sorted(preferences) == [1, 2, 3]


def _bid_with_token(db, scheme, token, advert):
    """As the API bids: whose token it is, then the bid, in one transaction."""
    with db.transaction() as s:
        me = sign_in.applicant_for_token(s, token, NOW)
        if me is None:
            return None
        return place_bid(s, actors.applicant(me), scheme, me.id, advert, NOW)


def test_racing_bids_through_a_token_get_exactly_the_limit_and_a_bad_token_bids_nothing(db, scheme, world):
    with db.transaction() as s:
        token, _ = sign_in.issue_api_token(s, s.get(Applicant, world.applicants["HR1"]), NOW)
    results = _race(lambda i: _bid_with_token(db, scheme, token, world.adverts[i]), 8)
    assert sum(isinstance(r, PlacedBid) for r in results) == 3, results
    assert all("used all 3" in r.message for r in results if isinstance(r, Conflict)), results
    assert _active_bids(db, world.applicants["HR1"]) == 3
    with pytest.raises(NotFound):
        _bid_with_token(db, scheme, token, "NOSUCH")
    assert _bid_with_token(db, scheme, "not-a-token", world.adverts[7]) is None
    assert _active_bids(db, world.applicants["HR1"]) == 3


def test_racing_bids_for_the_same_home_store_one(db, scheme, world):
    results = _race(lambda i: _bid(db, scheme, world, "HR1", "AD1"), 6)
    assert sum(isinstance(r, PlacedBid) for r in results) == 1, results
    assert all(isinstance(r, (PlacedBid, Conflict)) or "UNIQUE" in str(r).upper() for r in results), results
    assert _active_bids(db, world.applicants["HR1"]) == 1


def test_racing_withdrawals_of_one_bid_withdraw_it_once(db, scheme, world):
    bid = _bid(db, scheme, world, "HR1", "AD1")
    actor = _as_applicant(db, world, "HR1")
    results = _race(lambda i: db.run(withdraw_bid, actor, bid.id, NOW), 6)
    assert results.count("AD1") == 1, results
    assert all(isinstance(r, Conflict) and "already been withdrawn" in r.message for r in results if r != "AD1")
    with db.reading() as s:
        events = s.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "bid.withdrawn", AuditEvent.subject_id == bid.id)).one()
    assert events == 1


def test_a_bid_cannot_be_withdrawn_by_another_household_or_after_close(db, scheme, world):
    bid = _bid(db, scheme, world, "HR1", "AD1")
    with pytest.raises(NotFound):
        db.run(withdraw_bid, _as_applicant(db, world, "HR2"), bid.id, NOW)
    with db.reading() as s:
        closes_at = s.get(Cycle, bid.cycle_id).closes_at
    with pytest.raises(Conflict, match="Bids can no longer be withdrawn"):
        db.run(withdraw_bid, _as_applicant(db, world, "HR1"), bid.id, closes_at)
    assert _active_bids(db, world.applicants["HR1"]) == 1
