"""The applicant's own pages: signing in and out, their application, bids, homes to bid for,
bidding preferences and offers."""

from dataclasses import dataclass

import anyio

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import select

from cbl.rules.digits import only_digits
from cbl.queries import listings
from cbl.database import Database
from cbl.models import BandAssessment, BiddingPreference, HouseholdMember, Offer, Property, Void
from cbl.models.states import OfferStatus, PropertyType
from cbl.rules.scheme import Scheme
from cbl.services import sign_in
from cbl.services.auto_bid import save_bidding_preference
from cbl.services.bidding import bid_options, live_bids, withdraw_bid
from cbl.services.errors import DomainError, InvalidInput
from cbl.services.offers import accept_offer, refuse_offer
from cbl.settings import Settings
from cbl.web import forms
from cbl.web.devices import known_device, remember_device
from cbl.web.auth import (
    COOKIE, Viewer, applicant_actor, clear_session_cookie, end_session, now, set_session_cookie,
    signed_in_applicant, start_session,
)


@dataclass(frozen=True)
class HomeOption:
    card: listings.AdvertCard
    bid: bool
    barrier: str | None


def _client(request: Request) -> str:
    # The peer, or the address a trusted proxy reports (CBL_TRUSTED_PROXIES; see app._middleware).
    return request.client.host if request.client else "unknown"


def _settings(request: Request) -> Settings:
    return request.app.state["settings"]


@get("/sign-in", sync_to_thread=False)
def sign_in_page(viewer: NamedDependency[Viewer | None], next: FromQuery[str | None] = None) -> Template:
    return Template("public/account/sign_in.html", context={"next": forms.safe_next(next, "/account"),
                                                              "viewer": viewer, "form": {}})


@post("/sign-in", sync_to_thread=True)
def sign_in_submit(db: NamedDependency[Database], request: Request, data: forms.Form) -> Template | Redirect:
    reference, password = forms.text(data, "reference", 32), forms.text(data, "password", 200)
    destination = forms.safe_next(forms.text(data, "next"), "/account")
    error = None
    if not reference or not password:
        error = InvalidInput("Enter your application reference and password.",
                             field="reference" if not reference else "password")
    else:
        try:
            device = known_device(request, _settings(request).secret_key, sign_in.account_key("applicant", reference))
            applicant = db.run(sign_in.authenticate_applicant, reference, password, _client(request), now(),
                               device=device)
            if applicant is None:
                error = InvalidInput("Enter a correct application reference and password.", field="reference")
        except DomainError as refused:
            error = refused
    if error is not None:
        return Template("public/account/sign_in.html", status_code=error.status_code, context={
            "error": error, "next": destination, "viewer": None, "form": {"reference": reference}})
    with db.transaction() as session:
        old = request.cookies.get(COOKIE)
        if old:
            end_session(session, old)
        token = start_session(session, "applicant", applicant.id, now())
        sign_in.record_sign_in(session, applicant)
    response = set_session_cookie(Redirect(destination, status_code=303), request, token)
    return remember_device(response, request, _settings(request).secret_key,
                           sign_in.account_key("applicant", applicant.reference), secure=_settings(request).https)


@post("/sign-out", sync_to_thread=True)
def sign_out(db: NamedDependency[Database], request: Request) -> Redirect:
    token = request.cookies.get(COOKIE)
    if token:
        with db.transaction() as session:
            end_session(session, token)
    return clear_session_cookie(Redirect("/sign-in?signed_out=1", status_code=303))


@get("/set-password/{token:str}", sync_to_thread=False)
def set_password_page(token: FromPath[str]) -> Template:
    return Template("public/account/set_password.html", context={"token": token, "viewer": None})


@post("/set-password/{token:str}", sync_to_thread=True)
def set_password_submit(db: NamedDependency[Database], token: FromPath[str], data: forms.Form) -> Template | Redirect:
    try:
        db.run(sign_in.set_password_with_link, token, forms.text(data, "password", 200),
               forms.text(data, "confirmation", 200), now())
    except DomainError as error:
        return Template("public/account/set_password.html", status_code=error.status_code,
                        context={"token": token, "error": error, "viewer": None})
    return Redirect("/sign-in?password_set=1", status_code=303)


@get("/account", sync_to_thread=True)
def my_application(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                   viewer: NamedDependency[Viewer | None], request: Request) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    with db.reading() as session:
        members = session.exec(select(HouseholdMember).where(HouseholdMember.applicant_id == applicant.id)
                               .order_by(HouseholdMember.date_of_birth)).all()
        bands = session.exec(select(BandAssessment).where(BandAssessment.applicant_id == applicant.id)
                             .order_by(BandAssessment.decided_at.desc())).all()
    return Template("public/account/application.html", context={
        "applicant": applicant, "members": members, "bands": bands, "scheme": scheme, "viewer": viewer,
        "band_label": scheme.bands.label(applicant.band) if applicant.band else None,
    })


@get("/account/bids", sync_to_thread=True)
def my_bids(db: NamedDependency[Database], scheme: NamedDependency[Scheme], viewer: NamedDependency[Viewer | None],
            request: Request, placed: FromQuery[str | None] = None, withdrawn: FromQuery[str | None] = None) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    at = now()
    with db.reading() as session:
        bids = [(bid, listings.advert_card(session, bid.advert), bid.position)
                for bid in live_bids(session, scheme, applicant, at)]
    return Template("public/account/bids.html", context={
        "bids": bids, "limit": scheme.bidding.bids_per_cycle, "viewer": viewer,
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
        options = [HomeOption(listings.advert_card(session, option.advert.reference), option.bid, option.barrier)
                   for option in bid_options(session, scheme, applicant, now())]
    return Template("public/account/homes.html", context={
        "can": [o for o in options if o.barrier is None], "cannot": [o for o in options if o.barrier], "viewer": viewer})


# An async handler that does its work in a thread: Litestar 2.25 answers 500 for a sync_to_thread
# GET returning a Response when a sync_to_thread POST shares its path (seen here, not yet reported).
@get("/account/preferences")
async def preferences_page(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None],
                           request: Request, saved: FromQuery[str | None] = None) -> Template:
    return await anyio.to_thread.run_sync(_preferences_page, db, viewer, request, saved)


def _preferences_page(db: Database, viewer: Viewer | None, request: Request, saved: str | None) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    with db.reading() as session:
        preference = session.get(BiddingPreference, applicant.id) or BiddingPreference(applicant_id=applicant.id)
        areas = sorted(set(session.exec(select(Property.area)).all()))
    return Template("public/account/preferences.html", context={
        "preference": preference, "areas": areas, "types": [t.value for t in PropertyType], "viewer": viewer,
        "saved": saved == "1"})


@post("/account/preferences", sync_to_thread=True)
def preferences_submit(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                       data: forms.Form) -> Template | Redirect:
    applicant = signed_in_applicant(viewer, db, request)
    floor = forms.text(data, "max_floor", 3)
    try:
        if floor and not only_digits(floor):
            raise InvalidInput("Highest floor must be a number, like 2.", field="max_floor")
        db.run(save_bidding_preference, applicant_actor(applicant), applicant.id,
               areas=forms.many(data, "areas", 100), property_types=forms.many(data, "property_types", 32),
               max_floor=int(floor) if floor else None, needs_lift=forms.ticked(data, "needs_lift"),
               wants_garden=forms.ticked(data, "wants_garden"), auto_bid=forms.ticked(data, "auto_bid"))
    except DomainError as error:
        with db.reading() as session:
            areas = sorted(set(session.exec(select(Property.area)).all()))
        preference = BiddingPreference(applicant_id=applicant.id, areas=forms.many(data, "areas"),
                                       property_types=forms.many(data, "property_types"),
                                       needs_lift=forms.ticked(data, "needs_lift"),
                                       wants_garden=forms.ticked(data, "wants_garden"),
                                       auto_bid=forms.ticked(data, "auto_bid"))
        return Template("public/account/preferences.html", status_code=error.status_code, context={
            "preference": preference, "max_floor_text": floor, "areas": areas,
            "types": [t.value for t in PropertyType], "viewer": viewer, "error": error})
    return Redirect("/account/preferences?saved=1", status_code=303)


@get("/account/offers", sync_to_thread=True)
def my_offers(db: NamedDependency[Database], scheme: NamedDependency[Scheme], viewer: NamedDependency[Viewer | None],
              request: Request) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    with db.reading() as session:
        offers = session.exec(
            select(Offer, Property).join(Void, Void.id == Offer.void_id).join(Property, Property.id == Void.property_id)
            .where(Offer.applicant_id == applicant.id).order_by(Offer.made_at.desc())
        ).all()
    return Template("public/account/offers.html", context={
        "offers": offers, "reasons": scheme.refusals.reasons, "viewer": viewer, "made": OfferStatus.MADE})


@post("/account/offers/{offer_id:int}/accept", sync_to_thread=True)
def offer_accept(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                 offer_id: FromPath[int]) -> Redirect:
    applicant = signed_in_applicant(viewer, db, request)
    db.run(accept_offer, applicant_actor(applicant), offer_id, now())
    return Redirect("/account/offers", status_code=303)


@post("/account/offers/{offer_id:int}/refuse", sync_to_thread=True)
def offer_refuse(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                 viewer: NamedDependency[Viewer | None], request: Request, offer_id: FromPath[int],
                 data: forms.Form) -> Redirect:
    applicant = signed_in_applicant(viewer, db, request)
    db.run(refuse_offer, applicant_actor(applicant), scheme, offer_id, forms.text(data, "reason", 200),
           forms.text(data, "detail", 2000), now())
    return Redirect("/account/offers", status_code=303)


ROUTES = [sign_in_page, sign_in_submit, sign_out, set_password_page, set_password_submit, my_application,
          my_bids, withdraw, homes_to_bid_for, preferences_page, preferences_submit, my_offers, offer_accept,
          offer_refuse]