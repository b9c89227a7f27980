"""Staff sign-in through the council's OpenID Connect identity provider, where one is set up (CBL_OIDC_*):
the first step, in place of the password; the second factor follows as after a password."""

import hmac
from typing import Annotated

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.response import Redirect, Template

from cbl.database import Database
from cbl.services import sign_in
from cbl.services.errors import DomainError, InvalidInput, NotFound
from cbl.settings import IdentityProvider, Settings
from cbl.web import forms, identity_provider
from cbl.web.auth import now

from .auth import StaffSignIn, _destination, on_to_second_step, sign_in_form
from .guards import PUBLIC

CALLBACK = "/admin/sign-in/identity-provider/callback"


def _refused(request: Request, error: DomainError, next_path: str | None = None) -> Template:
    form = forms.read(StaffSignIn, None, next=_destination(next_path))
    form.refuse(error)
    return sign_in_form(request, form)


def _provider(settings: Settings) -> IdentityProvider:
    if settings.identity_provider is None:
        raise NotFound("Signing in through an identity provider is not set up on this site.")
    return settings.identity_provider


@get("/sign-in/identity-provider", opt={"right": PUBLIC}, sync_to_thread=True)
def leave_for_provider(settings: NamedDependency[Settings], request: Request,
                       next: FromQuery[str | None] = None) -> Template | Redirect:
    provider = _provider(settings)
    try:
        url, flow = identity_provider.begin(provider, settings.link(CALLBACK), _destination(next), now())
    except DomainError as refused:
        return _refused(request, refused, next)
    response = Redirect(url, status_code=303)
    # Sent back by the provider as a top-level GET, so a SameSite=Lax cookie comes back with the browser.
    response.set_cookie(identity_provider.FLOW_COOKIE, identity_provider.flow_cookie(flow, settings.secret_key),
                        max_age=identity_provider.FLOW_SECONDS, httponly=True, samesite="lax",
                        secure=settings.https or request.url.scheme == "https", path="/admin/sign-in")
    return response


@get("/sign-in/identity-provider/callback", opt={"right": PUBLIC}, sync_to_thread=True)
def back_from_provider(db: NamedDependency[Database], settings: NamedDependency[Settings], request: Request,
                       code: FromQuery[str | None] = None,
                       returned_state: Annotated[str | None, QueryParameter(name="state")] = None,
                       error: FromQuery[str | None] = None) -> Template | Redirect:
    provider = _provider(settings)
    flow = identity_provider.read_flow(request.cookies.get(identity_provider.FLOW_COOKIE), settings.secret_key,
                                       now())
    if flow is None or not returned_state or not hmac.compare_digest(returned_state, flow.state):
        # Not the sign-in this browser started (or it took too long): a forged or replayed return is refused.
        return _refused(request, InvalidInput("This sign-in has expired or did not start here. Sign in again."))
    if error or not code:
        return _refused(request, InvalidInput(f"{provider.name[:1].upper()}{provider.name[1:]} did not sign you in. "
                                              "Try again, or sign in with your password."), flow.next)
    try:
        identity = identity_provider.finish(provider, settings.link(CALLBACK), flow, code, now())
        user = db.run(sign_in.staff_for_identity, identity.email)
    except DomainError as refused:
        return _refused(request, refused, flow.next)
    if user is None:
        return _refused(request, sign_in.NO_STAFF_ACCOUNT, flow.next)
    response = on_to_second_step(db, request, user, flow.next, also=lambda session: sign_in.record_identity(
        session, user, provider.issuer, identity.subject))
    response.delete_cookie(identity_provider.FLOW_COOKIE, path="/admin/sign-in")  # used: it cannot come back
    return response
