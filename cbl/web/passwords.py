"""Setting a password with a one-time link, and asking for a link when the password is forgotten: the same
pages on the public site (households) and the admin site (council and provider staff)."""

from dataclasses import dataclass

import anyio
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from cbl.database import Database
from cbl.models import Applicant
from cbl.services import password_links, password_reset, sign_in
from cbl.services.errors import DomainError
from cbl.services.passwords import MAX_LENGTH, MIN_LENGTH
from cbl.settings import Settings
from cbl.web import forms
from cbl.web.auth import now
from cbl.web.devices import known_device


@dataclass(frozen=True)
class Site:
    """Where one kind of account signs in: the pages' addresses and look."""

    kind: str  # password_links.APPLICANT or STAFF
    prefix: str  # "" or "/admin"
    base: str  # the template the pages extend
    ending: str  # what setting a password ends

    @property
    def sign_in(self) -> str:
        return f"{self.prefix}/sign-in"


PUBLIC = Site(password_links.APPLICANT, "", "base.html",
              "Setting it signs you out wherever you are signed in, and your API tokens stop working.")
ADMIN = Site(password_links.STAFF, "/admin", "admin/base.html", "Setting it signs you out wherever you are signed in.")


class NewPassword(forms.Form):
    password = forms.Password("New password", limit=MAX_LENGTH, required="Enter a new password")
    confirmation = forms.Password("Type the password again", limit=MAX_LENGTH, required="Type the password again")


def _welcome(account: password_links.Account | None) -> str:
    if account is None:
        return ""
    if isinstance(account, Applicant):
        return f"Choose the password you will sign in with, with your application reference {account.reference}."
    return f"Welcome, {account.name}. Choose the password you will sign in to the lettings admin with."


def _password_page(site: Site, token: str, form: NewPassword, account: password_links.Account | None) -> Template:
    return Template("set_password.html", status_code=form.status, context={
        "base": site.base, "action": f"{site.prefix}/set-password/{token}", "form": form, "welcome": _welcome(account),
        "ending": site.ending, "hint": f"Use {MIN_LENGTH} characters or more. A few unrelated words work well.",
        "viewer": None, "staff": None})


def set_password_page(site: Site, db: Database, token: str) -> Template:
    """Said at once when the link cannot be used (404): no password typed would help."""
    with db.reading() as session:
        account = password_links.check(session, site.kind, token, now())
    return _password_page(site, token, forms.read(NewPassword, None), account)


def set_password_submit(site: Site, db: Database, token: str, data: dict) -> Template | Redirect:
    with db.reading() as session:  # a dead link is not found, whatever is typed
        account = password_links.check(session, site.kind, token, now())
    form = forms.read(NewPassword, data)
    if form.validate():
        try:
            db.run(password_links.set_password, site.kind, token, form.password.data, form.confirmation.data, now())
            return Redirect(f"{site.sign_in}?password_set=1", status_code=303)
        except DomainError as error:  # a link used meanwhile keeps its own status (404)
            form.refuse(error)
    return _password_page(site, token, form, account)


class ForgottenByReference(forms.Form):
    reference = forms.Text("Application reference", limit=32, required="Enter your application reference")
    contact = forms.Text("E-mail address or mobile number", limit=254,
                         required="Enter the e-mail address or mobile number we have for you")


class ForgottenByEmail(forms.Form):
    email = forms.Text("E-mail address", limit=254, required="Enter your e-mail address")


def forgotten_page(site: Site, asked: bool, form: forms.Form | None = None) -> Template:
    if form is None:
        form = forms.read(ForgottenByReference if site.kind == password_links.APPLICANT else ForgottenByEmail, None)
    return Template("forgotten_password.html", status_code=form.status, context={
        "base": site.base, "site": site, "form": form, "asked": asked, "viewer": None, "staff": None,
        "minutes": int(password_reset.LIFETIME.total_seconds() // 60)})


def forgotten_submit(site: Site, db: Database, settings: Settings, request: Request,
                     data: dict) -> Template | Redirect:
    """The same answer whether or not anything matched: a link is on its way if it did."""
    form: ForgottenByReference | ForgottenByEmail = (
        forms.read(ForgottenByReference, data) if site.kind == password_links.APPLICANT
        else forms.read(ForgottenByEmail, data))
    if not form.validate():
        return forgotten_page(site, False, form)
    name = form.reference.data if isinstance(form, ForgottenByReference) else form.email.data
    trusted = known_device(request, settings.secret_key, sign_in.account_key(site.kind, name)) is not None
    address = request.client.host if request.client else "unknown"  # a trusted proxy's client (app._middleware)
    try:
        if isinstance(form, ForgottenByReference):
            db.run(password_reset.ask_as_applicant, name, form.contact.data, address, trusted, settings.link, now())
        else:
            db.run(password_reset.ask_as_staff, name, address, trusted, settings.link, now())
    except DomainError as refused:  # asked too often: 429
        form.refuse(refused)
        return forgotten_page(site, False, form)
    return Redirect(f"{site.prefix}/forgotten-password?asked=1", status_code=303)


# --- the public site's routes (the admin site's are in admin/auth.py) ----------------------------------

# Async, doing its work in a thread, for the reason given beside account.preferences_page.
@get("/set-password/{token:str}")
async def public_set_password_page(db: NamedDependency[Database], token: FromPath[str]) -> Template:
    return await anyio.to_thread.run_sync(set_password_page, PUBLIC, db, token)


@post("/set-password/{token:str}", sync_to_thread=True)
def public_set_password_submit(db: NamedDependency[Database], token: FromPath[str],
                               data: forms.Body) -> Template | Redirect:
    return set_password_submit(PUBLIC, db, token, data)


@get("/forgotten-password", sync_to_thread=False)
def public_forgotten_page(asked: FromQuery[str | None] = None) -> Template:
    return forgotten_page(PUBLIC, asked == "1")


@post("/forgotten-password", sync_to_thread=True)
def public_forgotten_submit(db: NamedDependency[Database], settings: NamedDependency[Settings], request: Request,
                            data: forms.Body) -> Template | Redirect:
    return forgotten_submit(PUBLIC, db, settings, request, data)


ROUTES = [public_set_password_page, public_set_password_submit, public_forgotten_page, public_forgotten_submit]
