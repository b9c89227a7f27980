"""Property-based tests of the form handlers: whatever is typed (random text, huge values, unicode,
wrong types, missing fields, impossible dates), the answer is a page, never a server error, and a refusal
says what to correct."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from cbl.models.states import StaffRole
from cbl.web import forms as web_forms
from cbl.web.apply_forms import PAGES
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
    "/admin/applicants/new": ["name", *DATE("date_of_birth"), "national_insurance_number", "sex", "address",
                              "postcode", "email", "phone",
                              *DATE("registration_date"), "circumstances", "local_connection", "needs"],
    "/admin/applicants/search": ["name", *DATE("date_of_birth"), "national_insurance_number", "reference", "email",
                                 "phone", "postcode", "address", "application_status", "band", "page"],
    "/admin/applicants/HR000001/band": ["band", *DATE("effective"), "reason", "points"],
    "/admin/applicants/HR000001/assessments": ["kind", "recommendation", "effect", "requirements"],
    "/admin/applicants/HR000001/checks": ["kind", "passed", "note"],
    "/admin/applicants/HR000001/suitability": ["home", "bedrooms", "bedrooms_reasons", "access", "access_reasons",
                                               "affordability", "affordability_reasons", "weekly_income", "location",
                                               "location_reasons", "other", "other_reasons", "reasonable", "reasons"],
    "/admin/applicants/HR000001/register-review": ["stays", "note"],
    "/admin/applicants/HR000001/members": ["name", *DATE("date_of_birth"), "national_insurance_number",
                                           "relationship", "sex", "needs_own_room"],
    "/admin/applicants/HR000001/details": ["address", "postcode", "email", "phone", "circumstances"],
    "/admin/applicants/HR000001/preferences": ["areas", "property_types", "max_floor", "wishes"],
    "/admin/applicants/HR000001/suspension": [*DATE("until"), "reason"],
    "/admin/applicants/HR000001/eligibility": ["decision", "grounds"],
    "/admin/applicants/HR000001/bids": ["advert"],
    "/admin/stock/new": ["landlord", "reference", "uprn", "address", "postcode", "area", "property_type",
                         "bedrooms", "floor", "rent", "charges", "features"],
    "/admin/stock/P-AD1/voids": [*DATE("tenancy_end"), "reason", "first_let"],
    "/admin/enquiries": ["kind", "raised_by", "summary", *DATE("received_on"), "applicant"],
    "/admin/agreements/new": ["provider", "name", "first_let_share", "relet_share", "nominate_within_days",
                              "respond_within_days", "decline_grounds", *DATE("starts_on"), *DATE("ends_on"),
                              "quota_homeless"],
    "/admin/staff/invite": ["name", "email", "role", "grade"],
    "/admin/staff/1": ["role", "grade"],  # the officer's role and grade
    "/admin/forgotten-password": ["email"],
    "/admin/adverts/AD1/block-viewing": ["households", *DATE("viewing_at"), "viewing_time", "place", "accompanied"],
    "/admin/imports/upload": ["kind", "file"],  # sent without a file: refused on the page
    "/admin/cycles/1/reopen": ["reason", *DATE("closes_on"), "closes_time"],  # the world's cycle, open: refused
    "/admin/applicants/HR000001/moves/tenancy": ["landlord", "address", "bedrooms", *DATE("tenancy_start")],
    "/admin/applicants/HR000001/moves/downsizing-payment": ["new_bedrooms", "removal"],
    "/admin/regeneration-schemes": ["name", "area", *DATE("decant_date")],
}


def _forms(fields: list[str]):
    return st.fixed_dictionaries({}, optional={name: st.one_of(NASTY, st.lists(NASTY, max_size=3))
                                               for name in [*fields, "unexpected"]})


def _role(path: str) -> StaffRole:
    if path.startswith("/admin/staff"):
        return StaffRole.ADMIN
    return StaffRole.MANAGER if "agreements" in path or "imports" in path or "cycles" in path else StaffRole.OFFICER


def test_admin_forms_answer_every_input_without_a_server_error(app, staff, world):
    # One world and one sign-in per role for all the forms: setting up each form's own took longer than
    # fuzzing it. A form's posts may change the world the next one sees, which is more to fuzz, not less.
    for role in (StaffRole.OFFICER, StaffRole.MANAGER, StaffRole.ADMIN):
        with TestClient(app) as client:
            member = Browser(client)
            assert staff_sign_in(member, staff[role]).status_code == 303
            token = member.token("/admin/staff" if role is StaffRole.ADMIN else "/admin/applicants/HR000001")
            for path in (path for path in ADMIN_FORMS if _role(path) is role):
                _fuzz_form(client, token, path, ADMIN_FORMS[path], examples=20, says_what_to_correct=True)


def test_public_forms_answer_every_input_without_a_server_error(app, world):
    with TestClient(app) as client:
        visitor = Browser(client)
        assert visitor.sign_in("HR000001").status_code == 303
        token = visitor.token("/account/preferences")
        forms = {"/account/preferences": ["areas", "property_types", "max_floor", "needs_lift", "auto_bid"],
                 "/adverts/AD1/bid": [], "/account/reviews": ["decision", "reasons", "pending"],
                 "/sign-in": ["reference", "password", "next"], "/forgotten-password": ["reference", "contact"]}
        for path, fields in forms.items():
            _fuzz_form(client, token, path, fields)
    # Applying online's ways in (making an account, signing in to it, a forgotten password): few examples each,
    # as a visitor who has not signed in.
    with TestClient(app) as client:
        token = Browser(client).token("/apply/account")
        for path, fields in {"/apply/account": ["contact", "password", "confirmation"],
                             "/apply/sign-in": ["contact", "password", "next"],
                             "/apply/forgotten-password": ["contact"]}.items():
            _fuzz_form(client, token, path, fields, examples=10, says_what_to_correct=True)


def _page_fields(page: str) -> list[str]:
    """The fields a question page reads (a date as its three), and the button that removes a person."""
    kind = PAGES[page][0]
    names = [part for name, field in kind()._fields.items()
             for part in (DATE(name) if isinstance(field, web_forms.Day) else [name])]
    return [*names, "remove"] if page == "members" else names


def test_applying_online_forms_answer_every_input_without_a_server_error(app, db, world):
    """The confirmation code, every question page of an application and of a change of circumstances, the
    uploads and the declarations: a few examples each (their number, not their depth, is what costs)."""
    from cbl.models import HouseholdAccount
    from cbl.services.applying import Owner, save_answer
    from cbl.web.auth import now
    from tests.support.factories import PASSWORD, PASSWORD_HASH

    with TestClient(app) as client:  # an account not yet confirmed: its code
        newcomer = Browser(client)
        made = newcomer.post("/apply/account", {"contact": "newcomer@example.net", "password": PASSWORD,
                                                "confirmation": PASSWORD}, form_page="/apply/account")
        assert made.headers["location"] == "/apply/confirm"
        _fuzz_form(client, newcomer.token("/apply/confirm"), "/apply/confirm", ["code", "action"], examples=10,
                   says_what_to_correct=True)

    with db.transaction() as s:
        account = HouseholdAccount(email="ada@example.net", password_hash=PASSWORD_HASH, confirmed_at=now())
        s.add(account)
        s.flush()
        applying = Owner(account_id=account.id)
        # The medical and armed forces pages are asked only when those circumstances were chosen: fuzzed first.
        save_answer(s, applying, "circumstances", {"priorities": ["medical", "armed_forces"], "detail": ""}, now())
    with TestClient(app) as client:
        household = Browser(client)
        assert household.post("/apply/sign-in", {"contact": "ada@example.net", "password": PASSWORD},
                              form_page="/apply/sign-in").headers["location"] == "/apply/application"
        token = household.token("/apply/application/lead")
        first = ["medical", "armed-forces"]
        for page in [*first, *(page for page in PAGES if page not in first and not page.startswith("change"))]:
            _fuzz_form(client, token, f"/apply/application/{page}", _page_fields(page), examples=8,
                       says_what_to_correct=True)
        _fuzz_upload(client, token, "/apply/application/evidence")
        _fuzz_form(client, token, "/apply/application/check", ["declaration"], examples=5)

    changing = Owner(applicant_id=world.applicants["HR000001"])
    with TestClient(app) as client:
        applicant = Browser(client)
        assert applicant.sign_in("HR000001").status_code == 303
        token = applicant.token("/account/changes")
        _fuzz_form(client, token, "/account/changes/change", _page_fields("change"), examples=8,
                   says_what_to_correct=True)
        for page, what in (("change-member", "new_member"), ("change-address", "new_address"),
                           ("change-medical", "medical")):
            db.run(save_answer, changing, "change", {"what": what, "on": "2026-10-01"}, now())  # so it is asked
            _fuzz_form(client, token, f"/account/changes/{page}", _page_fields(page), examples=8,
                       says_what_to_correct=True)
        _fuzz_upload(client, token, "/account/changes/evidence")
        _fuzz_form(client, token, "/account/changes/check", ["declaration"], examples=5)
        _fuzz_upload(client, token, "/account/evidence")


PDF, PNG = b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def _fuzz_upload(client: TestClient, token: str, path: str, examples: int = 10) -> None:
    """Post random files (any bytes, or a real type's first bytes and then anything) under random names, with
    random fields: never a server error."""
    content = st.one_of(st.binary(max_size=1024),
                        st.tuples(st.sampled_from([PDF, PNG, b""]), st.binary(max_size=256)).map(b"".join))

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(form=_forms(["shows", "action", "remove"]), name=st.text(max_size=300), content=content)
    def post(form, name, content):
        answer = client.post(path, data={**form, "_csrf_token": token}, files={"file": (name, content)},
                             follow_redirects=False)
        assert answer.status_code < 500, (path, form, name, answer.text[:500])

    post()


def _fuzz_form(client: TestClient, token: str, path: str, fields: list[str], examples: int = 25,
               says_what_to_correct: bool = False) -> None:
    """Post `examples` random forms to `path`: never a server error; with `says_what_to_correct`, a refusal
    (other than not found) is a page that says what to correct."""
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(form=_forms(fields))
    def post(form):
        answer = client.post(path, data={**form, "_csrf_token": token}, follow_redirects=False)
        assert answer.status_code < 500, (path, form, answer.text[:500])
        if says_what_to_correct and 400 <= answer.status_code < 500 and answer.status_code != 404:
            assert "There is a problem" in answer.text or "govuk-error" in answer.text, (path, form)

    post()


def test_the_forms_on_an_offer_its_place_and_its_viewing_answer_every_input_without_a_server_error(
        app, db, scheme, staff, world):
    """The forms on an offer (its id in the path): the answer given to staff, the withdrawal and a viewing; the
    checks on its shortlist place; the attendance at its viewing."""
    from cbl.models import Applicant, ShortlistEntry
    from cbl.services import actors
    from cbl.services.actors import SYSTEM
    from cbl.services.bidding import place_bid
    from cbl.services.cycles import close_cycle
    from cbl.services.lettings import make_offer
    from sqlmodel import select

    from cbl.models import Cycle, StaffUser
    from cbl.services.pre_offer_checks import record_check
    from cbl.services.shortlisting import verify_entry
    from cbl.services.viewings import arrange_viewing
    from cbl.web.auth import now
    from cbl.models import ViewingInvitation
    from datetime import timedelta

    with db.transaction() as s:
        household = s.get(Applicant, world.applicants["HR000001"])
        household.verified = True
    with db.reading() as s:
        household = actors.applicant(s.get(Applicant, world.applicants["HR000001"]))
        closes_at = s.get(Cycle, world.cycle).closes_at
        officer = actors.staff(s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.OFFICER])).one())
    db.run(place_bid, household, scheme, world.applicants["HR000001"], "AD1", now())
    db.run(close_cycle, SYSTEM, scheme, world.cycle, closes_at)
    with db.reading() as s:
        entry = s.exec(select(ShortlistEntry.id)).one()
    db.run(verify_entry, officer, entry, now())
    db.run(record_check, officer, scheme, entry, "fraud", True, "", now())
    offer = db.run(make_offer, officer, scheme, entry, now())
    viewing = db.run(arrange_viewing, officer, offer.id, now() + timedelta(days=1), True, now())
    with db.reading() as s:
        invitation = s.exec(select(ViewingInvitation.id).where(ViewingInvitation.viewing_id == viewing.id)).one()
    forms = {f"/admin/offers/{offer.id}/answer": ["answer", "reason", "detail", "channel", *DATE("answered_on"),
                                                 "answered_time"],
             f"/admin/offers/{offer.id}/withdrawal": ["reason", "note"],
             f"/admin/offers/{offer.id}/viewing": [*DATE("viewing_at"), "viewing_time", "place", "accompanied"],
             f"/admin/adverts/AD1/shortlist/{entry}/checks": ["kind", "result", "note"],
             f"/admin/viewings/{viewing.id}/attendance/{invitation}": ["attended", "wants_home"]}
    with TestClient(app) as client:
        officer_client = Browser(client)
        assert staff_sign_in(officer_client, staff[StaffRole.OFFICER]).status_code == 303
        token = officer_client.token("/admin/adverts/AD1/shortlist")
        for path, fields in forms.items():
            _fuzz_form(client, token, path, fields)
