"""The review forms (logging a request, working and deciding a review, a withdrawal, enquiries) show every
error at once, each beside its field, give back everything typed and save nothing; a text over its limit is
refused with the limit and the length typed, never cut."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import func, select

from cbl.models import BandAssessment, Enquiry, Review, StaffUser
from cbl.models.states import ReviewOutcome, ReviewStatus, StaffRole
from cbl.services import actors, reviews
from cbl.services.errors import InvalidInput
from cbl.services.register import set_band
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.support.factories import PASSWORD_HASH
from tests.support.forms import assert_every_error_shown, date_fields


@pytest.fixture
def band_lowered(db, scheme, world, staff):
    """An officer (grade 3) moved HR000001 from band C to band D two days ago; a senior reviewer (grade 5)
    exists."""
    with db.transaction() as s:
        s.add(StaffUser(organisation_id=world.council, email="senior@example.org", name="Sam Senior",
                        role=StaffRole.REVIEW_OFFICER, grade=5, password_hash=PASSWORD_HASH))
    with db.reading() as s:
        officer = actors.staff(s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.OFFICER])).one())
    today = datetime.now(timezone.utc).date()
    db.run(set_band, officer, scheme, world.applicants["HR000001"], "D", today - timedelta(days=2),
           "Overcrowding resolved", now() - timedelta(days=2))
    with db.reading() as s:
        return s.exec(select(BandAssessment).where(BandAssessment.band == "D")).one()


def _reviews(db) -> int:
    with db.reading() as s:
        return s.exec(select(func.count()).select_from(Review)).one()


def test_logging_a_request_with_several_mistakes_shows_them_all_keeps_the_rest_and_saves_nothing(
        visitor, db, staff, band_lowered):
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    page = "/admin/reviews/new?applicant=HR000001"
    reasons = "They still share one bedroom. " * 300  # 9,000 characters: over the 8,000 allowed
    typed = {"applicant": "HR000001", "decision": "", "reasons": reasons,
             "requested_on-day": "3", "requested_on-year": "2026",
             "notified_on-day": "31", "notified_on-month": "2", "notified_on-year": "2026",
             "late_reason": "Was in hospital", "pending": "yes"}
    refused = visitor.post("/admin/reviews/new", typed, form_page=page)
    assert refused.status_code == 422
    form = assert_every_error_shown(refused.text, {
        "decision": "Choose the decision to be reviewed",
        "reasons": f"The household's reasons must be 8,000 characters or fewer (you entered {len(reasons.strip()):,})",
        "requested_on": "Date the request was received must include a month",
        "notified_on": "Date the household was told of the decision must be a real date"})
    assert form.values["reasons"] == [reasons]
    assert form.values["requested_on-day"] == ["3"] and form.values["requested_on-year"] == ["2026"]
    assert form.values["notified_on-day"] == ["31"] and form.values["notified_on-month"] == ["2"]
    assert form.values["late_reason"] == ["Was in hospital"] and form.values["pending"] == ["yes"]
    assert _reviews(db) == 0

    # A refusal of the service (told before the decision was made) is shown beside its field, the rest kept.
    before = band_lowered.decided_at.date() - timedelta(days=1)
    early = visitor.post("/admin/reviews/new", {"applicant": "HR000001",
                                                "decision": f"band_assessment:{band_lowered.id}",
                                                "reasons": "Letter", **date_fields("notified_on", before)},
                         form_page=page)
    assert early.status_code == 422
    form = assert_every_error_shown(early.text, {"notified_on": "before it was made"})
    assert form.values["decision"] == [f"band_assessment:{band_lowered.id}"] and form.values["reasons"] == ["Letter"]
    assert _reviews(db) == 0

    logged = visitor.post("/admin/reviews/new", {
        "applicant": "HR000001", "decision": f"band_assessment:{band_lowered.id}", "reasons": reasons[:7999],
        "pending": "yes", **date_fields("notified_on", band_lowered.decided_at.date())}, form_page=page)
    assert logged.status_code == 303
    with db.reading() as s:
        review = s.exec(select(Review)).one()
    assert logged.headers["location"] == f"/admin/reviews/{review.id}"
    assert review.applicant_reasons == reasons[:7999].strip() and review.pending_accommodation_asked


def _logged(db, scheme, world, staff, band_lowered) -> Review:
    with db.reading() as s:
        officer = actors.staff(s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.OFFICER])).one())
        senior = s.exec(select(StaffUser).where(StaffUser.email == "senior@example.org")).one()
        manager = actors.staff(s.exec(select(StaffUser).where(StaffUser.role == StaffRole.MANAGER)).one())
    review = db.run(reviews.request_review, officer, scheme, world.applicants["HR000001"],
                    f"band_assessment:{band_lowered.id}", "By letter", now(), pending_accommodation=True)
    db.run(reviews.allocate, manager, review.id, senior.id, now())
    return review


def test_deciding_with_several_mistakes_shows_them_all_on_the_review_page_and_decides_nothing(
        visitor, db, scheme, world, staff, band_lowered):
    review = _logged(db, scheme, world, staff, band_lowered)
    staff_sign_in(visitor, "senior@example.org")
    path = f"/admin/reviews/{review.id}"
    reasons = "x" * 16_001
    refused = visitor.post(f"{path}/decision", {"outcome": "quashed", "reasons": reasons, "deficiency": "yes"},
                           form_page=path)
    assert refused.status_code == 422
    # The page holds several forms with a "reasons" and an "outcome": each id carries its form's name.
    form = assert_every_error_shown(refused.text, {
        "outcome-decision": "Choose outcome from the list",
        "reasons-decision": "Reasons must be 16,000 characters or fewer (you entered 16,001)"})
    assert form.values["reasons"][-1] == reasons and "yes" in form.values["deficiency"]
    assert "reasons-draft" in form.ids and "reasons-draft-error" not in form.ids  # the other forms stay clean
    with db.reading() as s:
        assert s.get(Review, review.id).status is ReviewStatus.ACKNOWLEDGED

    decided = visitor.post(f"{path}/decision", {"outcome": "overturned", "reasons": "Five share one bedroom."},
                           form_page=path)
    assert decided.status_code == 303
    with db.reading() as s:
        assert s.get(Review, review.id).outcome is ReviewOutcome.OVERTURNED


def test_a_withdrawal_by_telephone_needs_the_officer_with_everything_else_shown_at_once(
        visitor, db, scheme, world, staff, band_lowered):
    review = _logged(db, scheme, world, staff, band_lowered)
    staff_sign_in(visitor, staff[StaffRole.REVIEW_OFFICER])
    path = f"/admin/reviews/{review.id}"
    refused = visitor.post(f"{path}/withdrawal", {"channel": "phone", "request": "",
                                                  "requested_on-day": "40", "requested_on-month": "1",
                                                  "requested_on-year": "2026"}, form_page=path)
    assert refused.status_code == 422
    form = assert_every_error_shown(refused.text, {
        "requested_on-withdrawal": "Date of the request must be a real date",
        "request-withdrawal": "Record what the applicant said or wrote",
        "taken_by-withdrawal": "Give the name of the officer who took the call"})
    assert form.values["channel"] == ["phone"] and form.values["requested_on-day"] == ["40"]
    with db.reading() as s:
        assert s.get(Review, review.id).status is ReviewStatus.ACKNOWLEDGED

    withdrawn = visitor.post(f"{path}/withdrawal", {"channel": "phone", "request": "Please stop my review",
                                                    "taken_by": "Pat Officer"}, form_page=path)
    assert withdrawn.status_code == 303
    with db.reading() as s:
        review = s.get(Review, review.id)
    assert review.status is ReviewStatus.WITHDRAWN and review.withdrawal_taken_by == "Pat Officer"


def test_the_working_forms_refuse_over_long_text_with_its_length_and_keep_it(
        visitor, db, scheme, world, staff, band_lowered):
    review = _logged(db, scheme, world, staff, band_lowered)
    staff_sign_in(visitor, staff[StaffRole.REVIEW_OFFICER])
    path = f"/admin/reviews/{review.id}"
    agreement = "E-mail agreeing. " * 150  # 2,550 characters: over the 2,000 allowed
    extension = visitor.post(f"{path}/extension", {"extended_to-day": "1", "agreement": agreement}, form_page=path)
    assert extension.status_code == 422
    form = assert_every_error_shown(extension.text, {
        "extended_to-extension": "New date must include a month and a year",
        "agreement-extension": f"must be 2,000 characters or fewer (you entered {len(agreement.strip()):,})"})
    assert form.values["agreement"] == [agreement] and form.values["extended_to-day"] == ["1"]

    pending = visitor.post(f"{path}/pending-accommodation", {"granted": "maybe", "reasons": "y" * 4001},
                           form_page=path)
    assert pending.status_code == 422
    assert_every_error_shown(pending.text, {
        "granted-pending": "from the list", "reasons-pending": "4,000 characters or fewer (you entered 4,001)"})
    with db.reading() as s:
        unchanged = s.get(Review, review.id)
    assert unchanged.extended_to is None and unchanged.pending_accommodation_granted is None

    drafted = visitor.post(f"{path}/draft", {"outcome": "upheld", "reasons": "Band D is right."}, form_page=path)
    assert drafted.status_code == 303
    with db.reading() as s:
        assert s.get(Review, review.id).draft_reasons == "Band D is right."


def test_the_services_refuse_over_long_text_rather_than_cut_it(db, scheme, world, staff, band_lowered):
    review = _logged(db, scheme, world, staff, band_lowered)
    with db.reading() as s:
        drafter = actors.staff(
            s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.REVIEW_OFFICER])).one())
    with pytest.raises(InvalidInput, match=r"16,000 characters or fewer \(you entered 16,001\)") as refused:
        db.run(reviews.draft, drafter, review.id, "upheld", "z" * 16_001, False, now())
    assert refused.value.field == "reasons"
    with pytest.raises(InvalidInput, match="you entered 4,001"):
        db.run(reviews.decide_pending_accommodation, drafter, review.id, True, "z" * 4001, now())
    with db.reading() as s:
        assert s.get(Review, review.id).draft_reasons is None


def test_logging_an_enquiry_with_several_mistakes_shows_them_all_and_an_answer_box_its_own(
        visitor, db, staff, world):
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    page = "/admin/enquiries"
    summary = "Why was the household skipped? " * 300  # 9,300 characters: over the 8,000 allowed
    typed = {"kind": "petition", "raised_by": "", "applicant": "HR000001", "summary": summary,
             "received_on-day": "12", "received_on-month": "13", "received_on-year": "2026"}
    refused = visitor.post(page, typed, form_page=page)
    assert refused.status_code == 422
    form = assert_every_error_shown(refused.text, {
        "kind": "Choose kind from the list",
        "raised_by": "Say who raised it",
        "summary": f"Summary must be 8,000 characters or fewer (you entered {len(summary.strip()):,})",
        "received_on": "Date received must be a real date"})
    assert form.values["summary"] == [summary] and form.values["applicant"] == ["HR000001"]
    assert form.values["received_on-month"] == ["13"]
    with db.reading() as s:
        assert s.exec(select(func.count()).select_from(Enquiry)).one() == 0

    today = date_fields("received_on", datetime.now(timezone.utc).date())
    assert visitor.post(page, {"kind": "complaint", "raised_by": "A tenant", "summary": "Slow answer", **today},
                        form_page=page).status_code == 303
    with db.reading() as s:
        enquiry = s.exec(select(Enquiry)).one()
    answer = "a" * 16_001
    too_long = visitor.post(f"{page}/{enquiry.id}/answer", {"answer": answer}, form_page=page)
    assert too_long.status_code == 422
    form = assert_every_error_shown(too_long.text, {
        f"answer-{enquiry.id}": "Answer must be 16,000 characters or fewer (you entered 16,001)"})
    assert form.values["answer"] == [answer]
    with db.reading() as s:
        assert s.get(Enquiry, enquiry.id).answered_on is None
    assert visitor.post(f"{page}/{enquiry.id}/answer", {"answer": "Sorry; answered now."},
                        form_page=page).status_code == 303
    twice = visitor.post(f"{page}/{enquiry.id}/acknowledgement", {}, form_page=page)
    assert twice.status_code == 409 and "This has been answered" in twice.text


def test_a_late_request_a_minded_to_notice_and_representations_each_show_their_own_errors(
        visitor, db, scheme, world, staff, band_lowered):
    with db.reading() as s:
        officer = actors.staff(s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.OFFICER])).one())
    # Logged 30 days after the decision: late, and waiting for an officer to accept it.
    review = db.run(reviews.request_review, officer, scheme, world.applicants["HR000001"],
                    f"band_assessment:{band_lowered.id}", "I was in hospital", now() + timedelta(days=30))
    staff_sign_in(visitor, staff[StaffRole.REVIEW_OFFICER])
    path = f"/admin/reviews/{review.id}"
    reason = "Hospital letter seen. " * 100  # 2,200 characters: over the 2,000 allowed
    late = visitor.post(f"{path}/late", {"reason": reason}, form_page=path)
    assert late.status_code == 422
    form = assert_every_error_shown(late.text, {
        "accept-late": "Say whether the late request is accepted",
        "reason-late": f"Reason must be 2,000 characters or fewer (you entered {len(reason.strip()):,})"})
    assert form.values["reason"] == [reason]
    assert visitor.post(f"{path}/late", {"accept": "yes", "reason": reason[:1999]}, form_page=path).status_code == 303

    deficiency = "d" * 4_001
    minded = visitor.post(f"{path}/minded-to", {"reasons": "  ", "deficiency": deficiency}, form_page=path)
    assert minded.status_code == 422
    form = assert_every_error_shown(minded.text, {
        "deficiency-minded": "4,000 characters or fewer (you entered 4,001)",
        "reasons-minded": "Set out the reasons the reviewer is minded to decide"})
    assert form.values["deficiency"] == [deficiency]
    missing = visitor.post(f"{path}/minded-to", {"reasons": "The medical evidence does not change the need"},
                           form_page=path)
    assert missing.status_code == 422
    assert_every_error_shown(missing.text, {"deficiency-minded": "Say what the deficiency or irregularity"})
    with db.reading() as s:
        assert s.get(Review, review.id).minded_to_sent_on is None
    assert visitor.post(f"{path}/minded-to", {"deficiency": "The medical form was not read",
                                              "reasons": "The medical evidence does not change the need"},
                        form_page=path).status_code == 303
    said = "r" * 16_005
    representations = visitor.post(f"{path}/representations", {"representations": said}, form_page=path)
    assert representations.status_code == 422
    form = assert_every_error_shown(representations.text, {
        "representations-representations": "16,000 characters or fewer (you entered 16,005)"})
    assert form.values["representations"] == [said]
    with db.reading() as s:
        stored = s.get(Review, review.id)
    assert stored.status is ReviewStatus.MINDED_TO and stored.representations is None
    assert stored.late_accepted_reason == reason[:1999].strip()
