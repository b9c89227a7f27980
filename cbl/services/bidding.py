"""Bids: placing and withdrawing them within the scheme's limits, and the live queue position.

Every limit is checked inside the caller's transaction after taking the applicant's row lock
(PostgreSQL) or the database write lock (SQLite), so two requests racing for the last bid of a
cycle cannot both get it.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

import matching
from cbl import allocation
from cbl.calendar import local_date
from cbl.models import Advert, Applicant, Bid, Cycle, Offer, Organisation, Property
from cbl.models.states import (
    ActorKind, AdvertStatus, ApplicationStatus, BidPlacedBy, BidStatus, CycleStatus, OfferStatus,
)
from cbl.scheme import Scheme

from .actors import Actor
from .audit import audit
from .errors import Conflict, NotAllowed, NotFound


@dataclass(frozen=True, slots=True)
class QueuePosition:
    advert: str
    position: int | None  # None: not eligible
    eligible_bids: int
    reasons: tuple[matching.Reason, ...]
    explanation: str

    @property
    def words(self) -> str:
        if self.position is None:
            return "Not eligible: " + " ".join(reason.message for reason in self.reasons)
        return f"You are {ordinal(self.position)} of {self.eligible_bids} eligible bid{'s' * (self.eligible_bids != 1)}"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --- who may bid -----------------------------------------------------------------------------

def _placed_by(actor: Actor, applicant_id: int) -> BidPlacedBy:
    if actor.kind is ActorKind.APPLICANT and actor.id == applicant_id:
        return BidPlacedBy.APPLICANT
    if actor.kind is ActorKind.STAFF and actor.may("bid.on_behalf"):
        return BidPlacedBy.OFFICER
    if actor.kind is ActorKind.SYSTEM:
        return BidPlacedBy.AUTO
    raise NotAllowed("You can only bid for your own application.")


def _locked_applicant(session: Session, applicant_id: int) -> Applicant:
    applicant = session.exec(select(Applicant).where(Applicant.id == applicant_id).with_for_update()).first()
    if applicant is None:
        raise NotFound("No such application.")
    return applicant


def live_advert(session: Session, reference: str) -> tuple[Advert, Cycle]:
    row = session.exec(
        select(Advert, Cycle).join(Cycle, Cycle.id == Advert.cycle_id).where(Advert.reference == reference)
    ).first()
    if row is None:
        raise NotFound(f"There is no advert {reference}.")
    return row


def bidding_barrier(session: Session, applicant: Applicant, scheme: Scheme, now: datetime) -> str | None:
    """Why this household cannot bid at all just now, in plain words; None if it can."""
    if applicant.status is ApplicationStatus.SUSPENDED or (
        applicant.suspended_until and applicant.suspended_until > local_date(now)
    ):
        until = f" until {applicant.suspended_until:%-d %B %Y}" if applicant.suspended_until else ""
        return f"Your application is suspended from bidding{until}."
    if applicant.status is not ApplicationStatus.ACTIVE:
        return {
            ApplicationStatus.PENDING: "Your application is still being assessed; you can bid once it is active.",
            ApplicationStatus.HOUSED: "Your application is closed because you have been housed.",
            ApplicationStatus.CLOSED: "Your application is closed.",
        }.get(applicant.status, "Your application is not active.")
    if not scheme.bidding.bid_while_under_offer and session.exec(
        select(Offer.id).where(Offer.applicant_id == applicant.id, Offer.status == OfferStatus.MADE)
    ).first():
        return "You cannot bid while you have an offer of a home waiting for your answer."
    return None


def _cycle_closed_reason(cycle: Cycle, advert: Advert, now: datetime) -> str | None:
    if advert.status is not AdvertStatus.LIVE or cycle.status is not CycleStatus.OPEN:
        return "Bidding for this home is closed."
    if now < cycle.opens_at:
        return "Bidding for this home has not opened yet."
    if now >= cycle.closes_at:
        return "Bidding for this home closed at the end of the cycle."
    return None


def engine_advert(session: Session, advert: Advert) -> matching.Advert:
    home, landlord = session.exec(
        select(Property, Organisation).join(Organisation, Organisation.id == Property.landlord_id)
        .where(Property.id == advert.property_id)
    ).one()
    return allocation.to_advert(advert, home, landlord.code)


def active_bid_count(session: Session, applicant_id: int, cycle_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(Bid)
        .where(Bid.applicant_id == applicant_id, Bid.cycle_id == cycle_id, Bid.status == BidStatus.ACTIVE)
    ).one()


# --- placing and withdrawing -----------------------------------------------------------------

def place_bid(session: Session, actor: Actor, scheme: Scheme, applicant_id: int, advert_reference: str,
              now: datetime) -> Bid:
    placed_by = _placed_by(actor, applicant_id)
    applicant = _locked_applicant(session, applicant_id)
    advert, cycle = live_advert(session, advert_reference)
    # A shared lock on the cycle: the close (which updates it) waits for bids in flight.
    session.exec(select(Cycle.id).where(Cycle.id == cycle.id).with_for_update(read=True)).first()
    session.refresh(cycle)
    if reason := _cycle_closed_reason(cycle, advert, now):
        raise Conflict(reason)
    if reason := bidding_barrier(session, applicant, scheme, now):
        raise Conflict(reason)
    existing = session.exec(
        select(Bid).where(Bid.applicant_id == applicant.id, Bid.advert_id == advert.id)
    ).first()
    if existing is not None and existing.status is BidStatus.ACTIVE:
        raise Conflict("You have already bid for this home.")
    limit = scheme.bidding.bids_per_cycle
    if active_bid_count(session, applicant.id, cycle.id) >= limit:
        raise Conflict(f"You have used all {limit} of your bids this cycle. Withdraw a bid to bid for this home.")
    reasons = matching.eligibility(allocation.to_applicant(applicant, scheme, local_date(now)),
                                   engine_advert(session, advert))
    if reasons:
        raise Conflict(" ".join(reason.message for reason in reasons))
    preference = 1 + (session.exec(
        select(func.max(Bid.preference)).where(Bid.applicant_id == applicant.id, Bid.cycle_id == cycle.id)
    ).one() or 0)
    bid = existing or Bid(advert_id=advert.id, applicant_id=applicant.id, cycle_id=cycle.id, preference=preference)
    bid.status, bid.preference, bid.placed_at, bid.withdrawn_at = BidStatus.ACTIVE, preference, now, None
    bid.placed_by = placed_by
    bid.placed_by_staff_id = actor.id if placed_by is BidPlacedBy.OFFICER else None
    session.add(bid)
    session.flush()
    audit(session, actor, "bid.placed", bid, {"advert": advert.reference, "placed_by": placed_by})
    return bid


def withdraw_bid(session: Session, actor: Actor, bid_id: int, now: datetime) -> Bid:
    bid = session.get(Bid, bid_id)
    if bid is None or not (
        (actor.kind is ActorKind.APPLICANT and actor.id == bid.applicant_id) or actor.may("bid.on_behalf")
    ):
        raise NotFound("No such bid.")  # another household's bid does not exist, as far as you can tell
    advert, cycle = session.get(Advert, bid.advert_id), session.get(Cycle, bid.cycle_id)
    if bid.status is not BidStatus.ACTIVE:
        raise Conflict("This bid has already been withdrawn.")
    if reason := _cycle_closed_reason(cycle, advert, now):
        raise Conflict(reason.replace("Bidding for", "Bids for") + " Bids can no longer be withdrawn.")
    bid.status, bid.withdrawn_at = BidStatus.WITHDRAWN, now
    session.add(bid)
    audit(session, actor, "bid.withdrawn", bid, {"advert": advert.reference})
    return bid


# --- live queue position ---------------------------------------------------------------------

def rank_live(session: Session, scheme: Scheme, advert: Advert, now: datetime) -> list[matching.ShortlistEntry]:
    """The advert's active bids in priority order, as the engine would rank them now."""
    applicants = session.exec(
        select(Applicant).join(Bid, Bid.applicant_id == Applicant.id)
        .where(Bid.advert_id == advert.id, Bid.status == BidStatus.ACTIVE)
    ).all()
    today = local_date(now)
    by_reference = {a.reference: allocation.to_applicant(a, scheme, today) for a in applicants}
    bids = [matching.Bid(reference, advert.reference, 1) for reference in by_reference]
    return matching.rank_advert(engine_advert(session, advert), bids, by_reference, allocation.policy(scheme))


def queue_position(session: Session, scheme: Scheme, advert: Advert, applicant: Applicant,
                   now: datetime) -> QueuePosition:
    entries = rank_live(session, scheme, advert, now)
    eligible = sum(entry.eligible for entry in entries)
    mine = next((entry for entry in entries if entry.applicant == applicant.reference), None)
    if mine is None:
        raise NotFound("You have not bid for this home.")
    return QueuePosition(advert.reference, mine.position, eligible, mine.reasons, mine.explanation)


# --- homes a household can bid for ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BidOption:
    advert: Advert
    bid: bool  # already bid for
    barrier: str | None  # why the household cannot bid for it, in plain words; None if it can


def bid_options(session: Session, scheme: Scheme, applicant: Applicant, now: datetime) -> list[BidOption]:
    """Every live advert in the open cycle, with whether this household can bid for it and why not."""
    rows = session.exec(
        select(Advert, Cycle).join(Cycle, Cycle.id == Advert.cycle_id)
        .where(Advert.status == AdvertStatus.LIVE, Cycle.status == CycleStatus.OPEN).order_by(Advert.reference)
    ).all()
    person = allocation.to_applicant(applicant, scheme, local_date(now))
    everywhere = bidding_barrier(session, applicant, scheme, now)
    bid_on = set(session.exec(select(Bid.advert_id).where(Bid.applicant_id == applicant.id,
                                                          Bid.status == BidStatus.ACTIVE)).all())
    used = {cycle.id: active_bid_count(session, applicant.id, cycle.id) for _, cycle in rows}
    options = []
    for advert, cycle in rows:
        reasons = matching.eligibility(person, engine_advert(session, advert))
        barrier = (everywhere or _cycle_closed_reason(cycle, advert, now)
                   or (" ".join(r.message for r in reasons) if reasons else None))
        if barrier is None and advert.id not in bid_on and used[cycle.id] >= scheme.bidding.bids_per_cycle:
            barrier = f"You have used all {scheme.bidding.bids_per_cycle} of your bids this cycle."
        options.append(BidOption(advert, advert.id in bid_on, barrier))
    return options
