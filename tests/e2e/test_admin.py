"""The officer admin: sign in, find a case and its timeline, work a shortlist, and who may see what."""

import re

from litestar.testing import TestClient
from sqlmodel import select

from cbl.models import ShortlistEntry
from cbl.models.states import ShortlistStatus, StaffRole
from admin.guards import SIGNED_IN
from cbl.services.actors import ROLE_RIGHTS
from tests.e2e.conftest import ROLE_EMAILS, Browser, staff_sign_in as _staff_sign_in  # noqa: F401

def test_an_officer_works_a_shortlist_and_every_step_is_on_the_case_timeline(visitor, db, staff, closed):
    assert _staff_sign_in(visitor, "officer@example.org").status_code == 303
    page = visitor.get("/admin/adverts/AD1/shortlist").text
    order = re.findall(r'href="/admin/applicants/(HR\d+)"', page.split('id="shortlist"')[1])
    assert order == ["HR000002", "HR000003", "HR000001"]  # bands A, B, C
    assert "Proposed" in page and "Band A since" in page
    with db.reading() as s:
        entries = {e.applicant_id: e.id for e in s.exec(select(ShortlistEntry))}
    top, second = entries[closed.applicants["HR000002"]], entries[closed.applicants["HR000003"]]

    assert visitor.post(f"/admin/adverts/AD1/shortlist/{top}/verify",
                        form_page="/admin/adverts/AD1/shortlist").status_code == 303
    missing = visitor.post(f"/admin/adverts/AD1/shortlist/{second}/skip", {"reason": ""},
                           form_page="/admin/adverts/AD1/shortlist")
    assert missing.status_code == 422 and "Choose the reason for skipping" in missing.text
    skipped = visitor.post(f"/admin/adverts/AD1/shortlist/{second}/skip",
                           {"reason": "no_contact", "note": "Three calls, no answer"},
                           form_page="/admin/adverts/AD1/shortlist")
    assert skipped.status_code == 303
    with db.reading() as s:
        assert s.get(ShortlistEntry, top).status is ShortlistStatus.VERIFIED
        assert s.get(ShortlistEntry, second).status is ShortlistStatus.SKIPPED
    again = visitor.post(f"/admin/adverts/AD1/shortlist/{second}/skip", {"reason": "no_contact"},
                         form_page="/admin/adverts/AD1/shortlist")
    assert again.status_code == 409

    case = visitor.get("/admin/applicants/HR000003").text
    timeline = case.split('id="timeline"')[1]
    assert "shortlist.skipped" in timeline and "Could not be contacted" in timeline
    assert "Three calls, no answer" in timeline and "Olu Officer" in timeline and "bid.placed" in timeline
    printable = visitor.get("/admin/adverts/AD1/shortlist/print").text
    assert "Could not be contacted" in printable and "Skip reason" not in printable


def test_the_register_search_finds_households_by_reference(visitor, staff, world):
    _staff_sign_in(visitor, "officer@example.org")
    found = visitor.post("/admin/applicants/search", {"reference": "hr000002"}, form_page="/admin/applicants")
    assert found.status_code == 200 and "1 application found" in found.text
    assert "/admin/applicants/HR000002" in found.text
    by_name = visitor.post("/admin/applicants/search", {"name": "lead hr000003"}, form_page="/admin/applicants").text
    assert "/admin/applicants/HR000003" in by_name and "1 application found" in by_name
    # % and _ are not wildcards matching every household: marks in a name or address are not searched for, and
    # a reference holds none.
    for field, wildcard in (("name", "%%"), ("reference", "hr00000_"), ("address", "%_%")):
        answer = visitor.post("/admin/applicants/search", {field: wildcard}, form_page="/admin/applicants")
        assert answer.status_code == 422 and "applications found" not in answer.text, wildcard
    # Names go in the body of a POST, never in an address that browsers, proxies and logs keep.
    assert 'method="post" action="/admin/applicants/search"' in visitor.get("/admin/applicants").text
    assert visitor.get("/admin/applicants?page=x").status_code == 422
    assert visitor.get("/admin/applicants/NOPE").status_code == 404


def test_an_officer_creates_a_one_time_sign_in_link_the_household_can_use(visitor, other_visitor, staff, world):
    _staff_sign_in(visitor, "officer@example.org")
    answer = visitor.post("/admin/applicants/HR000003/sign-in-link", form_page="/admin/applicants/HR000003")
    link = re.search(r'id="sign-in-link">([^<]+)<', answer.text).group(1)
    path = link.split("testserver.local", 1)[-1]
    done = other_visitor.post(path, {"password": "chosen by the household", "confirmation": "chosen by the household"},
                              form_page=path)
    assert done.status_code == 303
    assert other_visitor.sign_in("HR000003", "chosen by the household").status_code == 303


def test_staff_sign_in_is_throttled_and_wrong_passwords_refused(visitor, staff, world):
    for _ in range(5):
        assert _staff_sign_in(visitor, "officer@example.org", "wrong").status_code == 422
    assert _staff_sign_in(visitor, "officer@example.org").status_code == 429


def _admin_routes(app):
    """Every admin route as (method, path with ids filled in, the right it declares)."""
    found = []
    for route in app.routes:
        if not route.path.startswith("/admin"):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                if method in {"HEAD", "OPTIONS"}:
                    continue
                reference = "HR000001" if "/applicants/" in route.path else "AD1"
                path = re.sub(r"\{\w+:int\}", "1", route.path.replace("{reference:str}", reference))
                found.append((method, path, handler.opt.get("right")))
    return found


def test_every_admin_route_declares_who_may_use_it_and_each_role_gets_that_answer(app, db, staff, closed):
    routes = _admin_routes(app)
    assert len(routes) >= 12
    undeclared = [(m, p) for m, p, right in routes if right is None]
    assert not undeclared, f"admin routes without an access rule: {undeclared}"
    checked = 0
    for role in [None, "applicant", *StaffRole]:
        with TestClient(app) as client:
            visitor = Browser(client)
            if role == "applicant":
                visitor.sign_in("HR000001")
            elif role is not None:
                assert _staff_sign_in(visitor, staff[role]).status_code == 303
            for method, path, right in routes:
                if right == "public":
                    continue
                if method == "GET":
                    answer = client.get(path, follow_redirects=False)
                else:
                    answer = visitor.post(path, {}, form_page="/admin/sign-in")
                checked += 1
                status = answer.status_code
                assert status < 500, (role, method, path, status)
                to_sign_in = status == 303 and answer.headers["location"].startswith("/admin/sign-in")
                if role in (None, "applicant"):
                    assert to_sign_in, (role, method, path, status)
                elif right == SIGNED_IN or right in ROLE_RIGHTS[role]:
                    assert not to_sign_in and status not in (401, 403), (role, method, path, status)
                else:
                    assert status == 403, (role, method, path, status)
    guarded = [r for r in routes if r[2] != "public"]
    assert checked == (2 + len(StaffRole)) * len(guarded) and len(guarded) >= 7


def test_the_navigation_offers_each_role_only_what_it_may_use(visitor, staff, world):
    staff_sign_in = _staff_sign_in
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    officer = visitor.get("/admin/applicants").text.split('id="navigation"')[1].split("</ul>")[0]
    assert "Direct offers" in officer and "Dashboard" not in officer and "CORE return" not in officer
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    manager = visitor.get("/admin/applicants").text.split('id="navigation"')[1].split("</ul>")[0]
    assert "Direct offers" in manager and "Dashboard" in manager and "CORE return" in manager
    assert "/admin/staff" not in officer and "/admin/staff" not in manager
    # The system administrator manages staff and the system, and sees no cases.
    staff_sign_in(visitor, staff[StaffRole.ADMIN])
    administrator = visitor.get("/admin/staff").text.split('id="navigation"')[1].split("</ul>")[0]
    assert "/admin/staff" in administrator and "Register" not in administrator and "Outbox" not in administrator


def test_a_superscript_number_is_refused_as_a_number_not_a_server_error(visitor, staff, world):
    # '²'.isdigit() is true but int('²') fails: the form fuzzer found it on "bedrooms".
    _staff_sign_in(visitor, "officer@example.org")
    answer = visitor.post("/admin/stock/new", {"bedrooms": "²", "floor": "³"}, form_page="/admin/stock/new")
    assert answer.status_code == 422 and "There is a problem" in answer.text
    assert visitor.get("/admin/applicants?page=²").status_code == 422
