"""The applicant's own pages: signing in and out, their application, bids, homes to bid for,
bidding preferences and offers."""

import anyio

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from cbl.queries import account, applying
from cbl.database import Database
from cbl.models import BiddingPreference
from cbl.models.states import OfferStatus, PropertyType
from cbl.rules.scheme import Scheme
from cbl.services import applying as applying_service, sign_in
from cbl.services.auto_bid import save_bidding_preference
from cbl.services.bidding import withdraw_bid
from cbl.services.errors import DomainError, InvalidInput, NotFound
from cbl.services.offers import accept_offer, refuse_offer
from cbl.settings import Settings
from cbl.web import forms
from cbl.web.devices import known_device, remember_device
from cbl.web.auth import (
    COOKIE, Viewer, applicant_actor, clear_session_cookie, end_session, now, set_session_cookie,
    signed_in_applicant, start_session,
)


def _client(request: Request) -> str:
    # The peer, or the address a trusted proxy reports (CBL_TRUSTED_PROXIES; see app._middleware).
    return request.client.host if request.client else "unknown"


class SignInForm(forms.Form):
    reference = forms.Text("Application reference", limit=32, required="Enter your application reference")
    password = forms.Password("Password", limit=200, required="Enter your password")
    next = forms.Text("Where to go next", limit=500)


def _settings(request: Request) -> Settings:
    return request.app.state["settings"]


@get("/sign-in", sync_to_thread=False)
def sign_in_page(viewer: NamedDependency[Viewer | None], next: FromQuery[str | None] = None,
                 password_set: FromQuery[str | None] = None) -> Template:
    form = forms.read(SignInForm, None, next=forms.safe_next(next, "/account"))
    return Template("public/account/sign_in.html", context={"form": form, "viewer": viewer,
                                                            "password_set": password_set == "1"})


@post("/sign-in", sync_to_thread=True)
def sign_in_submit(db: NamedDependency[Database], request: Request, data: forms.Body) -> Template | Redirect:
    form = forms.read(SignInForm, data)
    status = 422
    if form.validate():
        try:
            device = known_device(request, _settings(request).secret_key,
                                  sign_in.account_key("applicant", form.reference.data))
            applicant = db.run(sign_in.authenticate_applicant, form.reference.data, form.password.data,
                               _client(request), now(), device=device)
            if applicant is None:
                form.refuse(InvalidInput("Enter a correct application reference and password.", field="reference"))
        except DomainError as refused:
            form.refuse(refused)
            status = refused.status_code
    if form.summary:
        return Template("public/account/sign_in.html", status_code=status, context={"form": form, "viewer": None})
    with db.transaction() as session:
        old = request.cookies.get(COOKIE)
        if old:
            end_session(session, old)
        token = start_session(session, "applicant", applicant.id, now())
        sign_in.record_sign_in(session, applicant)
    response = set_session_cookie(Redirect(forms.safe_next(form.next.data, "/account"), status_code=303), request,
                                  token)
    return remember_device(response, request, _settings(request).secret_key,
                           sign_in.account_key("applicant", applicant.reference), secure=_settings(request).https)


@post("/sign-out", sync_to_thread=True)
def sign_out(db: NamedDependency[Database], request: Request) -> Redirect:
    token = request.cookies.get(COOKIE)
    if token:
        with db.transaction() as session:
            end_session(session, token)
    return clear_session_cookie(Redirect("/sign-in?signed_out=1", status_code=303))


@get("/account", sync_to_thread=True)
def my_application(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                   viewer: NamedDependency[Viewer | None], request: Request, sent: FromQuery[str | None] = None,
                   change_sent: FromQuery[str | None] = None) -> Template:
    """The application: its status, band with its reasons, the household, and what the household sent online
    with what each is waiting for."""
    applicant = signed_in_applicant(viewer, db, request)
    with db.reading() as session:
        found = account.application(session, applicant.id)
        online = applying.sent_by(session, applicant.id)
        drafting = applying_service.draft(session, applying_service.Owner(applicant_id=applicant.id)) is not None
    return Template("public/account/application.html", context={
        "applicant": applicant, "members": found.members, "bands": found.bands, "scheme": scheme, "viewer": viewer,
        "band_label": scheme.bands.label(applicant.band) if applicant.band else None, "online": online,
        "drafting": drafting, "just_sent": sent == "1", "change_sent": change_sent == "1",
    })


@get("/account/bids", sync_to_thread=True)
def my_bids(db: NamedDependency[Database], scheme: NamedDependency[Scheme], viewer: NamedDependency[Viewer | None],
            request: Request, placed: FromQuery[str | None] = None, withdrawn: FromQuery[str | None] = None,
            page: FromQuery[str | None] = None) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    number = account.page_number(page)
    with db.reading() as session:
        bids = account.bids(session, scheme, applicant, now())
        past = account.past_bids(session, scheme, applicant.id, now(), number)
    return Template("public/account/bids.html", context={
        "bids": bids, "past": past, "per_page": account.PAST_BIDS_PER_PAGE, "limit": scheme.bidding.bids_per_cycle,
        "viewer": viewer,
        "placed": placed if placed and len(placed) <= 32 else None,
        "withdrawn": withdrawn if withdrawn and len(withdrawn) <= 32 else None,
    })


@post("/account/bids/{bid_id:int}/withdraw", sync_to_thread=True)
def withdraw(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
             bid_id: FromPath[int]) -> Redirect:
    applicant = signed_in_applicant(viewer, db, request)
    reference = db.run(withdraw_bid, applicant_actor(applicant), bid_id, now())
    return Redirect(f"/account/bids?withdrawn={reference}", status_code=303)


@get("/account/homes", sync_to_thread=True)
def homes_to_bid_for(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                     viewer: NamedDependency[Viewer | None], request: Request) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    with db.reading() as session:
        options = account.homes_to_bid_for(session, scheme, applicant, now())
    return Template("public/account/homes.html", context={
        "can": [o for o in options if o.barrier is None], "cannot": [o for o in options if o.barrier],
        "viewer": viewer})


class PreferencesForm(forms.Form):
    areas = forms.Many("Areas you would like to live in")
    property_types = forms.Many("Types of home")
    max_floor = forms.WholeNumber("Highest floor you could live on", low=0, high=60,
                                  message="Highest floor must be a number from 0 (ground floor) to 60, like 2")
    needs_lift = forms.Ticked("A lift, if it is above the ground floor")
    wants_garden = forms.Ticked("A garden")
    auto_bid = forms.Ticked("Bid for me automatically each week")


def _preferences_form(db: Database, body: dict | None = None,
                      saved: BiddingPreference | None = None) -> PreferencesForm:
    with db.reading() as session:
        areas = account.property_areas(session)
    kept = {name: getattr(saved, name) for name in ("areas", "property_types", "max_floor", "needs_lift",
                                                    "wants_garden", "auto_bid")} if saved else {}
    return forms.read(PreferencesForm, body, choices={
        "areas": areas, "property_types": [(t.value, t.value.capitalize()) for t in PropertyType]}, **kept)


# An async handler that does its work in a thread: Litestar 2.25 answers 500 for a sync_to_thread
# GET returning a Response when a sync_to_thread POST shares its path (seen here, not yet reported).
@get("/account/preferences")
async def preferences_page(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None],
                           request: Request, saved: FromQuery[str | None] = None) -> Template:
    return await anyio.to_thread.run_sync(_preferences_page, db, viewer, request, saved)


def _preferences_page(db: Database, viewer: Viewer | None, request: Request, saved: str | None) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    with db.reading() as session:
        preference = session.get(BiddingPreference, applicant.id)
    return Template("public/account/preferences.html", context={
        "form": _preferences_form(db, saved=preference), "viewer": viewer, "saved": saved == "1"})


@post("/account/preferences", sync_to_thread=True)
def preferences_submit(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                       data: forms.Body) -> Template | Redirect:
    applicant = signed_in_applicant(viewer, db, request)
    form = _preferences_form(db, data)
    if form.validate():
        try:
            db.run(save_bidding_preference, applicant_actor(applicant), applicant.id, areas=form.areas.data,
                   property_types=form.property_types.data, max_floor=form.max_floor.data,
                   needs_lift=form.needs_lift.data, wants_garden=form.wants_garden.data, auto_bid=form.auto_bid.data)
            return Redirect("/account/preferences?saved=1", status_code=303)
        except DomainError as error:
            form.refuse(error)
    return Template("public/account/preferences.html", status_code=form.status,
                    context={"form": form, "viewer": viewer, "saved": False})


class RefusalForm(forms.Form):
    reason = forms.Choice("Main reason for refusing", required="Choose the main reason you are refusing this home")
    detail = forms.Text("Tell us more", limit=1500)


def _refusal_form(scheme: Scheme, offer_id: int, body: dict | None = None) -> RefusalForm:
    return forms.read(RefusalForm, body, id_suffix=f"-{offer_id}", choices={"reason": scheme.refusals.reasons})


def _offers_page(db: Database, scheme: Scheme, viewer: Viewer | None, applicant_id: int,
                 refusal: tuple[int, RefusalForm] | None = None) -> Template:
    with db.reading() as session:
        offers = account.offers(session, applicant_id)
    refusals = {offer.id: _refusal_form(scheme, offer.id) for offer, _ in offers if offer.status == OfferStatus.MADE}
    if refusal:
        if refusal[0] not in {offer.id for offer, _ in offers}:
            raise NotFound("There is no such offer of yours.")  # someone else's offer: not found, whatever was sent
        refusals[refusal[0]] = refusal[1]
    return Template("public/account/offers.html", status_code=422 if refusal else 200, context={
        "offers": offers, "refusals": refusals, "refused": refusal[1] if refusal else None, "viewer": viewer,
        "made": OfferStatus.MADE})


@get("/account/offers", sync_to_thread=True)
def my_offers(db: NamedDependency[Database], scheme: NamedDependency[Scheme], viewer: NamedDependency[Viewer | None],
              request: Request) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    return _offers_page(db, scheme, viewer, applicant.id)


@post("/account/offers/{offer_id:int}/accept", sync_to_thread=True)
def offer_accept(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                 offer_id: FromPath[int]) -> Redirect:
    applicant = signed_in_applicant(viewer, db, request)
    db.run(accept_offer, applicant_actor(applicant), offer_id, now())
    return Redirect("/account/offers", status_code=303)


@post("/account/offers/{offer_id:int}/refuse", sync_to_thread=True)
def offer_refuse(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                 viewer: NamedDependency[Viewer | None], request: Request, offer_id: FromPath[int],
                 data: forms.Body) -> Template | Redirect:
    applicant = signed_in_applicant(viewer, db, request)
    form = _refusal_form(scheme, offer_id, data)
    if form.validate():
        try:
            db.run(refuse_offer, applicant_actor(applicant), scheme, offer_id, form.reason.data,
                   form.detail.data or "", now())
            return Redirect("/account/offers", status_code=303)
        except InvalidInput as refused:
            form.refuse(refused)
    return _offers_page(db, scheme, viewer, applicant.id, (offer_id, form))


ROUTES = [sign_in_page, sign_in_submit, sign_out, my_application,
          my_bids, withdraw, homes_to_bid_for, preferences_page, preferences_submit, my_offers, offer_accept,
          offer_refuse]
