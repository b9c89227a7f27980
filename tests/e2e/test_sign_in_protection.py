"""Sign-in guarded against guessing without letting anyone lock others out; unknown accounts take as
long to refuse as known ones; weak passwords refused; addresses and links not taken from the request."""

import re
from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlmodel import select

from cbl.app import create_app
from cbl.models import Applicant, Throttle
from cbl.models.states import StaffRole
from cbl.services import password_links, sign_in, throttling
from cbl.settings import load_settings
from cbl.web.auth import now
from tests.e2e.conftest import Browser, staff_sign_in
from tests.support.factories import PASSWORD, add_applicant


def test_guessing_from_elsewhere_slows_the_guesser_but_not_the_household_on_its_own_device(visitor, other_visitor,
                                                                                           world):
    assert visitor.sign_in("HR000001").status_code == 303  # the household's own browser, now known
    visitor.post("/sign-out", form_page="/account")
    answers = [other_visitor.sign_in("HR000001", f"guess {n}").status_code for n in range(12)]
    assert answers[:5] == [422] * 5 and set(answers[5:]) == {429}
    assert other_visitor.sign_in("HR000001").status_code == 429  # the right password does not help the guesser
    assert visitor.sign_in("HR000001").status_code == 303


def test_an_account_is_slowed_more_after_each_failure_and_free_again_after_a_quiet_while(db, world):
    at = now()

    def attempt(moment, password="wrong"):
        try:
            return db.run(sign_in.authenticate_applicant, "HR000002", password, "198.51.100.1", moment)
        except throttling.TooManyAttempts:
            return "wait"

    for _ in range(5):
        assert attempt(at) is None
    assert attempt(at) == "wait"
    assert attempt(at + timedelta(seconds=31)) is None  # 30 s after the fifth failure
    assert attempt(at + timedelta(seconds=60)) == "wait"  # now 60 s after the sixth
    assert attempt(at + timedelta(seconds=92)) is None
    quiet = at + timedelta(seconds=92) + throttling.QUIET + timedelta(seconds=1)
    assert attempt(quiet, PASSWORD) is not None and attempt(quiet, PASSWORD) != "wait"


def test_one_accounts_device_cookie_vouches_for_no_other_account(visitor, world):
    assert visitor.sign_in("HR000001").status_code == 303
    visitor.post("/sign-out", form_page="/account")
    answers = [visitor.sign_in("HR000003", f"guess {n}").status_code for n in range(7)]
    assert answers[-1] == 429
    forged = visitor.client.cookies.get("cbl_device").split(".")[0] + ".0000"
    visitor.client.cookies.set("cbl_device", forged)
    assert visitor.sign_in("HR000001", "guess").status_code == 422  # counted as unknown, not trusted


def test_one_address_guessing_many_accounts_is_stopped_and_known_devices_behind_it_still_sign_in(
        app, db, scheme, world, visitor):
    with db.transaction() as s:
        for n in range(throttling.ADDRESS_ATTEMPTS + 2):
            add_applicant(s, scheme, world, f"HR9{n:05d}")
    assert visitor.sign_in("HR000001").status_code == 303
    with TestClient(app) as client:
        attacker = Browser(client)
        answers = [attacker.sign_in(f"HR9{n:05d}", "Password1").status_code
                   for n in range(throttling.ADDRESS_ATTEMPTS + 2)]
    assert answers[:throttling.ADDRESS_ATTEMPTS] == [422] * throttling.ADDRESS_ATTEMPTS
    assert answers[-2:] == [429, 429]
    visitor.post("/sign-out", form_page="/account")
    assert visitor.sign_in("HR000001").status_code == 303  # the same address, a known device


@pytest.mark.parametrize("kind", ["applicant", "staff"])
def test_an_unknown_account_costs_a_password_check_like_a_known_one(db, world, staff, monkeypatch, kind):
    checked = []
    real = sign_in.check_password
    monkeypatch.setattr(sign_in, "check_password",
                        lambda hashed, password: checked.append(hashed) or real(hashed, password))
    authenticate, known, unknown = ((sign_in.authenticate_applicant, "HR000001", "HR999999") if kind == "applicant"
                                    else (sign_in.authenticate_staff, "officer@example.org", "nobody@example.org"))
    assert db.run(authenticate, known, "wrong password", "192.0.2.1", now()) is None
    assert db.run(authenticate, unknown, "wrong password", "192.0.2.1", now()) is None
    assert len(checked) == 2 and all(hashed and hashed.startswith("$argon2") for hashed in checked)


@pytest.mark.parametrize("password, refused", [
    ("short1", "10 characters"),
    ("qwertyuiop", "most common"),
    ("iloveyou12", "most common"),
    ("HR000001HR000001", "stronger"),  # the reference, twice
    ("aaaaaaaaaaaaaaa", "stronger"),
])
def test_a_short_common_or_guessable_password_is_refused_with_a_reason(visitor, db, world, password, refused):
    with db.reading() as s:
        applicant_id = s.exec(select(Applicant.id).where(Applicant.reference == "HR000001")).one()
    token = db.run(password_links.give, _officer(db), applicant_id, now())
    answer = visitor.post(f"/set-password/{token}", {"password": password, "confirmation": password},
                          form_page=f"/set-password/{token}")
    assert answer.status_code == 422 and refused in answer.text
    good = "tulip ferry anvil orbit"
    assert visitor.post(f"/set-password/{token}", {"password": good, "confirmation": good},
                        form_page=f"/set-password/{token}").status_code in (200, 303)
    assert visitor.sign_in("HR000001", good).status_code == 303


def _officer(db):
    from cbl.models import StaffUser
    from cbl.services import actors

    with db.reading() as s:
        return actors.staff(s.exec(select(StaffUser).where(StaffUser.email == "officer@example.org")).one())


def _app(db, scheme, tmp_path, **env):
    settings = load_settings({"CBL_DATABASE_URL": db.url, "CBL_SECRET_KEY": "s" * 48, **env}, workdir=tmp_path)
    return create_app(settings, db=db, scheme=scheme)


def _address_keys(db) -> set[str]:
    with db.reading() as s:
        return {key for key in s.exec(select(Throttle.key)) if key.startswith("ip:")}


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(db, scheme, world, tmp_path):
    with TestClient(_app(db, scheme, tmp_path)) as client:  # no proxies configured
        Browser(client).post("/sign-in", {"reference": "HR000001", "password": "wrong"},
                             headers={"X-Forwarded-For": "203.0.113.50"})
    assert _address_keys(db) == {"ip:testclient"}
    with TestClient(_app(db, scheme, tmp_path, CBL_TRUSTED_PROXIES="10.0.0.1, testclient")) as client:
        Browser(client).post("/sign-in", {"reference": "HR000001", "password": "wrong"},
                             headers={"X-Forwarded-For": "203.0.113.50"})
    assert _address_keys(db) == {"ip:testclient", "ip:203.0.113.50"}


def test_links_sent_to_people_use_the_configured_address_not_the_host_header(db, scheme, world, staff, tmp_path):
    app = _app(db, scheme, tmp_path, CBL_BASE_URL="https://homes.anytown.gov.uk")
    with TestClient(app, base_url="https://testserver") as client:
        officer = Browser(client)
        staff_sign_in(officer, staff[StaffRole.OFFICER])
        page = officer.post("/admin/applicants/HR000001/sign-in-link", form_page="/admin/applicants/HR000001",
                            headers={"Host": "evil.example"})
    assert page.status_code == 200
    link = re.search(r'id="sign-in-link">([^<]+)<', page.text).group(1)
    assert link.startswith("https://homes.anytown.gov.uk/set-password/")
