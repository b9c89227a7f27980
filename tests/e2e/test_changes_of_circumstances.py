"""A household on the register reports a change online; an officer applies it and sets the band again, and the
household is told by letter."""

from sqlmodel import select

from cbl.models import Applicant, HouseholdMember, OnlineApplication, OutboxMessage
from cbl.models.states import Channel, OnlineStatus, StaffRole
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.e2e.test_applying_online import PDF, day
from tests.e2e.test_online_assessment import _day


def test_a_new_baby_reported_online_moves_the_band_and_the_household_is_told(visitor, other_visitor, db, staff,
                                                                            world):
    household = visitor
    household.sign_in("HR000001")
    assert "Tell us about a change of circumstances" in household.get("/account").text
    start = household.get("/account/changes")
    assert start.status_code == 200 and 'href="/account/changes/change"' in start.text
    for page, fields in [("change", {"what": "new_member", **day("on", "2026-10-01")}),
                         ("change-member", {"name": "Baby One", "relationship": "child",
                                            **day("date_of_birth", "2026-10-01"), "sex": "F"})]:
        answered = household.post(f"/account/changes/{page}", fields)
        assert answered.status_code == 303, answered.text[:2000]
    household.post("/account/changes/evidence", {"shows": "identity", "action": "upload"},
                   files={"file": ("birth-certificate.pdf", PDF, "application/pdf")})
    assert household.post("/account/changes/evidence", {"action": "continue"}).headers["location"] == \
        "/account/changes/check"
    check = household.get("/account/changes/check")
    assert "Baby One" in check.text and "birth-certificate.pdf" in check.text
    assert household.post("/account/changes/check", {"declaration": "yes"}).headers["location"] == \
        "/account?change_sent=1"
    assert "An officer to check it and decide." in household.get("/account").text

    applicant_id = world.applicants["HR000001"]
    with db.reading() as s:
        online = s.exec(select(OnlineApplication).where(OnlineApplication.applicant_id == applicant_id)).one()
        before = s.get(Applicant, applicant_id)
    assert online.status is OnlineStatus.SUBMITTED and (before.band, before.bedroom_need) == ("C", 1)

    officer = other_visitor
    staff_sign_in(officer, staff[StaffRole.OFFICER])
    page = officer.get(f"/admin/online-applications/{online.id}")
    assert "Change of circumstances" in page.text and "Baby One" in page.text and "birth-certificate.pdf" in page.text
    assessed = officer.post(f"/admin/online-applications/{online.id}/acceptance",
                            {"band": "B", **_day("effective", now()), "reason": "A new baby: the household now "
                             "lacks a bedroom."}, form_page="/admin/sign-in")
    assert assessed.status_code == 303, assessed.text[:2000]

    with db.reading() as s:
        after = s.get(Applicant, applicant_id)
        names = s.exec(select(HouseholdMember.name).where(HouseholdMember.applicant_id == applicant_id)).all()
        letters = s.exec(select(OutboxMessage.template).where(OutboxMessage.applicant_id == applicant_id,
                                                              OutboxMessage.channel == Channel.LETTER)).all()
    assert (after.band, after.bedroom_need) == ("B", 2) and "Baby One" in names
    assert {"band_decision", "bedroom_need"} <= set(letters)
    shown = household.get("/account")
    assert "A new baby: the household now lacks a bedroom." in shown.text and "it has been decided" in shown.text
