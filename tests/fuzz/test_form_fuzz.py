"""Property-based tests of the form handlers: whatever is typed (random text, huge values, unicode,
wrong types, missing fields, impossible dates), the answer is a page, never a server error, and a refusal
says what to correct."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from cbl.models.states import StaffRole
from tests.e2e.conftest import Browser, staff_sign_in

NASTY = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20),
    st.sampled_from(["", " ", "0", "-1", "9" * 40, "2026-02-30", "0000-00-00", "9999-12-31", "1.5", "£", "\x00",
                     "<script>alert(1)</script>", "' OR 1=1 --", "yes", "no", "true", "NaN", "HR000001"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(min_size=5000, max_size=6000, alphabet="ab"),
)

def DATE(name: str) -> list[str]:  # reads as a field kind in the table below
    """A GOV.UK date input's three fields."""
    return [f"{name}-day", f"{name}-month", f"{name}-year"]


# Each form with the fields it reads (the fuzzer also drops fields and adds strangers).
ADMIN_FORMS = {
    "/admin/applicants/new": ["name", *DATE("date_of_birth"), "sex", "address", "postcode", "email", "phone",
                              *DATE("registration_date"), "circumstances", "local_connection", "needs"],
    "/admin/applicants/HR000001/band": ["band", *DATE("effective"), "reason", "points"],
    "/admin/applicants/HR000001/assessments": ["kind", "recommendation", "effect", "requirements"],
    "/admin/applicants/HR000001/checks": ["kind", "passed", "note"],
    "/admin/applicants/HR000001/register-review": ["stays", "note"],
    "/admin/applicants/HR000001/members": ["name", *DATE("date_of_birth"), "relationship", "sex", "needs_own_room"],
    "/admin/applicants/HR000001/details": ["address", "postcode", "email", "phone", "circumstances"],
    "/admin/applicants/HR000001/preferences": ["areas", "property_types", "max_floor", "wishes"],
    "/admin/applicants/HR000001/suspension": [*DATE("until"), "reason"],
    "/admin/applicants/HR000001/bids": ["advert"],
    "/admin/stock/new": ["landlord", "reference", "uprn", "address", "postcode", "area", "property_type",
                         "bedrooms", "floor", "rent", "charges", "features"],
    "/admin/stock/P-AD1/voids": [*DATE("tenancy_end"), "reason", "first_let"],
    "/admin/enquiries": ["kind", "raised_by", "summary", *DATE("received_on"), "applicant"],
    "/admin/agreements/new": ["provider", "name", "first_let_share", "relet_share", "nominate_within_days",
                              "respond_within_days", "decline_grounds", *DATE("starts_on"), *DATE("ends_on"),
                              "quota_homeless"],
}


def _forms(fields: list[str]):
    return st.fixed_dictionaries({}, optional={name: st.one_of(NASTY, st.lists(NASTY, max_size=3))
                                               for name in [*fields, "unexpected"]})


@pytest.mark.parametrize("path", list(ADMIN_FORMS))
def test_admin_forms_answer_every_input_without_a_server_error(app, staff, world, path):
    with TestClient(app) as client:
        officer = Browser(client)
        assert staff_sign_in(officer, staff[StaffRole.MANAGER if "agreements" in path else StaffRole.OFFICER]
                             ).status_code == 303
        token = officer.token("/admin/applicants/HR000001")

        @settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(form=_forms(ADMIN_FORMS[path]))
        def post(form):
            answer = client.post(path, data={**form, "_csrf_token": token}, follow_redirects=False)
            assert answer.status_code < 500, (path, form, answer.text[:500])
            if 400 <= answer.status_code < 500 and answer.status_code != 404:
                assert "There is a problem" in answer.text or "govuk-error" in answer.text, (path, form)

        post()


def test_public_forms_answer_every_input_without_a_server_error(app, world):
    with TestClient(app) as client:
        visitor = Browser(client)
        assert visitor.sign_in("HR000001").status_code == 303
        token = visitor.token("/account/preferences")
        forms = {"/account/preferences": ["areas", "property_types", "max_floor", "needs_lift", "auto_bid"],
                 "/adverts/AD1/bid": [], "/account/reviews": ["decision", "reasons", "pending"],
                 "/sign-in": ["reference", "password", "next"]}
        for path, fields in forms.items():
            _fuzz_public_form(client, token, path, fields)


def _fuzz_public_form(client: TestClient, token: str, path: str, fields: list[str]) -> None:
    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(form=_forms(fields))
    def post(form):
        answer = client.post(path, data={**form, "_csrf_token": token}, follow_redirects=False)
        assert answer.status_code < 500, (path, form, answer.text[:500])

    post()
