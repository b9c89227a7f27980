"""Staff administration through the app: the system administrator invites staff by a one-time link,
re-grades them, disables and enables their accounts; no one else may; and the system administrator
manages the system, not cases."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlmodel import func, select

from cbl.models import Applicant, AuditEvent, OutboxMessage, PasswordLink, StaffUser, WebSession
from cbl.models.states import ApplicationStatus, StaffRole
from cbl.services import actors
from cbl.services import staff as staff_admin
from cbl.services.errors import NotAllowed
from cbl.services.register import suspend
from cbl.web.auth import COOKIE, now
from tests.e2e.conftest import Browser, staff_sign_in
from tests.support.forms import assert_every_error_shown, read_form

NEW_PASSWORD = "kettle orchard lantern biscuit"
LINK = re.compile(r"/admin/set-password/([A-Za-z0-9_-]+)")


def _user(db, email: str) -> StaffUser:
    with db.reading() as s:
        return s.exec(select(StaffUser).where(StaffUser.email == email)).one()


def _events(db, action: str, subject_id: int) -> list[AuditEvent]:
    with db.reading() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action,
                                                    AuditEvent.subject_type == "staff_user",
                                                    AuditEvent.subject_id == subject_id)))


def _invitation_link(db, staff_id: int) -> str:
    """The path in the latest invitation e-mail to this member of staff, as they would click it."""
    with db.reading() as s:
        message = s.exec(select(OutboxMessage).where(OutboxMessage.staff_user_id == staff_id,
                                                     OutboxMessage.template == "staff_invitation")
                         .order_by(OutboxMessage.id.desc())).first()
    assert message is not None, "no invitation e-mail in the outbox"
    return LINK.search(message.body).group(0)


@pytest.fixture
def administrator(app, staff):
    with TestClient(app) as client:
        browser = Browser(client)
        signed_in = staff_sign_in(browser, staff[StaffRole.ADMIN])
        assert signed_in.status_code == 303
        # Someone who sees no cases starts with the staff accounts, not the cycles page (a 403 for them).
        assert signed_in.headers["location"] == "/admin/staff"
        yield browser


def test_an_invited_member_of_staff_sets_a_password_with_the_link_and_signs_in(administrator, other_visitor, db,
                                                                              staff, world):
    listing = administrator.get("/admin/staff")
    assert listing.status_code == 200
    row = listing.text.split('id="staff"')[1]
    assert "Olu Officer" in row and "officer@example.org" in row and "System administrator" in row

    answer = administrator.post("/admin/staff/invite", {"name": "Nadia Newstarter", "email": "nadia@example.org",
                                                        "role": "review_officer", "grade": "4"},
                                form_page="/admin/staff/invite")
    assert answer.status_code == 303
    nadia = _user(db, "nadia@example.org")
    assert answer.headers["location"] == f"/admin/staff/{nadia.id}?invited=1"
    assert (nadia.role, nadia.grade, nadia.active, nadia.password_hash) == (StaffRole.REVIEW_OFFICER, 4, True, "")
    page = administrator.get(answer.headers["location"]).text
    assert "The invitation is on its way to nadia@example.org" in page and "Invited" in page
    assert [e.details["role"] for e in _events(db, "staff.invited", nadia.id)] == ["review_officer"]

    link = _invitation_link(db, nadia.id)
    token = link.rsplit("/", 1)[1]
    with db.reading() as s:
        kept = s.exec(select(PasswordLink).where(PasswordLink.staff_user_id == nadia.id)).one()
    assert kept.token_hash == hashlib.sha256(token.encode()).hexdigest() != token  # only the hash is kept
    # No password yet: nothing signs in as her.
    assert staff_sign_in(other_visitor, "nadia@example.org", NEW_PASSWORD).status_code == 422

    shown = other_visitor.get(link)
    assert shown.status_code == 200 and "Welcome, Nadia Newstarter" in shown.text
    mistakes = other_visitor.post(link, {"password": "password1", "confirmation": "something else"}, form_page=link)
    assert mistakes.status_code == 422
    assert_every_error_shown(mistakes.text, {"password": "Password must be 10 characters or more"})
    differ = other_visitor.post(link, {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD + "!"}, form_page=link)
    assert differ.status_code == 422 and "The passwords do not match" in differ.text
    assert _user(db, "nadia@example.org").password_hash == ""

    done = other_visitor.post(link, {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}, form_page=link)
    assert done.status_code == 303 and done.headers["location"] == "/admin/sign-in?password_set=1"
    assert "Your password is set" in other_visitor.get(done.headers["location"]).text
    signed_in = staff_sign_in(other_visitor, "nadia@example.org", NEW_PASSWORD)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/admin"
    assert other_visitor.get("/admin/reviews").status_code == 200  # a review officer's page
    assert _events(db, "password.set", nadia.id)[0].actor_id == nadia.id
    assert "Active" in administrator.get(f"/admin/staff/{nadia.id}").text

    # Used once, the link is gone: shown or posted to, whoever follows it.
    assert other_visitor.get(link).status_code == 404
    phrase = "another fine long phrase"
    again = other_visitor.post(link, {"password": phrase, "confirmation": phrase}, form_page="/admin/sign-in")
    assert again.status_code == 404
    assert staff_sign_in(other_visitor, "nadia@example.org", NEW_PASSWORD).status_code == 303


def test_an_invitation_with_several_mistakes_shows_them_all_keeps_what_was_typed_and_saves_nothing(
        administrator, db, staff, world):
    with db.reading() as s:
        before = s.exec(select(func.count()).select_from(StaffUser)).one()
    typed = {"name": "Nadia " * 40, "email": "nadia at example", "role": "chief_executive", "grade": "11"}
    page = administrator.post("/admin/staff/invite", typed, form_page="/admin/staff/invite")
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {
        "name": "Full name must be 200 characters or fewer",
        "email": "Enter an e-mail address in the correct format",
        "role": "Choose role from the list",
        "grade": "Grade must be a whole number from 1 to 10"})
    assert form.values["name"] == ["Nadia " * 40] and form.values["email"] == ["nadia at example"]
    assert form.values["grade"] == ["11"]
    empty = administrator.post("/admin/staff/invite", {}, form_page="/admin/staff/invite")
    assert_every_error_shown(empty.text, {"name": "Enter the person's full name",
                                          "email": "Enter the person's e-mail address", "role": "Choose a role",
                                          "grade": "Grade must be"})
    # An address someone already has is refused beside the field, whatever its case.
    taken = administrator.post("/admin/staff/invite", {"name": "Olu Again", "email": "OFFICER@example.org",
                                                       "role": "officer", "grade": "2"},
                               form_page="/admin/staff/invite")
    assert taken.status_code == 409
    form = assert_every_error_shown(taken.text, {"email": "already a staff account with this e-mail address"})
    assert form.values["name"] == ["Olu Again"] and form.values["role"] == ["officer"]
    with db.reading() as s:
        assert s.exec(select(func.count()).select_from(StaffUser)).one() == before
        assert s.exec(select(func.count()).select_from(PasswordLink)).one() == 0


def test_an_expired_or_replaced_invitation_link_is_not_found(administrator, other_visitor, db, staff, world):
    link_to = lambda path: "http://cbl.example" + path  # noqa: E731 - the site's address, as settings.link gives it
    invitee = staff_admin.Invitee("Ed Expired", "ed@example.org", StaffRole.OFFICER, 2)
    admin = actors.staff(_user(db, staff[StaffRole.ADMIN]))
    ed = db.run(staff_admin.invite, admin, invitee, link_to, now() - staff_admin.INVITATION_LIFETIME
                - timedelta(minutes=1))
    expired = _invitation_link(db, ed.id)
    assert other_visitor.get(expired).status_code == 404
    answer = other_visitor.post(expired, {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD},
                                form_page="/admin/sign-in")
    assert answer.status_code == 404 and "expired or has already been used" in answer.text

    assert administrator.post(f"/admin/staff/{ed.id}/invitation",
                              form_page=f"/admin/staff/{ed.id}").status_code == 303
    fresh = _invitation_link(db, ed.id)
    assert fresh != expired and other_visitor.get(fresh).status_code == 200
    assert administrator.post(f"/admin/staff/{ed.id}/invitation",
                              form_page=f"/admin/staff/{ed.id}").status_code == 303
    assert other_visitor.get(fresh).status_code == 404  # a newer invitation replaces it
    assert other_visitor.get("/admin/set-password/made-up").status_code == 404


def test_a_change_of_role_and_grade_is_audited_and_takes_effect_on_the_next_request(administrator, visitor, db,
                                                                                   staff, world):
    officer = _user(db, "officer@example.org")
    assert staff_sign_in(visitor, "officer@example.org").status_code == 303
    assert visitor.get("/admin/dashboard").status_code == 403
    page = f"/admin/staff/{officer.id}"
    shown = read_form(administrator.get(page).text)
    assert shown.values["role"] == ["officer"] and shown.values["grade"] == [str(officer.grade)]

    wrong = administrator.post(page, {"role": "admin_of_everything", "grade": "ten"}, form_page=page)
    assert wrong.status_code == 422
    form = assert_every_error_shown(wrong.text, {"role": "Choose role from the list",
                                                 "grade": "Grade must be a whole number from 1 to 10"})
    assert form.values["grade"] == ["ten"]
    assert (_user(db, "officer@example.org").role, _user(db, "officer@example.org").grade) == (
        StaffRole.OFFICER, officer.grade)

    assert administrator.post(page, {"role": "manager", "grade": "6"}, form_page=page).status_code == 303
    changed = _user(db, "officer@example.org")
    assert (changed.role, changed.grade) == (StaffRole.MANAGER, 6)
    [event] = _events(db, "staff.regraded", officer.id)
    assert event.details == {"before": {"role": "officer", "grade": officer.grade},
                             "after": {"role": "manager", "grade": 6}}
    assert event.actor_id == _user(db, staff[StaffRole.ADMIN]).id
    assert visitor.get("/admin/dashboard").status_code == 200  # a manager's page, without signing in again


def test_disabling_ends_every_session_at_once_and_blocks_sign_in_until_enabled(administrator, visitor, db, staff,
                                                                               world, app):
    officer = _user(db, "officer@example.org")
    assert staff_sign_in(visitor, "officer@example.org").status_code == 303
    assert visitor.get("/admin/applicants").status_code == 200
    # A session from before sessions named their account: ended by the guard's check of the account.
    with db.transaction() as s:
        s.add(WebSession(key=hashlib.sha256(b"an-older-session").hexdigest(),
                         data=json.dumps({"kind": "staff", "id": officer.id}).encode(),
                         expires_at=now() + timedelta(minutes=20)))
    page = f"/admin/staff/{officer.id}"
    with TestClient(app) as older:
        older.cookies.set(COOKIE, "an-older-session")
        assert older.get("/admin/applicants", follow_redirects=False).status_code == 200

        assert administrator.post(f"{page}/disable", form_page=page).status_code == 303
        following = visitor.get("/admin/applicants", follow_redirects=False)
        assert following.status_code == 303 and following.headers["location"].startswith("/admin/sign-in")
        answer = older.get("/admin/applicants", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/admin/sign-in")
    with db.reading() as s:
        assert s.exec(select(WebSession).where(WebSession.account == f"staff:{officer.id}")).all() == []
    assert _user(db, "officer@example.org").active is False
    [event] = _events(db, "staff.disabled", officer.id)
    assert event.details["sessions_ended"] == 1
    assert "Disabled" in administrator.get(page).text
    refused = staff_sign_in(visitor, "officer@example.org")
    assert refused.status_code == 422 and "Enter a correct email address and password" in refused.text
    assert administrator.post(f"{page}/disable", form_page=page).status_code == 409  # already

    assert administrator.post(f"{page}/enable", form_page=page).status_code == 303
    assert _events(db, "staff.enabled", officer.id)
    assert staff_sign_in(visitor, "officer@example.org").status_code == 303
    assert visitor.get("/admin/applicants").status_code == 200


def test_disabling_an_invited_account_ends_its_link(administrator, other_visitor, db, staff, world):
    administrator.post("/admin/staff/invite", {"name": "Dee Disabled", "email": "dee@example.org", "role": "officer",
                                               "grade": "2"}, form_page="/admin/staff/invite")
    dee = _user(db, "dee@example.org")
    link = _invitation_link(db, dee.id)
    assert administrator.post(f"/admin/staff/{dee.id}/disable", form_page=f"/admin/staff/{dee.id}").status_code == 303
    assert other_visitor.get(link).status_code == 404
    assert _events(db, "staff.disabled", dee.id)[0].details["password_links_revoked"] == 1
    # Enabled again, the old link still does not work: a new invitation is needed.
    administrator.post(f"/admin/staff/{dee.id}/enable", form_page=f"/admin/staff/{dee.id}")
    assert other_visitor.get(link).status_code == 404


def test_an_administrator_cannot_disable_or_demote_themselves(administrator, db, staff, world):
    me = _user(db, staff[StaffRole.ADMIN])
    page = f"/admin/staff/{me.id}"
    refused = administrator.post(f"{page}/disable", form_page=page)
    assert refused.status_code == 409 and "You cannot disable your own account" in refused.text
    demoted = administrator.post(page, {"role": "officer", "grade": "3"}, form_page=page)
    assert demoted.status_code == 409
    assert "You cannot change the role of your own account" in read_form(demoted.text).summary["main-content"]
    assert _user(db, staff[StaffRole.ADMIN]).active and _user(db, staff[StaffRole.ADMIN]).role is StaffRole.ADMIN
    # Their own grade they may change.
    assert administrator.post(page, {"role": "admin", "grade": "5"}, form_page=page).status_code == 303


STAFF_ROUTES = [("GET", "/admin/staff"), ("GET", "/admin/staff/invite"), ("POST", "/admin/staff/invite"),
                ("GET", "/admin/staff/{id}"), ("POST", "/admin/staff/{id}"), ("POST", "/admin/staff/{id}/disable"),
                ("POST", "/admin/staff/{id}/enable"), ("POST", "/admin/staff/{id}/invitation"),
                ("POST", "/admin/staff/{id}/second-factor")]


def test_the_staff_routes_cover_every_staff_administration_route(app):
    served = {(method, route.path.replace("{staff_id:int}", "{id}")) for route in app.routes
              if route.path.startswith("/admin/staff") for handler in route.route_handlers
              for method in handler.http_methods - {"HEAD", "OPTIONS"}}
    assert served == set(STAFF_ROUTES)


@pytest.mark.parametrize("role", [StaffRole.OFFICER, StaffRole.REVIEW_OFFICER, StaffRole.MANAGER,
                                  StaffRole.PROVIDER])
def test_no_one_but_the_system_administrator_may_use_staff_administration(visitor, db, staff, world, role):
    officer = _user(db, "officer@example.org")
    signed_in = staff_sign_in(visitor, staff[role])
    assert signed_in.status_code == 303
    for method, path in STAFF_ROUTES:
        path = path.replace("{id}", str(officer.id))
        answer = visitor.get(path) if method == "GET" else visitor.post(
            path, {"name": "X", "email": "x@example.org", "role": "admin", "grade": "9"}, form_page="/admin/sign-in")
        assert answer.status_code == 403, (role, method, path, answer.status_code)
    start = visitor.get(signed_in.headers["location"])
    assert start.status_code == 200 and 'href="/admin/staff"' not in start.text
    with db.reading() as s:
        assert s.exec(select(StaffUser).where(StaffUser.email == "x@example.org")).first() is None
    assert _user(db, "officer@example.org").active and _user(db, "officer@example.org").role is StaffRole.OFFICER


def test_the_system_administrator_manages_the_system_not_cases(administrator, db, staff, world, scheme):
    path = "/admin/applicants/HR000001"
    suspended = administrator.post(f"{path}/suspension", {"reason": "Rent arrears"}, form_page="/admin/staff")
    assert suspended.status_code == 403
    assert administrator.get(path).status_code == 403
    with db.reading() as s:
        assert s.get(Applicant, world.applicants["HR000001"]).status is not ApplicationStatus.SUSPENDED
    admin = actors.staff(_user(db, staff[StaffRole.ADMIN]))
    with pytest.raises(NotAllowed):
        db.run(suspend, admin, scheme, world.applicants["HR000001"], None, "Rent arrears", now())
    navigation = administrator.get("/admin/staff").text.split('id="navigation"')[1].split("</ul>")[0]
    assert "/admin/staff" in navigation and "/admin/applicants" not in navigation


def test_two_invitations_of_one_address_in_different_case_at_once_make_one_account(db, staff, world):
    """The second administrator's check runs before the first one's account is committed: the database's
    index on the address in any case refuses the second with the same message, never a server error."""
    import threading

    from cbl.services.errors import Conflict

    with db.reading() as s:
        admin = actors.staff(s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.ADMIN])).one())
    invitee = staff_admin.Invitee(name="Sam Patel", email="Sam.Patel@example.org", role=StaffRole.OFFICER, grade=2)
    second: list[BaseException | None] = []
    with db.transaction() as first:
        staff_admin.invite(first, admin, invitee, lambda path: f"https://lettings.example{path}", now())

        def invite_again_in_lower_case() -> None:
            try:
                db.run(staff_admin.invite, admin, staff_admin.Invitee(
                    name="Sam Patel", email="sam.patel@EXAMPLE.org", role=StaffRole.OFFICER, grade=2),
                    lambda path: f"https://lettings.example{path}", now())
                second.append(None)
            except Exception as error:  # noqa: BLE001 (what it raised is the test's answer)
                second.append(error)

        racing = threading.Thread(target=invite_again_in_lower_case)
        racing.start()
        racing.join(timeout=1)  # it waits on the first one's uncommitted account (the write lock on SQLite)
    racing.join(timeout=30)
    assert len(second) == 1 and isinstance(second[0], Conflict), second
    assert "already a staff account with this e-mail address" in str(second[0])
    with db.reading() as s:
        assert s.exec(select(func.count()).select_from(StaffUser)
                      .where(func.lower(StaffUser.email) == "sam.patel@example.org")).one() == 1
