"""Staff sign in with a second factor: an authenticator app set up at the first sign-in (QR code and key shown,
a code confirmed), its code asked for after the password, each code good once, recovery codes good once and
made anew on request, and an administrator's reset of someone else's."""

import re
from datetime import datetime, timedelta, timezone

from litestar.testing import TestClient
from sqlmodel import select

from cbl.app import create_app
from cbl.models import AuditEvent, StaffRecoveryCode, StaffSecondFactor, StaffUser, WebSession
from cbl.models.states import StaffRole
from cbl.services import second_factor, staff as staff_admin, throttling
from cbl.services.actors import staff as staff_actor
from cbl.services.errors import Conflict
from cbl.settings import load_settings
from tests.e2e.conftest import Browser, staff_sign_in
from tests.support.factories import PASSWORD
from tests.support.forms import assert_every_error_shown
from tests.support.second_factor import KEY, SECRET, code_for

OFFICER = "officer@example.org"


def _password(visitor: Browser, email: str = OFFICER, password: str = PASSWORD, next: str = "/admin/applicants"):
    return visitor.post("/admin/sign-in", {"email": email, "password": password, "next": next},
                        form_page="/admin/sign-in")


def _code(visitor: Browser, code: str, next: str = "/admin/applicants"):
    return visitor.post("/admin/sign-in/code", {"code": code, "next": next}, form_page="/admin/sign-in/code")


def _in_admin(visitor: Browser, path: str = "/admin/applicants") -> bool:
    answer = visitor.client.get(path, follow_redirects=False)
    return answer.status_code == 200


def _user(db, email: str = OFFICER) -> StaffUser:
    with db.reading() as s:
        return s.exec(select(StaffUser).where(StaffUser.email == email)).one()


def _events(db, action: str, subject: int) -> list[AuditEvent]:
    with db.reading() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.subject_id == subject)
                           .order_by(AuditEvent.id)))


def _set_up(visitor: Browser, next: str = "/admin/applicants") -> list[str]:
    """Set up an app from the page, as a person scanning it would; the recovery codes shown."""
    page = visitor.get(f"/admin/sign-in/set-up?next={next}").text
    secret = re.search(r'<code id="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    done = visitor.post("/admin/sign-in/set-up", {"code": _now(secret), "next": next},
                        form_page="/admin/sign-in/set-up")
    assert done.status_code == 200, done.text
    return re.findall(r"<li><code>([a-z2-7-]+)</code></li>", done.text)


def _now(secret: str) -> str:
    """The code the app shows now."""
    return second_factor.current_code(secret, datetime.now(timezone.utc))


def _wrong(secret: str) -> str:
    """Six digits that are none of the codes accepted now (a fixed guess could be the right code)."""
    now = int(datetime.now(timezone.utc).timestamp()) // second_factor.STEP_SECONDS
    accepted = {second_factor.code_at(secret, step) for step in range(now - 2, now + 3)}
    return next(guess for guess in ("000000", "111111", "222222", "333333", "444444", "555555")
                if guess not in accepted)


def _sign_out(visitor: Browser) -> None:
    visitor.post("/admin/sign-out", form_page="/admin/second-factor")


def test_someone_without_an_app_sets_one_up_after_their_password_and_a_wrong_code_is_refused(visitor, db, staff,
                                                                                             world):
    answer = _password(visitor)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/sign-in/set-up?next=/admin/applicants"
    assert not _in_admin(visitor)  # the password alone opens nothing
    page = visitor.get(answer.headers["location"])
    assert page.status_code == 200 and "<svg" in page.text and "QR code to scan" in page.text
    assert "<script" not in page.text.split('id="qr-code"')[1].split("</div>")[0]
    secret = re.search(r'<code id="secret">([A-Z2-7 ]+)</code>', page.text).group(1).replace(" ", "")
    assert len(secret) == 32 and "Anytown Council lettings admin" in page.text
    assert visitor.get(answer.headers["location"]).text.count(" ".join(re.findall("....", secret))) == 1  # kept

    wrong = visitor.post("/admin/sign-in/set-up", {"code": _wrong(secret), "next": "/admin/applicants"},
                         form_page="/admin/sign-in/set-up")
    assert wrong.status_code == 422
    assert_every_error_shown(wrong.text, {"code": "The code is not right"})
    empty = visitor.post("/admin/sign-in/set-up", {"code": " ", "next": "/admin/applicants"},
                         form_page="/admin/sign-in/set-up")
    assert_every_error_shown(empty.text, {"code": "Enter the 6-digit code your authenticator app shows now"})
    assert secret in empty.text.replace(" ", "")  # the same key, to try again
    assert not _in_admin(visitor)

    done = visitor.post("/admin/sign-in/set-up", {"code": _now(secret), "next": "/admin/applicants"},
                        form_page="/admin/sign-in/set-up")
    assert done.status_code == 200 and "Your authenticator app is set up" in done.text
    codes = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", done.text)
    assert len(codes) == 10 and len(set(codes)) == 10 and 'href="/admin/applicants"' in done.text
    assert _in_admin(visitor)
    officer = _user(db)
    assert [e.action for e in _events(db, "second_factor.enrolled", officer.id)] == ["second_factor.enrolled"]
    assert _events(db, "signed_in", officer.id)[-1].details == {"second_factor": "set up"}
    with db.reading() as s:  # recovery codes are kept only as hashes, the app's secret encrypted
        hashes = [r.code_hash for r in s.exec(select(StaffRecoveryCode))]
        stored = s.get(StaffSecondFactor, officer.id).secret
    assert len(hashes) == 10 and not set(hashes) & {c.replace("-", "") for c in codes}
    assert secret not in stored and secret.lower() not in stored.lower() and len(stored) > 100


def test_after_the_sites_secret_key_changes_the_code_step_says_to_ask_for_a_reset(db, scheme, staff, world,
                                                                                  tmp_path):
    code = code_for(db, OFFICER)  # sealed under the e2e app's key
    settings = load_settings({"CBL_DATABASE_URL": db.url, "CBL_SECRET_KEY": "another-secret-key-" * 3},
                             workdir=tmp_path)
    with TestClient(create_app(settings, db=db, scheme=scheme)) as client:
        visitor = Browser(client)
        assert _password(visitor).status_code == 303
        refused = _code(visitor, code)
    assert refused.status_code == 409 and "Ask a system administrator to reset your second factor" in refused.text


def test_after_setting_up_every_sign_in_asks_for_the_code_and_a_code_works_once(visitor, other_visitor, db, staff,
                                                                                  world):
    code_for(db, OFFICER)  # the app is set up with the tests' known key
    answer = _password(visitor)
    assert answer.headers["location"] == "/admin/sign-in/code?next=/admin/applicants"
    assert not _in_admin(visitor)
    page = visitor.get(answer.headers["location"])
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.text
    assert _code(visitor, "").status_code == 422
    code = second_factor.current_code(SECRET, datetime.now(timezone.utc))
    done = _code(visitor, code)
    assert done.status_code == 303 and done.headers["location"] == "/admin/applicants" and _in_admin(visitor)
    assert _events(db, "signed_in", _user(db).id)[-1].details == {"second_factor": "authenticator app"}

    # The same code again, from another browser that has the password: refused, though still in its 30 seconds.
    assert _password(other_visitor).status_code == 303
    replayed = _code(other_visitor, code)
    assert replayed.status_code == 422 and not _in_admin(other_visitor)
    assert_every_error_shown(replayed.text, {"code": "The code is not right, or has been used already"})


def test_a_code_is_accepted_from_the_step_before_or_after_and_never_twice(db, staff, world):
    code_for(db, OFFICER)
    officer = _user(db)
    at = datetime(2026, 12, 4, 9, 0, 10, tzinfo=timezone.utc)
    step = int(at.timestamp()) // second_factor.STEP_SECONDS

    def check(code, moment=at):
        return db.run(lambda s: second_factor.check_code(s, s.get(StaffUser, officer.id), code, moment, KEY))

    assert check(second_factor.code_at(SECRET, step - 2)) is None  # a minute old
    assert check(second_factor.code_at(SECRET, step - 1)) == "authenticator app"  # the phone's clock is behind
    assert check(second_factor.code_at(SECRET, step - 1)) is None  # used
    assert check(second_factor.code_at(SECRET, step)) == "authenticator app"
    assert check(second_factor.code_at(SECRET, step - 1)) is None  # earlier than one used: never again
    assert check(second_factor.code_at(SECRET, step + 1)) == "authenticator app"  # the phone's clock is ahead
    assert check(second_factor.code_at(SECRET, step + 1), at + timedelta(seconds=30)) is None
    assert check(second_factor.code_at(SECRET, step + 2), at + timedelta(seconds=30)) == "authenticator app"
    assert check("12345") is None and check("abcdef") is None and check("") is None


def test_wrong_codes_slow_the_account_like_wrong_passwords_and_the_password_again_does_not_clear_them(
        visitor, db, staff, world):
    code = code_for(db, OFFICER)
    wrong = _wrong(SECRET)
    assert _password(visitor).status_code == 303
    answers = [_code(visitor, wrong).status_code for _ in range(throttling.FREE_ATTEMPTS)]
    assert answers == [422] * throttling.FREE_ATTEMPTS
    refused = _code(visitor, code)
    assert refused.status_code == 429 and "Too many failed sign-ins" in refused.text and not _in_admin(visitor)
    assert _password(visitor).status_code == 429  # the right password does not reset the count of wrong codes


def test_a_recovery_code_signs_in_once(visitor, db, staff, world):
    _password(visitor)
    codes = _set_up(visitor)
    _sign_out(visitor)
    assert _password(visitor).status_code == 303
    used = _code(visitor, codes[3].upper().replace("-", " "))  # typed as people type them
    assert used.status_code == 303 and _in_admin(visitor)
    officer = _user(db)
    assert _events(db, "second_factor.recovery_code_used", officer.id)[-1].details == {"recovery_codes_left": 9}
    assert _events(db, "signed_in", officer.id)[-1].details == {"second_factor": "recovery code"}
    _sign_out(visitor)
    _password(visitor)
    again = _code(visitor, codes[3])
    assert again.status_code == 422 and not _in_admin(visitor)
    assert _code(visitor, codes[4]).status_code == 303


def test_new_recovery_codes_void_the_old_ones(visitor, db, staff, world):
    _password(visitor)
    old = _set_up(visitor)
    page = visitor.get("/admin/second-factor")
    assert page.status_code == 200 and re.search(r'id="codes-left">\s*10\s*<', page.text)
    made = visitor.post("/admin/second-factor/recovery-codes", form_page="/admin/second-factor")
    assert made.status_code == 200
    new = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", made.text)
    assert len(new) == 10 and not set(new) & set(old)
    officer = _user(db)
    assert len(_events(db, "second_factor.recovery_codes_regenerated", officer.id)) == 1
    _sign_out(visitor)
    _password(visitor)
    assert _code(visitor, old[0]).status_code == 422
    assert _code(visitor, new[0]).status_code == 303


def test_an_administrator_resets_someone_elses_second_factor_and_their_sessions_end(app, visitor, db, staff, world):
    code_for(db, OFFICER)
    assert staff_sign_in(visitor, OFFICER).status_code == 303 and _in_admin(visitor)
    officer = _user(db)
    with TestClient(app) as client:
        administrator = Browser(client)
        assert staff_sign_in(administrator, staff[StaffRole.ADMIN]).status_code == 303
        member = administrator.get(f"/admin/staff/{officer.id}").text
        assert "Authenticator app set up" in member and "Reset second factor" in member
        reset = administrator.post(f"/admin/staff/{officer.id}/second-factor", form_page=f"/admin/staff/{officer.id}")
        assert reset.status_code == 303
        after = administrator.get(f"/admin/staff/{officer.id}").text
        assert "sets up an authenticator app after their password" in after
        me = _user(db, staff[StaffRole.ADMIN])
        own = administrator.post(f"/admin/staff/{me.id}/second-factor", form_page=f"/admin/staff/{me.id}")
        assert own.status_code == 409 and "You cannot reset the second factor of your own account" in own.text
        assert _in_admin(administrator, "/admin/staff")
    with db.reading() as s:
        assert second_factor.is_enrolled(s, me.id)  # theirs still stands
    event = _events(db, "staff.second_factor_reset", officer.id)[0]
    assert event.details == {"was_set_up": True, "sessions_ended": 1} and event.actor_id == me.id
    assert not _in_admin(visitor)  # signed out everywhere
    with db.reading() as s:
        assert s.get(StaffSecondFactor, officer.id) is None
        assert not s.exec(select(StaffRecoveryCode).where(StaffRecoveryCode.staff_user_id == officer.id)).all()
        assert not s.exec(select(WebSession).where(WebSession.account == f"staff:{officer.id}")).all()
    assert _password(visitor).headers["location"].startswith("/admin/sign-in/set-up")  # set up again


def test_resetting_needs_the_staff_right_and_something_to_reset(db, staff, world):
    officer, manager = _user(db), _user(db, staff[StaffRole.MANAGER])
    administrator = _user(db, staff[StaffRole.ADMIN])
    try:
        db.run(staff_admin.reset_second_factor, staff_actor(administrator), officer.id, datetime.now(timezone.utc))
        raise AssertionError("reset a second factor that was never set up")
    except Conflict as refused:
        assert "has no second factor to reset" in refused.message
    code_for(db, OFFICER)
    for actor in (staff_actor(officer), staff_actor(manager)):
        try:
            db.run(staff_admin.reset_second_factor, actor, officer.id, datetime.now(timezone.utc))
            raise AssertionError("reset without the right")
        except Exception as refused:  # noqa: BLE001
            assert getattr(refused, "status_code", None) == 403
    with db.reading() as s:
        assert s.get(StaffSecondFactor, officer.id) is not None


def test_the_second_step_pages_send_anyone_without_a_right_password_back_to_sign_in(visitor, db, staff, world):
    for path in ("/admin/sign-in/code?next=/admin/stock", "/admin/sign-in/set-up"):
        answer = visitor.client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/admin/sign-in?next=/admin")
    posted = visitor.post("/admin/sign-in/code", {"code": "123456", "next": "/admin/stock"},
                          form_page="/admin/sign-in")
    assert posted.status_code == 303 and posted.headers["location"] == "/admin/sign-in?next=/admin/stock"
    # Signed in in full, the sign-in's second step is not a way round anything either.
    assert staff_sign_in(visitor, OFFICER).status_code == 303
    assert visitor.client.get("/admin/sign-in/code", follow_redirects=False).headers["location"].startswith(
        "/admin/sign-in?")
