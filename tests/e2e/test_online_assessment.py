"""Officers work the queue of applications sent online: see the answers, the evidence, possible duplicates and
what the rules indicate; ask for more evidence (the household is told and uploads it), refuse a household that does
not qualify with its letter, or accept one onto the register with a band, after which it can bid."""

from sqlmodel import select

from cbl.models import Applicant, OnlineApplication, OutboxMessage
from cbl.models.states import ApplicationStatus, Channel, OnlineStatus, StaffRole
from cbl.services import actors
from cbl.services.bidding import place_bid
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.e2e.test_applying_online import PDF
from tests.support.applying import send_application


def _letters(db, applicant_id, template):
    with db.reading() as s:
        return s.exec(select(OutboxMessage).where(OutboxMessage.applicant_id == applicant_id,
                                                  OutboxMessage.channel == Channel.LETTER,
                                                  OutboxMessage.template == template)).all()


def test_a_household_that_has_not_lived_in_the_area_long_enough_is_refused_with_its_letter(
        visitor, db, scheme, staff, world):
    online_id, applicant_id = send_application(db, scheme, now(), years=1)
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    queue = visitor.get("/admin/online-applications")
    assert f'href="/admin/online-applications/{online_id}"' in queue.text and "Ada Online" in queue.text
    page = visitor.get(f"/admin/online-applications/{online_id}")
    assert "Does not qualify" in page.text and "lived in Anytown for 1 year" in page.text
    assert "Looks eligible" in page.text

    refused = visitor.post(f"/admin/online-applications/{online_id}/refusal",
                           {"decision": "not_qualifying", "grounds": ""}, form_page="/admin/sign-in")
    assert refused.status_code == 422 and "Give the grounds" in refused.text
    decided = visitor.post(f"/admin/online-applications/{online_id}/refusal",
                           {"decision": "not_qualifying", "grounds": "You have lived in Anytown for 1 year; our scheme "
                            "asks for 2."}, form_page="/admin/sign-in")
    assert decided.status_code == 303
    with db.reading() as s:
        applicant = s.get(Applicant, applicant_id)
        online = s.get(OnlineApplication, online_id)
    assert applicant.status is ApplicationStatus.CLOSED and online.status is OnlineStatus.REFUSED
    letter, = _letters(db, applicant_id, "eligibility_decision")
    assert "you do not qualify" in letter.subject and "lived in Anytown for 1 year" in letter.body
    assert "review" in letter.body  # the right to ask for a review, and by when
    assert "Nothing is waiting" in visitor.get("/admin/online-applications").text


def test_an_officer_asks_for_evidence_the_household_uploads_it_and_is_accepted_to_a_band_and_bids(
        visitor, other_visitor, db, scheme, staff, world):
    online_id, applicant_id = send_application(db, scheme, now())
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    asked = visitor.post(f"/admin/online-applications/{online_id}/evidence-request",
                         {"request": "A payslip from the last month."}, form_page="/admin/sign-in")
    assert asked.status_code == 303
    with db.reading() as s:
        told = s.exec(select(OutboxMessage).where(OutboxMessage.applicant_id == applicant_id,
                                                  OutboxMessage.template == "evidence_requested")).one()
    assert "A payslip from the last month." in told.body

    household = other_visitor
    signed_in = household.post("/apply/sign-in", {"contact": "ada@example.net", "password": "correct horse battery"},
                               form_page="/apply/sign-in")
    assert signed_in.headers["location"] == "/account"
    mine = household.get("/account")
    assert "A payslip from the last month." in mine.text and "send the evidence we asked for" in mine.text
    uploaded = household.post("/account/evidence", {"shows": "income", "action": "upload"},
                              files={"file": ("payslip.pdf", PDF, "application/pdf")})
    assert uploaded.status_code == 303

    page = visitor.get(f"/admin/online-applications/{online_id}")
    assert "payslip.pdf" in page.text and "Qualifies" in page.text
    file_id = page.text.split("/admin/online-applications/files/")[1].split('"')[0]
    download = visitor.get(f"/admin/online-applications/files/{file_id}")
    assert download.content == PDF and download.headers["content-disposition"].startswith("attachment")
    accepted = visitor.post(f"/admin/online-applications/{online_id}/acceptance",
                            {"band": "B", **_day("effective", now()), "reason": "Overcrowded by one bedroom."},
                            form_page="/admin/sign-in")
    assert accepted.status_code == 303, accepted.text[:2000]
    with db.reading() as s:
        applicant = s.get(Applicant, applicant_id)
    assert applicant.status is ApplicationStatus.ACTIVE and applicant.band == "B"
    assert len(_letters(db, applicant_id, "band_decision")) == 1
    shown = household.get("/account")
    assert "Overcrowded by one bedroom." in shown.text and "it has been decided" in shown.text
    db.run(place_bid, actors.applicant(applicant), scheme, applicant_id, "AD1", now())


def test_someone_already_on_the_register_stops_acceptance_until_the_officer_confirms(visitor, db, scheme, staff,
                                                                                   world):
    with db.reading() as s:
        lead = s.exec(select(Applicant).where(Applicant.reference == "HR000001")).one()
    from cbl.models import HouseholdMember

    with db.reading() as s:
        member = s.exec(select(HouseholdMember).where(HouseholdMember.applicant_id == lead.id)).first()
    online_id, _ = send_application(db, scheme, now(), name=member.name, born=member.date_of_birth.isoformat())
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    assert "HR000001" in visitor.get(f"/admin/online-applications/{online_id}").text
    fields = {"band": "C", **_day("effective", now()), "reason": "Adequately housed but wants to move."}
    stopped = visitor.post(f"/admin/online-applications/{online_id}/acceptance", fields, form_page="/admin/sign-in")
    assert stopped.status_code == 409 and "may already be on the register" in stopped.text
    confirmed = visitor.post(f"/admin/online-applications/{online_id}/acceptance",
                             {**fields, "different_household": "yes"}, form_page="/admin/sign-in")
    assert confirmed.status_code == 303


def _day(prefix, moment):
    from cbl.rules.working_days import local_date

    day = local_date(moment)
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}
