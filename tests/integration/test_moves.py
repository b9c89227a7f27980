"""Downsizing and decants in the services, on both databases: a household that does not under-occupy is refused; one
with a better band keeps it; ending a mark puts back the band and date it had; home loss needs the whole year ending
with the date of displacement; arrears are offset only where the scheme allows; no payment is decided twice."""

from datetime import date

import pytest
from sqlmodel import select

from cbl.models import Applicant, BandAssessment, OutboxMessage, StaffUser
from cbl.models.states import StaffRole
from cbl.services import actors, move_payments, moves
from cbl.services.errors import Conflict, InvalidInput, NotAllowed
from tests.support.factories import NOW, PASSWORD_HASH, add_applicant, make_world

DISPLACED = date(2024, 6, 3)


@pytest.fixture
def people(db, scheme):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=1)
        add_applicant(s, scheme, world, "HR1", band="C", band_date=date(2024, 2, 1))
        add_applicant(s, scheme, world, "HR2", band="A")
        manager = StaffUser(organisation_id=world.council, email="m@example.org", name="Mo Manager",
                            role=StaffRole.MANAGER, password_hash=PASSWORD_HASH)
        s.add(manager)
        s.flush()
        return {"officer": actors.staff(s.get(StaffUser, world.officer)), "manager": actors.staff(manager),
                "HR1": world.applicants["HR1"], "HR2": world.applicants["HR2"]}


def test_marking_gives_the_band_from_today_unless_a_better_one_is_held_and_ending_puts_it_back(db, scheme, people):
    officer = people["officer"]
    with db.transaction() as s:
        moves.record_tenancy(s, officer, people["HR1"], "Anytown Council", "", 1, date(2020, 1, 1), NOW)
        with pytest.raises(Conflict, match="does not under-occupy"):
            moves.mark_downsizing(s, officer, scheme, people["HR1"], NOW)
    with db.transaction() as s:
        moves.record_tenancy(s, officer, people["HR1"], "Anytown Council", "", 3, date(2020, 1, 1), NOW)
        moves.record_tenancy(s, officer, people["HR2"], "Anytown Council", "", 3, date(2020, 1, 1), NOW)
        moves.mark_downsizing(s, officer, scheme, people["HR1"], NOW)
        moves.mark_downsizing(s, officer, scheme, people["HR2"], NOW)
    with db.reading() as s:
        hr1, hr2 = s.get(Applicant, people["HR1"]), s.get(Applicant, people["HR2"])
        assert (hr1.band, hr1.band_date) == ("B", NOW.date())
        assert (hr2.band, hr2.band_date) == ("A", date(2024, 1, 1))  # kept its better band and date
        kept = s.exec(select(OutboxMessage.body).where(OutboxMessage.applicant_id == people["HR2"])).one()
        assert "keeps its" in kept and "band A" in kept and "review" in kept
    with db.transaction() as s:
        with pytest.raises(InvalidInput, match="reason"):
            moves.end_downsizing(s, officer, scheme, people["HR1"], " ", NOW)
        moves.end_downsizing(s, officer, scheme, people["HR1"], "Moved in with family instead.", NOW)
    with db.reading() as s:
        hr1 = s.get(Applicant, people["HR1"])
        assert (hr1.band, hr1.band_date) == ("C", date(2024, 2, 1))
        assert len(s.exec(select(BandAssessment).where(BandAssessment.applicant_id == people["HR1"])).all()) == 2


def test_home_loss_needs_the_whole_year_ending_with_the_date_of_displacement(db, scheme, people):
    officer = people["officer"]
    with db.transaction() as s:
        estate = moves.create_regeneration_scheme(s, officer, "Estate", "Blocks A-D", date(2027, 1, 1), NOW)
        moves.add_decant_household(s, officer, scheme, estate.id, "hr1", NOW)
        moves.record_tenancy(s, officer, people["HR1"], "Anytown Council", "", 2, date(2023, 6, 5), NOW)
        estate_id = estate.id
    with db.transaction() as s:  # began the day after the year's first day (4 June 2023): a day short
        with pytest.raises(InvalidInput, match="section 29"):
            move_payments.request_home_loss(s, officer, scheme, people["HR1"], estate_id, DISPLACED, NOW)
    with db.transaction() as s:
        moves.record_tenancy(s, officer, people["HR1"], "Anytown Council", "", 2, date(2023, 6, 4), NOW)
        loss = move_payments.request_home_loss(s, officer, scheme, people["HR1"], estate_id, DISPLACED, NOW)
        assert loss.claimed_pence == 810_000
        loss_id = loss.id
    no_offsets = scheme.model_copy(update={"decants": scheme.decants.model_copy(update={"offset_arrears": False})})
    with db.transaction() as s:
        with pytest.raises(NotAllowed, match="another manager"):
            _own(s, scheme, people)
    with db.transaction() as s:
        with pytest.raises(InvalidInput, match="does not allow"):
            move_payments.decide_payment(s, people["manager"], no_offsets, loss_id, True, None, 5_000, "Rent", "", NOW)
    with db.transaction() as s:
        done = move_payments.decide_payment(s, people["manager"], scheme, loss_id, True, None, 900_000,
                                            "Rent account 1", "", NOW)
        assert (done.arrears_offset_pence, done.to_pay_pence) == (810_000, 0)  # never below nothing
    with db.transaction() as s:
        with pytest.raises(Conflict, match="already been decided"):
            move_payments.decide_payment(s, people["manager"], scheme, loss_id, False, None, 0, "", "No.", NOW)


def _own(session, scheme, people) -> None:
    """A manager's own request is decided by another: asked for here by the manager, decided by the same."""
    manager = people["manager"]
    estate = moves.create_regeneration_scheme(session, manager, "Own estate", "Block E", date(2027, 1, 1), NOW)
    moves.add_decant_household(session, manager, scheme, estate.id, "HR2", NOW)
    moves.record_tenancy(session, manager, people["HR2"], "Anytown Council", "", 2, date(2019, 1, 1), NOW)
    own = move_payments.request_home_loss(session, manager, scheme, people["HR2"], estate.id, DISPLACED, NOW)
    move_payments.decide_payment(session, manager, scheme, own.id, True, None, 0, "", "", NOW)


def test_the_report_counts_a_payment_in_the_london_day_it_was_asked_for(db, scheme, people):
    """Asked for at 23:30 UTC on 31 March 2026, which is 00:30 on 1 April in London (summer time): in the new
    financial year's figures, not the old one's; paid amounts are after the arrears offset."""
    from datetime import datetime, timezone

    from cbl.models import MovePayment
    from cbl.reports.move_payments import move_payments_report, report_csv

    asked = datetime(2026, 3, 31, 23, 30, tzinfo=timezone.utc)
    with db.transaction() as s:
        estate = moves.create_regeneration_scheme(s, people["officer"], "Estate", "Blocks", date(2027, 1, 1), NOW)
        moves.add_decant_household(s, people["officer"], scheme, estate.id, "HR1", NOW)
        moves.record_tenancy(s, people["officer"], people["HR1"], "Anytown Council", "", 2, date(2020, 1, 1), NOW)
        loss = move_payments.request_home_loss(s, people["officer"], scheme, people["HR1"], estate.id, DISPLACED,
                                               asked)
        move_payments.decide_payment(s, people["manager"], scheme, loss.id, True, None, 10_000, "Rent 1", "", asked)
        s.get(MovePayment, loss.id).paid_on = date(2026, 4, 2)
    with db.reading() as s:
        old_year = move_payments_report(s, date(2025, 4, 1), date(2026, 3, 31))
        new_year = move_payments_report(s, date(2026, 4, 1), date(2027, 3, 31))
    assert old_year.total.stages["requested"].count == 0
    assert new_year.total.stages["requested"].count == 1 and new_year.total.stages["requested"].pence == 810_000
    assert new_year.by_scheme["Estate"].stages["paid"].pence == 800_000
    assert "Home loss payment,1,8100.00,1,8100.00,1,8000.00" in report_csv(new_year)
