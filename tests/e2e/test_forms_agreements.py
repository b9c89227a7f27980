"""Nomination agreements and a let's CORE answers: every mistake shown at once, beside its field, with
everything typed given back and nothing saved; the corrected form then saves."""

from datetime import date

import pytest
from sqlmodel import func, select

from cbl.models import CoreLog, NominationAgreement, StaffUser, Void
from cbl.models.states import StaffRole
from cbl.queries.core_lets import questions_for
from cbl.reports.core_export import field_specs
from cbl.services import actors
from cbl.services.agreements import AgreementTerms, save_agreement
from cbl.services.errors import InvalidInput
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.integration.test_audit_trail import _let_through_the_services
from tests.support.forms import assert_every_error_shown, date_fields

GOOD = {"provider": "RHA", "name": "RHA agreement 2027", "first_let_share": "100", "relet_share": "75",
        "nominate_within_days": "5", "respond_within_days": "10", "decline_grounds": ["arrears"],
        "shared_details": ["household", "needs"], "quota_homeless": "40", **date_fields("starts_on", "2027-04-01")}


def _agreements(db) -> int:
    with db.reading() as s:
        return s.exec(select(func.count()).select_from(NominationAgreement)).one()


def test_an_agreement_with_several_mistakes_shows_them_all_keeps_what_was_typed_and_saves_nothing(
        visitor, db, staff, world):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    with db.transaction() as s:  # the factory's agreement is open-ended: end it so the good one fits after
        s.get(NominationAgreement, world.agreement).ends_on = date(2027, 3, 31)
    before, page = _agreements(db), "/admin/agreements/new"
    typed = {**GOOD, "provider": "", "name": "Riverside nominations " * 10, "relet_share": "175",
             "nominate_within_days": "five", "decline_grounds": ["arrears", "moon_phase"], "quota_transfer": "0",
             "starts_on-month": "", "ends_on-day": "31", "ends_on-month": "2", "ends_on-year": "2028"}
    answer = visitor.post(page, typed, form_page=page)
    assert answer.status_code == 422
    shown = assert_every_error_shown(answer.text, {
        "provider": "Choose the registered provider",
        "name": "Name of the agreement must be 200 characters or fewer (you entered 219)",
        "relet_share": "The share of relets must be a percentage from 0 to 100",
        "nominate_within_days": "The council's time to nominate must be a whole number of working days from 1 to 60",
        "decline_grounds": "not on the list: moon_phase",
        "quota_transfer": "The quota for transfer tenants must be a percentage from 1 to 100",
        "starts_on": "Starts on must include a month",
        "ends_on": "Ends on must be a real date"}).values
    assert shown["name"] == ["Riverside nominations " * 10]
    assert shown["relet_share"] == ["175"] and shown["nominate_within_days"] == ["five"]
    assert shown["first_let_share"] == ["100"] and shown["respond_within_days"] == ["10"]
    assert shown["quota_homeless"] == ["40"] and shown["quota_transfer"] == ["0"]
    assert shown["decline_grounds"] == ["arrears"] and shown["shared_details"] == ["household", "needs"]
    assert shown["starts_on-day"] == ["1"] and shown["starts_on-year"] == ["2027"]
    assert (shown["ends_on-day"], shown["ends_on-month"], shown["ends_on-year"]) == (["31"], ["2"], ["2028"])
    assert _agreements(db) == before

    # The service's own refusal (another agreement in force) keeps everything typed too.
    overlapping = visitor.post(page, {**GOOD, **date_fields("starts_on", "2027-03-01")}, form_page=page)
    assert overlapping.status_code == 409 and "is in force for" in overlapping.text
    assert 'value="RHA agreement 2027"' in overlapping.text and 'value="40"' in overlapping.text
    assert _agreements(db) == before

    assert visitor.post(page, GOOD, form_page=page).status_code == 303
    with db.reading() as s:
        made = s.exec(select(NominationAgreement).where(NominationAgreement.name == "RHA agreement 2027")).one()
    assert (made.starts_on, made.ends_on, made.relet_share) == (date(2027, 4, 1), None, 75)


def test_a_changed_agreement_shows_its_dates_in_the_date_inputs(visitor, db, staff, world):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    with db.reading() as s:
        starts = s.get(NominationAgreement, world.agreement).starts_on
    page = visitor.get(f"/admin/agreements/{world.agreement}/edit").text
    for part, value in (("day", starts.day), ("month", starts.month), ("year", starts.year)):
        assert f'name="starts_on-{part}" type="text" value="{value}"' in page


def test_an_agreement_name_over_its_limit_is_refused_by_the_service_not_cut(db, scheme, staff, world):
    terms = AgreementTerms("RHA", "N" * 201, 100, 75, 5, 5, (), (), date(2030, 4, 1), None)
    with db.reading() as s:
        manager = actors.staff(s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.MANAGER])).one())
    with pytest.raises(InvalidInput, match=r"200 characters or fewer \(you entered 201\)"):
        db.run(save_agreement, manager, scheme, None, terms, now())
    assert _agreements(db) == 1  # the factory's only


def test_core_answers_with_several_mistakes_show_them_all_keep_what_was_typed_and_save_nothing(
        visitor, db, scheme, staff, world):
    _let_through_the_services(db, scheme, world, "CORE-F")
    with db.reading() as s:
        void = s.exec(select(Void).where(Void.status == "let")).one()
        _, questions = questions_for(s, void.id)
    specs = field_specs()
    coded = [q for q in questions if q["choices"]]
    free = [q for q in questions if not q["choices"] and not specs[q["number"]].accepts("zz!")]
    assert len(coded) >= 2 and free, "the test needs two coded questions and a checked free one"
    right, wrong, badly_typed = coded[0], coded[1], free[0]
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    path = f"/admin/lets/{void.id}/core"
    typed = {f"field-{right['number']}": right["choices"][0][0], f"field-{wrong['number']}": "not-a-code",
             f"field-{badly_typed['number']}": "zz!"}
    answer = visitor.post(path, typed, form_page=path)
    assert answer.status_code == 422
    shown = assert_every_error_shown(answer.text, {
        f"field-{wrong['number']}": "“not-a-code” is not an answer CORE accepts",
        f"field-{badly_typed['number']}": "“zz!” is not an answer CORE accepts"}).values
    assert shown[f"field-{right['number']}"] == [right["choices"][0][0]]
    assert shown[f"field-{badly_typed['number']}"] == ["zz!"]
    with db.reading() as s:
        assert s.exec(select(CoreLog).where(CoreLog.void_id == void.id)).first() is None

    good = {f"field-{right['number']}": right["choices"][0][0], f"field-{wrong['number']}": wrong["choices"][-1][0]}
    assert visitor.post(path, good, form_page=path).status_code == 303
    with db.reading() as s:
        answers = s.exec(select(CoreLog).where(CoreLog.void_id == void.id)).one().answers
    assert answers == {str(right["number"]): right["choices"][0][0], str(wrong["number"]): wrong["choices"][-1][0]}
