"""Members' enquiries and complaints in two stages, each due in the scheme's UK working days and each
answered by letter (the stage 2 letter gives the route to the Local Government and Social Care Ombudsman);
the reg 7 minded-to notice states the deficiency found and the right to make representations orally or in
writing; and a decision that a household is not eligible or does not qualify (s160ZA(9)) is told with its
grounds, the right to a review with the last day as a date, and the route after the review."""

import html
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import func, select

from cbl.models import Applicant, AuditEvent, Enquiry, OutboxMessage, Review, StaffUser
from cbl.models.states import ApplicationStatus, ReviewType, StaffRole
from cbl.rules.working_days import add_working_days, local_date
from cbl.services import actors, enquiries, reviews
from cbl.services.errors import Conflict
from cbl.services.register import decide_not_allocatable, set_band
from cbl.services.register_review import reinstate_closed
from cbl.services.reviewable import reviewable_decisions
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import assert_every_error_shown, date_fields

LGSCO = "Local Government and Social Care Ombudsman"
PAGE = "/admin/enquiries"


def words(body: str) -> str:
    """The letter's text as a reader sees it: no tags, entities read, one space between words."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())


def _letters(db, template: str) -> list[str]:
    with db.reading() as s:
        return [words(m.body) for m in s.exec(select(OutboxMessage).where(OutboxMessage.template == template)
                                              .order_by(OutboxMessage.id))]


def _staff(db, role: StaffRole) -> actors.Actor:
    with db.reading() as s:
        return actors.staff(s.exec(select(StaffUser).where(StaffUser.role == role)).first())


def _row(page: str, enquiry_id: int) -> str:
    """The enquiry's row of the list, as text."""
    row = re.search(rf'<tr class="govuk-table__row" id="enquiry-{enquiry_id}">(.*?)</tr>', page, re.S)
    assert row, f"no row for enquiry {enquiry_id}"
    return words(row.group(1))


def test_a_complaint_goes_to_stage_2_with_who_asked_when_and_why_and_each_answer_is_a_letter(
        visitor, db, scheme, staff, world):
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    today = local_date(now())
    assert visitor.post(PAGE, {"kind": "complaint", "raised_by": "Ann Example", "applicant": "HR000001",
                               "summary": "We were passed over for AD3", **date_fields("received_on", today)},
                        form_page=PAGE).status_code == 303
    with db.reading() as s:
        enquiry = s.exec(select(Enquiry)).one()
    path = f"{PAGE}/{enquiry.id}"
    asked = {"asked_by": "Ann Example", "reason": "The answer does not explain the skip",
             **date_fields("asked_on", today)}
    early = visitor.post(f"{path}/escalation", asked, form_page=PAGE)
    assert early.status_code == 409 and "Answer it at stage 1 first" in early.text

    assert visitor.post(f"{path}/answer", {"answer": "The skip was for rent arrears, as the scheme allows."},
                        form_page=PAGE).status_code == 303
    stage_one = _letters(db, "enquiry_answer")
    assert len(stage_one) == 1
    for sentence in (f"We received a complaint from Ann Example on {today:%-d %B %Y} about your housing application",
                     "stage 1 of our complaints procedure", "The skip was for rent arrears, as the scheme allows.",
                     "you may ask us to look at it again at stage 2 of our complaints procedure",
                     "we will send you our final answer within 20 working days of the day you ask"):
        assert sentence in stage_one[0], sentence

    # Several mistakes at once: each beside its field, all that was typed given back, nothing saved.
    reason = "Not answered. " * 700  # 9,800 characters: over the 8,000 allowed
    typed = {"asked_by": "", "reason": reason, "asked_on-day": "31", "asked_on-month": "2", "asked_on-year": "2026"}
    refused = visitor.post(f"{path}/escalation", typed, form_page=PAGE)
    assert refused.status_code == 422
    form = assert_every_error_shown(refused.text, {
        f"asked_by-escalation-{enquiry.id}": "Say who asked for stage 2",
        f"asked_on-escalation-{enquiry.id}": "Date they asked must be a real date",
        f"reason-escalation-{enquiry.id}": f"8,000 characters or fewer (you entered {len(reason.strip()):,})"})
    assert form.values["reason"] == [reason] and form.values["asked_on-day"] == ["31"]
    tomorrow = visitor.post(f"{path}/escalation", {**asked, **date_fields("asked_on", today + timedelta(days=1))},
                            form_page=PAGE)
    assert tomorrow.status_code == 422
    assert_every_error_shown(tomorrow.text, {f"asked_on-escalation-{enquiry.id}": "cannot be in the future"})
    with db.reading() as s:
        assert s.get(Enquiry, enquiry.id).escalated_on is None

    assert visitor.post(f"{path}/escalation", asked, form_page=PAGE).status_code == 303
    with db.reading() as s:
        escalated = s.get(Enquiry, enquiry.id)
        officer_id = s.exec(select(StaffUser.id).where(StaffUser.email == staff[StaffRole.OFFICER])).one()
    assert (escalated.escalation_asked_by, escalated.escalated_on, escalated.escalated_by_id) == (
        "Ann Example", today, officer_id)
    assert escalated.escalation_reason == "The answer does not explain the skip"
    assert escalated.stage_two_answer_by == add_working_days(today, scheme.enquiries.stage_two_answer_working_days)
    again = visitor.post(f"{path}/escalation", asked, form_page=PAGE)
    assert again.status_code == 409 and "went to stage 2" in again.text

    # Stage 2 is a second look: the officer who answered stage 1 may not give it.
    own = visitor.post(f"{path}/stage-two-answer", {"answer": "I stand by it."}, form_page=PAGE)
    assert own.status_code == 409 and "someone else must look at it again" in own.text
    assert own.text.count("I stand by it.") == 1  # what was typed is given back
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    empty = visitor.post(f"{path}/stage-two-answer", {"answer": "  "}, form_page=PAGE)
    assert empty.status_code == 422
    assert_every_error_shown(empty.text, {f"answer-stage2-{enquiry.id}": "Write the stage 2 answer"})
    assert visitor.post(f"{path}/stage-two-answer", {"answer": "The skip was right; we will explain it better."},
                        form_page=PAGE).status_code == 303
    final = _letters(db, "enquiry_final_answer")
    assert len(final) == 1
    for sentence in (f"Ann Example asked us on {today:%-d %B %Y} to look again at our stage 1 answer",
                     "An officer who did not give the stage 1 answer has looked at the whole matter again",
                     "The skip was right; we will explain it better.",
                     "This is our final answer: our complaints procedure has ended.",
                     f"you may complain to the {LGSCO}", "within 12 months"):
        assert sentence in final[0], sentence
    assert "Housing Ombudsman" not in final[0].replace(LGSCO, "")
    row = _row(visitor.get(PAGE).text, enquiry.id)
    assert "Stage 2 asked for by Ann Example" in row and "Stage 2, " in row and "overdue" not in row
    done = visitor.post(f"{path}/stage-two-answer", {"answer": "Once more"}, form_page=PAGE)
    assert done.status_code == 409 and "procedure has ended" in done.text


def test_each_stage_is_due_in_uk_working_days_and_overdue_stages_show_on_the_page(visitor, db, scheme, staff, world):
    officer, manager = _staff(db, StaffRole.OFFICER), _staff(db, StaffRole.MANAGER)
    # A worked example across Easter 2027 (Good Friday 26 March, Easter Monday 29 March): 20 working days after
    # Thursday 18 March are 19, 22 to 25, 30 and 31 March, 1 and 2 April, 5 to 9, 12 to 16 and 19 April.
    march = datetime(2027, 3, 1, 10, tzinfo=timezone.utc)
    easter = db.run(enquiries.log_enquiry, officer, scheme, "member", "Cllr Patel", "Why band C?", date(2027, 3, 1),
                    "HR000002", march)
    db.run(enquiries.answer, officer, scheme, easter.id, "Band C: see the assessment.", march + timedelta(days=9))
    easter = db.run(enquiries.escalate, officer, scheme, easter.id, "Cllr Patel", date(2027, 3, 18),
                    "The medical evidence was not weighed", datetime(2027, 3, 18, 10, tzinfo=timezone.utc))
    assert easter.stage_two_answer_by == date(2027, 4, 19)
    before = datetime(2027, 3, 17, 10, tzinfo=timezone.utc)
    with pytest.raises(Conflict, match="went to stage 2 on 18 March 2027"):
        db.run(enquiries.escalate, officer, scheme, easter.id, "Cllr Patel", date(2027, 3, 17), "Again", before)
    member = _letters(db, "enquiry_answer")[0]
    assert "Cllr Patel, your councillor, asked us on 1 March 2027 about your housing application" in member

    # Two months ago: answered at stage 1, taken to stage 2 two days after it came in, not answered since.
    today = local_date(now())
    received = today - timedelta(days=60)
    at = datetime.combine(received, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=12)
    late = db.run(enquiries.log_enquiry, officer, scheme, "complaint", "A tenant", "Slow", received, "HR000001", at)
    db.run(enquiries.answer, officer, scheme, late.id, "Sorry.", at + timedelta(days=1))
    db.run(enquiries.escalate, manager, scheme, late.id, "A tenant", received + timedelta(days=2), "Still slow",
           at + timedelta(days=2))
    unanswered = db.run(enquiries.log_enquiry, officer, scheme, "complaint", "Another tenant", "No reply", received,
                        "", at)
    fresh = db.run(enquiries.log_enquiry, officer, scheme, "complaint", "New tenant", "New", today, "", now())
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    page = visitor.get(PAGE).text
    assert "Stage 2 overdue" in _row(page, late.id) and "Stage 1 overdue" not in _row(page, late.id)
    assert "Stage 1 overdue" in _row(page, unanswered.id)
    assert "overdue" not in _row(page, fresh.id) and "overdue" not in _row(page, easter.id)
    # Waiting at either stage comes first, the soonest due first.
    assert page.index(f'id="enquiry-{late.id}"') < page.index(f'id="enquiry-{fresh.id}"')
    # No household named: nothing to write to, so no letter; the page says so beside the answer box.
    assert "No application is named" in _row(page, unanswered.id)


def test_the_minded_to_notice_states_the_deficiency_and_the_right_to_make_representations(
        visitor, db, scheme, world, staff):
    officer = _staff(db, StaffRole.OFFICER)
    today = local_date(now())
    band = db.run(set_band, officer, scheme, world.applicants["HR000001"], "D", today - timedelta(days=2),
                  "Overcrowding resolved", now() - timedelta(days=2))
    review = db.run(reviews.request_review, officer, scheme, world.applicants["HR000001"],
                    f"band_assessment:{band.id}", "The medical form was ignored", now())
    staff_sign_in(visitor, staff[StaffRole.REVIEW_OFFICER])
    path = f"/admin/reviews/{review.id}"
    assert visitor.post(f"{path}/minded-to", {
        "deficiency": "The officer did not read the medical form sent on 2 November",
        "reasons": "Read now, the form shows no need for a bigger home"}, form_page=path).status_code == 303
    with db.reading() as s:
        minded = s.get(Review, review.id)
    assert minded.deficiency == "The officer did not read the medical form sent on 2 November"
    assert minded.deficiency_found and minded.representations_by is not None
    letter = _letters(db, "review_minded_to")[0]
    for sentence in ("We are reviewing the band given to the application (s166A(9))",
                     "found a deficiency or irregularity in the original decision, or in the way it was made: "
                     "The officer did not read the medical form sent on 2 November",
                     "the reviewer is minded to make a decision that is against your interests",
                     "Read now, the form shows no need for a bigger home",
                     "you, or someone acting on your behalf, may make representations to the reviewer orally or in "
                     "writing, or both orally and in writing",
                     f"Please contact us by {minded.representations_by:%-d %B %Y}"):
        assert sentence in letter, sentence
    assert "The officer did not read the medical form" in visitor.get(path).text


def test_a_household_found_not_eligible_or_not_qualifying_is_told_the_grounds_the_review_and_the_route(
        visitor, db, scheme, world, staff):
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    case = "/admin/applicants/HR000001"
    grounds = "No right to rent. " * 250  # 4,500 characters: over the 4,000 allowed
    refused = visitor.post(f"{case}/eligibility", {"decision": "deported", "grounds": grounds}, form_page=case)
    assert refused.status_code == 422
    form = assert_every_error_shown(refused.text, {
        "decision-eligibility": "Choose decision from the list",
        "grounds-eligibility": f"4,000 characters or fewer (you entered {len(grounds.strip()):,})"})
    assert form.values["grounds"] == [grounds]
    missing = visitor.post(f"{case}/eligibility", {}, form_page=case)
    assert_every_error_shown(missing.text, {
        "decision-eligibility": "Choose the decision: not eligible, or not a qualifying person",
        "grounds-eligibility": "Give the grounds for the decision"})
    with db.reading() as s:
        assert s.get(Applicant, world.applicants["HR000001"]).status is ApplicationStatus.ACTIVE
        assert s.exec(select(func.count()).select_from(OutboxMessage)
                      .where(OutboxMessage.template == "eligibility_decision")).one() == 0

    today = local_date(now())
    assert visitor.post(f"{case}/eligibility", {
        "decision": "not_eligible", "grounds": "Subject to immigration control with no recourse to public funds"},
        form_page=case).status_code == 303
    with db.reading() as s:
        applicant = s.get(Applicant, world.applicants["HR000001"])
        decisions = reviewable_decisions(s, applicant.id)
    assert applicant.status is ApplicationStatus.CLOSED and applicant.closed_from is ApplicationStatus.ACTIVE
    assert applicant.closed_reason == "Not eligible for an allocation"
    # The household may ask for a review of it (the decision is read back from the audit trail).
    eligibility = next(d for d in decisions if d.decision_type is ReviewType.ELIGIBILITY)
    assert "Subject to immigration control" in eligibility.description
    letter = _letters(db, "eligibility_decision")[0]
    request_by = today + timedelta(days=scheme.reviews.request_within_days - 1)
    for sentence in ("We have decided that you are not eligible for an allocation of housing from us (section "
                     "160ZA(2) or (4) of the Housing Act 1996)", "we have closed your application",
                     "the grounds for it in writing (section 160ZA(9) of the Housing Act 1996)",
                     "Subject to immigration control with no recourse to public funds",
                     "You may ask us to review this decision (section 160ZA(9) of the Housing Act 1996)",
                     f"Please ask by {request_by:%-d %B %Y}: 21 days beginning with the date of this letter",
                     LGSCO, "you may apply again (section 160ZA(11)"):
        assert sentence in letter, sentence
    assert "Housing Ombudsman" not in letter.replace(LGSCO, "")
    # Decided once: the application is closed now, and only a review (or a new application) reopens it.
    again = visitor.post(f"{case}/eligibility", {"decision": "not_qualifying", "grounds": "No local connection"},
                         form_page=case)
    assert again.status_code == 409 and "This application is closed" in again.text
    with pytest.raises(Conflict, match="Only a review of that decision, or a new application"):
        db.run(reinstate_closed, _staff(db, StaffRole.OFFICER), scheme, applicant.id, "Asked to come back", now())
    review = db.run(reviews.request_review, _staff(db, StaffRole.OFFICER), scheme, applicant.id, eligibility.key,
                    "My status has been granted", now())
    assert review.decision_type is ReviewType.ELIGIBILITY


def test_not_qualifying_is_told_with_its_own_provision_and_a_worked_date(db, scheme, world, staff):
    officer = _staff(db, StaffRole.OFFICER)
    # Told on Tuesday 29 December 2026: 21 days beginning with that day end on Monday 18 January 2027.
    told = datetime(2026, 12, 29, 10, tzinfo=timezone.utc)
    db.run(decide_not_allocatable, officer, scheme, world.applicants["HR000002"], "not_qualifying",
           "No local connection to the district under part 3 of the scheme", told)
    letter = _letters(db, "eligibility_decision")[0]
    for sentence in ("We have decided that you are not a qualifying person under our allocation scheme (section "
                     "160ZA(7) of the Housing Act 1996)", "No local connection to the district",
                     "Please ask by 18 January 2027", LGSCO):
        assert sentence in letter, sentence
    with db.reading() as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "application.not_qualifying")).one()
    assert event.actor_id == officer.id and "No local connection" in event.details["reason"]


def test_enquiries_are_shown_25_to_a_page_and_a_refused_answer_comes_back_on_its_page(visitor, db, scheme, staff,
                                                                                     world):
    officer = _staff(db, StaffRole.OFFICER)
    received = local_date(now()) - timedelta(days=3)
    logged = [db.run(enquiries.log_enquiry, officer, scheme, "member", f"Cllr Number{n}", f"Question {n}", received,
                     "", now()) for n in range(1, 28)]
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    first = visitor.get(PAGE).text
    assert "Showing 1 to 25 of 27 enquiries and complaints, those waiting for an answer first" in first
    assert len(re.findall(r'id="enquiry-\d+"', first)) == 25 and f'id="enquiry-{logged[0].id}"' in first
    second = visitor.get(f"{PAGE}?page=2").text
    assert "Showing 26 to 27 of 27" in second and f'id="enquiry-{logged[-1].id}"' in second

    refused = visitor.post(f"{PAGE}/{logged[-1].id}/answer", {"answer": ""}, form_page=PAGE)
    assert refused.status_code == 422 and "Showing 26 to 27 of 27" in refused.text
    assert_every_error_shown(refused.text, {f"answer-{logged[-1].id}": "Write the answer"})
