"""Staff forms show every error at once, each beside its field, and give back everything typed."""

from sqlmodel import func, select

from cbl.models import Applicant
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import assert_every_error_shown


def test_registering_a_household_with_several_mistakes_shows_them_all_and_keeps_the_rest(visitor, db, staff, world):
    staff_sign_in(visitor, "officer@example.org")
    with db.reading() as s:
        before = s.exec(select(func.count()).select_from(Applicant)).one()
    typed = {"name": "", "date_of_birth-day": "12", "date_of_birth-year": "1984", "sex": "F",
             "address": "1 Mill Lane, Anytown, " * 30, "postcode": "", "email": "ada@example.org",
             "local_connection": ["Atlantis"], "needs": ["step_free"], "circumstances": ["homeless_duty"]}
    page = visitor.post("/admin/applicants/new", typed, form_page="/admin/applicants/new")
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {
        "name": "Enter the person's full name",
        "date_of_birth": "Date of birth must include a month",
        "address": "Current address must be 400 characters or fewer",
        "postcode": "Enter the postcode",
        "local_connection": "not on the list: Atlantis"})
    assert form.values["date_of_birth-day"] == ["12"] and form.values["date_of_birth-year"] == ["1984"]
    assert form.values["email"] == ["ada@example.org"] and form.values["sex"] == ["F"]
    assert form.values["needs"] == ["step_free"] and form.values["circumstances"] == ["homeless_duty"]
    assert form.values["address"] == ["1 Mill Lane, Anytown, " * 30]
    with db.reading() as s:
        assert s.exec(select(func.count()).select_from(Applicant)).one() == before
