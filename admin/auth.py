"""Staff sign-in and sign-out for the admin site; setting a password with a one-time link, and asking for one."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from cbl.database import Database
from cbl.services import sign_in
from cbl.services.actors import staff as staff_actor
from cbl.services.audit import audit
from cbl.services.errors import DomainError, InvalidInput
from cbl.settings import Settings
from cbl.web import forms, passwords
from cbl.web.passwords import ADMIN
from cbl.web.auth import COOKIE, clear_session_cookie, end_session, now, set_session_cookie, start_session
from cbl.web.devices import known_device, remember_device

from .guards import PUBLIC
from .home import start_page


class StaffSignIn(forms.Form):
    email = forms.Text("Email address", limit=254, required="Enter your email address")
    password = forms.Password("Password", limit=200, required="Enter your password")
    next = forms.Text("Where to go next", limit=500)


def _destination(next_path: str | None) -> str:
    """Only somewhere on the admin site: a sign-in here never leads elsewhere."""
    destination = forms.safe_next(next_path, "/admin")
    return destination if destination.startswith("/admin") else "/admin"


@get("/sign-in", opt={"right": PUBLIC}, sync_to_thread=False)
def sign_in_page(next: FromQuery[str | None] = None, password_set: FromQuery[str | None] = None) -> Template:
    form = forms.read(StaffSignIn, None, next=_destination(next))
    return Template("admin/sign_in.html", context={"form": form, "password_set": password_set == "1"})


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
        return Template("admin/sign_in.html", status_code=form.status, context={"form": form})
    email, destination = form.email.data, _destination(form.next.data)
    with db.transaction() as session:
        if request.cookies.get(COOKIE):
            end_session(session, request.cookies[COOKIE])
        token = start_session(session, "staff", user.id, now())
        audit(session, staff_actor(user), "signed_in", user)
    if destination == "/admin":
        destination = start_page(user)  # provider staff work in their own portal, administrators with staff
    response = set_session_cookie(Redirect(destination, status_code=303), request, token)
    return remember_device(response, request, settings.secret_key, sign_in.account_key("staff", email),
                           secure=settings.https)


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
