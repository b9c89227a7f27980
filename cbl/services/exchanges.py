"""Mutual exchanges, up to the landlords: a social tenant lists its home and what it wants; the matcher proposes two-
and three-way exchanges from the pool (nightly, or when an officer runs it); each household says whether it is
interested; one "not interested" ends the match, and when all are interested each household's application for its
landlord's consent is dated that day (cbl/services/exchange_consent.py takes it from there).

Until every household is interested, a household is told only of the other homes (area, size, kind, rent), never
of the other households."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from cbl.messages.letters import issue_letter
from cbl.models import Applicant, ExchangeListing, ExchangeMatch, ExchangeMember, Organisation, OutboxMessage
from cbl.models.exchanges import REASON_LIMIT
from cbl.models.states import (
    ActorKind, ApplicationStatus, Channel, ExchangeMatchStatus, ExchangeTenancy, ListingStatus, OrganisationKind,
    PropertyType,
)
from cbl.rules.exchange_consent import refuse_by
from cbl.rules.exchange_listings import right_to_exchange_problem, want_problem, wanted_and_suitable
from cbl.rules.scheme import Scheme
from cbl.rules.wording import money
from cbl.rules.working_days import local_date

from .actors import Actor
from .audit import Subject, audit
from .errors import Conflict, InvalidInput, NotAllowed, NotFound, within
from .rights import Right

LIVE_MATCH = (ExchangeMatchStatus.PROPOSED, ExchangeMatchStatus.WITH_LANDLORDS, ExchangeMatchStatus.AGREED)
LISTING_OPEN = (ListingStatus.ACTIVE, ListingStatus.MATCHED)
MAX_RING = 3  # two- and three-way exchanges
HOUSEHOLDS_LISTING = (ApplicationStatus.PENDING, ApplicationStatus.ACTIVE, ApplicationStatus.SUSPENDED)


@dataclass(frozen=True)
class ListingDetails:
    """What a household gives of its home and what it wants."""

    landlord_code: str
    tenancy: ExchangeTenancy
    address: str
    postcode: str
    area: str
    bedrooms: int
    property_type: PropertyType
    weekly_rent_pence: int
    want_areas: list[str]
    want_min_bedrooms: int
    want_max_bedrooms: int
    want_types: list[str]


def _household(session: Session, actor: Actor) -> Applicant:
    if actor.kind is not ActorKind.APPLICANT or actor.id is None:
        raise NotAllowed("Only a household can list its own home for exchange.")
    applicant = session.get(Applicant, actor.id)
    if applicant is None or applicant.status not in HOUSEHOLDS_LISTING:
        raise Conflict("Only a household whose application is open can list its home for exchange.")
    return applicant


def own_listing(session: Session, applicant_id: int) -> ExchangeListing | None:
    """The household's listing in play (active or in a match), if any."""
    return session.exec(select(ExchangeListing).where(ExchangeListing.applicant_id == applicant_id,
                                                      ExchangeListing.status.in_(LISTING_OPEN))).first()


def save_listing(session: Session, actor: Actor, scheme: Scheme, details: ListingDetails,
                 now: datetime) -> ExchangeListing:
    """List the household's home for exchange, or change its listing (not while it is in a match)."""
    applicant = _household(session, actor)
    problem = right_to_exchange_problem(details.tenancy)
    if problem:
        raise InvalidInput(problem, field="tenancy")
    landlord = _landlord_for(session, details)
    _check_wants(scheme, details, applicant.bedroom_need)
    listing = own_listing(session, applicant.id)
    if listing is not None and listing.status is ListingStatus.MATCHED:
        raise Conflict("Your home is in a proposed exchange: answer it, or wait for it to end, before changing "
                       "your listing.")
    fields = {"landlord_id": landlord.id, "tenancy": details.tenancy, "address": within(details.address, 400,
              "address", "The address"), "postcode": within(details.postcode, 10, "postcode", "The postcode").upper(),
              "area": details.area, "bedrooms": details.bedrooms, "property_type": details.property_type,
              "weekly_rent_pence": details.weekly_rent_pence, "want_areas": sorted(details.want_areas),
              "want_min_bedrooms": details.want_min_bedrooms, "want_max_bedrooms": details.want_max_bedrooms,
              "want_types": sorted(details.want_types), "changed_at": now}
    action = "exchange.listing_changed" if listing else "exchange.listed"
    if listing is None:
        listing = ExchangeListing(applicant_id=applicant.id, listed_at=now, **fields)
    else:
        for name, value in fields.items():
            setattr(listing, name, value)
    session.add(listing)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict("Your home is already listed.") from None
    audit(session, actor, action, listing, {"area": listing.area, "bedrooms": listing.bedrooms,
                                            "landlord": landlord.code})
    return listing


def _landlord_for(session: Session, details: ListingDetails) -> Organisation:
    landlord = session.exec(select(Organisation).where(Organisation.code == details.landlord_code)).first()
    if landlord is None:
        raise InvalidInput("Choose your landlord from the list.", field="landlord")
    secure = details.tenancy in (ExchangeTenancy.SECURE, ExchangeTenancy.FLEXIBLE)
    if secure != (landlord.kind is OrganisationKind.COUNCIL):
        raise InvalidInput("The council's tenants hold secure or flexible tenancies and housing associations' "
                           "tenants assured ones: choose the tenancy your landlord gave you.", field="tenancy")
    return landlord


def _check_wants(scheme: Scheme, details: ListingDetails, need: int) -> None:
    """Known areas and kinds only, and a size of home that suits the household's bedroom need."""
    areas = scheme.exchanges.areas
    if details.area not in areas:
        raise InvalidInput("Choose the area of your home from the list.", field="area")
    if not details.want_areas or any(area not in areas for area in details.want_areas):
        raise InvalidInput("Choose at least one area you would move to, from the list.", field="want_areas")
    if not details.want_types or any(kind not in {t.value for t in PropertyType} for kind in details.want_types):
        raise InvalidInput("Choose at least one kind of home you would move to.", field="want_types")
    problem = want_problem(details.want_min_bedrooms, details.want_max_bedrooms, need, scheme.exchanges.extra_bedrooms)
    if problem:
        raise InvalidInput(problem, field="want_min_bedrooms")


def withdraw_listing(session: Session, actor: Actor, now: datetime) -> ExchangeListing:
    applicant = _household(session, actor)
    listing = own_listing(session, applicant.id)
    if listing is None:
        raise Conflict("Your home is not listed for exchange.")
    if listing.status is ListingStatus.MATCHED:
        raise Conflict("Your home is in a proposed exchange: say you are not interested in it first.")
    listing.status, listing.changed_at = ListingStatus.WITHDRAWN, now
    session.add(listing)
    audit(session, actor, "exchange.listing_withdrawn", listing)
    return listing


def describe_home(listing: ExchangeListing) -> str:
    """A home as another household may know it before all are interested: no address, no one's name."""
    rooms = "bedsit" if listing.bedrooms == 0 else f"{listing.bedrooms}-bedroom {listing.property_type.value}"
    return f"a {rooms} in {listing.area}, rent {money(listing.weekly_rent_pence)} a week"


# --- matching ------------------------------------------------------------------------------------------------

def resting() -> sa.Exists:
    """Whether a listing rests: its household said it was not interested in an exchange since it last saved the
    listing. The matcher is deterministic, so a pool that has not changed would propose the same exchange again
    every night; a resting listing is left out until its household saves it again (changed, or as it was)."""
    return (select(ExchangeMember.id)
            .where(ExchangeMember.listing_id == ExchangeListing.id, ExchangeMember.interested.is_(False),
                   ExchangeMember.answered_at >= ExchangeListing.changed_at)
            .exists())


def matcher_listings(session: Session, scheme: Scheme) -> list:  # list[matching.exchanges.Listing]
    """The pool as the matcher reads it: active listings not in a live match nor resting, each household's want cut
    to the sizes that suit its bedroom need (a household whose need has changed so that none suit is left out).
    Locked (PostgreSQL) so that two runs at once cannot propose one listing twice."""
    from matching.exchanges import Home, Listing, Wants

    rows = session.exec(select(ExchangeListing, Applicant.bedroom_need)
                        .join(Applicant, Applicant.id == ExchangeListing.applicant_id)
                        .where(ExchangeListing.status == ListingStatus.ACTIVE,
                               Applicant.status.in_(HOUSEHOLDS_LISTING), ~resting())
                        .order_by(ExchangeListing.id).with_for_update(of=ExchangeListing)).all()
    pool = []
    for listing, need in rows:
        sizes = wanted_and_suitable(listing.want_min_bedrooms, listing.want_max_bedrooms, need,
                                    scheme.exchanges.extra_bedrooms)
        if sizes is None:
            continue
        pool.append(Listing(str(listing.id), Home(listing.area, listing.bedrooms, listing.property_type.value),
                            Wants(frozenset(listing.want_areas), sizes[0], sizes[1], frozenset(listing.want_types))))
    return pool


@dataclass(frozen=True)
class MatchingRun:
    matches: int
    households: int
    optimal: bool
    seconds: float


def run_matching(session: Session, actor: Actor, scheme: Scheme, now: datetime, *,
                 time_limit_s: float = 25.0) -> MatchingRun:
    """Match the pool and store each proposed exchange, telling each household of the other homes."""
    actor.require(Right.EXCHANGE_MATCH)
    from matching.exchanges import match_exchanges

    result = match_exchanges(matcher_listings(session, scheme), max_ring=MAX_RING, time_limit_s=time_limit_s)
    listings = {listing.id: listing for listing in session.exec(
        select(ExchangeListing).where(ExchangeListing.id.in_([int(i) for e in result.exchanges for i in e.ring])))}
    for exchange in result.exchanges:
        ring = [listings[int(i)] for i in exchange.ring]
        _propose(session, actor, ring, now)
    audit(session, actor, "exchange.matching_run", Subject("exchange_match", None),
          {"matches": len(result.exchanges), "households": result.households_moving, "optimal": result.optimal,
           "upper_bound": result.upper_bound, "seconds": round(result.seconds, 2)})
    return MatchingRun(len(result.exchanges), result.households_moving, result.optimal, result.seconds)


def _propose(session: Session, actor: Actor, ring: list[ExchangeListing], now: datetime) -> ExchangeMatch:
    match = ExchangeMatch(proposed_at=now)
    session.add(match)
    session.flush()
    for position, listing in enumerate(ring):
        into = ring[(position + 1) % len(ring)]  # ring[k] moves into ring[k+1]'s home
        session.add(ExchangeMember(match_id=match.id, listing_id=listing.id, applicant_id=listing.applicant_id,
                                   landlord_id=listing.landlord_id, moves_into_id=into.id, position=position))
        listing.status, listing.changed_at = ListingStatus.MATCHED, now
        session.add(listing)
    audit(session, actor, "exchange.proposed", match, {"ring": [listing.id for listing in ring]})
    for position, listing in enumerate(ring):
        into = ring[(position + 1) % len(ring)]
        others = [describe_home(other) for other in ring if other.id not in (listing.id, into.id)]
        issue_letter(session, listing.applicant_id, "exchange_proposed", "A mutual exchange for you", now,
                     home=describe_home(into), ways=len(ring), others=others, yours=describe_home(listing))
    return match


# --- interest ------------------------------------------------------------------------------------------------

def member_of(session: Session, actor: Actor, member_id: int) -> ExchangeMember:
    """The household's own place in a match (another household's is not found)."""
    member = session.exec(select(ExchangeMember).where(ExchangeMember.id == member_id).with_for_update()).first()
    if member is None or actor.kind is not ActorKind.APPLICANT or member.applicant_id != actor.id:
        raise NotFound("There is no such exchange of yours.")
    return member


def members(session: Session, match_id: int) -> list[ExchangeMember]:
    return list(session.exec(select(ExchangeMember).where(ExchangeMember.match_id == match_id)
                             .order_by(ExchangeMember.position)).all())


def say_interest(session: Session, actor: Actor, member_id: int, interested: bool, reason: str,
                 now: datetime) -> ExchangeMatch:
    """A household says whether it is interested in its proposed exchange."""
    member = member_of(session, actor, member_id)
    match = session.exec(select(ExchangeMatch).where(ExchangeMatch.id == member.match_id).with_for_update()).one()
    if match.status is not ExchangeMatchStatus.PROPOSED:
        raise Conflict("This exchange is no longer waiting for households' answers.")
    if member.interested is not None:
        raise Conflict("You have already answered this exchange.")
    reason = within(reason, REASON_LIMIT, "reason", "The reason")
    member.interested, member.answered_at = interested, now
    member.not_interested_why = None if interested else (reason or None)
    session.add(member)
    audit(session, actor, "exchange.interested" if interested else "exchange.not_interested", member,
          {"reason": member.not_interested_why}, applicant_id=member.applicant_id)
    everyone = members(session, match.id)
    if not interested:
        end_match(session, actor, match, everyone, "A household in the exchange was not interested.", now,
                  template_context={"why": "one of the households in it said it was not interested"},
                  resting_member=member.id)
    elif all(m.interested for m in everyone):
        _to_landlords(session, actor, match, everyone, now)
    return match


def end_match(session: Session, actor: Actor, match: ExchangeMatch, everyone: list[ExchangeMember], why: str,
              now: datetime, *, template_context: dict, close_listing_of: int | None = None,
              resting_member: int | None = None) -> None:
    """End a match: its listings go back into the pool (but for `close_listing_of`'s; `resting_member`'s, the
    household that was not interested, rests: see `resting`), and each household is told."""
    match.status, match.ended_at, match.ended_why = ExchangeMatchStatus.ENDED, now, why
    session.add(match)
    for member in everyone:
        listing = session.get(ExchangeListing, member.listing_id)
        if listing.status is ListingStatus.MATCHED:
            listing.status = ListingStatus.CLOSED if member.id == close_listing_of else ListingStatus.ACTIVE
            listing.changed_at = now
            session.add(listing)
    audit(session, actor, "exchange.ended", match, {"why": why})
    for member in everyone:
        if member.id != close_listing_of:
            issue_letter(session, member.applicant_id, "exchange_ended", "Your proposed mutual exchange has ended",
                         now, relisted=member.id != resting_member, resting=member.id == resting_member,
                         **template_context)


def _to_landlords(session: Session, actor: Actor, match: ExchangeMatch, everyone: list[ExchangeMember],
                  now: datetime) -> None:
    """All interested: each household's application for its landlord's consent is dated today (s92), and the
    landlords are asked."""
    applied_on = local_date(now)
    match.status, match.applied_on = ExchangeMatchStatus.WITH_LANDLORDS, applied_on
    session.add(match)
    for member in everyone:
        member.consent_by = refuse_by(applied_on)
        session.add(member)
    audit(session, actor, "exchange.to_landlords", match, {"applied_on": applied_on,
                                                           "consent_by": refuse_by(applied_on)})
    households = {m.id: _household_line(session, m) for m in everyone}
    for member in everyone:
        landlord = session.get(Organisation, member.landlord_id)
        issue_letter(session, member.applicant_id, "exchange_with_landlords", "Your mutual exchange: everyone is "
                     "interested", now, landlord=landlord.name, applied_on=applied_on, consent_by=member.consent_by,
                     others=[line for other, line in households.items() if other != member.id])
        if landlord.kind is OrganisationKind.PROVIDER:
            session.add(OutboxMessage(
                channel=Channel.EMAIL, template="exchange", organisation_id=landlord.id,
                subject="A tenant applies for consent to a mutual exchange",
                body=f"A tenant of yours applies for consent to a mutual exchange (application dated "
                     f"{applied_on:%-d %B %Y}). A refusal notice must be served by the end of "
                     f"{member.consent_by:%-d %B %Y} (Housing Act 1985 s92(4)). Decide it in the provider portal."))


def _household_line(session: Session, member: ExchangeMember) -> str:
    """Another household as a household may know it once all are interested: its lead's name and its home."""
    from cbl.messages.letters import addressee

    listing = session.get(ExchangeListing, member.listing_id)
    return f"{addressee(session, member.applicant_id).name}, {listing.address}, {listing.postcode}"
