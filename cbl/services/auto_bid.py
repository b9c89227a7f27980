"""Auto-bidding: when a cycle opens, bid for households who asked for it (or whose officer did).

The best-matching homes are those that meet the household's saved wishes (area, type, floor,
lift, garden) and for which it is eligible, in the order of its areas of choice, then in the
order the homes were advertised. Bids are placed through the same service as any other, so every
limit applies, and they are recorded as placed automatically.
"""

from datetime import datetime

from sqlmodel import Session, select

import matching
from cbl.services import engine_input
from cbl.rules.working_days import local_date
from cbl.models import Advert, Applicant, BiddingPreference, Cycle, Property
from cbl.models.columns import utcnow
from cbl.models.states import ActorKind, AdvertStatus, ApplicationStatus, PropertyType
from cbl.rules.scheme import Scheme

from .actors import Actor
from .audit import audit
from cbl.messages.notices import bid_placed_for

from .bidding import active_bid_count, bidding_barrier, engine_adverts, place_bid
from .errors import DomainError, InvalidInput, NotAllowed
from cbl.services.rights import Right

MAX_AREAS = 50  # more than any council has; a longer list is a mistake or an attack


def wanted(preference: BiddingPreference, home: Property) -> bool:
    return ((not preference.areas or home.area in preference.areas)
            and (not preference.property_types or home.property_type.value in preference.property_types)
            and (preference.max_floor is None or home.floor <= preference.max_floor)
            and (not preference.needs_lift or home.floor <= 0 or home.lift)
            and (not preference.wants_garden or home.garden))


def auto_bid_cycle(session: Session, actor: Actor, scheme: Scheme, cycle_id: int, now: datetime) -> int:
    """Place auto-bids for every household that asked; returns how many bids were placed."""
    actor.require(Right.CYCLE_MANAGE)
    cycle = session.get(Cycle, cycle_id)
    adverts = session.exec(
        select(Advert, Property).join(Property, Property.id == Advert.property_id)
        .where(Advert.cycle_id == cycle.id, Advert.status == AdvertStatus.LIVE).order_by(Advert.id)
    ).all()
    engine = engine_adverts(session, [advert.id for advert, _ in adverts])
    households = session.exec(
        select(Applicant, BiddingPreference)
        .join(BiddingPreference, BiddingPreference.applicant_id == Applicant.id)
        .where(BiddingPreference.auto_bid, Applicant.status == ApplicationStatus.ACTIVE)
        .order_by(Applicant.id)
    ).all()
    placed = 0
    for applicant, preference in households:
        if bidding_barrier(session, applicant, scheme, now):
            continue
        room = scheme.bidding.bids_per_cycle - active_bid_count(session, applicant.id, cycle.id)
        person = engine_input.to_applicant(applicant, scheme, local_date(now))
        choices = [
            (advert, home) for advert, home in adverts
            if wanted(preference, home) and not matching.eligibility(person, engine[advert.id])
        ]
        area_rank = {area: i for i, area in enumerate(preference.areas)}
        choices.sort(key=lambda pair: (area_rank.get(pair[1].area, len(area_rank)), pair[0].id))
        for advert, _ in choices[:max(0, room)]:
            try:
                place_bid(session, actor, scheme, applicant.id, advert.reference, now)
                placed += 1
                bid_placed_for(session, applicant.id, advert.reference, "Auto-bid (the weekly bids you asked for)", now)
            except DomainError:
                continue  # already bid by hand, say; the household keeps what it chose
    return placed


def save_bidding_preference(session: Session, actor: Actor, applicant_id: int, *, areas: list[str],
                            property_types: list[str], max_floor: int | None, needs_lift: bool,
                            wants_garden: bool, auto_bid: bool) -> BiddingPreference:
    """Save what a household wants; an officer may switch on auto-bid for a vulnerable household."""
    own = actor.kind is ActorKind.APPLICANT and actor.id == applicant_id
    if not own and not actor.may(Right.BID_ON_BEHALF):
        raise NotAllowed("You can only change your own bidding preferences.")
    areas = list(dict.fromkeys(areas))
    if len(areas) > MAX_AREAS:
        raise InvalidInput(f"Choose at most {MAX_AREAS} areas.", field="areas")
    known = set(session.exec(select(Property.area).distinct()))
    strange = [area for area in areas if area not in known]
    if strange:
        raise InvalidInput(f"There are no homes in an area called {strange[0][:50]}. Choose from the list.",
                           field="areas")
    unknown = sorted(set(property_types) - {kind.value for kind in PropertyType})
    if unknown:
        raise InvalidInput(f"Unknown type of home: {', '.join(unknown)}.", field="property_types")
    if max_floor is not None and not 0 <= max_floor <= 60:
        raise InvalidInput("Highest floor must be a number from 0 (ground floor) to 60.", field="max_floor")
    preference = session.get(BiddingPreference, applicant_id) or BiddingPreference(applicant_id=applicant_id)
    preference.areas, preference.property_types = areas, property_types
    preference.max_floor, preference.needs_lift, preference.wants_garden = max_floor, needs_lift, wants_garden
    preference.auto_bid = auto_bid
    preference.set_by_id = None if own else actor.id
    preference.updated_at = utcnow()
    session.add(preference)
    audit(session, actor, "bidding_preference.saved", preference,
          {"areas": areas, "property_types": property_types, "max_floor": max_floor, "needs_lift": needs_lift,
           "wants_garden": wants_garden, "auto_bid": auto_bid}, applicant_id=applicant_id)
    return preference
