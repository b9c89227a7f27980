"""Staff sign-in and sign-out for the admin site."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from cbl.database import Database
from cbl.models.states import StaffRole
from cbl.services import sign_in
from cbl.services.actors import staff as staff_actor
from cbl.services.audit import audit
from cbl.services.errors import DomainError, InvalidInput
from cbl.web import forms
from cbl.web.auth import COOKIE, clear_session_cookie, end_session, now, set_session_cookie, start_session
from cbl.web.devices import known_device, remember_device

from .guards import PUBLIC


@get("/sign-in", opt={"right": PUBLIC}, sync_to_thread=False)
def sign_in_page(next: FromQuery[str | None] = None) -> Template:
    return Template("admin/sign_in.html", context={"next": forms.safe_next(next, "/admin"), "form": {}})


@post("/sign-in", opt={"right": PUBLIC}, sync_to_thread=True)
def sign_in_submit(db: NamedDependency[Database], request: Request, data: forms.Body) -> Template | Redirect:
    settings = request.app.state["settings"]
    email, password = forms.text(data, "email", 254), forms.text(data, "password", 200)
    destination = forms.safe_next(forms.text(data, "next"), "/admin")
    if not destination.startswith("/admin"):
        destination = "/admin"
    error, user = None, None
    if not email or not password:
        error = InvalidInput("Enter your email address and password.", field="email" if not email else "password")
    else:
        try:
            address = request.client.host if request.client else "unknown"
            device = known_device(request, settings.secret_key, sign_in.account_key("staff", email))
            user = db.run(sign_in.authenticate_staff, email, password, address, now(), device=device)
            if user is None:
                error = InvalidInput("Enter a correct email address and password.", field="email")
        except DomainError as refused:
            error = refused
    if error is not None:
        return Template("admin/sign_in.html", status_code=error.status_code,
                        context={"error": error, "next": destination, "form": {"email": email}})
    with db.transaction() as session:
        if request.cookies.get(COOKIE):
            end_session(session, request.cookies[COOKIE])
        token = start_session(session, "staff", user.id, now())
        audit(session, staff_actor(user), "signed_in", user)
    if user.role is StaffRole.PROVIDER and destination == "/admin":
        destination = "/admin/provider"  # provider staff work in their own portal
    response = set_session_cookie(Redirect(destination, status_code=303), request, token)
    return remember_device(response, request, settings.secret_key, sign_in.account_key("staff", email),
                           secure=settings.https)


@post("/sign-out", opt={"right": PUBLIC}, sync_to_thread=True)
def sign_out(db: NamedDependency[Database], request: Request) -> Redirect:
    if request.cookies.get(COOKIE):
        with db.transaction() as session:
            end_session(session, request.cookies[COOKIE])
    return clear_session_cookie(Redirect("/admin/sign-in", status_code=303))
