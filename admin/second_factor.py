"""The second step of a staff sign-in: the code from an authenticator app (or a recovery code), or, for
someone without an app set up, setting one up; and a member of staff's own page about their second factor."""

from urllib.parse import quote

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from markupsafe import Markup
import segno

from cbl.database import Database
from cbl.models import StaffUser
from cbl.services import second_factor, sign_in
from cbl.services.actors import staff as staff_actor
from cbl.services.errors import DomainError, InvalidInput
from cbl.web import forms
from cbl.web.auth import COOKIE, STAFF_SECOND_STEP, load_viewer, now
from cbl.web.devices import known_device

from .auth import destination_for, finish_sign_in, signed_in
from .guards import PUBLIC, SIGNED_IN, current_staff


class SecondStep(forms.Form):
    code = forms.Text("Code", limit=40, required="Enter the code from your authenticator app")
    next = forms.Text("Where to go next", limit=500)


class SetUp(forms.Form):
    code = forms.Text("Code from the app", limit=40, required=second_factor.WRONG_CODE)
    next = forms.Text("Where to go next", limit=500)


class Button(forms.Form):
    """A button with nothing to fill in (new recovery codes)."""


def _half_signed_in(db: Database, request: Request) -> StaffUser | None:
    """The member of staff whose password was right and who is on the second step, if this is one."""
    viewer = load_viewer(db, request.cookies.get(COOKIE), now())
    if viewer is None or viewer.kind != STAFF_SECOND_STEP:
        return None
    with db.reading() as session:
        user = session.get(StaffUser, viewer.id)
    return user if user is not None and user.active else None


def _to(path: str, next_path: str | None) -> Redirect:
    return Redirect(f"{path}?next={quote(forms.safe_next(next_path, '/admin'), safe='/')}", status_code=303)


def _back_to_sign_in(next_path: str | None) -> Redirect:
    """The half-way session has ended (it lasts ten minutes) or there never was one: start again."""
    return _to("/admin/sign-in", next_path)


def _enrolled(db: Database, user: StaffUser) -> bool:
    with db.reading() as session:
        return second_factor.is_enrolled(session, user.id)


# --- the code ------------------------------------------------------------------------------------------

def _code_page(form: SecondStep) -> Template:
    return Template("admin/second_factor/code.html", status_code=form.status, context={"form": form})


@get("/sign-in/code", opt={"right": PUBLIC}, sync_to_thread=True)
def code_page(db: NamedDependency[Database], request: Request,
              next: FromQuery[str | None] = None) -> Template | Redirect:
    user = _half_signed_in(db, request)
    if user is None:
        return _back_to_sign_in(next)
    if not _enrolled(db, user):
        return _to("/admin/sign-in/set-up", next)
    return _code_page(forms.read(SecondStep, None, next=forms.safe_next(next, "/admin")))


@post("/sign-in/code", opt={"right": PUBLIC}, sync_to_thread=True)
def code_submit(db: NamedDependency[Database], request: Request, data: forms.Body) -> Template | Redirect:
    form = forms.read(SecondStep, data)
    user = _half_signed_in(db, request)
    if user is None:
        return _back_to_sign_in(form.next.data)
    if form.validate():
        site_key = request.app.state["settings"].secret_key
        address = request.client.host if request.client else "unknown"
        device = known_device(request, site_key, sign_in.account_key("staff", user.email))
        try:
            passed = db.run(second_factor.second_step, user.id, form.code.data, address, now(), site_key,
                            device=device)
            if passed is None:
                form.refuse(InvalidInput(second_factor.WRONG_SIGN_IN_CODE, field="code"))
            else:
                with db.transaction() as session:
                    token = finish_sign_in(session, request, passed[0], passed[1])
                destination = destination_for(passed[0], form.next.data)
                return signed_in(Redirect(destination, status_code=303), request, passed[0], token)
        except DomainError as refused:  # too many wrong codes: its own status (429)
            form.refuse(refused)
    return _code_page(form)


# --- setting up an app -----------------------------------------------------------------------------

def _set_up_page(db: Database, request: Request, user: StaffUser, form: SetUp) -> Template:
    with db.reading() as session:
        secret = second_factor.enrolment_secret(session, user.id, request.app.state["settings"].secret_key)
        issuer = second_factor.issuer(session)
    uri = second_factor.provisioning_uri(secret, user.email, issuer)
    # Drawn here as SVG in the page: the secret goes to no other service, and no script is needed.
    qr = segno.make(uri, error="m").svg_inline(scale=5, dark="#0b0c0c", light="#ffffff",
                                               title="QR code to scan with your authenticator app")
    return Template("admin/second_factor/set_up.html", status_code=form.status, context={
        "form": form, "qr": Markup(qr), "secret": second_factor.spaced(secret), "issuer": issuer,
        "email": user.email})


@get("/sign-in/set-up", opt={"right": PUBLIC}, sync_to_thread=True)
def set_up_page(db: NamedDependency[Database], request: Request,
                next: FromQuery[str | None] = None) -> Template | Redirect:
    user = _half_signed_in(db, request)
    if user is None:
        return _back_to_sign_in(next)
    if _enrolled(db, user):
        return _to("/admin/sign-in/code", next)
    return _set_up_page(db, request, user, forms.read(SetUp, None, next=forms.safe_next(next, "/admin")))


@post("/sign-in/set-up", opt={"right": PUBLIC}, sync_to_thread=True)
def set_up_submit(db: NamedDependency[Database], request: Request, data: forms.Body) -> Template | Redirect:
    form = forms.read(SetUp, data)
    user = _half_signed_in(db, request)
    if user is None:
        return _back_to_sign_in(form.next.data)
    if _enrolled(db, user):
        return _to("/admin/sign-in/code", form.next.data)
    if form.validate():
        try:
            with db.transaction() as session:
                codes = second_factor.confirm_enrolment(session, user.id, form.code.data, now(),
                                                        request.app.state["settings"].secret_key)
                token = finish_sign_in(session, request, user, "set up")
            page = _codes_page(codes, destination_for(user, form.next.data), user, set_up=True)
            return signed_in(page, request, user, token)
        except DomainError as refused:
            form.refuse(refused)
    return _set_up_page(db, request, user, form)


def _codes_page(codes: list[str], onward: str, user: StaffUser, *, set_up: bool = False) -> Template:
    """The recovery codes, shown this once (every page is sent with no-store: no cache keeps them)."""
    return Template("admin/second_factor/recovery_codes.html", context={
        "codes": codes, "onward": onward, "set_up": set_up, "staff": user})


# --- one's own second factor ----------------------------------------------------------------------------

@get("/second-factor", opt={"right": SIGNED_IN}, sync_to_thread=True)
def own_page(db: NamedDependency[Database], request: Request) -> Template:
    return _own_page(db, request, forms.read(Button, None))


def _own_page(db: Database, request: Request, button: Button) -> Template:
    user = current_staff(request)
    with db.reading() as session:
        since = second_factor.enrolled_at(session, user.id)
        left = second_factor.recovery_codes_left(session, user.id)
    return Template("admin/second_factor/own.html", status_code=button.status, context={
        "staff": user, "since": since, "left": left, "button": button})


@post("/second-factor/recovery-codes", opt={"right": SIGNED_IN}, sync_to_thread=True)
def new_recovery_codes(db: NamedDependency[Database], request: Request) -> Template:
    user = current_staff(request)
    try:
        codes = db.run(second_factor.regenerate_recovery_codes, staff_actor(user), now())
    except DomainError as refused:
        button = forms.read(Button, None)
        button.refuse(refused)
        return _own_page(db, request, button)
    return _codes_page(codes, "/admin/second-factor", user)
