"""The JSON API, /api/v1: public adverts, and the applicant's own bids with a bearer token.

Errors are always `{"error": {"code", "message"}}` with a 4xx status (see web.errors).
"""

from datetime import datetime

import msgspec
from litestar import Request, Router, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.exceptions import NotAuthorizedException
from sqlmodel import select

from cbl import listings
from cbl.database import Database
from cbl.models import Advert, Applicant, Bid, Cycle
from cbl.models.states import BidStatus, CycleStatus
from cbl.scheme import Scheme
from cbl.services import actors, sign_in
from cbl.services.bidding import place_bid, queue_positions, withdraw_bid
from cbl.services.errors import InvalidInput
from cbl.web.cache import TimedCache
from cbl.web.auth import now


class AdvertOut(msgspec.Struct):
    reference: str
    title: str
    bedrooms: int
    property_type: str
    area: str
    landlord: str
    weekly_rent: str
    weekly_charges: str
    floor: str
    lift: bool
    step_free: bool
    garden: bool
    closes_at: datetime
    open_for_bids: bool
    bids: int
    criteria: list[str]
    preference_groups: list[str]


class AdvertPage(msgspec.Struct):
    adverts: list[AdvertOut]
    total: int
    page: int
    pages: int


class TokenRequest(msgspec.Struct):
    reference: str
    password: str


class TokenOut(msgspec.Struct):
    token: str
    expires_at: datetime


class BidRequest(msgspec.Struct):
    advert: str


class BidOut(msgspec.Struct):
    id: int
    advert: str
    preference: int
    placed_at: datetime
    placed_by: str


class BidWithPositionOut(msgspec.Struct):
    id: int
    advert: str
    preference: int
    placed_at: datetime
    placed_by: str
    position: int | None
    eligible_bids: int
    position_words: str


class ApplicationOut(msgspec.Struct):
    reference: str
    status: str
    band: str | None
    band_date: str | None
    registration_date: str
    bedroom_need: int
    household_size: int


def _advert_out(card: listings.AdvertCard) -> AdvertOut:
    return AdvertOut(
        card.reference, card.title, card.bedrooms, card.property_type, card.area, card.landlord, card.weekly_rent,
        card.weekly_charges, card.floor, card.lift, card.step_free, card.garden, card.closes_at,
        card.open_for_bids, card.bids, card.criteria, card.preference_groups)


def api_applicant(request: Request, db: NamedDependency[Database]) -> Applicant:
    header = request.headers.get("authorization", "")
    scheme_name, _, token = header.partition(" ")
    if scheme_name.lower() != "bearer" or not token or len(token) > 200:
        raise NotAuthorizedException("Send your API token as 'Authorization: Bearer TOKEN' (POST /api/v1/tokens).")
    with db.reading() as session:
        applicant = sign_in.applicant_for_token(session, token.strip(), now())
    if applicant is None:
        raise NotAuthorizedException("This API token is not valid or has expired.")
    return applicant


@get("/adverts", sync_to_thread=True, summary="Live adverts in the open cycle")
def list_adverts(db: NamedDependency[Database], public_cache: NamedDependency[TimedCache], bedrooms: FromQuery[str | None] = None, area: FromQuery[str | None] = None,
                 property_type: FromQuery[str | None] = None, landlord: FromQuery[str | None] = None, page: FromQuery[str | None] = None) -> AdvertPage:
    filters = listings.AdvertFilters.parse(bedrooms, area, property_type, landlord, page)

    def search() -> AdvertPage:
        with db.reading() as session:
            cards, total = listings.search_adverts(session, filters)
        return AdvertPage([_advert_out(c) for c in cards], total, filters.page, max(1, -(-total // listings.PER_PAGE)))

    return public_cache.get(("api", filters), search)


@get("/adverts/{reference:str}", sync_to_thread=True, summary="One advert")
def get_advert(db: NamedDependency[Database], reference: FromPath[str]) -> AdvertOut:
    with db.reading() as session:
        return _advert_out(listings.advert_card(session, reference))


@post("/tokens", sync_to_thread=True, summary="Sign in: exchange reference and password for an API token")
def create_token(db: NamedDependency[Database], request: Request, data: JSONBody[TokenRequest]) -> TokenOut:
    address = request.client.host if request.client else "unknown"
    applicant = db.run(sign_in.authenticate_applicant, data.reference[:32], data.password[:200], address, now())
    if applicant is None:
        raise NotAuthorizedException("The application reference or password is not correct.")
    token, expires_at = db.run(lambda s: sign_in.issue_api_token(s, applicant, now()))
    return TokenOut(token, expires_at)


@get("/me", sync_to_thread=True, summary="My application")
def my_application(me: NamedDependency[Applicant]) -> ApplicationOut:
    return ApplicationOut(me.reference, me.status.value, me.band, me.band_date.isoformat() if me.band_date else None,
                          me.registration_date.isoformat(), me.bedroom_need, me.household_size)


@get("/me/bids", sync_to_thread=True, summary="My bids in the open cycle, with live queue positions")
def my_bids(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
            me: NamedDependency[Applicant]) -> list[BidWithPositionOut]:
    with db.reading() as session:
        rows = session.exec(
            select(Bid, Advert).join(Advert, Advert.id == Bid.advert_id).join(Cycle, Cycle.id == Bid.cycle_id)
            .where(Bid.applicant_id == me.id, Bid.status == BidStatus.ACTIVE, Cycle.status == CycleStatus.OPEN)
            .order_by(Bid.preference)
        ).all()
        positions = queue_positions(session, scheme, [advert for _, advert in rows], me, now())
    return [BidWithPositionOut(bid.id, advert.reference, bid.preference, bid.placed_at, bid.placed_by.value,
                               positions[advert.id].position, positions[advert.id].eligible_bids,
                               positions[advert.id].words) for bid, advert in rows]


@post("/me/bids", sync_to_thread=True, status_code=201,
      summary="Bid for an advert (GET /me/bids gives the place in the queue)")
def create_bid(db: NamedDependency[Database], scheme: NamedDependency[Scheme], me: NamedDependency[Applicant],
               data: JSONBody[BidRequest]) -> BidOut:
    if not data.advert or len(data.advert) > 32:
        raise InvalidInput("Give the advert's reference, like AD00012.", field="advert")
    bid = db.run(place_bid, actors.applicant(me), scheme, me.id, data.advert, now())
    return BidOut(bid.id, data.advert, bid.preference, bid.placed_at, bid.placed_by.value)


@delete("/me/bids/{bid_id:int}", sync_to_thread=True, summary="Withdraw a bid", status_code=200)
def delete_bid(db: NamedDependency[Database], me: NamedDependency[Applicant], bid_id: FromPath[int]) -> dict[str, str]:
    db.run(withdraw_bid, actors.applicant(me), bid_id, now())
    return {"status": "withdrawn"}


api_router = Router(
    path="/api/v1",
    route_handlers=[list_adverts, get_advert, create_token, my_application, my_bids, create_bid, delete_bid],
    dependencies={"me": Provide(api_applicant, sync_to_thread=True)},
    tags=["applicants"],
)
