"""Checks before an offer, on both databases: the scheme's checks (verification, fraud) recorded on a shortlist
place as passed or failed with a note, who and when; no offer until they pass, refused with a message naming
what is missing (a final offer's suitability assessment too); a failed check passes the place over, with its
letter and the right to a review, and the next place comes up."""

import pytest
from sqlmodel import select

from cbl.models import Applicant, AuditEvent, Offer, OutboxMessage, PreOfferCheck, ShortlistEntry, StaffUser
from cbl.models.states import OfferCheckKind, ShortlistStatus
from cbl.queries import shortlists
from cbl.services import actors
from cbl.services.errors import Conflict, InvalidInput
from cbl.services.lettings import make_offer
from cbl.services.pre_offer_checks import record_check
from cbl.services.reviews import reviewable_decisions
from cbl.services.shortlisting import verify_entry
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import FRAUD_PASSED, assert_every_error_shown, read_form

PAGE = "/admin/adverts/AD1/shortlist"


def _officer(db):
    with db.reading() as s:
        return actors.staff(s.exec(select(StaffUser).where(StaffUser.email == "officer@example.org")).one())


def _places(db, world) -> dict[str, int]:
    """AD1's places by household: HR000002 first (band A), HR000003, then HR000001."""
    with db.reading() as s:
        return {ref: s.exec(select(ShortlistEntry.id).where(ShortlistEntry.applicant_id == applicant_id)).one()
                for ref, applicant_id in world.applicants.items()}


@pytest.fixture
def ready(db, closed):
    with db.transaction() as s:
        for applicant in s.exec(select(Applicant)):
            applicant.verified = True
    return closed


def test_no_offer_until_the_schemes_checks_pass_and_the_refusal_names_each_one_missing(db, scheme, staff, ready):
    officer, top = _officer(db), _places(db, ready)["HR000002"]
    assert scheme.offers.checks_before_offer == [OfferCheckKind.VERIFICATION, OfferCheckKind.FRAUD]
    with pytest.raises(Conflict) as nothing:
        db.run(make_offer, officer, scheme, top, now())
    assert nothing.value.message == ("This household cannot be offered the home yet: record the verification of the "
                                     "household's circumstances and the fraud check as passed first.")
    db.run(verify_entry, officer, top, now(), "Tenancy agreement and council tax bill seen")
    with pytest.raises(Conflict, match="record the fraud check as passed first"):
        db.run(make_offer, officer, scheme, top, now())
    # A final offer also needs the officer's suitability assessment of this home (s193(7F)).
    with db.transaction() as s:
        s.get(Applicant, ready.applicants["HR000002"]).homeless_duty = True
    with pytest.raises(Conflict, match=r"the fraud check and the suitability assessment of this home .* as passed"):
        db.run(make_offer, officer, scheme, top, now(), final_offer=True)
    with db.reading() as s:
        assert s.exec(select(Offer)).first() is None

    db.run(record_check, officer, scheme, top, "fraud", True, "NFI match cleared; ID seen", now())
    offer = db.run(make_offer, officer, scheme, top, now())
    assert offer.applicant_id == ready.applicants["HR000002"]
    with db.reading() as s:
        checks = s.exec(select(PreOfferCheck).where(PreOfferCheck.entry_id == top)
                        .order_by(PreOfferCheck.id)).all()
    assert [(c.kind, c.passed, c.note, c.recorded_by_id) for c in checks] == [
        (OfferCheckKind.VERIFICATION, True, "Tenancy agreement and council tax bill seen", officer.id),
        (OfferCheckKind.FRAUD, True, "NFI match cleared; ID seen", officer.id)]
    assert all(c.recorded_at is not None and c.applicant_id == ready.applicants["HR000002"] for c in checks)


def test_a_failed_fraud_check_passes_the_place_over_with_its_letter_and_review_rights(db, scheme, staff, ready):
    officer, places = _officer(db), _places(db, ready)
    with pytest.raises(InvalidInput) as no_note:
        db.run(record_check, officer, scheme, places["HR000002"], "fraud", False, "  ", now())
    assert no_note.value.field == "note"
    with pytest.raises(InvalidInput) as unknown:
        db.run(record_check, officer, scheme, places["HR000002"], "credit", True, "", now())
    assert unknown.value.field == "kind"

    db.run(record_check, officer, scheme, places["HR000002"], "fraud", False,
           "The household has another tenancy at 4 Low Road.", now())
    with db.reading() as s:
        place = s.get(ShortlistEntry, places["HR000002"])
        [letter] = s.exec(select(OutboxMessage).where(OutboxMessage.template == "skip_decision")).all()
        events = [e.action for e in s.exec(select(AuditEvent).where(
            AuditEvent.applicant_id == ready.applicants["HR000002"]).order_by(AuditEvent.id))]
        decisions = reviewable_decisions(s, ready.applicants["HR000002"])
        found = shortlists.shortlist(s, scheme, "AD1")
    assert (place.status, place.skip_reason) == (ShortlistStatus.SKIPPED, "fraud_check_failed")
    assert letter.applicant_id == ready.applicants["HR000002"]
    assert "The fraud check before the offer was not passed" in letter.body
    assert "another tenancy at 4 Low Road" in letter.body and "section 166A(9)" in letter.body
    assert events[-2:] == ["offer_check.recorded", "shortlist.skipped"]
    assert any("fraud check" in d.description for d in decisions)  # the household may ask for a review
    assert found.next_up.reference == "HR000003"  # the next place comes up
    line = next(line for line in found.lines if line.reference == "HR000002")
    assert line.skip_label == "The fraud check before the offer was not passed"
    # Passed over, the place takes no more checks and no offer.
    with pytest.raises(Conflict, match="already been skipped"):
        db.run(record_check, officer, scheme, places["HR000002"], "fraud", True, "", now())
    with pytest.raises(Conflict, match="already been skipped"):
        db.run(make_offer, officer, scheme, places["HR000002"], now())


def test_a_failed_verification_is_a_check_too_and_the_shortlist_shows_each_places_checks(db, scheme, staff, ready):
    officer, places = _officer(db), _places(db, ready)
    db.run(record_check, officer, scheme, places["HR000002"], "verification", False, "No proof of address", now())
    db.run(record_check, officer, scheme, places["HR000003"], "verification", True, "Payslips seen", now())
    with db.reading() as s:
        found = shortlists.shortlist(s, scheme, "AD1")
        assert s.get(ShortlistEntry, places["HR000003"]).status is ShortlistStatus.VERIFIED
        assert s.get(ShortlistEntry, places["HR000002"]).skip_reason == "verification_check_failed"
    lines = {line.reference: line for line in found.lines}
    assert lines["HR000003"].checks == (("Verification", "passed"), ("Fraud check", "not recorded"))
    assert lines["HR000002"].checks == (("Verification", "failed"), ("Fraud check", "not recorded"))
    action = shortlists.next_action(found)
    assert action.line.reference == "HR000003" and action.what == "record the fraud check before making the offer"


def test_an_officer_records_checks_on_the_places_page_every_mistake_shown_then_offers(visitor, db, staff, ready):
    top = _places(db, ready)["HR000002"]
    staff_sign_in(visitor, "officer@example.org")
    checks = f"{PAGE}/{top}/checks"
    assert f'href="{checks}"' in visitor.get(PAGE).text
    assert visitor.post(f"{PAGE}/{top}/verify", form_page=PAGE).status_code == 303
    refused = visitor.post(f"{PAGE}/{top}/offer", {}, form_page=PAGE)
    assert refused.status_code == 409
    assert "record the fraud check as passed first" in " ".join(read_form(refused.text).summary.values())

    page = visitor.get(checks).text
    assert "Before the home can be offered, record as passed: the fraud check" in page
    wrong = visitor.post(checks, {"note": "x" * 2001}, form_page=checks)
    assert wrong.status_code == 422
    assert_every_error_shown(wrong.text, {"kind": "Choose the check", "result": "Say whether the check was passed",
                                          "note": "2,000 characters or fewer"})
    failed_silently = visitor.post(checks, {"kind": "fraud", "result": "failed"}, form_page=checks)
    form = assert_every_error_shown(failed_silently.text, {"note": "Say why the check was not passed"})
    assert form.values["kind"] == ["fraud"]
    with db.reading() as s:
        assert s.exec(select(PreOfferCheck).where(PreOfferCheck.kind == OfferCheckKind.FRAUD)).first() is None

    assert visitor.post(checks, {**FRAUD_PASSED, "note": "ID and NFI clear"}, form_page=checks).status_code == 303
    page = visitor.get(checks).text
    assert "ID and NFI clear" in page and "Olu Officer" in page and "can be offered" in page
    assert "Fraud check: passed" in visitor.get(PAGE).text
    assert visitor.post(f"{PAGE}/{top}/offer", {}, form_page=PAGE).status_code == 303
    assert visitor.get(f"/admin/adverts/AD2/shortlist/{top}/checks").status_code == 404  # not AD2's place
