"""The case page's forms, the register search and the annual review's letters show every error at once,
each beside its field, give back everything typed, and save nothing until all is right. The case page
holds many forms: a refused one comes back as typed, the others as they were."""

from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from cbl.models import (
    Applicant, Assessment, AuditEvent, BandAssessment, CaseCheck, CaseNote, HouseholdMember,
)
from cbl.models.states import ApplicationStatus
from cbl.services.actors import SYSTEM
from cbl.services.errors import InvalidInput
from cbl.services.register import add_note, record_verification, reinstate, suspend
from cbl.services.register_review import record_review_answer
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import assert_every_error_shown, date_fields, read_form

CASE = "/admin/applicants/HR000001"


def _held(db) -> dict:
    """What a refused form must leave as it was: the case, its records and its audit trail."""
    with db.reading() as s:
        applicant = s.exec(select(Applicant).where(Applicant.reference == "HR000001")).one()
        counts = {table.__name__: s.exec(select(func.count()).select_from(table)).one()
                  for table in (AuditEvent, BandAssessment, Assessment, CaseCheck, CaseNote, HouseholdMember)}
        return {**counts, "case": (applicant.band, applicant.band_date, applicant.status, applicant.suspended_until,
                                   applicant.address, applicant.postcode, applicant.verified)}


@pytest.fixture
def officer(visitor, staff, world):
    staff_sign_in(visitor, "officer@example.org")
    return visitor


def test_a_band_decision_with_several_mistakes_shows_them_all_keeps_the_rest_and_leaves_the_other_forms(officer, db):
    before = _held(db)
    reason = "Medical priority agreed at panel. " * 70  # 2,380 characters
    page = officer.post(f"{CASE}/band", {"band": "Z", "effective-day": "12", "effective-year": "2024",
                                         "points": "lots", "reason": reason}, form_page=CASE)
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {
        "band-band": "Choose band from the list",
        "effective-band": "Effective date must include a month",
        "points-band": "Points must be a whole number",
        "reason-band": "Reason must be 2,000 characters or fewer (you entered 2,379)"})
    assert form.values["effective-day"] == ["12"] and form.values["effective-year"] == ["2024"]
    assert form.values["points"] == ["lots"]
    assert reason in form.values["reason"]  # the whole reason, as typed
    # Only the band form is marked; the others are as they were.
    assert set(form.beside) == {"band-band", "effective-band", "points-band", "reason-band"}
    assert form.values["note"] == ["", ""]  # the check's and the notes' forms, empty
    assert "Lead HR000001" in form.values["name"]  # the lead's own form, filled from the case
    assert 'open><summary class="govuk-details__summary"><span class="govuk-details__summary-text">Set the band' \
        in page.text
    assert _held(db) == before

    done = officer.post(f"{CASE}/band",
                        {"band": "A", **date_fields("effective", "2024-03-12"), "reason": reason[:1999]},
                        form_page=CASE)
    assert done.status_code == 303
    with db.reading() as s:
        applicant = s.exec(select(Applicant).where(Applicant.reference == "HR000001")).one()
        assert (applicant.band, applicant.band_date) == ("A", date(2024, 3, 12))


def test_a_refusal_by_the_service_is_shown_beside_its_field_with_everything_typed_kept(officer, db):
    before = _held(db)
    page = officer.post(f"{CASE}/band", {"band": "B", **date_fields("effective", "2019-04-01"),
                                         "reason": "Overcrowded by two bedrooms"}, form_page=CASE)
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {"effective-band": "between registration and today"})
    assert form.values["band"] == ["B"] and "Overcrowded by two bedrooms" in form.values["reason"]
    assert form.values["effective-year"] == ["2019"]
    assert _held(db) == before


def test_a_suspension_with_an_impossible_date_and_no_reason_shows_both(officer, db):
    before = _held(db)
    page = officer.post(f"{CASE}/suspension", {"until-day": "31", "until-month": "2", "until-year": "2030",
                                               "reason": ""}, form_page=CASE)
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {
        "until-suspension": "Suspended until must be a real date",
        "reason-suspension": "Give the reason for the suspension"})
    assert (form.values["until-day"], form.values["until-month"]) == (["31"], ["2"])
    assert _held(db) == before
    until = now().date() + timedelta(days=30)
    assert officer.post(f"{CASE}/suspension", {**date_fields("until", until), "reason": "False statement"},
                        form_page=CASE).status_code == 303
    with db.reading() as s:
        assert s.exec(select(Applicant).where(Applicant.reference == "HR000001")).one().suspended_until == until


def test_an_assessment_and_a_check_show_every_mistake_and_keep_what_was_typed(officer, db):
    before = _held(db)
    recommendation = "Needs a level-access shower and a through-floor lift. " * 80  # 4,400 characters
    page = officer.post(f"{CASE}/assessments", {"kind": "astrologer", "recommendation": recommendation,
                                                "effect": "x" * 401, "requirements": ["step_free", "moat"]},
                        form_page=CASE)
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {
        "kind-assessment": "Choose made by from the list",
        "recommendation-assessment": "Recommendation must be 4,000 characters or fewer",
        "effect-assessment": "must be 400 characters or fewer (you entered 401)",
        "requirements-assessment": "not on the list: moat"})
    assert recommendation in form.values["recommendation"]
    assert "x" * 401 in form.values["effect"]
    assert "step_free" in form.values["requirements"]

    page = officer.post(f"{CASE}/checks", {"kind": "", "note": "Arrears of £900. " * 300}, form_page=CASE)
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {
        "kind-check": "Choose the kind of check",
        "passed-check": "Say whether the check was passed",
        "note-check": "Note must be 4,000 characters or fewer"})
    assert "Arrears of £900. " * 300 in form.values["note"]
    assert _held(db) == before


def test_adding_a_person_with_several_mistakes_shows_them_all_and_adds_nobody(officer, db):
    before = _held(db)
    page = officer.post(f"{CASE}/members", {"name": "", "date_of_birth-month": "6", "date_of_birth-year": "2019",
                                            "sex": "F", "needs_own_room": "yes"}, form_page=CASE)
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {
        "name-new-member": "Enter the person's full name",
        "date_of_birth-new-member": "Date of birth must include a day",
        "relationship-new-member": "Choose how the person is related to the lead applicant"})
    # The new person's form comes back as typed (the lead's own form keeps the lead's details).
    assert "6" in form.values["date_of_birth-month"] and "2019" in form.values["date_of_birth-year"]
    assert form.values["needs_own_room"] == ["yes"]
    assert _held(db) == before
    assert officer.post(f"{CASE}/members", {"name": "Amy", **date_fields("date_of_birth", "2019-06-02"),
                                            "relationship": "child", "sex": "F"}, form_page=CASE).status_code == 303


def test_changing_the_details_with_several_mistakes_keeps_the_old_details(officer, db):
    before = _held(db)
    address = "Flat 2, The Old Mill, Mill Lane, Anytown, " * 12
    page = officer.post(f"{CASE}/details", {"address": address, "postcode": "", "email": "ada@example.org",
                                            "local_connection": ["Atlantis"], "needs": ["step_free"]}, form_page=CASE)
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {
        "address-details": "Current address must be 400 characters or fewer",
        "postcode-details": "Enter the postcode",
        "local_connection-details": "not on the list: Atlantis"})
    assert form.values["address"] == [address] and form.values["email"] == ["ada@example.org"]
    assert form.values["needs"] == ["step_free"]
    assert _held(db) == before


def test_notes_verification_and_reasons_over_their_limits_are_refused_not_cut(officer, db):
    before = _held(db)
    note = "Called about the offer; will ring back. " * 210  # 8,400 characters
    page = officer.post(f"{CASE}/notes", {"note": note}, form_page=CASE)
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {"note-notes": "Add a note must be 8,000 characters or fewer"})
    assert note in form.values["note"]
    page = officer.post(f"{CASE}/verification", {"documents": ""}, form_page=CASE)
    assert_every_error_shown(page.text, {"documents-verification": "List the documents you have seen"})
    page = officer.post(f"{CASE}/preferences", {"max_floor": "61", "areas": ["Nowhere"], "wishes": ["auto_bid"]},
                        form_page=CASE)
    form = assert_every_error_shown(page.text, {"areas-preferences": "not on the list: Nowhere",
                                                "max_floor-preferences": "Highest floor must be a number from 0"})
    assert form.values["max_floor"] == ["61"] and form.values["wishes"] == ["auto_bid"]
    assert _held(db) == before


def test_the_services_refuse_text_over_its_limit_rather_than_cutting_it(db, scheme, world):
    applicant_id = world.applicants["HR000001"]
    for call in (lambda s, actor: add_note(s, actor, applicant_id, "n" * 8001, now()),
                 lambda s, actor: record_verification(s, actor, applicant_id, "d" * 2001, now()),
                 lambda s, actor: suspend(s, actor, scheme, applicant_id, None, "r" * 2001, now()),
                 lambda s, actor: reinstate(s, actor, applicant_id, "r" * 2001, now()),
                 lambda s, actor: record_review_answer(s, actor, scheme, applicant_id, True, "n" * 501, now())):
        with pytest.raises(InvalidInput, match="characters or fewer"):
            db.run(call, SYSTEM)
    with db.reading() as s:
        applicant = s.get(Applicant, applicant_id)
        assert applicant.status is ApplicationStatus.ACTIVE and not applicant.verified


def test_the_register_search_and_the_review_letters_show_every_mistake(officer, db, world):
    typed = {"name": "x" * 201, "date_of_birth-day": "31", "date_of_birth-month": "2", "date_of_birth-year": "1990",
             "national_insurance_number": "AB 12 34", "reference": "HR%", "email": "ada.example.net",
             "phone": "call me", "postcode": "12", "address": "-", "application_status": "lost", "band": "Z",
             "page": "0"}
    page = officer.post("/admin/applicants/search", typed, form_page="/admin/applicants")
    assert page.status_code == 422 and 'id="found"' not in page.text
    form = assert_every_error_shown(page.text, {
        "name": "must be 200 characters or fewer", "date_of_birth": "must be a real date",
        "national_insurance_number": "like JG 10 37 59 A", "reference": "Enter an application reference",
        "email": "Enter a whole e-mail address", "phone": "Enter a phone number", "postcode": "Enter a postcode",
        "address": "Enter at least 2 letters", "application_status": "Choose status from the list",
        "band": "Choose band from the list", "page": "Page must be a whole number"})
    for name, value in typed.items():  # everything typed is shown again as typed (a list shows only its own)
        assert form.values.get(name, []) == ([] if name in ("application_status", "band") else [value]), name
    assert officer.get("/admin/applicants?band=A").status_code == 200

    with db.transaction() as s:
        s.get(Applicant, world.applicants["HR000002"]).review_due = now().date() - timedelta(days=1)
    page = officer.post("/admin/register-review/letters", {"applicant": [str(world.applicants["HR000002"]), "999999"]},
                        form_page="/admin/register-review")
    assert page.status_code == 422
    assert_every_error_shown(page.text, {"applicant": "not on the list: 999999"})
    with db.reading() as s:
        assert s.get(Applicant, world.applicants["HR000002"]).review_letter_on is None  # nobody written to
    assert read_form(officer.get("/admin/register-review").text).values["applicant"] == [
        str(world.applicants["HR000002"])]  # those due are ticked to start with
