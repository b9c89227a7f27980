"""Applying online, the way in: the start page, making an account confirmed by a one-time code, and signing in
to it. The questions themselves are in cbl/web/application_pages.py."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from cbl.database import Database
from cbl.models import HouseholdAccount
from cbl.services import accounts, sign_in
from cbl.services.errors import DomainError, InvalidInput
from cbl.web import forms
from cbl.web.apply_forms import AccountForm, CodeForm, HouseholdSignIn
from cbl.web.auth import (
    COOKIE, SignInRequired, Viewer, end_session, now, set_session_cookie, signed_in_account, start_session,
)
from cbl.web.devices import known_device, remember_device


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@get("/apply", sync_to_thread=False)
def start(viewer: NamedDependency[Viewer | None]) -> Template:
    return Template("public/apply/start.html", context={"viewer": viewer})


def _account_page(form: AccountForm, viewer: Viewer | None) -> Template:
    return Template("public/apply/account.html", status_code=form.status, context={"form": form, "viewer": viewer})


@get("/apply/account", sync_to_thread=False)
def account_page(viewer: NamedDependency[Viewer | None]) -> Template:
    return _account_page(forms.read(AccountForm, None), viewer)


def _signed_in_as(db: Database, request: Request, response: Redirect, kind: str, user_id: int) -> Redirect:
    """A new session (never the one before) for the account, or for its application once on the register."""
    with db.transaction() as session:
        old = request.cookies.get(COOKIE)
        if old:
            end_session(session, old)
        token = start_session(session, kind, user_id, now())
    return set_session_cookie(response, request, token)


@post("/apply/account", sync_to_thread=True)
def account_submit(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                   data: forms.Body) -> Template | Redirect:
    form = forms.read(AccountForm, data)
    if form.validate():
        try:
            account = db.run(accounts.create_account, form.contact.data, form.password.data, form.confirmation.data,
                             _client(request), now())
            return _signed_in_as(db, request, Redirect("/apply/confirm", status_code=303), "household", account.id)
        except DomainError as error:
            form.refuse(error)
    return _account_page(form, viewer)


def _unconfirmed(db: Database, viewer: Viewer | None, request: Request) -> HouseholdAccount:
    account = signed_in_account(viewer, db, request)
    if account.confirmed_at is not None:
        raise SignInRequired("/apply/application")  # confirmed already: on to the application
    return account


def _confirm_page(account: HouseholdAccount, form: CodeForm, viewer: Viewer | None, sent: bool = False) -> Template:
    return Template("public/apply/confirm.html", status_code=form.status, context={
        "form": form, "viewer": viewer, "sent": sent, "by_email": account.email is not None,
        "to": account.email or f"the mobile number ending {(account.mobile or '')[-3:]}"})


@get("/apply/confirm", sync_to_thread=True)
def confirm_page(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                 sent: FromQuery[str | None] = None) -> Template:
    return _confirm_page(_unconfirmed(db, viewer, request), forms.read(CodeForm, None), viewer, sent == "1")


@post("/apply/confirm", sync_to_thread=True)
def confirm_submit(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                   data: forms.Body) -> Template | Redirect:
    """The code; or, with action=resend, a new one."""
    account = _unconfirmed(db, viewer, request)
    form = forms.read(CodeForm, data if data.get("action") != "resend" else None)
    try:
        if data.get("action") == "resend":
            db.run(lambda session: accounts.send_code(session, session.get_one(HouseholdAccount, account.id), now()))
            return Redirect("/apply/confirm?sent=1", status_code=303)
        if form.validate():
            if db.run(accounts.confirm, account.id, form.code.data, now()):
                return Redirect("/apply/application", status_code=303)
            form.refuse(InvalidInput("The code is not right. Check it and try again.", field="code"))
    except DomainError as error:
        form.refuse(error)
    return _confirm_page(account, form, viewer)


def _sign_in_page(form: HouseholdSignIn, viewer: Viewer | None) -> Template:
    return Template("public/apply/sign_in.html", status_code=form.status, context={"form": form, "viewer": viewer})


@get("/apply/sign-in", sync_to_thread=False)
def sign_in_page(viewer: NamedDependency[Viewer | None], next: FromQuery[str | None] = None) -> Template:
    return _sign_in_page(forms.read(HouseholdSignIn, None, next=forms.safe_next(next, "")), viewer)


@post("/apply/sign-in", sync_to_thread=True)
def sign_in_submit(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                   data: forms.Body) -> Template | Redirect:
    """Signed in to the account; as its application once that is on the register (its own pages follow)."""
    form = forms.read(HouseholdSignIn, data)
    secret = request.app.state["settings"].secret_key
    account = None
    if form.validate():
        key = sign_in.account_key("household", form.contact.data)
        try:
            account = db.run(accounts.authenticate, form.contact.data, form.password.data, _client(request), now(),
                             device=known_device(request, secret, key))
            if account is None:
                form.refuse(InvalidInput("Enter a correct e-mail address or mobile number and password.",
                                         field="contact"))
        except DomainError as error:
            form.refuse(error)
    if account is None:
        return _sign_in_page(form, viewer)
    if account.applicant_id is not None:
        going = forms.safe_next(form.next.data, "/account")
        response = _signed_in_as(db, request, Redirect(going, status_code=303), "applicant", account.applicant_id)
    else:
        going = "/apply/confirm" if account.confirmed_at is None else forms.safe_next(form.next.data,
                                                                                      "/apply/application")
        response = _signed_in_as(db, request, Redirect(going, status_code=303), "household", account.id or 0)
    return remember_device(response, request, secret, sign_in.account_key("household", form.contact.data),
                           secure=request.app.state["settings"].https)


ROUTES = [start, account_page, account_submit, confirm_page, confirm_submit, sign_in_page, sign_in_submit]
