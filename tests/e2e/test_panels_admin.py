"""The panels' pages: a case referred with its evidence, a panel arranged and its decision recorded; a refused
arrangement or decision comes back with every error in the summary and beside its field, and nothing saved."""

from datetime import date

from sqlmodel import func, select

from cbl.models import Applicant, AuditEvent, PanelReferral, StaffUser
from cbl.models.states import StaffRole
from cbl.rules.working_days import local_date
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.support.factories import PASSWORD_HASH
from tests.support.forms import assert_every_error_shown, date_fields

PDF = b"%PDF-1.4\n%%EOF\n"


def _ids(db) -> dict[str, int]:
    with db.transaction() as s:
        council = s.exec(select(StaffUser.organisation_id).where(StaffUser.email == "officer@example.org")).one()
        s.add(StaffUser(organisation_id=council, email="second.officer@example.org", name="Sam Second",
                        role=StaffRole.OFFICER, password_hash=PASSWORD_HASH))
        s.flush()
        return {user.email.split("@")[0]: user.id for user in s.exec(select(StaffUser))}


def _events(db) -> int:
    with db.reading() as s:
        return s.exec(select(func.count()).select_from(AuditEvent)).one()


def test_a_case_is_referred_with_evidence_and_refused_panels_and_decisions_show_every_error(
        visitor, other_visitor, db, staff, world):
    ids, today = _ids(db), local_date(now())
    staff_sign_in(visitor, "officer@example.org")
    household = "/admin/applicants/HR000001/panels"
    assert visitor.get(household).status_code == 200
    sent = visitor.post(household, {"kind": "medical", "reason": "Cannot manage stairs.", "shows": "medical"},
                        form_page=household, files={"file": ("gp letter.pdf", PDF, "application/pdf")})
    assert sent.status_code == 303
    page = sent.headers["location"]
    shown = visitor.get(page)
    assert shown.status_code == 200 and "gp letter.pdf" in shown.text
    with db.reading() as s:
        referral = s.exec(select(PanelReferral)).one()
    assert visitor.get(f"{page}/evidence/1").content == PDF

    before = _events(db)
    for members, day, errors in [
            ([ids["manager"]], {}, {"meets_on": "Enter date the panel meets", "members": "at least 2 members"}),
            ([ids["manager"], ids["provider"]], date_fields("meets_on", today), {"members": "not on the list"}),
            ([ids["manager"], ids["officer"]], date_fields("meets_on", today), {"members": "referred the case"})]:
        refused = visitor.post(f"{page}/arrangement", {"members": [str(m) for m in members], **day}, form_page=page)
        assert refused.status_code == 422
        assert_every_error_shown(refused.text, errors)
    assert _events(db) == before
    arranged = visitor.post(f"{page}/arrangement", {"members": [str(ids["manager"]), str(ids["second.officer"])],
                                                    **date_fields("meets_on", today)}, form_page=page)
    assert arranged.status_code == 303

    staff_sign_in(other_visitor, "second.officer@example.org")
    refused = other_visitor.post(f"{page}/decision", {"band": "A", "area_restrictions": ["Atlantis", "Riverside"],
                                                      "access": ["wheelchair"], "reasons": ""}, form_page=page)
    assert refused.status_code == 422
    form = assert_every_error_shown(refused.text, {
        "band_effective": "Enter the date the band takes effect from",
        "area_restrictions": "not on the list: Atlantis", "reasons": "Give the panel's reasons"})
    assert form.values["access"] == ["wheelchair"] and form.values["band"] == ["A"]  # as typed
    decided = other_visitor.post(f"{page}/decision", {
        "band": "A", **date_fields("band_effective", date(2025, 1, 1)), "access": ["wheelchair"],
        "area_restrictions": ["Riverside"], "reasons": "Wheelchair user since an accident."}, form_page=page)
    assert decided.status_code == 303
    with db.reading() as s:
        applicant = s.get(Applicant, referral.applicant_id)
    assert (applicant.band, applicant.band_date) == ("A", date(2025, 1, 1))
    assert (applicant.needs, applicant.area_restrictions) == (["step_free", "wheelchair"], ["Riverside"])
    assert "Wheelchair user since an accident." in other_visitor.get(page).text
