"""A household on the register reports a change online; an officer applies it and sets the band again, and the
household is told by letter."""

import re
from datetime import date, timedelta

from sqlmodel import select

from cbl.models import Applicant, AuditEvent, HouseholdMember, OnlineApplication, OutboxMessage
from cbl.models.states import Channel, OnlineStatus, StaffRole
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.e2e.test_applying_online import PDF, day


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
    queue = officer.get("/admin/online-applications")
    assert "someone has joined the household, changed on 1 October 2026" in queue.text
    page = officer.get(f"/admin/online-applications/{online.id}")
    assert "Change of circumstances" in page.text and "Baby One" in page.text and "birth-certificate.pdf" in page.text
    assert "on 1 October 2026 (as the household says)" in page.text
    assert _offered(page.text) == "2026-10-01"  # the band's date offered is the day it changed
    assessed = officer.post(f"/admin/online-applications/{online.id}/acceptance",
                            {"band": "B", **day("effective", _offered(page.text)), "reason": "A new baby: the "
                             "household now lacks a bedroom."}, form_page="/admin/sign-in")
    assert assessed.status_code == 303, assessed.text[:2000]

    with db.reading() as s:
        after = s.get(Applicant, applicant_id)
        names = s.exec(select(HouseholdMember.name).where(HouseholdMember.applicant_id == applicant_id)).all()
        letters = s.exec(select(OutboxMessage.template).where(OutboxMessage.applicant_id == applicant_id,
                                                              OutboxMessage.channel == Channel.LETTER)).all()
    assert (after.band, after.band_date, after.bedroom_need) == ("B", date(2026, 10, 1), 2) and "Baby One" in names
    with db.reading() as s:
        decided = s.exec(select(AuditEvent).where(AuditEvent.action == "online.accepted")).one()
    assert (decided.details["changed_on"], decided.details["effective"]) == ("2026-10-01", "2026-10-01")
    assert {"band_decision", "bedroom_need"} <= set(letters)
    shown = household.get("/account")
    assert "A new baby: the household now lacks a bedroom." in shown.text and "it has been decided" in shown.text


def _offered(page: str) -> str:
    """The band's date the acceptance form holds, as YYYY-MM-DD."""
    parts = {part: re.search(rf'name="effective-{part}"[^>]*value="(\d+)"', page).group(1)
             for part in ("day", "month", "year")}
    return f"{parts['year']}-{int(parts['month']):02d}-{int(parts['day']):02d}"


def test_the_band_date_offered_for_a_change_stays_between_registration_and_today(visitor, db, scheme, staff, world):
    from cbl.rules.working_days import local_date
    from cbl.services.applying import Owner, save_answer, submit_change

    officer = visitor
    staff_sign_in(officer, staff[StaffRole.OFFICER])
    today = local_date(now())
    for reference, said, offered in (("HR000002", date(2020, 1, 1), date(2023, 1, 1)),  # before it registered
                                     ("HR000003", today + timedelta(days=30), today)):  # still to come
        owner = Owner(applicant_id=world.applicants[reference])
        db.run(save_answer, owner, "change", {"what": "new_address", "on": said.isoformat()}, now())
        db.run(save_answer, owner, "change_address", {"address": "2 New Street", "postcode": "AT1 9ZZ"}, now())
        online = db.run(submit_change, scheme, owner.applicant_id, True, now())
        page = officer.get(f"/admin/online-applications/{online.id}")
        assert _offered(page.text) == offered.isoformat(), reference
        assert f"{said.day} {said:%B %Y}" in page.text  # what the household said is shown as it said it
