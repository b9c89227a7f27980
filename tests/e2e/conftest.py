"""The real app over a migrated database with a small world in it, and a visitor-like client."""

from urllib.parse import parse_qs, urlsplit
import re

import pytest
from litestar.testing import TestClient

from cbl.settings import load_settings
from datetime import timedelta

from cbl.models import Applicant, Cycle, StaffUser
from cbl.models.states import StaffRole
from cbl.services import actors
from cbl.services.actors import SYSTEM
from cbl.services.bidding import place_bid
from cbl.services.cycles import close_cycle
from cbl.web.auth import now
from tests.support.factories import PASSWORD, PASSWORD_HASH, add_advert, add_applicant, make_world
from tests.support.pages import check_page
from tests.support.shared_app import app_for
from tests.support.second_factor import KEY as SECOND_FACTOR_KEY, code_for

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


class Browser:
    """A TestClient that fills in the CSRF token the way a visitor submitting our forms does."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self._token: tuple[tuple, str] | None = None  # (the cookies it was read with, the token)

    def get(self, path: str, **kwargs):
        response = self.client.get(path, **kwargs)
        if response.headers.get("content-type", "").startswith("text/html") and response.status_code < 500:
            check_page(response.text)
        return response

    def token(self, path: str = "/sign-in") -> str:
        # The token belongs to the session (cbl/web/csrf.py): read again only when the cookies change,
        # as at sign-in, or another site is asked, rather than drawing the form's page before every post.
        def seen() -> tuple:
            return urlsplit(path).netloc, tuple(sorted((c.domain, c.name, c.value) for c in self.client.cookies.jar))

        if self._token is None or self._token[0] != seen() or not seen()[1]:
            match = CSRF.search(self.client.get(path).text)
            assert match, f"no CSRF token on {path}"
            self._token = (seen(), match.group(1))
        return self._token[1]

    def post(self, path: str, data: dict | None = None, *, form_page: str = "/sign-in", **kwargs):
        fields = dict(data or {})
        fields["_csrf_token"] = self.token(form_page)
        response = self.client.post(path, data=fields, follow_redirects=False, **kwargs)
        if response.headers.get("content-type", "").startswith("text/html") and response.status_code < 500:
            if response.text.strip():
                check_page(response.text)
        return response

    def sign_in(self, reference: str, password: str = PASSWORD):
        return self.post("/sign-in", {"reference": reference, "password": password})


@pytest.fixture
def world(db, scheme):
    """An open cycle whose times surround the real clock (pages use it), with adverts and households."""
    from datetime import datetime, timezone

    real_now = datetime.now(timezone.utc)
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=5, now=real_now)
        add_advert(s, world, "FAM1", bedrooms=3, area="Riverside", min_bedroom_need=2, max_bedroom_need=3)
        add_applicant(s, scheme, world, "HR000001", band="C")
        add_applicant(s, scheme, world, "HR000002", band="A")
        add_applicant(s, scheme, world, "HR000003", band="B")
    return world


@pytest.fixture
def app(db, scheme, tmp_path):
    settings = load_settings({"CBL_DATABASE_URL": db.url, "CBL_SECRET_KEY": SECOND_FACTOR_KEY}, workdir=tmp_path)
    return app_for(settings, db, scheme)  # create_app's app, built once for all the tests of this process


@pytest.fixture
def visitor(app):
    with TestClient(app) as client:
        yield Browser(client)


@pytest.fixture
def other_visitor(app):
    with TestClient(app) as client:
        yield Browser(client)




ROLE_EMAILS = {role: f"{role.value}@example.org" for role in StaffRole}


@pytest.fixture
def staff(db, world):
    """One member of staff for every role (the officer from the factory included)."""
    with db.transaction() as s:
        for role, email in ROLE_EMAILS.items():
            if role is not StaffRole.OFFICER:
                s.add(StaffUser(organisation_id=world.council if role is not StaffRole.PROVIDER else world.provider,
                                email=email, name=f"{role.value} person", role=role, grade=3,
                                password_hash=PASSWORD_HASH))
    ROLE_EMAILS[StaffRole.OFFICER] = "officer@example.org"
    return ROLE_EMAILS


def staff_sign_in(visitor: Browser, email: str, password: str = PASSWORD, next: str | None = None):
    """Both steps of a staff sign-in: the password, then the code the person's authenticator app shows (see
    tests/support/second_factor.py). The first step's answer if it refuses, else the second step's."""
    fields = {"email": email, "password": password, **({"next": next} if next is not None else {})}
    answer = visitor.post("/admin/sign-in", fields, form_page="/admin/sign-in")
    if answer.status_code != 303 or not answer.headers["location"].startswith("/admin/sign-in/"):
        return answer
    code = code_for(visitor.client.app.state["db"], email, visitor.client.app.state["settings"].secret_key)
    onward = parse_qs(urlsplit(answer.headers["location"]).query).get("next", ["/admin"])[0]
    return visitor.post("/admin/sign-in/code", {"code": code, "next": onward}, form_page="/admin/sign-in/code")


@pytest.fixture
def closed(db, scheme, world):
    """Three households bid for AD1 and the cycle has closed."""
    for reference in ("HR000001", "HR000002", "HR000003"):
        with db.reading() as s:
            actor = actors.applicant(s.get(Applicant, world.applicants[reference]))
        db.run(place_bid, actor, scheme, world.applicants[reference], "AD1", now())
    with db.reading() as s:
        closes_at = s.get(Cycle, world.cycle).closes_at
    assert db.run(close_cycle, SYSTEM, scheme, world.cycle, closes_at + timedelta(minutes=1))
    return world


