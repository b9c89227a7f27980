"""Integrity lives in the database: the same rules hold on SQLite and PostgreSQL."""

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from cbl.models import (
    Advert, Applicant, Bid, Cycle, Offer, Organisation, Property, Void,
)
from cbl.models.states import ApplicationStatus, OfferStatus, OrganisationKind, PropertyType

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def letting(db):
    """A council home with a void, advertised in an open cycle, and one applicant."""
    with db.transaction() as s:
        council = Organisation(code="ATC", name="Anytown Council", kind=OrganisationKind.COUNCIL)
        s.add(council)
        s.flush()
        home = Property(landlord_id=council.id, reference="P1", address="1 High St", postcode="AT1 1AA",
                        area="Northgate", property_type=PropertyType.FLAT, bedrooms=1, weekly_rent_pence=9000)
        s.add(home)
        s.flush()
        void = Void(property_id=home.id, tenancy_end_date=date(2026, 11, 1))
        cycle = Cycle(name="C1", opens_at=NOW - timedelta(days=1), closes_at=NOW + timedelta(days=3))
        applicant = Applicant(reference="HR1", registration_date=date(2020, 1, 1), status=ApplicationStatus.ACTIVE)
        s.add_all([void, cycle, applicant])
        s.flush()
        advert = Advert(reference="AD1", cycle_id=cycle.id, void_id=void.id, property_id=home.id)
        s.add(advert)
        s.flush()
        return {"home": home.id, "void": void.id, "cycle": cycle.id, "applicant": applicant.id, "advert": advert.id}


def _bid(ids, **overrides):
    values = {"advert_id": ids["advert"], "applicant_id": ids["applicant"], "cycle_id": ids["cycle"], "preference": 1}
    return Bid(**{**values, **overrides})


def test_one_bid_per_applicant_per_advert(db, letting):
    db.run(lambda s: s.add(_bid(letting)))
    with pytest.raises(IntegrityError):
        db.run(lambda s: s.add(_bid(letting, preference=2)))


def test_a_bid_on_an_advert_that_does_not_exist_is_refused(db, letting):
    with pytest.raises(IntegrityError):
        db.run(lambda s: s.add(_bid(letting, advert_id=9999)))


def test_a_state_outside_its_list_is_refused_by_the_database_itself(db, letting):
    # Raw SQL, so that only the database's CHECK constraint stands in the way.
    with pytest.raises(IntegrityError):
        db.run(lambda s: s.execute(sa.text("UPDATE applicant SET status = 'approved' WHERE id = :id"),
                                   {"id": letting["applicant"]}))


def test_the_model_refuses_an_unknown_state_before_it_reaches_the_database(db, letting):
    def set_bad_status(session):
        applicant = session.get(Applicant, letting["applicant"])
        applicant.status = "approved"
        session.flush()

    with pytest.raises((StatementError, LookupError)):
        db.run(set_bad_status)


def test_one_live_offer_per_household_at_a_time(db, letting):
    def offer(session, void_id):
        session.add(Offer(applicant_id=letting["applicant"], void_id=void_id, respond_by=date(2026, 11, 25)))

    db.run(offer, letting["void"])
    with db.transaction() as s:
        other = Void(property_id=letting["home"], tenancy_end_date=date(2026, 1, 1), status="let",
                     tenancy_start_date=date(2026, 2, 1))
        s.add(other)
        s.flush()
        other_void = other.id
    with pytest.raises(IntegrityError):
        db.run(offer, other_void)


def test_a_refused_offer_does_not_block_the_next_one(db, letting):
    def offer(session, status):
        session.add(Offer(applicant_id=letting["applicant"], void_id=letting["void"], status=status,
                          respond_by=date(2026, 11, 25)))

    db.run(offer, OfferStatus.REFUSED)
    db.run(offer, OfferStatus.MADE)


def test_a_home_has_one_open_void_at_a_time(db, letting):
    with pytest.raises(IntegrityError):
        db.run(lambda s: s.add(Void(property_id=letting["home"], tenancy_end_date=date(2026, 11, 2))))


def test_a_cycle_must_close_after_it_opens(db):
    with pytest.raises(IntegrityError):
        db.run(lambda s: s.add(Cycle(name="Backwards", opens_at=NOW, closes_at=NOW - timedelta(hours=1))))


def test_a_tenancy_cannot_start_before_the_last_one_ended(db, letting):
    def start_early(session):
        void = session.get(Void, letting["void"])
        void.tenancy_start_date = date(2026, 10, 1)

    with pytest.raises(IntegrityError):
        db.run(start_early)


def test_times_come_back_aware_and_in_utc_whatever_zone_they_went_in_with(db, letting):
    from zoneinfo import ZoneInfo

    local = datetime(2026, 7, 1, 9, 30, tzinfo=ZoneInfo("Europe/London"))  # 08:30 UTC in summer
    db.run(lambda s: s.add(_bid(letting, placed_at=local)))
    with db.reading() as s:
        placed = s.execute(sa.select(Bid.placed_at)).scalar_one()
    assert placed.tzinfo is not None and placed.utcoffset() == timedelta(0)
    assert placed == local


def test_a_naive_time_is_refused_rather_than_guessed(db, letting):
    with pytest.raises(StatementError, match="naive datetime"):
        db.run(lambda s: s.add(_bid(letting, placed_at=datetime(2026, 7, 1, 9, 30))))


def test_a_failed_service_leaves_nothing_behind(db, letting):
    def half_done(session):
        session.add(_bid(letting))
        session.flush()
        raise RuntimeError("the second half failed")

    with pytest.raises(RuntimeError):
        db.run(half_done)
    with db.reading() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(Bid)).scalar_one() == 0
