"""Bids: placing and withdrawing them within the scheme's limits, and the live queue position.

Every limit is checked inside the caller's transaction after taking the household's lock
(PostgreSQL) or the database write lock (SQLite), so two requests racing for the last bid of a
cycle cannot both get it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session, func, select

import matching
from cbl.messages.notices import bid_placed_for
from cbl.services import engine_input
from cbl.rules.working_days import local_date
from cbl.models import Advert, Applicant, Bid, Cycle, Offer
from cbl.models.states import (
    ActorKind, AdvertStatus, ApplicationStatus, BidPlacedBy, BidStatus, CycleStatus, OfferStatus,
)
from cbl.rules.scheme import Scheme
from cbl.rules.wording import ordinal

from .actors import Actor
from . import bid_statements as statements
from . import live_rankings
from .audit import Subject, audit
from .errors import Conflict, NotAllowed, NotFound
from cbl.services.rights import Right

if TYPE_CHECKING:
    from cbl.database import Database


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


# --- who may bid -----------------------------------------------------------------------------


def _placed_by(actor: Actor, applicant_id: int) -> BidPlacedBy:
    if actor.kind is ActorKind.APPLICANT and actor.id == applicant_id:
        return BidPlacedBy.APPLICANT
    if actor.kind is ActorKind.STAFF and actor.may(Right.BID_ON_BEHALF):
        return BidPlacedBy.OFFICER
    if actor.kind is ActorKind.SYSTEM:
        return BidPlacedBy.AUTO
    raise NotAllowed("You can only bid for your own application.")


UNDER_OFFER = "You cannot bid while you have an offer of a home waiting for your answer."
ALREADY_WITHDRAWN = "This bid has already been withdrawn."
ALREADY_BID = "You have already bid for this home."


def area_restricted(area: str) -> str:
    return (f"A panel decided that the household should not be housed in {area}, so it cannot bid for homes "
            "there.")


def limit_reached(limit: int) -> str:
    return f"You have used all {limit} of your bids this cycle. Withdraw a bid to bid for this home."


def bidding_barrier(session: Session, applicant: Applicant, scheme: Scheme, now: datetime) -> str | None:
    """Why this household cannot bid at all just now, in plain words; None if it can."""
    if reason := _barrier(applicant, scheme, now):
        return reason
    if not scheme.bidding.bid_while_under_offer and session.exec(
        select(Offer.id).where(Offer.applicant_id == applicant.id, Offer.status == OfferStatus.MADE)
    ).first():
        return UNDER_OFFER
    return None


def _barrier(applicant: Applicant, scheme: Scheme, now: datetime) -> str | None:
    """The barriers the application itself sets: suspension, or not being active."""
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
    return None


def closed_for_bids(advert_status: AdvertStatus, cycle_status: CycleStatus, opens_at: datetime,
                    closes_at: datetime, now: datetime) -> str | None:
    """Why an advert takes no bids now, in plain words; None while it does."""
    if advert_status is not AdvertStatus.LIVE or cycle_status is not CycleStatus.OPEN:
        return "Bidding for this home is closed."
    if now < opens_at:
        return "Bidding for this home has not opened yet."
    if now >= closes_at:
        return "Bidding for this home closed at the end of the cycle."
    return None


def _cycle_closed_reason(cycle: Cycle, advert: Advert, now: datetime) -> str | None:
    return closed_for_bids(advert.status, cycle.status, cycle.opens_at, cycle.closes_at, now)


def active_bid_count(session: Session, applicant_id: int, cycle_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(Bid)
        .where(Bid.applicant_id == applicant_id, Bid.cycle_id == cycle_id, Bid.status == BidStatus.ACTIVE)
    ).one()


class _ApplicantColumns:
    """The applicant's half of a BID_CHECKS row, read as an applicant."""

    __slots__ = ("_row",)

    def __init__(self, row) -> None:  # noqa: ANN001
        self._row = row

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._row, f"applicant_{name}")


# --- placing and withdrawing -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PlacedBid:
    """The bid place_bid stored, as its row's values."""

    id: int
    advert_id: int
    applicant_id: int
    cycle_id: int
    status: BidStatus
    preference: int
    placed_at: datetime
    placed_by: BidPlacedBy
    withdrawn_at: datetime | None
    placed_by_staff_id: int | None


def place_bid(session: Session, actor: Actor, scheme: Scheme, applicant_id: int, advert_reference: str,
              now: datetime) -> PlacedBid:
    """Bid for an advert, within every limit; returns the stored bid.

    The busiest write in the system (everyone bids in the same few days): plain Core rows, and
    every check in one statement read under the guards.
    """
    placed_by = _placed_by(actor, applicant_id)
    connection = session.connection()
    names = {"reference": advert_reference, "applicant_id": applicant_id}
    # PostgreSQL: the guards first. SQLite: the write transaction already holds the database.
    if connection.dialect.name == "postgresql" and connection.execute(
            statements.GUARD_CYCLE_AND_HOUSEHOLD, names).first() is None:
        raise NotFound(f"There is no advert {advert_reference}.")
    advert = connection.execute(statements.BID_CHECKS, names).first()
    if advert is None:
        raise NotFound(f"There is no advert {advert_reference}.")
    applicant = _ApplicantColumns(advert)
    if reason := closed_for_bids(advert.status, advert.cycle_status, advert.cycle_opens_at, advert.cycle_closes_at,
                                 now):
        raise Conflict(reason)
    if reason := _barrier(applicant, scheme, now):
        raise Conflict(reason)
    if advert.offers and not scheme.bidding.bid_while_under_offer:
        raise Conflict(UNDER_OFFER)
    if advert.existing_status == BidStatus.ACTIVE:
        raise Conflict(ALREADY_BID)
    if advert.active_bids >= scheme.bidding.bids_per_cycle:
        raise Conflict(limit_reached(scheme.bidding.bids_per_cycle))
    if reason := _not_for_household(applicant, advert, scheme, now):
        raise Conflict(reason)
    values = {
        "advert_id": advert.id, "applicant_id": applicant.id, "cycle_id": advert.cycle_id, "status": BidStatus.ACTIVE,
        "preference": (advert.last_preference or 0) + 1, "placed_at": now, "placed_by": placed_by,
        "withdrawn_at": None, "placed_by_staff_id": actor.id if placed_by is BidPlacedBy.OFFICER else None,
    }
    if advert.existing_id is None:
        bid_id = connection.execute(statements.INSERT_BID, values).scalar_one()
    else:  # a withdrawn bid placed again keeps its row
        connection.execute(statements.REPLACE_BID, {**values, "bid_id": advert.existing_id})
        bid_id = advert.existing_id
    audit(session, actor, "bid.placed", Subject("bid", bid_id, applicant.id),
          {"advert": advert.reference, "placed_by": placed_by})
    return PlacedBid(id=bid_id, **values)


def _not_for_household(applicant: "_ApplicantColumns", advert, scheme: Scheme,  # noqa: ANN001 - a BID_CHECKS row
                       now: datetime) -> str | None:
    """Why this household may not bid for this home: the advert's criteria it fails (the engine's own words), or
    an area a panel decided it should not be housed in (cbl/services/panels.py)."""
    reasons = matching.eligibility(engine_input.to_applicant(applicant, scheme, local_date(now)),
                                   engine_input.to_advert(advert, advert, advert.landlord))
    if reasons:
        return " ".join(reason.message for reason in reasons)
    return area_restricted(advert.area) if advert.area in applicant.area_restrictions else None


def place_bid_for(session: Session, actor: Actor, scheme: Scheme, applicant_id: int, advert_reference: str,
                  now: datetime) -> PlacedBid:
    """An officer's bid for a household that cannot bid itself, under the same rules; the household is told
    (by e-mail or text, as it chose) so that it can see, and withdraw, a bid it did not place."""
    placed = place_bid(session, actor, scheme, applicant_id, advert_reference, now)
    advert = session.get(Advert, placed.advert_id).reference
    bid_placed_for(session, applicant_id, advert, f"{actor.name} of the lettings team", now)
    return placed


def withdraw_bid(session: Session, actor: Actor, bid_id: int, now: datetime) -> str:
    """Withdraw a bid while its cycle is open; returns the advert's reference."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":  # the cycle's guard, before the cycle is read
        connection.execute(statements.GUARD_CYCLE_OF_BID, {"bid_id": bid_id})
    bid = connection.execute(statements.BID_TO_WITHDRAW, {"bid_id": bid_id}).first()
    if bid is None or not (
        (actor.kind is ActorKind.APPLICANT and actor.id == bid.applicant_id) or actor.may(Right.BID_ON_BEHALF)
    ):
        raise NotFound("No such bid.")  # another household's bid does not exist, as far as you can tell
    if bid.status is not BidStatus.ACTIVE:
        raise Conflict(ALREADY_WITHDRAWN)
    if reason := closed_for_bids(bid.advert_status, bid.cycle_status, bid.cycle_opens_at, bid.cycle_closes_at, now):
        raise Conflict(reason.replace("Bidding for", "Bids for") + " Bids can no longer be withdrawn.")
    if connection.execute(statements.WITHDRAW_BID, {"bid_id": bid_id, "withdrawn_at": now}).rowcount != 1:
        raise Conflict(ALREADY_WITHDRAWN)
    audit(session, actor, "bid.withdrawn", Subject("bid", bid_id, bid.applicant_id), {"advert": bid.reference})
    return bid.reference


# --- live queue position ---------------------------------------------------------------------

def engine_adverts(session: Session, advert_ids: list[int]) -> dict[int, matching.Advert]:
    rows = session.connection().execute(statements.ADVERTS_FOR_ENGINE, {"advert_ids": list(advert_ids)})
    return {row.id: engine_input.to_advert(row, row, row.landlord) for row in rows}


def rankings(session: Session, scheme: Scheme, advert_ids: list[int], now: datetime
             ) -> dict[int, Sequence[matching.ShortlistEntry]]:
    """Each advert's active bids in priority order, as the engine would rank them now (live_rankings)."""
    if not advert_ids:
        return {}
    return live_rankings.rankings(session.connection(), scheme, engine_adverts(session, advert_ids), now)


def queue_positions(session: Session, scheme: Scheme, adverts: Mapping[int, str], applicant: Applicant,
                    now: datetime) -> dict[int, QueuePosition]:
    """Where the household stands on each advert (id -> reference) it has bid for ("12th of 87")."""
    positions = {}
    for advert_id, entries in rankings(session, scheme, list(adverts), now).items():
        mine = next((entry for entry in entries if entry.applicant == applicant.reference), None)
        if mine is not None:
            eligible = sum(entry.eligible for entry in entries)
            positions[advert_id] = QueuePosition(adverts[advert_id], mine.position, eligible, mine.reasons,
                                                 mine.explanation)
    return positions


def queue_position(session: Session, scheme: Scheme, advert: Advert, applicant: Applicant,
                   now: datetime) -> QueuePosition:
    position = queue_positions(session, scheme, {advert.id: advert.reference}, applicant, now).get(advert.id)
    if position is None:
        raise NotFound("You have not bid for this home.")
    return position


@dataclass(frozen=True, slots=True)
class LiveBid:
    id: int
    advert_id: int
    advert: str  # its reference
    preference: int
    placed_at: datetime
    placed_by: BidPlacedBy
    position: QueuePosition


def live_bids(session: Session, scheme: Scheme, applicant: Applicant, now: datetime) -> list[LiveBid]:
    """The household's active bids in the open cycle, in its order, each with its place in the queue."""
    rows = session.connection().execute(statements.LIVE_BIDS, {"applicant_id": applicant.id}).all()
    positions = queue_positions(session, scheme, {row.advert_id: row.reference for row in rows}, applicant, now)
    return [LiveBid(row.id, row.advert_id, row.reference, row.preference, row.placed_at, row.placed_by,
                    positions[row.advert_id])
            for row in rows if row.advert_id in positions]  # a bid withdrawn a moment ago has no place


# --- homes a household can bid for ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BidOption:
    advert: Advert
    bid: bool  # already bid for
    barrier: str | None  # why the household cannot bid for it, in plain words; None if it can


def bid_options(session: Session, scheme: Scheme, applicant: Applicant, now: datetime,
                advert_ids: list[int] | None = None) -> list[BidOption]:
    """Every live advert in the open cycle (or the adverts `advert_ids`, whatever their state), with
    whether this household can bid for it and why not.

    The reason is the one place_bid would give, checked in its order and in its words, so that a page
    can say before anyone presses anything what pressing would answer. Five statements however many
    adverts.
    """
    query = select(Advert, Cycle).join(Cycle, Cycle.id == Advert.cycle_id)
    if advert_ids is None:
        query = query.where(Advert.status == AdvertStatus.LIVE, Cycle.status == CycleStatus.OPEN)
    else:
        query = query.where(Advert.id.in_(set(advert_ids)))
    rows = session.exec(query.order_by(Advert.reference)).all()
    if not rows:
        return []
    person = engine_input.to_applicant(applicant, scheme, local_date(now))
    everywhere = bidding_barrier(session, applicant, scheme, now)
    bid_on = set(session.exec(select(Bid.advert_id).where(Bid.applicant_id == applicant.id,
                                                          Bid.status == BidStatus.ACTIVE)).all())
    used = dict(session.exec(select(Bid.cycle_id, func.count()).where(
        Bid.applicant_id == applicant.id, Bid.status == BidStatus.ACTIVE).group_by(Bid.cycle_id)).all())
    engine = engine_adverts(session, [advert.id for advert, _ in rows])
    options = []
    for advert, cycle in rows:
        already = advert.id in bid_on
        barrier = _cycle_closed_reason(cycle, advert, now) or everywhere
        if barrier is None and not already:
            if used.get(cycle.id, 0) >= scheme.bidding.bids_per_cycle:
                barrier = limit_reached(scheme.bidding.bids_per_cycle)
            elif reasons := matching.eligibility(person, engine[advert.id]):
                barrier = " ".join(reason.message for reason in reasons)
            elif engine[advert.id].area in applicant.area_restrictions:
                barrier = area_restricted(engine[advert.id].area)
        options.append(BidOption(advert, already, barrier))
    return options


# --- live places ranked ahead of the first view --------------------------------------------------

WARM_BATCH = 5  # adverts ranked at a time when a worker starts: each batch is one short read


def rank_open_cycle(db: "Database", scheme: Scheme, now: datetime) -> int:
    """Rank every live advert of the open cycle into this process's live-place memos (a few at a time, each in
    a read of its own), so that the first views of "My bids" after a web worker starts find their adverts
    ranked rather than reading and ranking every bidder (docs/decisions/0014). The memos answer only for
    exactly what the database holds when asked, so this saves work and never changes an answer. How many
    adverts it ranked."""
    with db.reading() as session:
        advert_ids = list(session.exec(select(Advert.id).join(Cycle, Cycle.id == Advert.cycle_id).where(
            Cycle.status == CycleStatus.OPEN, Advert.status == AdvertStatus.LIVE).order_by(Advert.id)).all())
    for first in range(0, len(advert_ids), WARM_BATCH):
        with db.reading() as session:
            rankings(session, scheme, advert_ids[first:first + WARM_BATCH], now)
    return len(advert_ids)
