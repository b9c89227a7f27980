"""Signing in to the admin, setting a password and choosing how we make contact: every error at once, each
beside its field, everything typed given back except a password, nothing saved until the form is right."""

from sqlmodel import select

from cbl.models import Applicant, AuditEvent, ContactPreference, PasswordLink
from cbl.services.password_links import give as give_password_link
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.e2e.test_sign_in_protection import _officer
from tests.support.factories import PASSWORD
from tests.support.forms import assert_every_error_shown, read_form

GOOD_PASSWORD = "tulip ferry anvil orbit"


def _signed_in_to_admin(visitor) -> bool:
    answer = visitor.client.get("/admin", follow_redirects=False)
    return not (answer.status_code == 303 and answer.headers["location"].startswith("/admin/sign-in"))


def test_staff_sign_in_with_nothing_typed_names_both_fields(visitor, staff, world):
    page = visitor.post("/admin/sign-in", {"email": "", "password": ""}, form_page="/admin/sign-in")
    assert page.status_code == 422
    assert_every_error_shown(page.text, {"email": "Enter your email address", "password": "Enter your password"})
    assert not _signed_in_to_admin(visitor)


def test_a_wrong_staff_password_keeps_the_email_never_the_password_and_the_right_one_signs_in(visitor, staff, world):
    typed = {"email": "officer@example.org", "password": "my secret guess", "next": "/admin/applicants"}
    page = visitor.post("/admin/sign-in", typed, form_page="/admin/sign-in")
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {"email": "Enter a correct email address and password"})
    assert form.values["email"] == ["officer@example.org"] and form.values["password"] == [""]
    assert "my secret guess" not in page.text
    assert 'name="next" value="/admin/applicants"' in page.text  # still going where the officer was going
    assert not _signed_in_to_admin(visitor)
    right = staff_sign_in(visitor, typed["email"], PASSWORD, next=typed["next"])  # and the code from the app
    assert right.status_code == 303 and right.headers["location"] == "/admin/applicants"
    assert _signed_in_to_admin(visitor)


def test_staff_sign_in_refuses_an_over_long_email_by_its_limit_and_never_leads_off_the_admin_site(visitor, staff,
                                                                                                   world):
    email = "o" * 250 + "@example.org"
    page = visitor.post("/admin/sign-in", {"email": email, "password": "x"}, form_page="/admin/sign-in")
    form = assert_every_error_shown(page.text,
                                    {"email": "Email address must be 254 characters or fewer (you entered 262)"})
    assert form.values["email"] == [email] and form.values["password"] == [""]
    away = visitor.post("/admin/sign-in", {"email": "officer@example.org", "password": PASSWORD,
                                           "next": "//evil.example/admin"}, form_page="/admin/sign-in")
    assert away.status_code == 303 and away.headers["location"].endswith("?next=/admin")  # on to the second step
    assert staff_sign_in(visitor, "officer@example.org", next="//evil.example/admin").headers["location"] == "/admin"


def _link(db, world, reference="HR000003") -> str:
    return db.run(give_password_link, _officer(db), world.applicants[reference], now())


def _password_hash(db, world, reference="HR000003") -> str | None:
    with db.reading() as s:
        return s.get(Applicant, world.applicants[reference]).password_hash


def test_setting_a_password_with_nothing_typed_names_both_fields_and_uses_nothing(visitor, db, world):
    token, before = _link(db, world), _password_hash(db, world)
    page = visitor.post(f"/set-password/{token}", {"password": "", "confirmation": ""},
                        form_page=f"/set-password/{token}")
    assert page.status_code == 422
    assert_every_error_shown(page.text, {"password": "Enter a new password", "confirmation": "Type the password again"})
    assert _password_hash(db, world) == before
    with db.reading() as s:
        assert s.exec(select(PasswordLink)).one().used_at is None  # the link still works


def test_a_refused_password_is_never_sent_back_and_the_link_then_sets_a_good_one(visitor, db, world):
    token, before = _link(db, world), _password_hash(db, world)
    typed = {"password": "orbit anvil ferry tulip", "confirmation": "orbit anvil ferry tuli"}
    mismatch = visitor.post(f"/set-password/{token}", typed, form_page=f"/set-password/{token}")
    assert mismatch.status_code == 422
    form = assert_every_error_shown(mismatch.text, {"confirmation": "The passwords do not match"})
    assert form.values["password"] == [""] and form.values["confirmation"] == [""]
    assert "orbit anvil" not in mismatch.text
    too_long = visitor.post(f"/set-password/{token}", {"password": "x" * 201, "confirmation": "x" * 201},
                            form_page=f"/set-password/{token}")
    assert_every_error_shown(too_long.text, {"password": "200 characters or fewer (you entered 201)",
                                             "confirmation": "200 characters or fewer (you entered 201)"})
    assert "x" * 201 not in too_long.text
    assert _password_hash(db, world) == before
    done = visitor.post(f"/set-password/{token}", {"password": GOOD_PASSWORD, "confirmation": GOOD_PASSWORD},
                        form_page=f"/set-password/{token}")
    assert done.status_code == 303 and _password_hash(db, world) != before
    used = visitor.post(f"/set-password/{token}", {"password": GOOD_PASSWORD, "confirmation": GOOD_PASSWORD},
                        form_page=f"/set-password/{token}")
    assert used.status_code == 404 and "has expired or has already been used" in used.text


def _contact_choices_saved(db) -> list:
    with db.reading() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == "contact.choices_saved"))) + list(
            s.exec(select(ContactPreference)))


def test_contact_choices_with_several_problems_show_them_all_and_keep_every_tick_and_the_number(visitor, db, world):
    visitor.sign_in("HR000001")  # a household with no e-mail address on file
    typed = {"by_email": "yes", "by_text": "yes", "mobile": "0800 123", "large_print": "yes", "new_homes_alert": "yes"}
    page = visitor.post("/account/contact", typed, form_page="/account/contact")
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {
        "by_email": "We have no e-mail address for you",
        "mobile": "Enter a UK mobile number",
        "email_consent": "We must post decisions to you unless you agree"})
    assert form.values["mobile"] == ["0800 123"]
    assert {name: form.values.get(name) for name in typed if name != "mobile"} == {
        "by_email": ["yes"], "by_text": ["yes"], "large_print": ["yes"], "new_homes_alert": ["yes"]}
    assert "by_post" not in form.values and "email_consent" not in form.values  # unticked stays unticked
    assert _contact_choices_saved(db) == []


def test_an_over_long_mobile_number_is_refused_by_its_limit_not_cut(visitor, db, world):
    visitor.sign_in("HR000001")
    number = "07700 900123 " * 3
    page = visitor.post("/account/contact", {"by_post": "yes", "mobile": number}, form_page="/account/contact")
    form = assert_every_error_shown(page.text,
                                    {"mobile": "Mobile number must be 32 characters or fewer (you entered 38)"})
    assert form.values["mobile"] == [number]  # exactly as typed and form.values["by_post"] == ["yes"]
    assert _contact_choices_saved(db) == []


def test_good_contact_choices_are_saved_and_shown_again(visitor, db, world):
    with db.transaction() as s:
        s.get(Applicant, world.applicants["HR000001"]).email = "ann@example.org"
    visitor.sign_in("HR000001")
    saved = visitor.post("/account/contact", {"by_email": "yes", "email_consent": "yes", "large_print": "yes",
                                              "mobile": "07700 900123"}, form_page="/account/contact")
    assert saved.status_code == 303
    with db.reading() as s:
        chosen = s.get(ContactPreference, world.applicants["HR000001"])
        assert chosen.by_email and not chosen.by_post and chosen.large_print and chosen.email_consent_at
        assert chosen.confirmed_mobile and chosen.mobile_confirmed_at is None  # confirmed by the reply, not here
    form = read_form(visitor.get("/account/contact?saved=1").text)
    assert form.summary == {}
    assert form.values["by_email"] == ["yes"] and form.values["email_consent"] == ["yes"]
    assert form.values["large_print"] == ["yes"] and "by_post" not in form.values
