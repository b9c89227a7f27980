"""The demo council's past year: weekly cycles already closed and let, with their bids and shortlists.

Each let went the way a real one does: the home fell empty, was made ready, advertised in a weekly
cycle, shortlisted at its close (the household ranked first was housed), offered or nominated,
accepted, and the tenancy started. Let results, the dashboard and the compliance reports read it.
"""

from datetime import date, datetime, time, timedelta, timezone
from random import Random
from zoneinfo import ZoneInfo

from sqlmodel import Session

from cbl.models import (
    Advert, Applicant, Bid, Cycle, NominationAgreement, Nomination, Offer, Property, ShortlistEntry, Void,
)
from cbl.models.states import (
    AdvertStatus, ApplicationStatus, BidPlacedBy, CycleStatus, NominationStatus, OfferStatus, ShortlistStatus,
    VoidStatus,
)
from cbl.rules.cycle_windows import window_opening_on
from cbl.rules.scheme import Scheme
from cbl.services.actors import SYSTEM
from cbl.services.audit import audit

WEEKS = 52
LETS = 100
# The most recent past cycle let is three weeks before this week's: its tenancies have started by now.
FIRST_WEEK_BACK = 3


def seed_past_lets(session: Session, rng: Random, scheme: Scheme, zone: ZoneInfo, opening_day: date,
                   homes: list[Property], waiting: list[Applicant],
                   agreements: dict[int, NominationAgreement]) -> None:
    """A year of lets before the cycle opening on local date `opening_day`, oldest first.

    `homes` are the homes not empty now; `waiting` the verified households on the register who
    may bid (those housed here leave it).
    """
    bands = scheme.bands.order
    weeks = sorted(rng.choices(range(FIRST_WEEK_BACK, WEEKS + 1), k=min(LETS, len(homes))), reverse=True)
    cycles: dict[int, Cycle] = {}
    pool = list(waiting)
    bids_in_cycle: dict[tuple[int, int], int] = {}
    for home, week in zip(rng.sample(homes, k=len(weeks)), weeks, strict=True):
        if week not in cycles:
            cycles[week] = _closed_cycle(session, zone, *window_opening_on(
                opening_day - timedelta(weeks=week), scheme.cycle, zone))
        cycle = cycles[week]
        bidders = _bidders(rng, pool, cycle, bids_in_cycle, scheme.bidding.bids_per_cycle, bands)
        if not bidders:
            continue
        winner = bidders[0]
        pool.remove(winner)
        void, advert = _let_home(session, rng, zone, cycle, home, agreements.get(home.landlord_id))
        _shortlist(session, rng, cycle, advert, bidders)
        _letting(session, void, advert, home, winner, agreements.get(home.landlord_id))


def _closed_cycle(session: Session, zone: ZoneInfo, opens_at: datetime, closes_at: datetime) -> Cycle:
    cycle = Cycle(name=f"Cycle {opens_at.astimezone(zone):%Y-%m-%d}", opens_at=opens_at, closes_at=closes_at,
                  status=CycleStatus.CLOSED, closed_at=closes_at)
    session.add(cycle)
    session.flush()
    return cycle


def _bidders(rng: Random, pool: list[Applicant], cycle: Cycle, bids_in_cycle: dict[tuple[int, int], int],
             per_cycle: int, bands: list[str]) -> list[Applicant]:
    """Between a handful and a few dozen households, in the order the scheme ranks them (band, then
    the date they entered it): the first is the one housed."""
    wanted = min(len(pool), rng.randint(4, 40))
    chosen = [a for a in rng.sample(pool, k=wanted) if bids_in_cycle.get((cycle.id, a.id), 0) < per_cycle]
    for applicant in chosen:
        bids_in_cycle[(cycle.id, applicant.id)] = bids_in_cycle.get((cycle.id, applicant.id), 0) + 1
    order = {band: index for index, band in enumerate(bands)}
    return sorted(chosen, key=lambda a: (order.get(a.band, len(order)), a.band_date, a.reference))


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.utc)


def _let_home(session: Session, rng: Random, zone: ZoneInfo, cycle: Cycle, home: Property,
              agreement: NominationAgreement | None) -> tuple[Void, Advert]:
    """The void's milestones, counted back from the cycle it was advertised in and on from its close."""
    ready = cycle.opens_at - timedelta(days=rng.randint(0, 4), hours=rng.randint(1, 20))
    keys = ready - timedelta(days=rng.randint(5, 60))
    logged = keys - timedelta(days=rng.randint(0, 2), hours=rng.randint(0, 5))
    works = (keys + timedelta(days=1), ready - timedelta(days=1)) if ready - keys > timedelta(days=4) and \
        rng.random() < 0.6 else (None, None)
    offered = cycle.closes_at + timedelta(days=rng.randint(1, 3), hours=rng.randint(1, 6))
    accepted = offered + timedelta(days=rng.randint(0, 2), hours=rng.randint(1, 8))
    starts = min((accepted + timedelta(days=rng.randint(3, 10))).astimezone(zone).date(),
                 cycle.closes_at.astimezone(zone).date() + timedelta(days=16))
    void = Void(property_id=home.id, status=VoidStatus.LET, reason="relet",
                tenancy_end_date=logged.astimezone(zone).date(), logged_at=logged, keys_returned_at=keys,
                works_started_at=works[0], works_ended_at=works[1], ready_to_let_at=ready,
                advertised_at=cycle.opens_at, shortlisted_at=cycle.closes_at, offered_at=offered,
                accepted_at=accepted, tenancy_start_date=starts)
    session.add(void)
    session.flush()
    advert = Advert(reference=f"AH{void.id:05d}", cycle_id=cycle.id, void_id=void.id, property_id=home.id,
                    status=AdvertStatus.LET, agreement_id=agreement.id if agreement else None,
                    description=f"A {home.bedrooms}-bedroom {home.property_type.value} in {home.area}.")
    session.add(advert)
    session.flush()
    return void, advert


def _shortlist(session: Session, rng: Random, cycle: Cycle, advert: Advert, bidders: list[Applicant]) -> None:
    bids = [Bid(advert_id=advert.id, applicant_id=applicant.id, cycle_id=cycle.id, preference=1,
                placed_at=cycle.opens_at + (cycle.closes_at - cycle.opens_at) * rng.random(),
                placed_by=BidPlacedBy.APPLICANT) for applicant in bidders]
    session.add_all(bids)
    session.flush()  # one batched insert for the advert's bids: their ids, for the entries
    for position, (applicant, bid) in enumerate(zip(bidders, bids, strict=True), start=1):
        session.add(ShortlistEntry(advert_id=advert.id, applicant_id=applicant.id, bid_id=bid.id, position=position,
                                   eligible=True, proposed=position == 1,
                                   status=ShortlistStatus.HOUSED if position == 1 else ShortlistStatus.PENDING))


def _letting(session: Session, void: Void, advert: Advert, home: Property, winner: Applicant,
             agreement: NominationAgreement | None) -> None:
    """The offer (council homes) or nomination (providers' homes) that let it, with its audit trail
    marked as seeded, so that `cbl audit verify` holds for the demo too."""
    answered = {"tenancy_start_date": void.tenancy_start_date, "answered_at": void.accepted_at}
    letting: Offer | Nomination
    steps: tuple[str, ...]
    if agreement is None:
        letting = Offer(applicant_id=winner.id, void_id=void.id, advert_id=advert.id, status=OfferStatus.LET,
                        made_at=void.offered_at, respond_by=(void.offered_at + timedelta(days=3)).date(), **answered)
        steps = ("offer.made", "offer.accepted", "tenancy.started")
    else:
        letting = Nomination(advert_id=advert.id, applicant_id=winner.id, agreement_id=agreement.id,
                             provider_id=home.landlord_id, status=NominationStatus.LET, sent_at=void.offered_at,
                             respond_by=(void.offered_at + timedelta(days=agreement.respond_within_days)).date(),
                             **answered)
        steps = ("nomination.sent", "nomination.let")
    session.add(letting)
    winner.status = ApplicationStatus.HOUSED
    session.add(winner)
    seeded = {"seeded": "demo history"}
    audit(session, SYSTEM, "void.logged", void, seeded)
    audit(session, SYSTEM, "advert.created", advert, seeded)
    for step in steps:
        audit(session, SYSTEM, step, letting, seeded)
