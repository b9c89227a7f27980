"""From a closed cycle to a let: verify, offer, refusal judged, next household, acceptance, tenancy start."""

import re
from datetime import date, timedelta

from sqlmodel import select

from cbl.models import (
    Advert, Applicant, AuditEvent, Offer, OutboxMessage, Refusal, ShortlistEntry, Viewing, ViewingInvitation, Void,
)
from cbl.models.states import AdvertStatus, ApplicationStatus, OfferStatus, VoidStatus
from cbl.rules.working_days import local_date
from cbl.services.actors import staff as staff_actor
from cbl.services.lettings import judge_refusal, make_offer, void_days
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in as _staff_sign_in
from tests.support.factories import fraud_checked
from tests.support.forms import FRAUD_PASSED, date_fields


def _entries(db, world):
    with db.reading() as s:
        return {ref: s.exec(select(ShortlistEntry.id).where(ShortlistEntry.applicant_id == applicant_id)).one()
                for ref, applicant_id in world.applicants.items()}


def _verify_everyone(db, world):
    with db.transaction() as s:
        for applicant in s.exec(select(Applicant)):
            applicant.verified = True


def test_an_advert_goes_from_shortlist_to_let_through_the_sites(visitor, other_visitor, db, staff, closed,
                                                                monkeypatch):
    _verify_everyone(db, closed)
    entries = _entries(db, closed)
    _staff_sign_in(visitor, "officer@example.org")
    page = "/admin/adverts/AD1/shortlist"

    # Top of the list: verified, offered, refused, judged unreasonable.
    assert visitor.post(f"{page}/{entries['HR000002']}/verify", form_page=page).status_code == 303
    assert visitor.post(f"{page}/{entries['HR000002']}/checks", FRAUD_PASSED, form_page=page).status_code == 303
    assert visitor.post(f"{page}/{entries['HR000002']}/offer", {}, form_page=page).status_code == 303
    with db.reading() as s:
        offer = s.exec(select(Offer)).one()
    assert offer.respond_by > now().date()
    other_visitor.sign_in("HR000002")
    assert "Accept this home" in other_visitor.get("/account/offers").text
    other_visitor.post(f"/account/offers/{offer.id}/refuse", {"reason": "Area does not meet our needs"},
                       form_page="/account/offers")
    no_reasons = visitor.post(f"/admin/offers/{offer.id}/judge", {"reasonable": "no"}, form_page=page)
    assert no_reasons.status_code == 422 and "Give the reasons" in no_reasons.text
    judged = visitor.post(f"/admin/offers/{offer.id}/judge",
                          {"reasonable": "no", "note": "The area was one the household chose."}, form_page=page)
    assert judged.status_code == 303

    # Next household: verified, offered, accepts; the officer records the tenancy start.
    shortlist = visitor.get(page).text
    assert re.search(r"Next to work: <strong>HR000003</strong>", shortlist)
    visitor.post(f"{page}/{entries['HR000003']}/verify", form_page=page)
    assert visitor.post(f"{page}/{entries['HR000003']}/checks", FRAUD_PASSED, form_page=page).status_code == 303
    assert visitor.post(f"{page}/{entries['HR000003']}/offer", {}, form_page=page).status_code == 303
    with db.reading() as s:
        second = s.exec(select(Offer).where(Offer.applicant_id == closed.applicants["HR000003"])).one()
    other_visitor.client.cookies.clear()
    other_visitor.sign_in("HR000003")
    other_visitor.post(f"/account/offers/{second.id}/accept", form_page="/account/offers")
    with db.reading() as s:
        void = s.get(Void, s.exec(select(Advert.void_id).where(Advert.reference == "AD1")).one())
    start = now().date() + timedelta(days=3)
    bad = visitor.post(f"/admin/offers/{second.id}/tenancy",
                       {"starts_on-day": "next", "starts_on-month": "week", "starts_on-year": str(start.year)},
                       form_page=page)
    assert bad.status_code == 422 and "Tenancy start date must be a real date" in bad.text
    assert visitor.post(f"/admin/offers/{second.id}/tenancy", {
        **date_fields("starts_on", start), "tenancy_type": "introductory", "rent_at_let": "95.50",
        **date_fields("keys_given_on", local_date(now()))}, form_page=page).status_code == 303

    with db.reading() as s:
        void = s.get(Void, void.id)
        assert void.status is VoidStatus.LET and void.tenancy_start_date == start
        assert s.exec(select(Advert).where(Advert.reference == "AD1")).one().status is AdvertStatus.LET
        assert s.get(Applicant, closed.applicants["HR000003"]).status is ApplicationStatus.HOUSED
        assert s.get(Offer, second.id).status is OfferStatus.LET
        assert s.exec(select(Refusal)).one().reasonable is False
        letters = [m.template for m in s.exec(select(OutboxMessage).where(OutboxMessage.template != "cycle_closed"))]
        assert letters.count("offer") == 2 and "refusal_decision" in letters
        actions = [e.action for e in s.exec(select(AuditEvent).where(
            AuditEvent.applicant_id == closed.applicants["HR000003"]).order_by(AuditEvent.id))]
    assert actions == ["bid.placed", "shortlist.verified", "offer_check.recorded", "offer.made", "signed_in",
                       "offer.accepted", "tenancy.started"]
    days = void_days(void.tenancy_end_date, start)
    assert f"after {days} void days" in visitor.get(page).text
    assert "AD1" not in visitor.get("/results").text  # not published until the tenancy has started
    monkeypatch.setattr("cbl.web.adverts.now", lambda: now() + timedelta(days=3))  # three days on
    results = visitor.get("/results").text
    assert "AD1" in results and ">B<" in results.replace(" ", "")


def test_the_schemes_refusal_penalty_suspends_bidding_after_two_unreasonable_refusals(db, scheme, staff, closed):
    from cbl.models import StaffUser

    _verify_everyone(db, closed)
    with db.reading() as s:
        officer = staff_actor(s.exec(select(StaffUser).where(StaffUser.email == "officer@example.org")).one())
    applicant_id = closed.applicants["HR000002"]
    with db.transaction() as s:  # an unreasonable refusal judged two months ago
        earlier = Offer(applicant_id=applicant_id, void_id=s.exec(select(Advert.void_id).where(
            Advert.reference == "AD2")).one(), respond_by=date(2026, 9, 1), status=OfferStatus.REFUSED)
        s.add(earlier)
        s.flush()
        s.add(Refusal(offer_id=earlier.id, reason="Too far", reasonable=False, judged_at=now() - timedelta(days=60)))
    entry = _entries(db, closed)["HR000002"]
    with db.transaction() as s:
        s.get(ShortlistEntry, entry).status = "verified"
        fraud_checked(s, entry)
    offer = db.run(make_offer, officer, scheme, entry, now())
    with db.transaction() as s:
        s.get(Offer, offer.id).status = OfferStatus.REFUSED
        s.add(Refusal(offer_id=offer.id, reason="Other: did not like it"))
    db.run(judge_refusal, officer, scheme, offer.id, False, "Suitable home", now())
    with db.reading() as s:
        applicant = s.get(Applicant, applicant_id)
        assert applicant.suspended_until is not None and applicant.suspended_until > now().date() + timedelta(days=170)
        assert s.exec(select(OutboxMessage).where(OutboxMessage.template == "suspension")).one()
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "application.suspended")).one()


def test_a_viewing_is_arranged_in_uk_time_and_attendance_recorded_after_it(visitor, db, staff, closed):
    from datetime import datetime, timezone

    _verify_everyone(db, closed)
    entries = _entries(db, closed)
    _staff_sign_in(visitor, "officer@example.org")
    page = "/admin/adverts/AD1/shortlist"
    visitor.post(f"{page}/{entries['HR000002']}/verify", form_page=page)
    assert visitor.post(f"{page}/{entries['HR000002']}/checks", FRAUD_PASSED, form_page=page).status_code == 303
    visitor.post(f"{page}/{entries['HR000002']}/offer", {}, form_page=page)
    with db.reading() as s:
        offer = s.exec(select(Offer)).one()
    bad = visitor.post(f"/admin/offers/{offer.id}/viewing", {"viewing_at-day": "tomorrow", "viewing_time": "2pm"},
                       form_page=page)
    assert bad.status_code == 422 and "Viewing date must include a month and a year" in bad.text
    past = visitor.post(f"/admin/offers/{offer.id}/viewing", {**date_fields("viewing_at", "2026-01-05"),
                                                             "viewing_time": "10:00"}, form_page=page)
    assert past.status_code == 422 and "in the future" in past.text
    summer = f"{now().year + 1}-07-01"
    assert visitor.post(f"/admin/offers/{offer.id}/viewing", {**date_fields("viewing_at", summer),
                                                             "viewing_time": "14:30", "accompanied": "yes"},
                        form_page=page).status_code == 303
    with db.reading() as s:
        viewing, invitation = s.exec(select(Viewing, ViewingInvitation).join(ViewingInvitation)).one()
    assert viewing.at == datetime(now().year + 1, 7, 1, 13, 30, tzinfo=timezone.utc)  # 14:30 BST
    assert invitation.offer_id == offer.id and viewing.accompanied
    attended = f"/admin/viewings/{viewing.id}/attendance/{invitation.id}"
    assert visitor.post(attended, {"attended": "yes"}, form_page=page).status_code == 409  # not yet happened
    with db.transaction() as s:
        s.get(Viewing, viewing.id).at = now() - timedelta(hours=1)
    assert visitor.post(attended, {"attended": "yes"}, form_page=page).status_code == 303
    with db.reading() as s:
        assert s.get(ViewingInvitation, invitation.id).attended is True
        assert s.exec(select(OutboxMessage).where(OutboxMessage.template == "viewing")).one()
    assert "viewing" in visitor.get(page).text and f"/admin/viewings/{viewing.id}" in visitor.get(page).text
