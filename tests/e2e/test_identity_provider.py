"""Staff sign in through the council's OpenID Connect identity provider instead of a password (a stand-in
provider served on this machine, issuing signed ID tokens), and still give the code from their app after it."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from litestar.testing import TestClient
from sqlmodel import select

from cbl.app import create_app
from cbl.models import AuditEvent, StaffUser
from cbl.settings import load_settings
from tests.e2e.conftest import Browser
from tests.support.oidc_standin import OidcStandIn
from tests.support.second_factor import KEY, code_for

OFFICER = "officer@example.org"


@pytest.fixture
def provider():
    with OidcStandIn() as stand_in:
        stand_in.person = {"email": "Officer@Example.org", "email_verified": True}
        yield stand_in


@pytest.fixture
def signing_in(db, scheme, world, provider, tmp_path):
    settings = load_settings({"CBL_DATABASE_URL": db.url, "CBL_SECRET_KEY": KEY,
                              **provider.env()}, workdir=tmp_path)
    with TestClient(create_app(settings, db=db, scheme=scheme)) as client:
        yield Browser(client)


def _through_provider(visitor: Browser, next: str = "/admin/applicants"):
    """The sign-in button, the provider (which signs the person in at once), and the way back; the answer to
    the way back."""
    leave = visitor.client.get(f"/admin/sign-in/identity-provider?next={next}", follow_redirects=False)
    assert leave.status_code == 303, leave.text
    at_provider = httpx.get(leave.headers["location"], follow_redirects=False)  # the browser, at the provider
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["location"])
    assert back.path == "/admin/sign-in/identity-provider/callback"
    return visitor.client.get(f"{back.path}?{back.query}", follow_redirects=False)


def _in_admin(visitor: Browser) -> bool:
    return visitor.client.get("/admin/applicants", follow_redirects=False).status_code == 200


def test_the_sign_in_page_offers_the_provider_and_the_code_from_the_app_still_follows(signing_in, provider, db,
                                                                                      staff):
    page = signing_in.get("/admin/sign-in?next=/admin/applicants").text
    assert "Sign in with Anytown Council account" in page
    leave = signing_in.client.get("/admin/sign-in/identity-provider?next=/admin/applicants", follow_redirects=False)
    sent = parse_qs(urlsplit(leave.headers["location"]).query)
    assert leave.headers["location"].startswith(f"{provider.issuer}/authorize?")
    assert sent["code_challenge_method"] == ["S256"] and sent["state"] and sent["nonce"]
    assert sent["redirect_uri"] == ["http://127.0.0.1:8000/admin/sign-in/identity-provider/callback"]

    code = code_for(db, OFFICER)
    back = _through_provider(signing_in)
    assert back.status_code == 303 and back.headers["location"] == "/admin/sign-in/code?next=/admin/applicants"
    assert not _in_admin(signing_in)  # the provider is the first step only
    assert provider.token_requests[-1]["code_verifier"]  # PKCE
    done = signing_in.post("/admin/sign-in/code", {"code": code, "next": "/admin/applicants"},
                        form_page="/admin/sign-in/code")
    assert done.status_code == 303 and done.headers["location"] == "/admin/applicants" and _in_admin(signing_in)
    with db.reading() as s:
        officer = s.exec(select(StaffUser).where(StaffUser.email == OFFICER)).one()
        confirmed = s.exec(select(AuditEvent).where(AuditEvent.action == "identity_provider.confirmed")).one()
    assert confirmed.subject_id == officer.id
    assert confirmed.details == {"issuer": provider.issuer, "subject": "stand-in-subject-1"}


def test_someone_without_an_app_sets_one_up_after_the_provider(signing_in, provider, db, staff):
    back = _through_provider(signing_in)
    assert back.headers["location"].startswith("/admin/sign-in/set-up")


@pytest.mark.parametrize("person, status, message", [
    ({"email": "nobody@example.org", "email_verified": True}, 403, "There is no staff account"),
    ({"email": OFFICER, "email_verified": False}, 403, "did not give a verified e-mail address"),
    ({"email": OFFICER}, 403, "did not give a verified e-mail address"),
])
def test_only_a_verified_address_of_an_enabled_staff_account_signs_in(signing_in, provider, db, staff, person, status,
                                                                       message):
    provider.person = person
    refused = _through_provider(signing_in)
    assert refused.status_code == status and message in refused.text and not _in_admin(signing_in)
    assert signing_in.client.get("/admin/sign-in/code", follow_redirects=False).headers["location"].startswith(
        "/admin/sign-in?")  # not even half signed in


def test_a_disabled_account_is_refused_through_the_provider_too(signing_in, provider, db, staff):
    with db.transaction() as s:
        s.exec(select(StaffUser).where(StaffUser.email == OFFICER)).one().active = False
    refused = _through_provider(signing_in)
    assert refused.status_code == 403 and "There is no staff account" in refused.text


@pytest.mark.parametrize("tamper", [{"nonce": "not-the-one-sent"}, {"aud": "another-client"},
                                    {"iss": "http://127.0.0.1:1"}, {"exp": 1_000_000_000}])
def test_an_id_token_that_does_not_check_out_is_refused(signing_in, provider, db, staff, tamper):
    provider.tamper = tamper
    refused = _through_provider(signing_in)
    assert refused.status_code == 502 and "could not be checked" in refused.text and not _in_admin(signing_in)


def test_a_return_this_browser_did_not_start_or_already_used_is_refused(signing_in, provider, db, staff):
    code_for(db, OFFICER)
    leave = signing_in.client.get("/admin/sign-in/identity-provider", follow_redirects=False)
    back = urlsplit(httpx.get(leave.headers["location"], follow_redirects=False).headers["location"])
    with TestClient(signing_in.client.app) as other:  # another browser, handed the return address
        forged = other.get(f"{back.path}?{back.query}", follow_redirects=False)
        assert forged.status_code == 422 and "did not start here" in forged.text
    wrong_state = signing_in.client.get(f"{back.path}?code=x&state=not-the-state", follow_redirects=False)
    assert wrong_state.status_code == 422
    assert signing_in.client.get(f"{back.path}?{back.query}", follow_redirects=False).status_code == 303
    again = signing_in.client.get(f"{back.path}?{back.query}", follow_redirects=False)
    assert again.status_code == 422  # its cookie is gone once used, and the provider takes a code once


def test_the_provider_saying_no_is_said_and_the_password_still_works(signing_in, provider, db, staff):
    provider.deny = "access_denied"
    refused = _through_provider(signing_in)
    assert refused.status_code == 422 and "Anytown Council account did not sign you in" in refused.text
    assert "Sign in with Anytown Council account" in refused.text


def test_without_a_provider_set_up_there_is_no_button_and_no_way_through(visitor, staff):
    assert "Sign in with" not in visitor.get("/admin/sign-in").text
    assert visitor.client.get("/admin/sign-in/identity-provider", follow_redirects=False).status_code == 404
    assert visitor.client.get("/admin/sign-in/identity-provider/callback?code=x&state=y",
                              follow_redirects=False).status_code == 404


def test_an_unreachable_provider_is_said_not_a_failure_of_the_site(db, scheme, world, tmp_path):
    settings = load_settings({"CBL_DATABASE_URL": db.url, "CBL_SECRET_KEY": "k" * 48,
                              "CBL_OIDC_ISSUER": "http://127.0.0.1:9", "CBL_OIDC_CLIENT_ID": "x",
                              "CBL_OIDC_CLIENT_SECRET": "y"}, workdir=tmp_path)
    with TestClient(create_app(settings, db=db, scheme=scheme)) as client:
        answer = client.get("/admin/sign-in/identity-provider", follow_redirects=False)
    assert answer.status_code == 502 and "could not be reached" in answer.text


@pytest.mark.parametrize("env, refused", [
    ({"CBL_OIDC_ISSUER": "https://login.example.org"}, "CBL_OIDC_CLIENT_ID"),
    ({"CBL_OIDC_ISSUER": "http://login.example.org", "CBL_OIDC_CLIENT_ID": "x", "CBL_OIDC_CLIENT_SECRET": "y"},
     "https://"),
])
def test_a_half_set_up_or_plain_http_provider_is_refused_at_start(tmp_path, env, refused):
    with pytest.raises(ValueError, match=refused):
        load_settings({"CBL_SECRET_KEY": "k" * 48, **env}, workdir=tmp_path)
