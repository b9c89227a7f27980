"""Review periods through the app and the services: counted "beginning with" the day, late on day 22, a
notification before the decision refused, and the acknowledgement letter's dates."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from cbl.models import BandAssessment, OutboxMessage, Review, StaffUser
from cbl.models.states import StaffRole
from cbl.services import actors, reviews
from cbl.services.errors import InvalidInput
from cbl.services.register import set_band
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import date_fields


def _officer(db, staff):
    with db.reading() as s:
        return actors.staff(s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.OFFICER])).one())


def _band_decided(db, scheme, world, staff, at: datetime) -> BandAssessment:
    db.run(set_band, _officer(db, staff), scheme, world.applicants["HR000001"], "D", at.date() - timedelta(days=1),
           "Overcrowding resolved", at)
    with db.reading() as s:
        return s.exec(select(BandAssessment).where(BandAssessment.band == "D")).one()


def test_a_request_on_day_22_shows_as_late_and_on_day_21_does_not(visitor, db, scheme, world, staff):
    decided = _band_decided(db, scheme, world, staff, datetime.now(timezone.utc) - timedelta(days=40))
    told = decided.decided_at.date() + timedelta(days=1)
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    page = "/admin/reviews/new?applicant=HR000001"
    logged = visitor.post("/admin/reviews/new", {
        "applicant": "HR000001", "decision": f"band_assessment:{decided.id}", "reasons": "Letter received",
        **date_fields("notified_on", told), **date_fields("requested_on", told + timedelta(days=21))}, form_page=page)
    assert logged.status_code == 303
    with db.reading() as s:
        review = s.exec(select(Review)).one()
        letter = s.exec(select(OutboxMessage).where(OutboxMessage.template == "review_acknowledgement")).one()
    assert review.late and review.request_by == told + timedelta(days=20)
    assert "(late; not yet accepted)" in visitor.get(f"/admin/reviews/{review.id}").text
    assert f"ended on {review.request_by:%-d %B %Y}" in letter.body
    # The same request a day earlier, on day 21, is in time.
    db.run(reviews.accept_late_request, actors.SYSTEM, review.id, False, "Logged twice by mistake",
           datetime.now(timezone.utc))
    in_time = db.run(reviews.request_review, _officer(db, staff), scheme, world.applicants["HR000001"],
                     f"band_assessment:{decided.id}", "Letter", datetime.now(timezone.utc), notified_on=told,
                     requested_on=told + timedelta(days=20))
    assert not in_time.late


def test_a_notification_earlier_than_the_decision_is_refused_with_a_message(visitor, db, scheme, world, staff):
    decided = _band_decided(db, scheme, world, staff, datetime.now(timezone.utc) - timedelta(days=10))
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    page = "/admin/reviews/new?applicant=HR000001"
    refused = visitor.post("/admin/reviews/new", {
        "applicant": "HR000001", "decision": f"band_assessment:{decided.id}", "reasons": "Letter",
        **date_fields("notified_on", decided.decided_at.date() - timedelta(days=1))}, form_page=page)
    assert refused.status_code == 422 and "before it was made" in refused.text
    with db.reading() as s:
        assert s.exec(select(Review)).first() is None


def test_a_request_just_after_midnight_on_the_night_the_clocks_go_forward_counts_from_the_london_day(
        db, scheme, world, staff):
    decided = _band_decided(db, scheme, world, staff, datetime(2027, 3, 20, 12, tzinfo=timezone.utc))
    # 23:30 UTC on Sunday 28 March 2027 is 00:30 BST on Monday 29 March: the request is made on the 29th.
    review = db.run(reviews.request_review, _officer(db, staff), scheme, world.applicants["HR000001"],
                    f"band_assessment:{decided.id}", "Phoned in", datetime(2027, 3, 28, 23, 30, tzinfo=timezone.utc))
    assert review.requested_on == date(2027, 3, 29)
    # The scheme's 56 days for a Part 6 review, beginning with 29 March: the last is 23 May 2027.
    assert review.decide_by == date(2027, 5, 23)
    with db.reading() as s:
        letter = s.exec(select(OutboxMessage).where(OutboxMessage.template == "review_acknowledgement")).one()
    assert "by <strong>23 May 2027</strong>" in letter.body and "received your request on 29 March 2027" in letter.body


def test_a_request_cannot_be_dated_before_the_household_was_told(db, scheme, world, staff):
    decided = _band_decided(db, scheme, world, staff, datetime(2027, 1, 10, 12, tzinfo=timezone.utc))
    with pytest.raises(InvalidInput, match="before the household was told"):
        db.run(reviews.request_review, _officer(db, staff), scheme, world.applicants["HR000001"],
               f"band_assessment:{decided.id}", "Letter", datetime(2027, 2, 1, 12, tzinfo=timezone.utc),
               notified_on=date(2027, 1, 20), requested_on=date(2027, 1, 19))
