"""Faults found by testing as an attacker would (issue 21): bounded input, no 500s on odd input,
the CSRF exemption for the API only, headers on every answer, no tell-tale 404s, no personal data
in logged tracebacks."""

import logging
import threading
from datetime import timedelta

from litestar.middleware._utils import should_bypass_for_path_pattern, build_exclude_path_pattern
from litestar.testing import TestClient
from sqlmodel import func, select

from cbl.models import AuditEvent, BiddingPreference, Nomination, Organisation, Property, StaffUser, Void
from cbl.models.states import StaffRole
from cbl.services.actors import SYSTEM
from cbl.services.sign_in import TooManyAttempts, authenticate_applicant, issue_provider_key
from cbl.web.auth import now
from tests.e2e.conftest import Browser, staff_sign_in
from tests.e2e.test_nominations import _officer_nominates, nominated_shortlist, other_provider  # noqa: F401
from tests.support.factories import PASSWORD_HASH


def base36(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[digit] + digits
        if not number:
            return digits


def audit_count(db) -> int:
    with db.reading() as s:
        return s.exec(select(func.count()).select_from(AuditEvent)).one()


# --- 4. input size ------------------------------------------------------------------------------

def test_an_oversized_form_is_refused_whole_with_a_message(visitor, db, world):
    visitor.sign_in("HR000001")
    before = audit_count(db)
    token = visitor.token("/account/preferences")
    body = "_csrf_token=" + token + "&" + "&".join(["areas=" + "A" * 95] * 80_000)  # ~8 MB
    answer = visitor.client.post("/account/preferences", content=body,
                                 headers={"content-type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413
    assert "too large" in answer.text.lower()
    assert audit_count(db) == before


def test_a_form_listing_thousands_of_areas_is_refused_and_nothing_is_saved(visitor, db, world):
    visitor.sign_in("HR000001")
    before = audit_count(db)
    answer = visitor.post("/account/preferences", {"areas": [base36(n) for n in range(80_000)]},
                          form_page="/account/preferences")
    assert answer.status_code in (400, 422)
    assert "area" in answer.text.lower()
    with db.reading() as s:
        assert s.get(BiddingPreference, world.applicants["HR000001"]) is None
    assert audit_count(db) == before
    # A real choice still saves.
    saved = visitor.post("/account/preferences", {"areas": ["Riverside", "Northgate"]},
                         form_page="/account/preferences")
    assert saved.status_code == 303


# --- 5. answers, not 500s -----------------------------------------------------------------------

def test_parallel_first_attempts_on_one_account_are_all_counted_without_an_error(db, world):
    errors, results = [], []
    start = threading.Barrier(6)

    def attempt() -> None:
        start.wait()
        try:
            results.append(db.run(authenticate_applicant, "HR000002", "not the password", "203.0.113.9", now()))
        except TooManyAttempts:
            results.append("slowed")  # an answer (429), not a fault
        except Exception as error:  # the test is that nothing else is raised
            errors.append(error)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(results) == 6 and set(results) <= {None, "slowed"}


def test_deeply_nested_json_gets_a_400_not_a_500(visitor, world):
    nested = "[" * 100_000 + "]" * 100_000
    for body in (f'{{"reference": {nested}, "password": "x"}}', nested):
        answer = visitor.client.post("/api/v1/tokens", content=body, headers={"content-type": "application/json"})
        assert 400 <= answer.status_code < 500, answer.status_code
        assert answer.json()["error"]["message"]


def test_a_viewing_time_at_the_end_of_time_is_refused_with_a_message(app, visitor, db, world, staff,
                                                                     nominated_shortlist):  # noqa: F811
    staff_sign_in(visitor, "officer@example.org")
    _officer_nominates(visitor, nominated_shortlist["HR000002"])  # the top of the shortlist (band A)
    key = db.run(issue_provider_key, SYSTEM, "RHA")
    with db.reading() as s:
        nomination = s.exec(select(Nomination)).one()
    with TestClient(app) as client:
        for moment in ("9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"):
            answer = client.post(f"/api/v1/provider/nominations/{nomination.id}/viewing", json={"at": moment},
                                 headers={"Authorization": f"Bearer {key}"})
            assert answer.status_code in (400, 422), (moment, answer.status_code)
            assert answer.json()["error"]["message"]


# --- 6. the CSRF exemption ----------------------------------------------------------------------

def test_only_paths_under_the_api_are_exempt_from_csrf(app):
    pattern = build_exclude_path_pattern(exclude=app.csrf_config.exclude)

    def exempt(path: str) -> bool:
        return should_bypass_for_path_pattern({"path": path}, pattern)

    assert exempt("/api/v1/tokens") and exempt("/api/v1/provider/voids")
    assert not exempt("/admin/api/x") and not exempt("/account/api/") and not exempt("/sign-in/x/api/y")


# --- 7. headers on every answer -----------------------------------------------------------------

HEADERS = ("content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy")


def test_every_answer_carries_the_security_headers_and_private_ones_are_not_stored(visitor, app, db, world, staff):
    client = visitor.client
    answers = {
        "page": client.get("/adverts"),
        "missing page": client.get("/no/such/page"),
        "redirect": client.get("/account", follow_redirects=False),
        "wrong method": client.delete("/adverts"),
        "api error": client.get("/api/v1/me"),
        "static file": client.get("/static/govuk/assets/images/favicon.ico"),
    }
    assert answers["redirect"].status_code in (302, 303)
    assert answers["missing page"].status_code == 404
    for name, answer in answers.items():
        for header in HEADERS:
            assert header in answer.headers, (name, header)
    visitor.sign_in("HR000001")
    assert "no-store" in client.get("/account").headers["cache-control"]
    with TestClient(app) as manager_client:
        staff_sign_in(Browser(manager_client), staff[StaffRole.MANAGER])
        download = manager_client.get("/admin/reviews/report.csv")
        assert download.status_code == 200 and "no-store" in download.headers["cache-control"]
    assert "strict-transport-security" not in answers["page"].headers


def test_over_https_the_site_asks_for_https_and_its_cookies_are_secure(db, scheme, tmp_path, world):
    from cbl.app import create_app
    from cbl.settings import load_settings

    settings = load_settings({"CBL_DATABASE_URL": db.url, "CBL_SECRET_KEY": "k" * 48,
                              "CBL_BASE_URL": "https://homes.example.gov.uk"}, workdir=tmp_path)
    with TestClient(create_app(settings, db=db, scheme=scheme), base_url="https://testserver") as client:
        page = client.get("/sign-in")
        assert "max-age=" in page.headers["strict-transport-security"]
        assert "strict-transport-security" in client.get("/nowhere").headers
        csrf_cookie = [c for c in page.headers.get_list("set-cookie") if c.startswith("csrftoken")]
        assert csrf_cookie and "secure" in csrf_cookie[0].lower()


def test_the_csrf_token_is_bound_to_the_session_and_changes_at_sign_in(visitor, other_visitor, world):
    before = visitor.token("/sign-in")
    assert visitor.sign_in("HR000001").status_code == 303
    after = visitor.token("/account/preferences")
    assert after != before
    # A token from before signing in, with its cookie, no longer works for the signed-in session.
    stale = visitor.client.post("/account/preferences", data={"_csrf_token": before, "areas": "Riverside"},
                                cookies={"csrftoken": before}, follow_redirects=False)
    assert stale.status_code == 403
    # Nor does another visitor's valid token and cookie pair (planted, say, from a sibling site).
    other_visitor.sign_in("HR000002")
    planted = other_visitor.token("/account/preferences")
    visitor.client.cookies.set("csrftoken", planted)
    answer = visitor.client.post("/account/preferences", data={"_csrf_token": planted, "areas": "Riverside"},
                                 follow_redirects=False)
    assert answer.status_code == 403
    visitor.client.cookies.delete("csrftoken")
    assert visitor.post("/account/preferences", {"areas": "Riverside"}, form_page="/account/preferences"
                        ).status_code == 303


# --- 9. no tell-tale 404s -----------------------------------------------------------------------

def test_another_providers_open_void_is_not_found_just_as_a_missing_one(app, db, world, other_provider):  # noqa: F811
    with db.transaction() as s:
        theirs = s.exec(select(Property).where(Property.reference == "NGH-1")).one()
        void = Void(property_id=theirs.id, tenancy_end_date=now().date() - timedelta(days=3))
        s.add(void)
        s.flush()
        void_id = void.id
    key = db.run(issue_provider_key, SYSTEM, "RHA")
    with TestClient(app) as client:
        answers = [client.post(f"/api/v1/provider/voids/{n}/ready", headers={"Authorization": f"Bearer {key}"})
                   for n in (void_id, void_id + 1000)]
        assert [a.status_code for a in answers] == [404, 404]
        assert answers[0].json() == answers[1].json()
        portal = Browser(client)
        staff_sign_in(portal, "lettings@ngh.example")  # the other way round, in the portal
    with db.transaction() as s:
        rha = s.exec(select(Organisation).where(Organisation.code == "RHA")).one()
        s.add(StaffUser(organisation_id=rha.id, email="lettings@rha.example", name="Rae", role=StaffRole.PROVIDER,
                        password_hash=PASSWORD_HASH))
    with TestClient(app) as client:
        portal = Browser(client)
        staff_sign_in(portal, "lettings@rha.example")
        pages = [portal.post(f"/admin/provider/voids/{n}/ready", form_page="/admin/provider")
                 for n in (void_id, void_id + 1000)]
        assert [p.status_code for p in pages] == [404, 404]
        assert _message(pages[0].text) == _message(pages[1].text)


def _message(page: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.search(r"<main.*?</main>", page, re.S).group(0))


# --- 10. no personal data in logged tracebacks --------------------------------------------------

def test_a_database_error_in_a_request_is_logged_without_the_values_it_was_given(visitor, db, world, caplog,
                                                                                 monkeypatch):
    def clash(session, applicant):  # a fault: a second staff account with a taken e-mail
        session.add(StaffUser(organisation_id=world.council, email="officer@example.org", name="Secret Name",
                              role=StaffRole.OFFICER, password_hash="x"))
        session.flush()

    monkeypatch.setattr("cbl.services.sign_in.record_sign_in", clash)
    caplog.set_level(logging.ERROR)
    answer = visitor.sign_in("HR000001")
    assert answer.status_code == 500 and "Nothing was changed" in answer.text
    assert "IntegrityError" in caplog.text or "UniqueViolation" in caplog.text  # the fault is still logged
    assert "officer@example.org" not in caplog.text and "Secret Name" not in caplog.text


def test_a_database_error_in_a_scheduled_job_is_logged_without_the_values_postgresql_repeats(db, scheme, world,
                                                                                             caplog, monkeypatch):
    from scheduler import jobs
    from tests.integration.test_scheduler_resilience import LONDON

    def clash(session, *args, **kwargs):  # PostgreSQL's message names it: Key (email)=(officer@example.org)
        session.add(StaffUser(organisation_id=world.council, email="officer@example.org", name="Secret Name",
                              role=StaffRole.OFFICER, password_hash="x"))
        session.flush()

    monkeypatch.setattr("cbl.services.cycles.plan_next_cycle", clash)
    jobs.configure(jobs.Runtime(db, scheme, LONDON))
    caplog.set_level(logging.ERROR)
    try:
        jobs.reconcile(now())  # logs the traceback and carries on
    finally:
        jobs._runtime = None
    assert "could not plan the next cycle" in caplog.text and "IntegrityError" in caplog.text
    assert 'in clash' in caplog.text  # where it happened is still told
    assert "officer@example.org" not in caplog.text and "Secret Name" not in caplog.text
