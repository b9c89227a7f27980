"""Officers' decisions on a case: band with history, verification, suspension and reinstatement, notes."""

from datetime import date, timedelta

from sqlmodel import select

from cbl.models import Applicant, BandAssessment, OutboxMessage
from cbl.models.states import ApplicationStatus
from cbl.rules.working_days import local_date
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import date_fields
from cbl.services.rights import Right

CASE = "/admin/applicants/HR000001"


def test_a_band_change_keeps_the_history_and_moves_the_household_in_the_queue(visitor, other_visitor, db, staff,
                                                                            world):
    other_visitor.sign_in("HR000001")
    other_visitor.post("/adverts/AD1/bid", form_page="/adverts/AD1")
    other_visitor.client.cookies.clear()
    other_visitor.sign_in("HR000002")  # band A
    other_visitor.post("/adverts/AD1/bid", form_page="/adverts/AD1")
    staff_sign_in(visitor, "officer@example.org")
    wrong = visitor.post(f"{CASE}/band", {"band": "Z", **date_fields("effective", "2025-01-01"), "reason": "x"},
                         form_page=CASE)
    assert wrong.status_code == 422 and "Choose band from the list" in wrong.text
    no_reason = visitor.post(f"{CASE}/band", {"band": "A", **date_fields("effective", "2025-01-01")}, form_page=CASE)
    assert no_reason.status_code == 422 and "Give the reason" in no_reason.text
    done = visitor.post(f"{CASE}/band", {"band": "A", **date_fields("effective", "2023-06-01"),
                                              "reason": "Medical priority"},
                        form_page=CASE)
    assert done.status_code == 303
    with db.reading() as s:
        applicant = s.exec(select(Applicant).where(Applicant.reference == "HR000001")).one()
        assert (applicant.band, applicant.band_date) == ("A", date(2023, 6, 1))
        assert s.exec(select(BandAssessment).where(BandAssessment.applicant_id == applicant.id)).all()[-1].reason \
            == "Medical priority"
    assert Right.BAND_SET in visitor.get(CASE).text.split('id="timeline"')[1]
    other_visitor.client.cookies.clear()
    other_visitor.sign_in("HR000001")  # earlier band A date than HR000002 (2024): now first
    assert "You are 1st of 2 eligible bids" in other_visitor.get("/account/bids").text


def test_suspension_stops_bidding_and_reinstatement_restores_it(visitor, other_visitor, db, staff, world):
    staff_sign_in(visitor, "officer@example.org")
    until = date_fields("until", now().date() + timedelta(days=30))
    assert visitor.post(f"{CASE}/suspension", until, form_page=CASE).status_code == 422  # no reason
    assert visitor.post(f"{CASE}/suspension", {**until, "reason": "False statement"},
                        form_page=CASE).status_code == 303
    other_visitor.sign_in("HR000001")
    refused = other_visitor.post("/adverts/AD1/bid", form_page="/adverts/AD1")
    assert refused.status_code == 409 and "suspended from bidding" in refused.text
    assert visitor.post(f"{CASE}/reinstatement", {"reason": "Review upheld the applicant"},
                        form_page=CASE).status_code == 303
    with db.reading() as s:
        applicant = s.exec(select(Applicant).where(Applicant.reference == "HR000001")).one()
        assert applicant.status is ApplicationStatus.ACTIVE and applicant.suspended_until is None
        assert applicant.registration_date == date(2023, 1, 1)  # original dates kept
        ended = " ".join(s.exec(select(OutboxMessage).where(OutboxMessage.template == "suspension_ended")).one()
                         .body.split())
    # The household is told the suspension has ended early, and why.
    assert f"ended the suspension of your application from bidding, from {local_date(now()):%-d %B %Y}" in ended
    assert "Review upheld the applicant" in ended and "You can bid for homes again" in ended
    assert other_visitor.post("/adverts/AD1/bid", form_page="/adverts/AD1").status_code == 303


def test_verification_and_notes_are_recorded_with_who_and_when(visitor, db, staff, world):
    staff_sign_in(visitor, "officer@example.org")
    assert visitor.post(f"{CASE}/verification", {"documents": ""}, form_page=CASE).status_code == 422
    assert visitor.post(f"{CASE}/verification", {"documents": "Passport, tenancy agreement"},
                        form_page=CASE).status_code == 303
    assert visitor.post(f"{CASE}/notes", {"note": "Called about the offer"}, form_page=CASE).status_code == 303
    page = visitor.get(CASE).text
    assert "Called about the offer" in page
    timeline = page.split('id="timeline"')[1]
    assert "application.verified" in timeline and "Passport, tenancy agreement" in timeline
    assert "Olu Officer" in timeline
    with db.reading() as s:
        assert s.exec(select(Applicant).where(Applicant.reference == "HR000001")).one().verified


def test_assessments_and_checks_are_recorded_and_a_failed_debt_check_flags_the_case(visitor, db, staff, world):
    staff_sign_in(visitor, "officer@example.org")
    missing = visitor.post(f"{CASE}/assessments", {"kind": "medical"}, form_page=CASE)
    assert missing.status_code == 422 and "Write the recommendation" in missing.text
    assert visitor.post(f"{CASE}/assessments", {"kind": "occupational_therapy",
                                                "recommendation": "Needs a level-access shower",
                                                "effect": "needs a step-free home"}, form_page=CASE).status_code == 303
    assert visitor.post(f"{CASE}/checks", {"kind": "housing_debt"}, form_page=CASE).status_code == 422
    assert visitor.post(f"{CASE}/checks", {"kind": "housing_debt", "passed": "no", "note": "£900 arrears"},
                        form_page=CASE).status_code == 303
    page = visitor.get(CASE).text
    assert "Needs a level-access shower" in page and "housing debt check not passed: £900 arrears" in page
    with db.reading() as s:
        assert s.exec(select(Applicant).where(Applicant.reference == "HR000001")).one().housing_debt
    timeline = page.split('id="timeline"')[1]
    assert "assessment.recorded" in timeline and "check.recorded" in timeline


def test_an_officer_bids_for_a_household_and_the_bid_says_so(visitor, other_visitor, db, staff, world):
    from cbl.models import Bid, OutboxMessage
    from cbl.models.states import BidPlacedBy, Channel

    with db.transaction() as s:
        s.get(Applicant, world.applicants["HR000001"]).email = "ann@example.org"
    staff_sign_in(visitor, "officer@example.org")
    assert visitor.post(f"{CASE}/bids", {"advert": ""}, form_page=CASE).status_code == 422
    assert visitor.post(f"{CASE}/bids", {"advert": "AD2"}, form_page=CASE).status_code == 303
    refused = visitor.post(f"{CASE}/bids", {"advert": "AD2"}, form_page=CASE)
    assert refused.status_code == 409 and "already bid for this home" in refused.text
    with db.reading() as s:
        bid = s.exec(select(Bid)).one()
        assert bid.placed_by is BidPlacedBy.OFFICER and bid.placed_by_staff_id == world.officer
        # The household hears of the bid (once: the refused one told it nothing), by the e-mail it has.
        [told] = s.exec(select(OutboxMessage).where(OutboxMessage.template == "bid_placed")).all()
    assert (told.applicant_id, told.channel) == (world.applicants["HR000001"], Channel.EMAIL)
    assert "of the lettings team placed a bid for you for the home advertised as AD2" in told.body
    other_visitor.sign_in("HR000001")
    assert "Placed for you by your housing officer" in other_visitor.get("/account/bids").text


def test_a_long_timeline_is_shown_50_events_to_a_page_newest_first(visitor, db, staff, world):
    from datetime import datetime, timezone

    from cbl.models import StaffUser
    from cbl.services import actors
    from cbl.services.register import add_note

    with db.transaction() as s:
        officer = actors.staff(s.get(StaffUser, world.officer))
        for number in range(1, 56):
            add_note(s, officer, world.applicants["HR000001"], f"Call number {number} logged",
                     datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(hours=number))
    staff_sign_in(visitor, "officer@example.org")
    first = visitor.get(CASE).text
    assert "Showing 1 to 50 of 55 events, newest first, 50 to a page." in first
    timeline = first.split('id="timeline"')[1]
    assert "Call number 55 logged" in timeline and "Call number 6 logged" in timeline
    assert "Call number 5 logged" not in timeline
    second = visitor.get(f"{CASE}?timeline=2")
    assert second.status_code == 200 and "Showing 51 to 55 of 55 events" in second.text
    assert "Call number 5 logged" in second.text.split('id="timeline"')[1]
    assert f'href="{CASE}?timeline=1#timeline"' in second.text  # back to the newest
    typed = visitor.get(f"{CASE}?timeline=first")
    assert typed.status_code == 422 and "Page must be a whole number from 1 to 10000" in typed.text
