"""Statutory reviews through the real app: asked for online, acknowledged, allocated to a senior officer
not involved in the decision, worked with a minded-to notice where the law needs one, decided in time,
the overturn put right, and the figures."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from cbl.models import Applicant, BandAssessment, OutboxMessage, Review, StaffUser
from cbl.models.states import ReviewOutcome, ReviewStatus, StaffRole
from cbl.services import actors
from cbl.services.actors import SYSTEM
from cbl.services.errors import Conflict, NotAllowed
from cbl.services.register import set_band
from cbl.services import review_withdrawal, reviews
from cbl.rules.reporting_periods import financial_year
from cbl.rules.working_days import local_date
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.support.factories import PASSWORD_HASH
from tests.support.forms import assert_every_error_shown, date_fields, read_form


@pytest.fixture
def band_lowered(db, scheme, world, staff):
    """An officer (grade 3) moved HR000001 from band C to band D; a senior reviewer (grade 5) exists."""
    with db.transaction() as s:
        s.add(StaffUser(organisation_id=world.council, email="senior@example.org", name="Sam Senior",
                        role=StaffRole.REVIEW_OFFICER, grade=5, password_hash=PASSWORD_HASH))
        officer = s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.OFFICER])).one()
        officer.grade = 3
    with db.reading() as s:
        officer = actors.staff(s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.OFFICER])).one())
    today = datetime.now(timezone.utc).date()
    db.run(set_band, officer, scheme, world.applicants["HR000001"], "D", today - timedelta(days=2),
           "Overcrowding resolved", now() - timedelta(days=2))
    with db.reading() as s:
        return s.exec(select(BandAssessment).where(BandAssessment.band == "D")).one()


def test_a_household_asks_online_and_a_senior_officer_overturns_the_band_decision(
        visitor, other_visitor, db, world, staff, band_lowered):
    assert visitor.sign_in("HR000001").status_code == 303
    page = visitor.get("/account/reviews")
    assert "Band D from" in page.text
    no_reasons = visitor.post("/account/reviews", {"decision": f"band_assessment:{band_lowered.id}"},
                              form_page="/account/reviews")
    assert no_reasons.status_code == 422 and "why you think" in no_reasons.text
    asked = visitor.post("/account/reviews", {"decision": f"band_assessment:{band_lowered.id}",
                                              "reasons": "We still share one bedroom between five"},
                         form_page="/account/reviews")
    assert asked.status_code == 303
    with db.reading() as s:
        review = s.exec(select(Review)).one()
        ack = s.exec(select(OutboxMessage).where(OutboxMessage.template == "review_acknowledgement")).one()
    assert review.status is ReviewStatus.ACKNOWLEDGED and not review.late
    # 8 weeks beginning with the day of the request: its 56th day, not 56 days after it.
    assert review.decide_by == review.requested_on + timedelta(days=55)
    assert "senior to" in ack.body and f"{review.decide_by:%-d %B %Y}" in ack.body
    assert "acknowledged" in visitor.get("/account/reviews").text
    twice = visitor.post("/account/reviews", {"decision": f"band_assessment:{band_lowered.id}", "reasons": "again"},
                         form_page="/account/reviews")
    assert twice.status_code == 409

    # The manager allocates: the officer who made the decision cannot review it; a grade-5 reviewer can.
    staff_sign_in(other_visitor, staff[StaffRole.MANAGER])
    path = f"/admin/reviews/{review.id}"
    with db.reading() as s:
        officer = s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.OFFICER])).one()
        senior = s.exec(select(StaffUser).where(StaffUser.email == "senior@example.org")).one()
        junior = s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.REVIEW_OFFICER])).one()
    refused = other_visitor.post(f"{path}/allocation", {"reviewer": str(junior.id)}, form_page=path)
    assert refused.status_code == 403 and "must be senior" in refused.text  # grade 3 is not senior to grade 3
    assert other_visitor.post(f"{path}/allocation", {"reviewer": str(senior.id)}, form_page=path).status_code == 303

    # Only the allocated reviewing officer may decide.
    not_theirs = other_visitor.post(f"{path}/decision", {"outcome": "overturned", "reasons": "x"}, form_page=path)
    assert not_theirs.status_code == 403 and "Sam Senior" in not_theirs.text
    reviewer = other_visitor.__class__(other_visitor.client)
    other_visitor.post("/admin/sign-out", form_page="/admin/reviews")
    staff_sign_in(reviewer, "senior@example.org")
    decided = reviewer.post(f"{path}/decision", {"outcome": "overturned",
                                                 "reasons": "Five people still share one bedroom."}, form_page=path)
    assert decided.status_code == 303
    with db.reading() as s:
        review = s.get(Review, review.id)
        applicant = s.get(Applicant, world.applicants["HR000001"])
        letter = s.exec(select(OutboxMessage).where(OutboxMessage.template == "review_decision")).one()
    assert review.outcome is ReviewOutcome.OVERTURNED and review.status is ReviewStatus.DECIDED
    assert applicant.band == "C" and applicant.band_date == date(2024, 1, 1)  # restored, with its date
    assert "Band C from 1 January 2024 is restored" in letter.body
    # A Part 6 decision of the council: after the review, the Local Government and Social Care Ombudsman.
    told = " ".join(letter.body.split())
    assert "complain to the Local Government and Social Care Ombudsman" in told and "county court" not in told
    assert officer.id == review.original_decision_maker_id


def test_an_adverse_decision_after_a_deficiency_needs_a_minded_to_notice_and_time_for_representations(
        db, scheme, world, staff, band_lowered):
    with db.reading() as s:
        manager = actors.staff(s.exec(select(StaffUser).where(StaffUser.role == StaffRole.MANAGER)).one())
        senior_row = s.exec(select(StaffUser).where(StaffUser.email == "senior@example.org")).one()
        senior = actors.staff(senior_row)
        drafter = actors.staff(s.exec(select(StaffUser)
                                      .where(StaffUser.email == staff[StaffRole.REVIEW_OFFICER])).one())
        officer = actors.staff(s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.OFFICER])).one())
    moment = now()
    review = db.run(reviews.request_review, officer, scheme, world.applicants["HR000001"],
                    f"band_assessment:{band_lowered.id}", "Letter of 3 December", moment)
    db.run(reviews.allocate, manager, review.id, senior_row.id, moment)
    db.run(reviews.draft, drafter, review.id, "upheld", "Band D is right, though the medical form was not read",
           True, moment)
    with pytest.raises(Conflict, match="minded to"):
        db.run(reviews.decide, senior, scheme, review.id, "upheld", "Band D stands", False, moment)
    db.run(reviews.send_minded_to, drafter, scheme, review.id, "The medical form was not read",
           "The medical evidence does not change the need", moment)
    with db.reading() as s:
        minded = s.get(Review, review.id)
        assert minded.status is ReviewStatus.MINDED_TO and minded.representations_by > minded.minded_to_sent_on
    with pytest.raises(Conflict, match="may make representations until"):
        db.run(reviews.decide, senior, scheme, review.id, "upheld", "Band D stands", False, moment)
    after = datetime.combine(minded.representations_by + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    decided = db.run(reviews.decide, senior, scheme, review.id, "upheld", "Band D stands", False,
                     after + timedelta(hours=12))
    assert decided.outcome is ReviewOutcome.UPHELD and decided.drafted_by_id == drafter.id
    with pytest.raises(Conflict):
        db.run(review_withdrawal.withdraw, drafter, review.id, "email", "Please stop my review", moment)


def test_late_requests_extensions_and_who_may_decide(db, scheme, world, staff, band_lowered):
    with db.reading() as s:
        officer_row = s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.OFFICER])).one()
        drafter = actors.staff(s.exec(select(StaffUser)
                                      .where(StaffUser.email == staff[StaffRole.REVIEW_OFFICER])).one())
        manager = actors.staff(s.exec(select(StaffUser).where(StaffUser.role == StaffRole.MANAGER)).one())
    with db.reading() as s:
        applicant = actors.applicant(s.get(Applicant, world.applicants["HR000001"]))
    # Asked for 30 days after being told: recorded as late, and not decided until an officer accepts it.
    later = now() + timedelta(days=30)
    review = db.run(reviews.request_review, applicant, scheme, world.applicants["HR000001"],
                    f"band_assessment:{band_lowered.id}", "I was in hospital", later)
    assert review.late and review.late_accepted_reason is None
    db.run(reviews.accept_late_request, drafter, review.id, True, "Hospital admission letter seen", later)
    # The officer who made the decision may not review it, whatever their grade.
    with pytest.raises(NotAllowed):
        db.run(reviews.allocate, manager, review.id, officer_row.id, later)
    # An extension needs the applicant's written agreement.
    with pytest.raises(Exception, match="written agreement"):
        db.run(reviews.extend, drafter, review.id, review.decide_by + timedelta(days=14), "", later)
    extended = db.run(reviews.extend, drafter, review.id, review.decide_by + timedelta(days=14),
                      "E-mail of 2 January agreeing", later)
    assert reviews.deadline(extended) == review.decide_by + timedelta(days=14)


def test_reviews_due_and_overdue_are_listed_reminded_and_counted(visitor, db, scheme, world, staff, band_lowered):
    with db.reading() as s:
        officer = actors.staff(s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.OFFICER])).one())
    review = db.run(reviews.request_review, officer, scheme, world.applicants["HR000001"],
                    f"band_assessment:{band_lowered.id}", "By letter", now())
    near = datetime.combine(review.decide_by - timedelta(days=2), datetime.min.time(), tzinfo=timezone.utc)
    assert db.run(reviews.send_reminders, SYSTEM, near) == 1
    assert db.run(reviews.send_reminders, SYSTEM, near + timedelta(hours=2)) == 0
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    listing = visitor.get("/admin/reviews").text
    assert f"/admin/reviews/{review.id}" in listing.split('id="open"')[1]
    report = visitor.get("/admin/reviews/report")
    assert report.status_code == 200 and "1 received" in report.text
    csv_text = visitor.get("/admin/reviews/report.csv").text
    assert "band,1,0" in csv_text.replace(" ", "")
    assert visitor.get("/admin/reviews/report.csv?start=2026-13-01").status_code == 422
    # The period as typed: the same review, in a period that ends today.
    today = local_date(now())
    chosen = visitor.get("/admin/reviews/report", params={**date_fields("start", today - timedelta(days=30)),
                                                          **date_fields("end", today)})
    assert chosen.status_code == 200 and "1 received" in chosen.text
    assert f"report.csv?start={(today - timedelta(days=30)).isoformat()}&amp;end={today.isoformat()}" in chosen.text
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    assert visitor.get("/admin/reviews/report").status_code == 403


def test_members_enquiries_and_complaints_are_logged_and_answered_within_working_days(visitor, db, scheme,
                                                                                        staff, world):
    from cbl.models import Enquiry
    from cbl.services.enquiries import log_enquiry

    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    page = "/admin/enquiries"
    today = date_fields("received_on", datetime.now(timezone.utc).date())
    missing = visitor.post(page, {"kind": "member", "raised_by": "", "summary": "x", **today}, form_page=page)
    assert missing.status_code == 422 and "who raised it" in missing.text
    assert visitor.post(page, {"kind": "member", "raised_by": "Cllr Patel", "summary": "Why was HR000001 skipped?",
                               **today, "applicant": "HR000001"}, form_page=page).status_code == 303
    with db.reading() as s:
        enquiry = s.exec(select(Enquiry)).one()
        officer = actors.staff(s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.OFFICER])).one())
    assert enquiry.applicant_id == world.applicants["HR000001"]
    assert visitor.post(f"{page}/{enquiry.id}/answer", {"answer": "Housing-related debt; see the case."},
                        form_page=page).status_code == 303
    assert "Housing-related debt" in visitor.get(page).text
    # 10 UK working days from Christmas Eve (25 and 28 December and 1 January are bank holidays): 29, 30, 31
    # December, 4 to 8 January, 11 and 12 January.
    christmas = db.run(log_enquiry, officer, scheme, "complaint", "A tenant", "Slow answer", date(2026, 12, 24), "",
                       datetime(2026, 12, 24, 10, tzinfo=timezone.utc))
    assert christmas.answer_by == date(2027, 1, 12) and christmas.acknowledge_by == date(2026, 12, 31)


def test_the_figures_open_on_this_financial_year_to_date(visitor, staff, world):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    today = local_date(now())
    page = visitor.get("/admin/reviews/report")
    assert page.status_code == 200
    shown = read_form(page.text).values
    expected = {**date_fields("start", financial_year(today)[0]), **date_fields("end", today)}
    assert {name: shown[name] for name in expected} == {name: [value] for name, value in expected.items()}


@pytest.mark.parametrize("typed, errors", [
    ({"start-day": "1", "start-month": "13", "start-year": "2026",
      "end-day": "31", "end-month": "", "end-year": "2027"},
     {"start": "Start of the period must be a real date", "end": "End of the period must include a month"}),
    ({**date_fields("start", "2026-06-30"), **date_fields("end", "2026-04-01")},
     {"end": "The end of the period must be the same as or after its start"}),
    (date_fields("start", "2026-04-01"), {"end": "Enter the end of the period"}),
])
def test_a_report_period_with_mistakes_is_refused_beside_each_date_and_kept(visitor, staff, world, typed, errors):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    page = visitor.get("/admin/reviews/report", params=typed)
    assert page.status_code == 422 and 'id="by-month"' not in page.text and "report.csv" not in page.text
    assert "<title>Error: Reviews: figures" in page.text
    shown = assert_every_error_shown(page.text, errors).values
    assert {name: shown[name] for name in typed} == {name: [value] for name, value in typed.items()}


def test_a_household_withdraws_its_own_review_online_and_is_told_in_writing(visitor, other_visitor, db, world,
                                                                           band_lowered):
    assert visitor.sign_in("HR000001").status_code == 303
    visitor.post("/account/reviews", {"decision": f"band_assessment:{band_lowered.id}", "reasons": "Still crowded"},
                 form_page="/account/reviews")
    with db.reading() as s:
        review = s.exec(select(Review)).one()
    page = visitor.get("/account/reviews").text
    assert f'action="/account/reviews/{review.id}/withdrawal"' in page
    other_visitor.sign_in("HR000002")  # another household cannot withdraw it
    assert other_visitor.post(f"/account/reviews/{review.id}/withdrawal", form_page="/account/reviews") \
        .status_code == 404
    assert visitor.post(f"/account/reviews/{review.id}/withdrawal", form_page="/account/reviews").status_code == 303
    with db.reading() as s:
        review = s.get(Review, review.id)
        letter = " ".join(s.exec(select(OutboxMessage).where(OutboxMessage.template == "review_withdrawn")).one()
                          .body.split())
    assert review.status is ReviewStatus.WITHDRAWN and review.withdrawal_channel == "online"
    assert f"You asked us online on {review.withdrawal_requested_on:%-d %B %Y} to withdraw" in letter
    assert "The original decision stands" in letter
    assert "Withdraw my review" not in visitor.get("/account/reviews").text  # nothing left to withdraw
