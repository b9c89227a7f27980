"""Forgotten passwords: a one-time link by e-mail or text, the same answer whether or not an account
matched, limits on asking that cannot keep an owner out, and a new password that ends every other
session and API token of the account."""

import re
from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlmodel import func, select

from cbl.app import create_app
from cbl.models import Applicant, AuditEvent, ContactPreference, OutboxMessage, StaffUser, WebSession
from cbl.models.states import Channel, StaffRole
from cbl.services import password_links, password_reset, passwords, sign_in
from cbl.services.actors import staff as staff_actor
from cbl.services.errors import NotFound
from cbl.services.staff import disable
from cbl.settings import load_settings
from cbl.web.auth import now
from tests.e2e.conftest import Browser, staff_sign_in

SITE = "https://homes.anytown.gov.uk"
NEW_PASSWORD = "walnut harbour velvet compass"
LINK = re.compile(r"https://homes\.anytown\.gov\.uk(/(?:admin/)?set-password/[A-Za-z0-9_-]+)")


@pytest.fixture
def site(db, scheme, world, tmp_path):
    """The app as served at the council's address (CBL_BASE_URL), whatever Host a request names."""
    settings = load_settings({"CBL_DATABASE_URL": db.url, "CBL_SECRET_KEY": "s" * 48, "CBL_BASE_URL": SITE},
                             workdir=tmp_path)
    return create_app(settings, db=db, scheme=scheme)


@pytest.fixture
def household(db, world):
    """HR000001 with an e-mail address and a confirmed mobile number."""
    with db.transaction() as s:
        applicant = s.get(Applicant, world.applicants["HR000001"])
        applicant.email = "amina@example.org"
        s.add(ContactPreference(applicant_id=applicant.id, by_email=True, by_text=True,
                                confirmed_mobile="447700900123", mobile_confirmed_at=now()))
    return world.applicants["HR000001"]


def _browser(app) -> Browser:
    client = TestClient(app, base_url="https://testserver.local")  # served over https: cookies are Secure
    client.__enter__()
    return Browser(client)


def _ask(browser: Browser, reference: str, contact: str, **kwargs):
    return browser.post("/forgotten-password", {"reference": reference, "contact": contact},
                        form_page="/forgotten-password", **kwargs)


def _ask_staff(browser: Browser, email: str):
    return browser.post("/admin/forgotten-password", {"email": email}, form_page="/admin/forgotten-password")


def _messages(db, **where) -> list[OutboxMessage]:
    with db.reading() as s:
        query = select(OutboxMessage).where(OutboxMessage.template == "password_reset")
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return list(s.exec(query.order_by(OutboxMessage.id)))


def _link(message: OutboxMessage) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def _events(db, action: str) -> list[AuditEvent]:
    with db.reading() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_a_household_gets_a_link_by_e_mail_that_sets_a_password_once_and_ends_its_other_sessions_and_tokens(
        site, db, household):
    owner, stranger = _browser(site), _browser(site)
    assert owner.sign_in("HR000001").status_code == 303  # signed in elsewhere, with a token for an app too
    token, _ = db.run(lambda s: sign_in.issue_api_token(s, s.get(Applicant, household), now(), "phone app"))
    api = owner.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200

    asked = _ask(stranger, "hr000001", " Amina@Example.org ", headers={"Host": "evil.example"})
    assert asked.status_code == 303 and asked.headers["location"] == "/forgotten-password?asked=1"
    assert "If what you entered matches an account" in stranger.get(asked.headers["location"]).text
    [message] = _messages(db)
    assert (message.channel, message.applicant_id, message.recipient) == (Channel.EMAIL, household,
                                                                            "amina@example.org")
    link = _link(message)  # the configured address, never the Host header's
    assert "evil.example" not in message.body and "works once" in message.body
    assert [e.details["channel"] for e in _events(db, "password_reset.sent")] == ["email"]

    page = stranger.get(link)
    assert page.status_code == 200 and "HR000001" in page.text
    done = stranger.post(link, {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}, form_page=link)
    assert done.status_code == 303 and done.headers["location"] == "/sign-in?password_set=1"
    assert "Your password is set" in stranger.get(done.headers["location"]).text

    # Whoever held the old password is out: the other session and the API token end at once.
    assert owner.client.get("/account", follow_redirects=False).headers["location"].startswith("/sign-in")
    assert owner.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    with db.reading() as s:
        assert s.exec(select(func.count()).select_from(WebSession)
                      .where(WebSession.account == f"applicant:{household}")).one() == 0
    [event] = [e for e in _events(db, "password.set") if e.applicant_id == household]
    assert event.details == {"by": "reset", "sessions_ended": 1, "api_tokens_revoked": 1}
    assert owner.sign_in("HR000001").status_code == 422  # the old password no longer works
    assert owner.sign_in("HR000001", NEW_PASSWORD).status_code == 303

    # Used once, the link is gone.
    assert stranger.get(link).status_code == 404
    again = stranger.post(link, {"password": "another fine long phrase", "confirmation": "another fine long phrase"},
                          form_page="/sign-in")
    assert again.status_code == 404 and "expired or has already been used" in again.text


def test_a_link_goes_by_text_to_the_confirmed_mobile_and_to_no_other_number(site, db, household):
    asker = _browser(site)
    assert _ask(asker, "HR000001", "07700 900123").status_code == 303
    [text] = _messages(db)
    assert (text.channel, text.recipient) == (Channel.SMS, "447700900123")
    assert len(text.body) <= 160 and _link(text).startswith("/set-password/")
    assert _ask(asker, "HR000001", "07700 900999").status_code == 303  # a number we do not hold: nothing sent
    assert len(_messages(db)) == 1


def test_the_answer_is_the_same_whether_or_not_anything_matched_and_only_a_match_is_sent_a_link(
        site, db, household, staff, monkeypatch):
    # No password is hashed or checked on any of these paths, so none takes an argon2 hash's time longer.
    monkeypatch.setattr(passwords, "_hasher", None)
    asker = _browser(site)
    answers = [_ask(asker, reference, contact) for reference, contact in [
        ("HR000001", "amina@example.org"),  # matches
        ("HR000001", "someone@example.org"),  # the reference exists, the address is not its own
        ("HR999999", "amina@example.org"),  # no such application
        ("HR000002", "amina@example.org")]]  # an application with no e-mail address
    assert {(a.status_code, a.headers["location"], a.text) for a in answers} == {
        (303, "/forgotten-password?asked=1", "")}
    staff_answers = [_ask_staff(asker, email) for email in (staff[StaffRole.OFFICER], "nobody@example.org")]
    assert {(a.status_code, a.headers["location"]) for a in staff_answers} == {
        (303, "/admin/forgotten-password?asked=1")}
    assert [(m.applicant_id, m.staff_user_id is not None) for m in _messages(db)] == [(household, False),
                                                                                        (None, True)]
    unmatched = _events(db, "password_reset.unmatched")
    assert len(unmatched) == 4 and all(e.details == {"address": "testclient"} for e in unmatched)


def test_a_member_of_staff_or_of_a_provider_resets_a_password_on_the_admin_site_and_a_disabled_one_cannot(
        site, db, staff):
    for email in (staff[StaffRole.MANAGER], staff[StaffRole.PROVIDER]):
        signed_in, asker = _browser(site), _browser(site)
        assert staff_sign_in(signed_in, email).status_code == 303
        assert _ask_staff(asker, email.upper()).status_code == 303
        with db.reading() as s:
            user = s.exec(select(StaffUser).where(StaffUser.email == email)).one()
        link = _link(_messages(db, staff_user_id=user.id)[-1])
        assert link.startswith("/admin/set-password/")
        assert asker.get(link.removeprefix("/admin")).status_code == 404  # a staff link sets no household's password
        done = asker.post(link, {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}, form_page=link)
        assert done.status_code == 303 and done.headers["location"] == "/admin/sign-in?password_set=1"
        assert signed_in.client.get("/admin", follow_redirects=False).headers["location"].startswith("/admin/sign-in")
        assert staff_sign_in(asker, email, NEW_PASSWORD).status_code == 303

    with db.reading() as s:
        administrator = s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.ADMIN])).one()
        officer = s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.OFFICER])).one()
    sent = len(_messages(db))
    asker = _browser(site)
    _ask_staff(asker, officer.email)
    link = _link(_messages(db, staff_user_id=officer.id)[-1])
    db.run(disable, staff_actor(administrator), officer.id, now())
    assert asker.get(link).status_code == 404  # disabling ends the link sent before
    assert _ask_staff(asker, officer.email).status_code == 303 and len(_messages(db)) == sent + 1  # none sent


def test_a_newer_link_ends_the_earlier_one_and_a_link_ends_after_an_hour(db, household):
    link_to = lambda path: SITE + path  # noqa: E731 - settings.link
    at = now()
    db.run(password_reset.ask_as_applicant, "HR000001", "amina@example.org", "192.0.2.1", False, link_to, at)
    db.run(password_reset.ask_as_applicant, "HR000001", "amina@example.org", "192.0.2.1", False, link_to, at)
    first, second = (_link(m).rsplit("/", 1)[1] for m in _messages(db))
    with db.reading() as s:
        with pytest.raises(NotFound):
            password_links.check(s, password_links.APPLICANT, first, at)
        assert password_links.check(s, password_links.APPLICANT, second, at + timedelta(minutes=59)).id == household
        with pytest.raises(NotFound):
            password_links.check(s, password_links.APPLICANT, second, at + password_reset.LIFETIME)
        with pytest.raises(NotFound):  # a household's link on the admin site
            password_links.check(s, password_links.STAFF, second, at)


def test_asking_is_limited_per_account_and_per_address_but_the_owners_own_device_can_still_ask(
        site, db, household):
    owner = _browser(site)
    assert owner.sign_in("HR000001").status_code == 303  # this browser is now known to HR000001
    owner.post("/sign-out", form_page="/account")
    pest = _browser(site)
    answers = [_ask(pest, "HR000001", f"guess{n}@example.org").status_code for n in range(5)]
    assert answers == [303] * password_reset.ACCOUNT_ASKS + [429] * (5 - password_reset.ACCOUNT_ASKS)
    refused = _ask(pest, "HR000001", "amina@example.org")
    assert refused.status_code == 429 and "Several links have been asked for this account" in refused.text
    # An application that does not exist is counted just the same: the refusal tells nothing.
    assert [_ask(pest, "HR999999", "x@example.org").status_code for _ in range(4)] == [303, 303, 303, 429]
    assert _ask(owner, "HR000001", "amina@example.org").status_code == 303  # the owner's device is not held back
    assert len(_messages(db)) == 1
    # From one address, across accounts (the owner's device shares the address here): seven asked so far.
    answers = [_ask(pest, f"HR8{n:05d}", "x@example.org").status_code for n in range(5)]
    assert answers == [303] * (password_reset.ADDRESS_ASKS - 7) + [429] * (12 - password_reset.ADDRESS_ASKS)
    refused = _ask(owner, "HR000001", "amina@example.org")
    assert refused.status_code == 429 and "from your network" in refused.text


def test_a_request_with_mistakes_shows_them_all_and_sends_nothing(site, db, household):
    asker = _browser(site)
    empty = _ask(asker, "", "")
    assert empty.status_code == 422
    assert "Enter your application reference" in empty.text
    assert "Enter the e-mail address or mobile number we have for you" in empty.text
    too_long = _ask(asker, "HR" + "0" * 40, "a" * 300)
    assert too_long.status_code == 422 and "32 characters or fewer" in too_long.text
    assert _ask_staff(asker, "").status_code == 422
    assert _messages(db) == [] and _events(db, "password_reset.unmatched") == []


def test_an_officers_link_and_a_reset_link_are_one_kind_and_only_the_latest_works(db, world, staff):
    with db.reading() as s:
        officer = staff_actor(s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.OFFICER])).one())
    given = db.run(password_links.give, officer, world.applicants["HR000003"], now())
    link_to = lambda path: SITE + path  # noqa: E731 - settings.link
    db.run(password_reset.ask_as_applicant, "HR000003", "nobody@example.org", "192.0.2.9", False, link_to, now())
    with db.reading() as s:
        assert password_links.check(s, password_links.APPLICANT, given, now()).reference == "HR000003"
    with db.transaction() as s:
        s.get(Applicant, world.applicants["HR000003"]).email = "hr3@example.org"
    db.run(password_reset.ask_as_applicant, "HR000003", "hr3@example.org", "192.0.2.9", False, link_to, now())
    with db.reading() as s:
        with pytest.raises(NotFound):  # the reset link sent since replaces the officer's
            password_links.check(s, password_links.APPLICANT, given, now())
