"""How many SQL statements each page runs: every GET route of the app (public site, the applicant's
account, the admin for each staff role that may see it, the provider portal, the JSON APIs), opened
by the visitor it is for, on a counted world (tests/support/counted_world.py) of a given scale.

Used by tests/e2e/test_statement_counts.py and `python -m tools.statement_counts`.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from cbl.app import create_app
from cbl.database import Database
from admin.guards import SIGNED_IN
from cbl.models import Applicant, StaffSecondFactor, StaffUser
from cbl.models.states import StaffRole
from cbl.rules.scheme import Scheme
from cbl.services import second_factor, sign_in
from cbl.services.actors import ROLE_RIGHTS, SYSTEM
from cbl.settings import load_settings
from cbl.web.auth import COOKIE, STAFF_SECOND_STEP, start_session
from tests.support import counted_world
from tests.support.counted_world import CountedWorld

# Pages that are not the app's own: the static files and the API's generated documentation.
NOT_PAGES = re.compile(r"^/(static/|api/v1/schema)")
STAFF_ROLES = [role for role in StaffRole if role is not StaffRole.PROVIDER]
# The sign-in's second step, opened half signed in: by an officer whose app is set up (the code), and by a
# manager setting one up.
SECOND_STEP = {"/admin/sign-in/code": "second_step", "/admin/sign-in/set-up": "setting_up"}
IDENTITY_PROVIDER = "/admin/sign-in/identity-provider"
SITE_KEY = "statement-count-secret-" * 2


@dataclass(frozen=True)
class Page:
    """One GET route as one visitor opens it."""

    route: str  # the route's path as the app declares it
    who: str  # "anonymous", "applicant", a staff role's value, "provider", "applicant_api", "provider_api"
    path: str  # the address opened, parameters filled in

    @property
    def label(self) -> str:
        return f"{self.route} ({self.who})"


def get_routes(app: Litestar) -> list[tuple[str, dict]]:
    """Every GET route of the app that is a page or an API call: (path, the handler's opt)."""
    found = []
    for route in app.routes:
        if NOT_PAGES.match(route.path):
            continue
        for handler in route.route_handlers:
            if "GET" in handler.http_methods:
                found.append((route.path, dict(handler.opt)))
    return sorted(found, key=lambda item: item[0])


def addresses(world: CountedWorld) -> dict[str, str]:
    """Each route with parameters (or a required query), and the address it is opened at in the world."""
    return {
        "/adverts/{reference:str}": f"/adverts/{world.open_advert}",
        "/set-password/{token:str}": f"/set-password/{world.household_link}",
        "/apply/set-password/{token:str}": f"/apply/set-password/{world.account_link}",
        "/account/letters/{letter_id:int}": f"/account/letters/{world.letter}",
        "/account/letters/{letter_id:int}/pdf": f"/account/letters/{world.letter}/pdf",
        "/api/v1/adverts/{reference:str}": f"/api/v1/adverts/{world.open_advert}",
        "/api/v1/provider/nominations/{nomination_id:int}": f"/api/v1/provider/nominations/{world.nomination}",
        "/admin/applicants/{reference:str}": f"/admin/applicants/{world.household}",
        "/admin/applicants/{reference:str}/equality": f"/admin/applicants/{world.household}/equality",
        "/admin/adverts/{reference:str}/shortlist": f"/admin/adverts/{world.closed_advert}/shortlist",
        "/admin/adverts/{reference:str}/shortlist/print": f"/admin/adverts/{world.closed_advert}/shortlist/print",
        "/admin/stock/{reference:str}": f"/admin/stock/{world.home}",
        # The searches, finding more as the world grows: homes by address and postcode, the register by status and
        # band (a search about a person is a POST: SEARCHES below).
        "/admin/stock": "/admin/stock?address=high+street&postcode=AT1",
        "/admin/applicants": "/admin/applicants?band=B&status=active",
        "/admin/voids/{void_id:int}/advert": f"/admin/voids/{world.empty_void}/advert",
        "/admin/offers/{offer_id:int}": f"/admin/offers/{world.offer}",
        "/admin/adverts/{reference:str}/shortlist/{entry_id:int}/checks":
            f"/admin/adverts/{world.closed_advert}/shortlist/{world.place}/checks",
        "/admin/viewings/{viewing_id:int}": f"/admin/viewings/{world.viewing}",
        "/admin/letters/{letter_id:int}": f"/admin/letters/{world.letter}",
        "/admin/letters/{letter_id:int}/pdf": f"/admin/letters/{world.letter}/pdf",
        "/admin/provider/homes/{reference:str}": f"/admin/provider/homes/{world.provider_home}",
        "/admin/provider/nominations/{nomination_id:int}": f"/admin/provider/nominations/{world.nomination}",
        "/admin/agreements/{agreement_id:int}/edit": f"/admin/agreements/{world.agreement}/edit",
        "/admin/providers/{code:str}": "/admin/providers/RHA",  # the provider make_world adds
        "/admin/agreements/{agreement_id:int}/compliance": f"/admin/agreements/{world.agreement}/compliance",
        "/admin/agreements/{agreement_id:int}/compliance.csv": f"/admin/agreements/{world.agreement}/compliance.csv",
        "/admin/reviews/new": f"/admin/reviews/new?applicant={world.household}",
        "/admin/reviews/{review_id:int}": f"/admin/reviews/{world.review}",
        "/admin/dashboard/{table:str}": "/admin/dashboard/relet-by-month.csv",
        "/admin/lets/{void_id:int}/core": f"/admin/lets/{world.let_void}/core",
        "/admin/staff/{staff_id:int}": f"/admin/staff/{world.staff[StaffRole.OFFICER]}",
        "/admin/set-password/{token:str}": f"/admin/set-password/{world.invitation}",
        "/admin/online-applications/{online_id:int}": f"/admin/online-applications/{world.online}",
        "/admin/online-applications/files/{file_id:int}": f"/admin/online-applications/files/{world.online_file}",
        "/apply/application/{page:str}": "/apply/application/check",
        "/apply/evidence/{file_id:int}": f"/apply/evidence/{world.account_file}",
        "/account/changes/{page:str}": "/account/changes/change",
        "/admin/imports/{run_id:int}": f"/admin/imports/{world.import_run}",
        "/admin/imports/{run_id:int}/problems.csv": f"/admin/imports/{world.import_run}/problems.csv",
        "/admin/applicants/{reference:str}/panels": f"/admin/applicants/{world.household}/panels",
        "/admin/panels/{referral_id:int}": f"/admin/panels/{world.referral}",
        "/admin/panels/{referral_id:int}/evidence/{file_id:int}":
            f"/admin/panels/{world.referral}/evidence/{world.referral_file}",
        "/admin/applicants/{reference:str}/moves": f"/admin/applicants/{world.household}/moves",
        "/admin/regeneration-schemes/{regeneration_id:int}": f"/admin/regeneration-schemes/{world.regeneration}",
        "/admin/move-payments/{payment_id:int}/receipts/{file_id:int}":
            f"/admin/move-payments/{world.payment}/receipts/{world.receipt}",
        "/admin/cycles/{cycle_id:int}/close-report": f"/admin/cycles/{world.closed_cycle}/close-report",
        "/admin/cycles/{cycle_id:int}/close-early": f"/admin/cycles/{world.cycle}/close-early",
        "/admin/cycles/{cycle_id:int}/reopen": f"/admin/cycles/{world.closed_cycle}/reopen",
        "/admin/exchanges/consents/{member_id:int}": f"/admin/exchanges/consents/{world.council_consent}",
        "/admin/provider/exchanges/{member_id:int}": f"/admin/provider/exchanges/{world.provider_consent}",
    }


def _admin_visitors(route: str, right: str | None) -> list[str]:
    """Each staff role holding an admin page's right; the sign-in's pages, each by the one it is for."""
    if route in SECOND_STEP:
        return [SECOND_STEP[route]]
    if route.startswith(IDENTITY_PROVIDER):
        return []  # no pages: ways to and from an identity provider, which the counted world has none of
    if right == "public":
        return ["anonymous"]
    return [role.value for role in StaffRole if right == SIGNED_IN or right in ROLE_RIGHTS[role]]


def _visitors(route: str, opt: dict) -> list[str]:
    """Who opens the route: each staff role holding an admin page's right, else the one it is for."""
    if route.startswith("/admin"):
        return _admin_visitors(route, opt.get("right"))
    if route.startswith("/api/v1/provider"):
        return ["provider_api"]
    if route.startswith("/api/v1/me"):
        return ["applicant_api"]
    if route.startswith("/account"):
        return ["applicant"]
    if route == "/apply/confirm":
        return ["unconfirmed_household"]
    if route.startswith(("/apply/application", "/apply/evidence")):
        return ["household"]
    if route.startswith("/apply"):
        return ["anonymous"]
    if route.startswith("/api/"):
        return ["anonymous"]
    return ["anonymous", "applicant"]  # a signed-in household sees more on the public pages (its place in a queue)


def pages(app: Litestar, world: CountedWorld) -> tuple[list[Page], list[str]]:
    """The pages to open, and the routes that have parameters but no address in `addresses`."""
    known = addresses(world)
    found, missing = [], []
    for route, opt in get_routes(app):
        path = known.get(route, route)
        if "{" in path:
            missing.append(route)
            continue
        found += [Page(route, who, path) for who in _visitors(route, opt)]
    return found, missing


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    """The statements run on the engine while the block runs (each as its SQL)."""
    statements: list[str] = []

    def record(_connection, _cursor, statement, _parameters, _context, _many) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


class Visitors:
    """A signed-in session (cookie) or API key for each kind of visitor, made straight in the database."""

    def __init__(self, db: Database, world: CountedWorld) -> None:
        at = datetime.now(timezone.utc)
        with db.transaction() as session:
            applicant = session.get(Applicant, world.household_id)
            self.cookies = {"applicant": start_session(session, "applicant", applicant.id, at),
                            "household": start_session(session, "household", world.account, at),
                            "unconfirmed_household": start_session(session, "household", world.unconfirmed_account,
                                                                   at)}
            for role, user_id in world.staff.items():
                self.cookies[role.value] = start_session(session, "staff", session.get(StaffUser, user_id).id, at)
            token, _ = sign_in.issue_api_token(session, applicant, at)
            officer, manager = world.staff[StaffRole.OFFICER], world.staff[StaffRole.MANAGER]
            session.add(StaffSecondFactor(staff_user_id=officer, secret=second_factor.seal(
                second_factor.new_secret(), SITE_KEY), enrolled_at=at))
            second_factor.begin_enrolment(session, session.get_one(StaffUser, manager), at, SITE_KEY)
            self.cookies["second_step"] = start_session(session, STAFF_SECOND_STEP, officer, at)
            self.cookies["setting_up"] = start_session(session, STAFF_SECOND_STEP, manager, at)
        provider_key = db.run(sign_in.issue_provider_key, SYSTEM, "RHA")
        self.headers = {"applicant_api": {"Authorization": f"Bearer {token}"},
                        "provider_api": {"Authorization": f"Bearer {provider_key}"}}
        self.cookies["provider"] = self.cookies[StaffRole.PROVIDER.value]

    def open(self, client: TestClient, page: Page):  # an httpx response
        client.cookies.clear()
        if page.who in self.cookies:
            client.cookies.set(COOKIE, self.cookies[page.who])
        return client.get(page.path, headers=self.headers.get(page.who, {}), follow_redirects=False)


def app_for(db: Database, scheme: Scheme, workdir: Path) -> Litestar:
    settings = load_settings({"CBL_DATABASE_URL": db.url, "CBL_SECRET_KEY": SITE_KEY},
                             workdir=workdir)
    return create_app(settings, db=db, scheme=scheme)


# Forms that search (POST, so that names stay out of addresses), opened by an officer: (path, what is typed).
SEARCHES = [("/admin/applicants/search", {"name": "lead", "postcode": "AT1", "application_status": "active"}),
            ("/admin/applicants/search", {"reference": "HR0", "date_of_birth-day": "1", "date_of_birth-month": "5",
                                          "date_of_birth-year": "1990"})]
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def _searches(client: TestClient, visitors: "Visitors", statements: dict[str, int], refused: dict[str, int],
              engine: Engine) -> None:
    """The search forms' answers, counted as the pages are."""
    client.cookies.clear()
    client.cookies.set(COOKIE, visitors.cookies[StaffRole.OFFICER.value])
    token = CSRF.search(client.get("/admin/applicants").text).group(1)
    for number, (path, typed) in enumerate(SEARCHES, start=1):
        with counting(engine) as ran:
            answer = client.post(path, data={**typed, "_csrf_token": token}, follow_redirects=False)
        label = f"POST {path} #{number} (officer)"
        statements[label] = len(ran)
        if answer.status_code != 200:
            refused[label] = answer.status_code


@dataclass(frozen=True)
class Counted:
    statements: dict[str, int]  # page label -> statements
    refused: dict[str, int]  # page label -> status, for pages that did not answer 200
    missing: list[str]  # routes with parameters and no address to open them at


def count_pages(db: Database, scheme: Scheme, scale: int, workdir: Path) -> Counted:
    """Build the world at `scale` in the empty, migrated database and count each page's statements."""
    with db.transaction() as session:
        world = counted_world.build(session, scheme, scale, datetime.now(timezone.utc), workdir / "uploads")
    app = app_for(db, scheme, workdir)
    visitors = Visitors(db, world)
    statements, refused = {}, {}
    found, missing = pages(app, world)
    with TestClient(app) as client:
        for page in found:
            with counting(db.engine) as ran:
                answer = visitors.open(client, page)
            statements[page.label] = len(ran)
            if answer.status_code != 200:
                refused[page.label] = answer.status_code
        _searches(client, visitors, statements, refused, db.engine)
    return Counted(statements, refused, missing)
