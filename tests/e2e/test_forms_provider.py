"""The provider portal's forms show every error at once, each beside its field, and keep what was typed."""

from sqlmodel import select

from cbl.models import Nomination
from cbl.models.states import StaffRole
from tests.e2e.conftest import staff_sign_in
from tests.e2e.test_nominations import _officer_nominates, nominated_shortlist  # noqa: F401 (a fixture)
from tests.support.forms import assert_every_error_shown


def _portal_nomination(visitor, other_visitor, db, staff, shortlist) -> str:
    staff_sign_in(visitor, "officer@example.org")
    _officer_nominates(visitor, shortlist["HR000002"])
    staff_sign_in(other_visitor, staff[StaffRole.PROVIDER])
    with db.reading() as s:
        return f"/admin/provider/nominations/{s.exec(select(Nomination.id)).one()}"


def test_declining_without_a_ground_and_with_an_over_long_note_shows_both(
        visitor, other_visitor, db, world, staff, nominated_shortlist):  # noqa: F811
    path = _portal_nomination(visitor, other_visitor, db, staff, nominated_shortlist)
    note = "Arrears of £3,100 and no plan. " * 70
    page = other_visitor.post(f"{path}/decline", {"ground": "", "note": note}, form_page=path)
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {"ground": "Choose a ground for declining",
                                                "note": "Explanation must be 2,000 characters or fewer"})
    assert form.values["note"] == [note]
    assert "You can enter up to 2000 characters" in page.text
    with db.reading() as s:
        assert s.exec(select(Nomination.decline_ground)).one() is None


def test_a_viewing_with_half_a_date_and_no_time_keeps_what_was_typed(
        visitor, other_visitor, db, world, staff, nominated_shortlist):  # noqa: F811
    path = _portal_nomination(visitor, other_visitor, db, staff, nominated_shortlist)
    page = other_visitor.post(f"{path}/viewing", {"viewing_at-day": "14", "viewing_at-year": "2027",
                                                  "viewing_time": "teatime"}, form_page=path)
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {"viewing_at": "Viewing date must include a month",
                                                "viewing_time": "must be a real time, like 2pm or 14:30"})
    assert form.values["viewing_at-day"] == ["14"] and form.values["viewing_at-year"] == ["2027"]
    assert form.values["viewing_time"] == ["teatime"]


def test_a_tenancy_start_that_is_not_a_real_date_says_so(visitor, other_visitor, db, world, staff,
                                                          nominated_shortlist):  # noqa: F811
    path = _portal_nomination(visitor, other_visitor, db, staff, nominated_shortlist)
    page = other_visitor.post(f"{path}/tenancy", {"starts_on-day": "31", "starts_on-month": "2",
                                                  "starts_on-year": "2027"}, form_page=path)
    form = assert_every_error_shown(page.text, {"starts_on": "Tenancy start date must be a real date"})
    assert form.values["starts_on-day"] == ["31"]


def test_notifying_a_void_with_no_date_and_a_long_reason_shows_both(other_visitor, db, world, staff):
    staff_sign_in(other_visitor, staff[StaffRole.PROVIDER])
    path = "/admin/provider/homes/P-AD3"
    page = other_visitor.post(f"{path}/voids", {"reason": "moved " * 50, "first_let": "yes"}, form_page=path)
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {"tenancy_end": "Enter date the tenancy ended",
                                                "reason": "Reason must be 200 characters or fewer"})
    assert form.values["reason"] == ["moved " * 50] and form.values["first_let"] == ["yes"]
