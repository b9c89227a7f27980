"""Nomination agreements made and changed by a manager; the engine's quotas come from them."""

from sqlmodel import select

from cbl.models import AgreementQuota, AuditEvent, NominationAgreement
from cbl.models.states import StaffRole
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import date_fields

FORM = {"provider": "RHA", "name": "RHA agreement 2027", "first_let_share": "100", "relet_share": "75",
        "nominate_within_days": "5", "respond_within_days": "10", "decline_grounds": ["arrears", "affordability"],
        "shared_details": ["household", "needs"], "quota_homeless": "40", **date_fields("starts_on", "2027-04-01")}


def test_a_manager_makes_an_agreement_with_quotas_and_overlaps_are_refused(visitor, db, staff, world):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    page = "/admin/agreements/new"
    assert visitor.get(page).status_code == 200
    overlapping = visitor.post(page, {**FORM, **date_fields("starts_on", "2026-04-01")}, form_page=page)
    assert overlapping.status_code == 409 and "RHA agreement" in overlapping.text  # the factory's is open-ended
    with db.transaction() as s:
        s.get(NominationAgreement, world.agreement).ends_on = __import__("datetime").date(2027, 3, 31)
    bad_share = visitor.post(page, {**FORM, "relet_share": "175"}, form_page=page)
    assert bad_share.status_code == 422 and "percentage from 0 to 100" in bad_share.text
    assert 'value="RHA agreement 2027"' in bad_share.text  # what was typed is kept
    assert visitor.post(page, FORM, form_page=page).status_code == 303
    with db.reading() as s:
        made = s.exec(select(NominationAgreement).where(NominationAgreement.name == "RHA agreement 2027")).one()
        quotas = s.exec(select(AgreementQuota).where(AgreementQuota.agreement_id == made.id)).all()
        assert made.respond_within_days == 10 and made.decline_grounds == ["affordability", "arrears"]
        assert made.shared_details == ["household", "needs"]
        assert [(q.group, q.min_share_pct) for q in quotas] == [("homeless", 40)]
    edit = f"/admin/agreements/{made.id}/edit"
    assert 'value="10"' in visitor.get(edit).text
    assert visitor.post(edit, {**FORM, "quota_homeless": "", "quota_transfer": "20"}, form_page=edit).status_code == 303
    with db.reading() as s:
        quotas = s.exec(select(AgreementQuota).where(AgreementQuota.agreement_id == made.id)).all()
        assert [(q.group, q.min_share_pct) for q in quotas] == [("transfer", 20)]
        actions = [e.action for e in s.exec(select(AuditEvent)
                                            .where(AuditEvent.subject_type == "nomination_agreement"))]
    assert actions == ["agreement.made", "agreement.changed"]


def test_officers_cannot_change_agreements(visitor, staff, world):
    staff_sign_in(visitor, "officer@example.org")
    assert visitor.get("/admin/agreements/new").status_code == 403
