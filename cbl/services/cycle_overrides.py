"""A manager closes an open cycle before its time, or reopens one just closed, each with a reason that the audit
trail keeps (the rules: cbl/rules/cycle_overrides.py; the choices: docs/decisions/0015-closing-early-and-reopening.md).

Closing early makes the cycle due now and closes it at once, in the same transaction, through the close the
scheduler runs (cycles.close_due): one claim, so the scheduler's job at the old time finds it closed and does
nothing. Reopening throws the close's shortlists away, puts its adverts back to bidding and sets the new closing
time, which the scheduler's reconcile (every minute) schedules and closes as it does any other.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, func, select

from cbl.database import guard_cycle
from cbl.messages import notices
from cbl.models import (
    Advert, Cycle, Nomination, Offer, OutboxMessage, PreOfferCheck, ShortlistEntry, StaffUser, Viewing, Void,
)
from cbl.models.states import AdvertStatus, Channel, CycleStatus, ShortlistStatus, StaffRole
from cbl.rules import cycle_overrides as rules
from cbl.rules.cycle_windows import next_opening
from cbl.rules.scheme import Scheme
from cbl.rules.wording import day_and_time
from cbl.rules.working_days import LONDON

from .actors import Actor
from .audit import audit
from .cycles import ENGINE_TIME_LIMIT, close_due
from .errors import Conflict, InvalidInput, NotFound, within
from .rights import Right


def close_early(session: Session, actor: Actor, scheme: Scheme, cycle_id: int, reason: str, now: datetime,
                *, time_limit: float = ENGINE_TIME_LIMIT) -> Cycle:
    """Close an open cycle now, before its closing time: bids end, the engine ranks and proposes, as at any close."""
    actor.require(Right.CYCLE_OVERRIDE)
    reason = _reason(reason)
    guard_cycle(session, cycle_id, exclusive=True)  # bids in flight finish first; later ones find it closed
    cycle = _cycle(session, cycle_id)
    if refusal := rules.early_close_refused(cycle.status, cycle.opens_at, cycle.closes_at, now):
        raise Conflict(refusal)
    was_due = cycle.closes_at
    cycle.closes_at = now
    session.add(cycle)
    session.flush()
    audit(session, actor, "cycle.closed_early", cycle, {"reason": reason, "was_due": was_due, "closed_at": now})
    if not close_due(session, actor, scheme, cycle_id, now, time_limit=time_limit):
        raise Conflict("This cycle has already closed.")  # not reached: the cycle is held and was open
    return cycle


def reopen(session: Session, actor: Actor, scheme: Scheme, cycle_id: int, reason: str, closes_at: datetime,
           now: datetime) -> Cycle:
    """Open a cycle that closed within the scheme's window again, until `closes_at`, while nothing has been done
    from its shortlists: they are thrown away, its adverts take bids again, its households are told."""
    actor.require(Right.CYCLE_OVERRIDE)
    reason = _reason(reason)
    if refusal := rules.new_close_refused(closes_at, now, next_opening(now, scheme.cycle, LONDON), LONDON):
        raise InvalidInput(refusal, field="closes_on")
    guard_cycle(session, cycle_id, exclusive=True)
    cycle = _cycle(session, cycle_id)
    # Its places, then its adverts, held to the end: services working a place lock it first, then its advert.
    places, adverts = _places(session, cycle_id, lock=True), _adverts(session, cycle_id, lock=True)
    if refusal := reopening_refused(session, scheme, cycle, now, places, adverts):
        raise Conflict(refusal)
    told = notices.bidding_reopened(session, cycle_id, closes_at, now)  # read from the places, before they go
    shortlisted = [a.id for a in adverts if a.status is AdvertStatus.SHORTLISTED]
    session.execute(sa.delete(ShortlistEntry).where(ShortlistEntry.advert_id.in_([a.id for a in adverts])))
    if shortlisted:
        session.execute(sa.update(Advert).where(Advert.id.in_(shortlisted)).values(status=AdvertStatus.LIVE))
        # The void clock's "shortlisted" milestone was this close's: the homes are advertised again.
        session.execute(sa.update(Void).where(
            Void.id.in_(select(Advert.void_id).where(Advert.id.in_(shortlisted))),
            Void.shortlisted_at == cycle.closed_at).values(shortlisted_at=None))
    closed_at = cycle.closed_at
    cycle.status, cycle.closes_at, cycle.closed_at, cycle.close_report = CycleStatus.OPEN, closes_at, None, None
    session.add(cycle)
    audit(session, actor, "cycle.reopened", cycle, {
        "reason": reason, "closed_at": closed_at, "closes_at": closes_at, "places_discarded": len(places),
        "adverts": len(shortlisted), "messages": told})
    _tell_officers(session, cycle, actor, closes_at)
    return cycle


def reopening_refused(session: Session, scheme: Scheme, cycle: Cycle, now: datetime,
                      places: list[tuple[int, ShortlistStatus]] | None = None,
                      adverts: list[Advert] | None = None) -> str | None:
    """Why the cycle cannot be reopened now; None if it can. (The page asks first; `reopen` asks again holding
    the cycle's places and adverts.)"""
    if refusal := rules.reopen_refused(cycle.status, cycle.closed_at, now, scheme.cycle.reopen_within_hours):
        return refusal
    cycle_id = cycle.id or 0
    places = _places(session, cycle_id) if places is None else places
    adverts = _adverts(session, cycle_id) if adverts is None else adverts
    return rules.worked_refusal(_worked(session, cycle, places, adverts))


def _worked(session: Session, cycle: Cycle, places: list[tuple[int, ShortlistStatus]],
            adverts: list[Advert]) -> rules.Worked:
    """What has been done from the closed cycle's shortlists: `places` its shortlist places, `adverts` its adverts."""
    ids = [advert.id for advert in adverts]
    place_ids = [place_id for place_id, _ in places]

    def count(query: sa.Select) -> int:
        return session.exec(query).one() if ids else 0

    return rules.Worked(
        places=sum(1 for _, status in places if status is not ShortlistStatus.PENDING),
        checks=count(select(func.count()).select_from(PreOfferCheck).where(PreOfferCheck.entry_id.in_(
            select(ShortlistEntry.id).where(ShortlistEntry.advert_id.in_(ids))))) if place_ids else 0,
        viewings=count(select(func.count()).select_from(Viewing).where(Viewing.advert_id.in_(ids))),
        offers=count(select(func.count()).select_from(Offer).where(Offer.advert_id.in_(ids))),
        nominations=count(select(func.count()).select_from(Nomination).where(Nomination.advert_id.in_(ids))),
        adverts=sum(1 for advert in adverts if advert.status is AdvertStatus.LET or advert.unsuccessful
                    or (advert.withdrawn_at is not None and cycle.closed_at is not None
                        and advert.withdrawn_at >= cycle.closed_at))
        + count(select(func.count()).select_from(Advert).where(Advert.previous_advert_id.in_(ids))),
    )


def _cycle(session: Session, cycle_id: int) -> Cycle:
    cycle = session.exec(select(Cycle).where(Cycle.id == cycle_id).with_for_update()).first()
    if cycle is None:
        raise NotFound("There is no such cycle.")
    return cycle


def _reason(reason: str) -> str:
    reason = within(reason or "", rules.REASON_LIMIT, "reason", "The reason")
    if not reason:
        raise InvalidInput("Give the reason: it is kept in the audit trail.", field="reason")
    return reason


def _places(session: Session, cycle_id: int, *, lock: bool = False) -> list[tuple[int, ShortlistStatus]]:
    """The cycle's shortlist places (id, status). Locked, each is held until the transaction ends: an officer
    working one waits for the reopening, then finds it gone (services lock a place first: shortlisting.open_entry)."""
    query = (select(ShortlistEntry.id, ShortlistEntry.status)
             .where(ShortlistEntry.advert_id.in_(select(Advert.id).where(Advert.cycle_id == cycle_id))))
    return [(row.id, row.status) for row in session.execute(query.with_for_update(of=ShortlistEntry) if lock
                                                             else query)]


def _adverts(session: Session, cycle_id: int, *, lock: bool = False) -> list[Advert]:
    query = select(Advert).where(Advert.cycle_id == cycle_id).order_by(Advert.id)
    return list(session.exec(query.with_for_update() if lock else query).all())


def _tell_officers(session: Session, cycle: Cycle, actor: Actor, closes_at: datetime) -> None:
    """Officers heard of the shortlists when the cycle closed: they hear that they are gone until it closes again."""
    officers = session.exec(select(StaffUser.id).where(StaffUser.role == StaffRole.OFFICER, StaffUser.active)).all()
    body = (f"{actor.name} reopened {cycle.name} for bids until {day_and_time(closes_at, LONDON)}. Its shortlists "
            "are withdrawn until it closes again; you will hear when the new ones are ready.")
    session.add_all([OutboxMessage(channel=Channel.EMAIL, template="cycle_reopened", staff_user_id=officer,
                                   subject=f"{cycle.name} has reopened for bids", body=body) for officer in officers])
