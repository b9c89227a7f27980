"""Staff sign-in (the password; the second step is in second_factor.py) and sign-out for the admin site; setting a
password with a one-time link, and asking for one."""

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from sqlmodel import Session

from cbl.database import Database
from cbl.models import StaffUser
from cbl.services import second_factor, sign_in
from cbl.services.actors import staff as staff_actor
from cbl.services.audit import audit
from cbl.services.errors import DomainError, InvalidInput
from cbl.settings import Settings
from cbl.web import forms, passwords
from cbl.web.passwords import ADMIN
from cbl.web.auth import (
    COOKIE, STAFF_SECOND_STEP, clear_session_cookie, end_session, now, set_session_cookie, start_session,
)
from cbl.web.devices import known_device, remember_device

from .guards import PUBLIC
from .home import start_page

# The response a cookie is set on is handed back as it came (a Template stays a Template).
R = TypeVar("R", bound=Response)


class StaffSignIn(forms.Form):
    email = forms.Text("Email address", limit=254, required="Enter your email address")
    password = forms.Password("Password", limit=200, required="Enter your password")
    next = forms.Text("Where to go next", limit=500)


def _destination(next_path: str | None) -> str:
    """Only somewhere on the admin site: a sign-in here never leads elsewhere."""
    destination = forms.safe_next(next_path, "/admin")
    return destination if destination.startswith("/admin") else "/admin"


def sign_in_form(request: Request, form: StaffSignIn, *, password_set: bool = False) -> Template:
    """The sign-in page (with its offer of the council's identity provider, where one is set up)."""
    provider = request.app.state["settings"].identity_provider
    return Template("admin/sign_in.html", status_code=form.status, context={
        "form": form, "password_set": password_set, "identity_provider": provider.name if provider else None})


@get("/sign-in", opt={"right": PUBLIC}, sync_to_thread=False)
def sign_in_page(request: Request, next: FromQuery[str | None] = None,
                 password_set: FromQuery[str | None] = None) -> Template:
    return sign_in_form(request, forms.read(StaffSignIn, None, next=_destination(next)),
                        password_set=password_set == "1")


@post("/sign-in", opt={"right": PUBLIC}, sync_to_thread=True)
def sign_in_submit(db: NamedDependency[Database], request: Request, data: forms.Body) -> Template | Redirect:
    settings = request.app.state["settings"]
    form = forms.read(StaffSignIn, data)
    user = None
    if form.validate():
        try:
            address = request.client.host if request.client else "unknown"
            device = known_device(request, settings.secret_key, sign_in.account_key("staff", form.email.data))
            user = db.run(sign_in.authenticate_staff, form.email.data, form.password.data, address, now(),
                          device=device)
            if user is None:
                form.refuse(InvalidInput("Enter a correct email address and password.", field="email"))
        except DomainError as refused:  # too many attempts: its own status (429)
            form.refuse(refused)
    if user is None:
        return sign_in_form(request, form)
    return on_to_second_step(db, request, user, form.next.data)


def on_to_second_step(db: Database, request: Request, user: StaffUser, next_path: str | None,
                      also: Callable[[Session], None] | None = None) -> Redirect:
    """Half signed in (the password, or the identity provider, was right): on to the code from the
    authenticator app, or to setting one up. `also` runs in the same transaction (an audit event)."""
    with db.transaction() as session:
        if request.cookies.get(COOKIE):
            end_session(session, request.cookies[COOKIE])
        token = start_session(session, STAFF_SECOND_STEP, user.id, now())
        enrolled = second_factor.is_enrolled(session, user.id)
        if not enrolled:
            second_factor.begin_enrolment(session, user, now(), request.app.state["settings"].secret_key)
        if also is not None:
            also(session)
    step = "code" if enrolled else "set-up"
    following = f"/admin/sign-in/{step}?next={quote(_destination(next_path), safe='/')}"
    return set_session_cookie(Redirect(following, status_code=303), request, token)


def finish_sign_in(session: Session, request: Request, user: StaffUser, how: str) -> str:
    """The second step passed: the half-way session ends, a staff session starts (a new token); its token."""
    if request.cookies.get(COOKIE):
        end_session(session, request.cookies[COOKIE])
    token = start_session(session, "staff", user.id, now())
    audit(session, staff_actor(user), "signed_in", user, {"second_factor": how})
    return token


def signed_in(response: R, request: Request, user: StaffUser, token: str) -> R:
    """The staff session's cookie, and this browser remembered as one the account signs in on."""
    settings = request.app.state["settings"]
    response = set_session_cookie(response, request, token)
    return remember_device(response, request, settings.secret_key, sign_in.account_key("staff", user.email),
                           secure=settings.https)


def destination_for(user: StaffUser, next_path: str | None) -> str:
    destination = _destination(next_path)
    if destination == "/admin":
        destination = start_page(user)  # provider staff work in their own portal, administrators with staff
    return destination


@post("/sign-out", opt={"right": PUBLIC}, sync_to_thread=True)
def sign_out(db: NamedDependency[Database], request: Request) -> Redirect:
    if request.cookies.get(COOKIE):
        with db.transaction() as session:
            end_session(session, request.cookies[COOKIE])
    return clear_session_cookie(Redirect("/admin/sign-in", status_code=303))


@get("/set-password/{token:str}", opt={"right": PUBLIC}, sync_to_thread=True)
def set_password_page(db: NamedDependency[Database], token: FromPath[str]) -> Template:
    return passwords.set_password_page(ADMIN, db, token)


@post("/set-password/{token:str}", opt={"right": PUBLIC}, sync_to_thread=True)
def set_password_submit(db: NamedDependency[Database], token: FromPath[str], data: forms.Body) -> Template | Redirect:
    return passwords.set_password_submit(ADMIN, db, token, data)


@get("/forgotten-password", opt={"right": PUBLIC}, sync_to_thread=False)
def forgotten_page(asked: FromQuery[str | None] = None) -> Template:
    return passwords.forgotten_page(ADMIN, asked == "1")


@post("/forgotten-password", opt={"right": PUBLIC}, sync_to_thread=True)
def forgotten_submit(db: NamedDependency[Database], settings: NamedDependency[Settings], request: Request,
                     data: forms.Body) -> Template | Redirect:
    return passwords.forgotten_submit(ADMIN, db, settings, request, data)
