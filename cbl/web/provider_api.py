"""The providers' API, /api/v1/provider: a provider's housing system notifies voids, reads the council's
nominations to it and posts their outcomes, and decides its tenants' applications for consent to a mutual exchange,
with its organisation's API key and the portal's rules."""

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from litestar import Request, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import JSONBody
from sqlmodel import Session

from cbl.database import Database
from cbl.models import Nomination
from cbl.queries import exchanges as exchange_queries
from cbl.queries import provider as provider_queries
from cbl.queries import stock
from cbl.rules.scheme import Scheme
from cbl.services import actors, exchange_consent, nominations, sign_in
from cbl.services.actors import Actor
from cbl.services.errors import InvalidInput
from cbl.services.stock import log_void, mark_ready_to_let
from cbl.web.auth import now
from cbl.web.api_fields import RecordId, limit
from cbl.web.errors import error_responses


class NominationOut(msgspec.Struct):
    id: int
    advert: str
    property: str
    status: str
    sent_at: datetime
    respond_by: date
    overdue: bool
    viewing_at: datetime | None
    tenancy_start_date: date | None
    nominee: dict


class VoidIn(msgspec.Struct):
    property: Annotated[str, limit(32, description="Your home's reference")]
    tenancy_end: date
    reason: Annotated[str, limit(200)] = ""
    first_let: bool = False


class VoidOut(msgspec.Struct):
    id: int
    property: str
    tenancy_end: date
    ready_to_let: bool


class ViewingIn(msgspec.Struct):
    at: datetime


# A nomination's outcome, told apart by its "outcome" field: each kind declares what it needs.
class LetIn(msgspec.Struct, tag_field="outcome", tag="let"):
    tenancy_start: date


class DeclinedIn(msgspec.Struct, tag_field="outcome", tag="declined"):
    ground: Annotated[str, limit(64, min_length=1, description="A decline ground the agreement allows")]
    note: Annotated[str, limit(2000)] = ""


class AttendedIn(msgspec.Struct, tag_field="outcome", tag="attended"):
    pass


class MissedIn(msgspec.Struct, tag_field="outcome", tag="missed"):
    pass


class WithdrewIn(msgspec.Struct, tag_field="outcome", tag="withdrew"):
    pass


OutcomeIn = LetIn | DeclinedIn | AttendedIn | MissedIn | WithdrewIn


class ExchangeOut(msgspec.Struct):
    """A tenant's application for consent to a mutual exchange (Housing Act 1985 s92)."""

    id: int
    household: str  # the council's reference
    area: str
    applied_on: date | None
    refuse_by: date | None  # the last day a refusal notice may be served (s92(4))
    decision: str  # pending, consented, refused, unrefusable (may no longer be refused)


# The known values only, so that the schema lists them: s92(5)'s conditions and Schedule 3's grounds (the rules'
# own lists, cbl/rules/exchange_consent.py: tests/unit/test_exchange_consent.py holds them equal).
Condition = Literal["pay_rent", "remedy_breach"]
Ground = Literal["1", "2", "2ZA", "2A", "3", "4", "5", "6", "7", "8", "9", "10"]


class ConsentIn(msgspec.Struct, tag_field="decision", tag="consent"):
    conditions: list[Condition] = []
    particulars: Annotated[str, limit(2000)] = ""


class RefusalIn(msgspec.Struct, tag_field="decision", tag="refuse"):
    grounds: list[Ground]
    particulars: Annotated[str, limit(2000, min_length=1)]


DecisionIn = ConsentIn | RefusalIn


def api_provider(request: Request, db: NamedDependency[Database]) -> Actor:
    scheme_name, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme_name.lower() != "bearer" or not key or len(key) > 200:
        raise NotAuthorizedException("Send your organisation's API key as 'Authorization: Bearer KEY'.")
    with db.reading() as session:
        organisation = sign_in.provider_for_key(session, key.strip())
    if organisation is None:
        raise NotAuthorizedException("This API key is not valid.")
    return actors.provider_system(organisation)


def _out(nomination: Nomination, advert: str, home: str, details: dict) -> NominationOut:
    return NominationOut(nomination.id, advert, home, nomination.status.value, nomination.sent_at,
                         nomination.respond_by, nomination.status in nominations.OPEN
                         and nomination.respond_by < now().date(), nomination.viewing_at,
                         nomination.tenancy_start_date, details)


@get("/nominations", responses=error_responses(401), sync_to_thread=True,
     summary="The council's nominations to your organisation, newest first")
def list_nominations(db: NamedDependency[Database], provider: NamedDependency[Actor]) -> list[NominationOut]:
    with db.reading() as session:
        rows = provider_queries.nominations(session, provider.provider_id)
    return [_out(*row) for row in rows]


@get("/nominations/{nomination_id:int}", responses=error_responses(401, 403, 404, 422), sync_to_thread=True,
     summary="One nomination, with the nominee's details")
def get_nomination(db: NamedDependency[Database], provider: NamedDependency[Actor],
                   nomination_id: RecordId) -> NominationOut:
    return _one(db, provider, nomination_id)


def _one(db: Database, provider: Actor, nomination_id: int) -> NominationOut:
    with db.reading() as session:
        case = provider_queries.nomination_case(session, provider, nomination_id)
    return _out(case.nomination, case.advert.reference, case.home.reference, case.details)


@post("/nominations/{nomination_id:int}/viewing", responses=error_responses(400, 401, 403, 404, 409, 422),
      sync_to_thread=True, status_code=200,
      summary="Confirm a viewing (an ISO 8601 time with its offset)")
def confirm_viewing(db: NamedDependency[Database], provider: NamedDependency[Actor], nomination_id: RecordId,
                    data: JSONBody[ViewingIn]) -> NominationOut:
    if data.at.tzinfo is None:
        raise InvalidInput("Give the viewing time with its offset, like 2026-12-03T14:30:00+00:00.", field="at")
    db.run(nominations.arrange_viewing, provider, nomination_id, data.at, now())
    return _one(db, provider, nomination_id)


@post("/nominations/{nomination_id:int}/outcome", responses=error_responses(400, 401, 403, 404, 409, 422),
      sync_to_thread=True, status_code=200,
      summary="Record a viewing's outcome, the tenancy start (let) or a decline on an allowed ground")
def post_outcome(db: NamedDependency[Database], scheme: NamedDependency[Scheme], provider: NamedDependency[Actor],
                 nomination_id: RecordId, data: JSONBody[OutcomeIn]) -> NominationOut:
    if isinstance(data, LetIn):
        db.run(nominations.house_nominee, provider, nomination_id, data.tenancy_start, now())
    elif isinstance(data, DeclinedIn):
        db.run(nominations.decline_nomination, provider, scheme, nomination_id, data.ground, data.note, now())
    else:  # a viewing's outcome: attended, missed or withdrew
        db.run(nominations.record_viewing_outcome, provider, nomination_id, type(data).__struct_config__.tag, now())
    return _one(db, provider, nomination_id)


def _own_property_id(session: Session, provider: Actor, reference: str) -> int:
    home = provider_queries.own_home(session, provider.provider_id, reference)
    return home.id  # type: ignore[return-value]  # SQLModel types every id `int | None`; a row read back has one


@post("/voids", responses=error_responses(400, 401, 403, 404, 409, 422), sync_to_thread=True, status_code=201,
      summary="Notify the council that one of your homes is empty")
def notify_void(db: NamedDependency[Database], provider: NamedDependency[Actor], data: JSONBody[VoidIn]) -> VoidOut:
    void = db.run(lambda s: log_void(s, provider, _own_property_id(s, provider, data.property), data.tenancy_end,
                                     data.reason, data.first_let, now()))
    return VoidOut(void.id, data.property, void.tenancy_end_date, False)


@post("/voids/{void_id:int}/ready", responses=error_responses(401, 403, 404, 409, 422), sync_to_thread=True,
      status_code=200, summary="Mark a void ready to let")
def void_ready(db: NamedDependency[Database], provider: NamedDependency[Actor], void_id: RecordId) -> VoidOut:
    void = db.run(mark_ready_to_let, provider, void_id, now())
    with db.reading() as session:
        reference = stock.home_of_void(session, void.id).reference
    return VoidOut(void.id, reference, void.tenancy_end_date, True)


@get("/exchanges", responses=error_responses(401), sync_to_thread=True,
     summary="Your tenants' applications for consent to a mutual exchange waiting for your decision")
def list_exchanges(db: NamedDependency[Database], provider: NamedDependency[Actor]) -> list[ExchangeOut]:
    with db.reading() as session:
        rows = exchange_queries.provider_requests(session, provider.provider_id)
    return [ExchangeOut(row.member.id, row.reference, row.area, None, row.consent_by, row.member.decision.value)
            for row in rows]


@post("/exchanges/{application_id:int}/decision", responses=error_responses(400, 401, 403, 404, 409, 422),
      sync_to_thread=True, status_code=200,
      summary="Consent (with at most s92(5)'s conditions) or refuse on Schedule 3 grounds within the 42 days")
def decide_exchange(db: NamedDependency[Database], provider: NamedDependency[Actor], application_id: RecordId,
                    data: JSONBody[DecisionIn]) -> ExchangeOut:
    if isinstance(data, ConsentIn):
        db.run(exchange_consent.give_consent, provider, application_id, data.conditions, data.particulars, now())
    else:
        db.run(exchange_consent.refuse_consent, provider, application_id, data.grounds, data.particulars, now())
    with db.reading() as session:
        case = exchange_queries.consent_case(session, exchange_consent.consent_request(session, provider,
                                                                                       application_id))
    return ExchangeOut(case.member.id, case.reference, case.home.area, case.match.applied_on, case.member.consent_by,
                       case.member.decision.value)


provider_api_router = Router(
    path="/api/v1/provider",
    route_handlers=[list_nominations, get_nomination, confirm_viewing, post_outcome, notify_void, void_ready,
                    list_exchanges, decide_exchange],
    dependencies={"provider": Provide(api_provider, sync_to_thread=True)},
    security=[{"providerKey": []}],  # see OPENAPI_SECURITY in cbl.app
    tags=["providers"],
)
