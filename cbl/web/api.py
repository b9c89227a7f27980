"""The JSON API, /api/v1: public adverts, and the applicant's own bids with a bearer token.

Errors are always `{"error": {"code", "message"}}` with a 4xx status (see web.errors).
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

import re

import msgspec
from litestar import Request, Router, delete, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter, QueryParameter, SkipValidation
from litestar.exceptions import NotAuthorizedException
from sqlmodel import Session

from cbl.queries import account, listings
from cbl.database import Database
from cbl.models import BiddingPreference
from cbl.models.states import PropertyType
from cbl.rules.scheme import Scheme
from cbl.services import actors, sign_in
from cbl.services.applications import known_areas
from cbl.services.auto_bid import save_bidding_preference
from cbl.services.bidding import live_bids, place_bid, withdraw_bid
from cbl.services.offers import accept_offer, refuse_offer
from cbl.services.errors import InvalidInput, NotFound
from cbl.web.api_fields import NO_NUL, RecordId, limit
from cbl.web.errors import error_responses
from cbl.web.auth import now


# Applicants' own operations: the token from POST /api/v1/tokens (see OPENAPI_SECURITY in cbl.app).
APPLICANT_TOKEN: list[dict[str, list[str]]] = [{"applicantToken": []}]


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
    # Let by date of registration: bids ranked by registration date alone, whatever the band (decided when the
    # advert was published; its preference groups do not apply).
    let_by_registration_date: bool


class AdvertPage(msgspec.Struct):
    adverts: list[AdvertOut]
    total: int
    page: int
    pages: int


# Declared limits on what callers send: a longer or unknown value is refused (400, naming the field and
# why), never cut. They match the web forms' limits (cbl/web/account.py).
Reference = Annotated[str, limit(32, description="An application reference, like HR000123")]
ADVERT_REFERENCE = "^[A-Za-z0-9-]+$"
AdvertReference = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=ADVERT_REFERENCE,
                                               description="An advert's reference, like AD00012")]
AreaName = Annotated[str, limit(100)]


class TokenRequest(msgspec.Struct):
    reference: Reference
    password: Annotated[str, limit(200)]
    label: Annotated[str, limit(sign_in.TOKEN_LABEL_LIMIT,
                                description="What the token is for, to tell your tokens apart (GET /me/tokens)")] = ""


class TokenOut(msgspec.Struct):
    token: str
    expires_at: datetime


class TokenListed(msgspec.Struct):
    """A token as its owner sees it listed: never the token itself."""

    id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    current: bool  # the token this request was sent with


class BidRequest(msgspec.Struct):
    advert: AdvertReference


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
        card.open_for_bids, card.bids, card.criteria, card.preference_groups, card.by_registration_date)


@dataclass(frozen=True, slots=True)
class Site:
    """What the API's handlers reach (the database and the scheme), as one dependency."""

    db: Database
    scheme: Scheme


SiteDependency = NamedDependency[SkipValidation[Site]]


@dataclass(frozen=True, slots=True)
class Caller:
    """An applicant's request: the bearer token it carries, and the site's database and scheme.
    Whose token it is, is read in the handler's own session (one connection, one thread)."""

    db: Database
    scheme: Scheme
    token: str

    def applicant(self, session: Session):  # noqa: ANN201 - an applicant row
        """Whose token this is (see sign_in.applicant_for_token); its use is noted every few minutes."""
        at = now()
        applicant = sign_in.applicant_for_token(session, self.token, at)
        if applicant is None:
            raise NotAuthorizedException("This API token is not valid or has expired.")
        if sign_in.use_is_news(applicant.api_token_last_used_at, at):
            if session.connection().get_execution_options().get("read_only"):
                with self.db.transaction() as writing:  # a reading session writes nothing
                    sign_in.note_token_use(writing, applicant.api_token_id, at)
            else:
                sign_in.note_token_use(session, applicant.api_token_id, at)
        return applicant


def caller(site: SiteDependency, request: Request) -> Caller:
    # Only the header is read here, on the event loop: no thread, no database.
    scheme_name, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme_name.lower() != "bearer" or not token.strip() or len(token) > 200:
        raise NotAuthorizedException("Send your API token as 'Authorization: Bearer TOKEN' (POST /api/v1/tokens).")
    return Caller(site.db, site.scheme, token.strip())


CallerDependency = NamedDependency[SkipValidation[Caller]]


# The advert filters, read as text so that a wrong one gets the list's own message (listings.AdvertFilters);
# their schema says what is accepted.
BEDROOMS_TEXT = r"^\s*(0*(10|[0-9]))?\s*$"
PAGE_TEXT = r"^\s*(0*([1-9][0-9]{0,3}|10000))?\s*$"
Bedrooms = Annotated[str | None, QueryParameter(schema_extra={"pattern": BEDROOMS_TEXT},
                                                description="Bedrooms, 0 (studio) to 10")]
Area = Annotated[str | None, QueryParameter(max_length=listings.AREA_MAX, schema_extra={"pattern": NO_NUL})]
Kind = Annotated[str | None, QueryParameter(schema_extra={"enum": [t.value for t in PropertyType]})]
Landlord = Annotated[str | None, QueryParameter(max_length=listings.LANDLORD_MAX, schema_extra={"pattern": NO_NUL},
                                                description="The landlord's code, e.g. RHA")]
AdvertInPath = Annotated[str, PathParameter(schema_extra={"pattern": ADVERT_REFERENCE},
                                            description="The advert's reference, like AD00012")]
PageNumber = Annotated[str | None, QueryParameter(schema_extra={"pattern": PAGE_TEXT},
                                                  description=f"1 to {listings.PAGE_MAX}")]


@get("/adverts", responses=error_responses(422), sync_to_thread=True, summary="Live adverts in the open cycle")
def list_adverts(site: SiteDependency, bedrooms: Bedrooms = None, area: Area = None,
                 property_type: Kind = None, landlord: Landlord = None, page: PageNumber = None) -> AdvertPage:
    filters = listings.AdvertFilters.parse(bedrooms, area, property_type, landlord, page)

    with site.db.reading() as session:
        cards, total = listings.search_adverts(session, filters)
    return AdvertPage([_advert_out(c) for c in cards], total, filters.page, max(1, -(-total // listings.PER_PAGE)))


@get("/adverts/{reference:str}", responses=error_responses(404), sync_to_thread=True, summary="One advert")
def get_advert(site: SiteDependency, reference: AdvertInPath) -> AdvertOut:
    if not re.fullmatch(ADVERT_REFERENCE, reference):  # no advert has such a reference
        raise NotFound("There is no advert with that reference.")
    with site.db.reading() as session:
        return _advert_out(listings.advert_card(session, reference))


@post("/tokens", responses=error_responses(400, 401, 422, 429), sync_to_thread=True,
      summary="Sign in: exchange reference and password for an API token")
def create_token(site: SiteDependency, request: Request, data: JSONBody[TokenRequest]) -> TokenOut:
    address = request.client.host if request.client else "unknown"
    applicant = site.db.run(sign_in.authenticate_applicant, data.reference[:32], data.password[:200], address, now())
    if applicant is None:
        raise NotAuthorizedException("The application reference or password is not correct.")
    token, expires_at = site.db.run(lambda s: sign_in.issue_api_token(s, applicant, now(), data.label))
    return TokenOut(token, expires_at)


@get("/me/tokens", security=APPLICANT_TOKEN, responses=error_responses(401), sync_to_thread=True,
     summary="My API tokens that still work (never the tokens themselves)")
def my_tokens(caller: CallerDependency) -> list[TokenListed]:
    with caller.db.transaction() as session:  # so that the list shows this use of the token, noted in it
        me = caller.applicant(session)
        tokens = sign_in.api_tokens(session, actors.applicant(me), me.id, now())
    return [TokenListed(t.id, t.label, t.created_at, t.last_used_at, t.expires_at, t.id == me.api_token_id)
            for t in tokens]


@delete("/me/tokens/{token_id:int}", security=APPLICANT_TOKEN, responses=error_responses(401, 404, 422),
        sync_to_thread=True, status_code=200, summary="Revoke one of my API tokens: it stops working at once")
def revoke_token(caller: CallerDependency, token_id: RecordId) -> dict[str, str]:
    with caller.db.transaction() as session:
        me = caller.applicant(session)
        sign_in.revoke_api_token(session, actors.applicant(me), me.id, token_id, now())
    return {"status": "revoked"}


@get("/me", security=APPLICANT_TOKEN, responses=error_responses(401), sync_to_thread=True, summary="My application")
def my_application(caller: CallerDependency) -> ApplicationOut:
    with caller.db.reading() as session:
        me = caller.applicant(session)
    return ApplicationOut(me.reference, me.status.value, me.band, me.band_date.isoformat() if me.band_date else None,
                          me.registration_date.isoformat(), me.bedroom_need, me.household_size)


@get("/me/bids", security=APPLICANT_TOKEN, responses=error_responses(401), sync_to_thread=True,
     summary="My bids in the open cycle, with live queue positions")
def my_bids(caller: CallerDependency) -> list[BidWithPositionOut]:
    with caller.db.reading() as session:
        me = caller.applicant(session)
        bids = live_bids(session, caller.scheme, me, now())
    return [BidWithPositionOut(bid.id, bid.advert, bid.preference, bid.placed_at, bid.placed_by.value,
                               bid.position.position, bid.position.eligible_bids, bid.position.words)
            for bid in bids]


class ClosedBidOut(msgspec.Struct):
    """A bid of a closed cycle as its shortlist recorded it at close (not ranked again), and the home's outcome."""

    advert: Annotated[str, msgspec.Meta(description="The advert's reference")]
    title: Annotated[str, msgspec.Meta(description="The home in a few words, like '2 bedroom flat in Riverside'")]
    cycle_closed_at: Annotated[datetime, msgspec.Meta(description="When the cycle closed and the shortlist was made")]
    eligible: Annotated[bool, msgspec.Meta(description="Whether the bid was eligible for the home at close")]
    position: Annotated[int, msgspec.Meta(ge=1, description="Its place on the shortlist recorded at close")] | None
    eligible_bids: Annotated[int, msgspec.Meta(gt=-1, description="The eligible bids on that shortlist")]
    place: Annotated[str, msgspec.Meta(description="The place in words, or why the bid was not eligible")]
    passed_over: Annotated[str, msgspec.Meta(description="Why the place was passed over, if it was")] | None
    outcome: Annotated[account.Outcome, msgspec.Meta(description="What became of the home, as far as you may know")]
    result: Annotated[str, msgspec.Meta(description="The outcome in words")]


class ClosedBidPage(msgspec.Struct):
    bids: list[ClosedBidOut]
    total: int
    page: int
    pages: int
    since: Annotated[date, msgspec.Meta(description=f"Bids of cycles closed since this day (the last "
                                                    f"{account.PAST_BIDS_MONTHS} months) are listed, newest first, "
                                                    f"{account.PAST_BIDS_PER_PAGE} to a page")]


ClosedBidsPage = Annotated[str | None, QueryParameter(schema_extra={"pattern": PAGE_TEXT},
                                                      description=f"1 to {account.PAGE_MAX}")]


@get("/me/bids/closed", security=APPLICANT_TOKEN, responses=error_responses(401, 422), sync_to_thread=True,
     summary="My bids in closed cycles, with the place recorded at close and what became of each home")
def my_closed_bids(caller: CallerDependency, page: ClosedBidsPage = None) -> ClosedBidPage:
    number = account.page_number(page)
    with caller.db.reading() as session:
        me = caller.applicant(session)
        past = account.past_bids(session, caller.scheme, me.id, now(), number)
    return ClosedBidPage([ClosedBidOut(bid.reference, bid.title, bid.cycle_closed, bid.position is not None,
                                       bid.position, bid.eligible_bids, bid.place, bid.skipped, bid.outcome,
                                       bid.result) for bid in past.bids],
                         past.total, past.page, past.pages, past.since)


@post("/me/bids", security=APPLICANT_TOKEN, responses=error_responses(400, 401, 403, 404, 409, 422),
      sync_to_thread=True, status_code=201,
      summary="Bid for an advert (GET /me/bids gives the place in the queue)")
def create_bid(caller: CallerDependency, data: JSONBody[BidRequest]) -> BidOut:
    with caller.db.transaction() as session:
        me = caller.applicant(session)
        bid = place_bid(session, actors.applicant(me), caller.scheme, me.id, data.advert, now())
    return BidOut(bid.id, data.advert, bid.preference, bid.placed_at, bid.placed_by.value)


@delete("/me/bids/{bid_id:int}", security=APPLICANT_TOKEN, responses=error_responses(401, 403, 404, 409, 422),
        sync_to_thread=True, summary="Withdraw a bid", status_code=200)
def delete_bid(caller: CallerDependency, bid_id: RecordId) -> dict[str, str]:
    with caller.db.transaction() as session:
        withdraw_bid(session, actors.applicant(caller.applicant(session)), bid_id, now())
    return {"status": "withdrawn"}


class OfferOut(msgspec.Struct):
    id: int
    address: str
    status: str
    final_offer: bool
    respond_by: str
    made_at: datetime


class RefusalRequest(msgspec.Struct):
    reason: Annotated[str, limit(200, description="One of GET /api/v1/refusal-reasons")]
    detail: Annotated[str, limit(1500, description="Needed when the reason is Other")] = ""


class PreferencesIO(msgspec.Struct):
    areas: Annotated[list[AreaName], msgspec.Meta(max_length=50, description="Areas homes are in")] = []
    property_types: Annotated[list[PropertyType], msgspec.Meta(max_length=len(PropertyType))] = []
    # gt=-1 rather than ge=0: Litestar's schema leaves out a bound of 0 (it tests the bound's truth),
    # and for a whole number the two are the same bound.
    max_floor: Annotated[int, msgspec.Meta(gt=-1, le=60)] | None = None
    needs_lift: bool = False
    wants_garden: bool = False
    auto_bid: bool = False


@get("/me/offers", security=APPLICANT_TOKEN, responses=error_responses(401), sync_to_thread=True,
     summary="Offers made to me")
def my_offers(caller: CallerDependency) -> list[OfferOut]:
    with caller.db.reading() as session:
        rows = account.offers(session, caller.applicant(session).id)
    return [OfferOut(o.id, home.address, o.status.value, o.final_offer, o.respond_by.isoformat(), o.made_at)
            for o, home in rows]


@post("/me/offers/{offer_id:int}/accept", security=APPLICANT_TOKEN, responses=error_responses(401, 403, 404, 409, 422),
      sync_to_thread=True, status_code=200, summary="Accept an offer")
def accept(caller: CallerDependency, offer_id: RecordId) -> dict[str, str]:
    with caller.db.transaction() as session:
        accept_offer(session, actors.applicant(caller.applicant(session)), offer_id, now())
    return {"status": "accepted"}


@post("/me/offers/{offer_id:int}/refuse", security=APPLICANT_TOKEN,
      responses=error_responses(400, 401, 403, 404, 409, 422), sync_to_thread=True, status_code=200,
      summary="Refuse an offer, with one of the scheme's reasons (GET /api/v1/refusal-reasons)")
def refuse(caller: CallerDependency, offer_id: RecordId, data: JSONBody[RefusalRequest]) -> dict[str, str]:
    with caller.db.transaction() as session:
        refuse_offer(session, actors.applicant(caller.applicant(session)), caller.scheme, offer_id, data.reason,
                     data.detail, now())
    return {"status": "refused"}


@get("/refusal-reasons", responses=error_responses(), sync_to_thread=False,
     summary="The reasons the scheme accepts for refusing an offer")
def refusal_reasons(site: SiteDependency) -> list[str]:
    return list(site.scheme.refusals.reasons)


@get("/me/preferences", security=APPLICANT_TOKEN, responses=error_responses(401), sync_to_thread=True,
     summary="My bidding preferences and auto-bid")
def get_preferences(caller: CallerDependency) -> PreferencesIO:
    with caller.db.reading() as session:
        saved = session.get(BiddingPreference, caller.applicant(session).id)
    if saved is None:
        return PreferencesIO()
    return PreferencesIO(saved.areas, [PropertyType(t) for t in saved.property_types], saved.max_floor,
                         saved.needs_lift, saved.wants_garden, saved.auto_bid)


@put("/me/preferences", security=APPLICANT_TOKEN, responses=error_responses(400, 401, 403, 422), sync_to_thread=True,
     summary="Save my bidding preferences and auto-bid")
def put_preferences(caller: CallerDependency, data: JSONBody[PreferencesIO]) -> PreferencesIO:
    with caller.db.transaction() as session:
        me = caller.applicant(session)
        unknown = sorted(set(data.areas) - set(known_areas(session)))
        if unknown:
            raise InvalidInput(f"Unknown area: {', '.join(unknown)[:200]}.", field="areas")
        save_bidding_preference(session, actors.applicant(me), me.id, areas=list(data.areas),
                                property_types=[t.value for t in data.property_types], max_floor=data.max_floor,
                                needs_lift=data.needs_lift, wants_garden=data.wants_garden, auto_bid=data.auto_bid)
    return data


api_router = Router(
    path="/api/v1",
    route_handlers=[list_adverts, get_advert, create_token, my_tokens, revoke_token, my_application, my_bids,
                    my_closed_bids, create_bid, delete_bid, my_offers, accept, refuse, refusal_reasons, get_preferences,
                    put_preferences],
    dependencies={"caller": Provide(caller, sync_to_thread=False)},
    tags=["applicants"],
)
