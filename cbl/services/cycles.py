"""Bidding cycles: planned from the scheme's pattern, opened, and closed through the engine.

A close is one transaction: claim the cycle (a conditional UPDATE only one process can win),
rank and allocate, store the shortlists and the proposal, mark it closed. A process that dies
half way leaves nothing behind and the cycle still open, so the next reconcile closes it again
from the same bids, with the same result.
"""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

import matching
from cbl.messages import notices
from cbl.services import close_rows
from cbl.rules.working_days import local_date
from cbl.rules.cycle_windows import current_or_next_window
from cbl.database import guard_cycle
from cbl.models import Advert, Cycle, OutboxMessage, StaffUser, Void
from cbl.models.states import AdvertStatus, Channel, CycleStatus, StaffRole
from cbl.rules.scheme import Scheme

from .actors import SYSTEM, Actor
from .audit import audit
from cbl.services.rights import Right

log = logging.getLogger("cbl.rules.cycle_windows")
ENGINE_TIME_LIMIT = 60.0


def plan_next_cycle(session: Session, scheme: Scheme, zone: ZoneInfo, now: datetime) -> Cycle:
    """Make sure the cycle open now (or the next to open) exists; return it.

    Safe to run again after any change to the scheme's pattern: a cycle already open keeps its
    times (the next is planned when it has closed), and one planned but not yet due to open is
    moved to the pattern's new window rather than joined by a second.
    """
    opens_at, closes_at = current_or_next_window(now, scheme.cycle, zone)
    running = session.exec(select(Cycle).where(Cycle.status == CycleStatus.OPEN, Cycle.closes_at > now)
                           .order_by(Cycle.opens_at)).first()
    if running is not None:
        return running
    planned = session.exec(select(Cycle).where(Cycle.status == CycleStatus.SCHEDULED, Cycle.closes_at > now)
                           .order_by(Cycle.opens_at)).first()
    if planned is not None:
        if planned.opens_at > now and (planned.opens_at, planned.closes_at) != (opens_at, closes_at):
            _move(session, planned, opens_at, closes_at, zone)
        return planned
    cycle = session.exec(select(Cycle).where(Cycle.opens_at == opens_at)).first()
    if cycle is None:
        # A cycle opened off the pattern and still to close (the demo's, seeded between two windows)
        # covers this window already: a second over it would split the bids between two cycles.
        cycle = session.exec(select(Cycle).where(
            Cycle.status.in_([CycleStatus.SCHEDULED, CycleStatus.OPEN]), Cycle.opens_at < closes_at,
            Cycle.closes_at > opens_at)).first()
    if cycle is None:
        cycle = Cycle(name=_free_name(session, opens_at, zone), opens_at=opens_at, closes_at=closes_at)
        session.add(cycle)
        audit(session, SYSTEM, "cycle.planned", cycle, {"opens_at": opens_at, "closes_at": closes_at})
    return cycle


def _move(session: Session, cycle: Cycle, opens_at: datetime, closes_at: datetime, zone: ZoneInfo) -> None:
    before = {"opens_at": cycle.opens_at, "closes_at": cycle.closes_at}
    if cycle.opens_at.astimezone(zone).date() != opens_at.astimezone(zone).date():
        cycle.name = _free_name(session, opens_at, zone)
    cycle.opens_at, cycle.closes_at = opens_at, closes_at
    session.add(cycle)
    audit(session, SYSTEM, "cycle.rescheduled", cycle, {"from": before, "opens_at": opens_at, "closes_at": closes_at})


def _free_name(session: Session, opens_at: datetime, zone: ZoneInfo) -> str:
    """"Cycle <date it opens>", with the time too if a cycle of that day already has the name."""
    local = opens_at.astimezone(zone)
    candidates = [f"Cycle {local:%Y-%m-%d}", f"Cycle {local:%Y-%m-%d %H:%M}"]
    candidates += [f"Cycle {local:%Y-%m-%d %H:%M} ({n})" for n in range(2, 10)]
    taken = set(session.exec(select(Cycle.name).where(Cycle.name.in_(candidates))))
    return next(name for name in candidates if name not in taken)


def open_cycle(session: Session, actor: Actor, cycle_id: int, now: datetime) -> bool:
    """Open a scheduled cycle whose time has come. False if there was nothing to do."""
    actor.require(Right.CYCLE_MANAGE)
    claimed = session.execute(
        sa.update(Cycle).where(Cycle.id == cycle_id, Cycle.status == CycleStatus.SCHEDULED, Cycle.opens_at <= now,
                               Cycle.closes_at > now)
        .values(status=CycleStatus.OPEN)
    ).rowcount
    if claimed:
        cycle = session.get(Cycle, cycle_id)
        audit(session, actor, "cycle.opened", cycle, {"at": now})
    return bool(claimed)


def due_to_open(session: Session, now: datetime) -> list[int]:
    return list(session.exec(select(Cycle.id).where(
        Cycle.status == CycleStatus.SCHEDULED, Cycle.opens_at <= now, Cycle.closes_at > now)))


def due_to_close(session: Session, now: datetime) -> list[int]:
    return list(session.exec(select(Cycle.id).where(
        Cycle.status.in_([CycleStatus.OPEN, CycleStatus.SCHEDULED]), Cycle.closes_at <= now)))


def close_cycle(session: Session, actor: Actor, scheme: Scheme, cycle_id: int, now: datetime,
                *, time_limit: float = ENGINE_TIME_LIMIT) -> bool:
    """Close a cycle that is due: freeze bids, rank, allocate, store. False if already closed."""
    actor.require(Right.CYCLE_MANAGE)
    return close_due(session, actor, scheme, cycle_id, now, time_limit=time_limit)


def close_due(session: Session, actor: Actor, scheme: Scheme, cycle_id: int, now: datetime,
              *, time_limit: float = ENGINE_TIME_LIMIT) -> bool:
    """The close itself, for a caller that has checked the actor's right: the scheduler's (`close_cycle`), or a
    manager's closing a cycle early (cycle_overrides.close_early), which makes it due first. Only a cycle still
    open or scheduled and due is claimed, so a cycle is closed once however many try."""
    guard_cycle(session, cycle_id, exclusive=True)  # wait for bids in flight; later ones wait for us
    claimed = session.execute(
        sa.update(Cycle)
        .where(Cycle.id == cycle_id, Cycle.status.in_([CycleStatus.OPEN, CycleStatus.SCHEDULED]),
               Cycle.closes_at <= now)
        .values(status=CycleStatus.CLOSING)
    ).rowcount
    if not claimed:
        return False
    cycle = session.get(Cycle, cycle_id)
    # Read and written as plain rows on the transaction's connection (close_rows): no ORM object per bid.
    instance, ids = close_rows.engine_instance(session.connection(), scheme, cycle_id, local_date(now))
    result = matching.solve(instance, time_limit=time_limit)
    shortlisted = close_rows.store_shortlists(session.connection(), result, ids)
    session.execute(
        sa.update(Advert).where(Advert.cycle_id == cycle.id, Advert.status == AdvertStatus.LIVE)
        .values(status=AdvertStatus.SHORTLISTED)
    )
    session.execute(
        sa.update(Void).where(Void.id.in_(sa.select(Advert.void_id).where(Advert.cycle_id == cycle.id)),
                              Void.shortlisted_at.is_(None))
        .values(shortlisted_at=now)
    )
    cycle.status, cycle.closed_at = CycleStatus.CLOSED, now
    cycle.close_report = {
        "engine_status": result.status,
        "adverts": len(instance.adverts),
        "bids": len(instance.bids),
        "proposed_lets": len(result.allocation),
        "quota_shortfalls": [vars_of(s) for s in result.quota_shortfalls],
        "designated": result.designated,
        "timings": result.timings,
        "sizes": result.stats,  # e.g. the bids given to CP-SAT
        "time_limit": time_limit,
    }
    session.add(cycle)
    audit(session, actor, "cycle.closed", cycle, cycle.close_report)
    _tell_officers(session, cycle, shortlisted, len(result.allocation))
    notices.shortlisted(session, cycle.id, now)
    log.info("closed %s: %d adverts, %d bids, %d proposed", cycle.name, len(instance.adverts),
             len(instance.bids), len(result.allocation))
    return True


def vars_of(shortfall: matching.QuotaShortfall) -> dict:
    return {"agreement": shortfall.agreement, "group": shortfall.group, "required": shortfall.required,
            "achieved": shortfall.achieved, "shortfall": shortfall.shortfall}


def _tell_officers(session: Session, cycle: Cycle, adverts: int, proposed: int) -> None:
    officers = session.exec(select(StaffUser).where(StaffUser.role == StaffRole.OFFICER, StaffUser.active)).all()
    for officer in officers:
        session.add(OutboxMessage(
            channel=Channel.EMAIL, template="cycle_closed", staff_user_id=officer.id,
            subject=f"{cycle.name} has closed: {adverts} shortlists ready",
            body=f"{cycle.name} closed. {adverts} adverts have ranked shortlists and the engine proposes "
                 f"{proposed} lets. Review them in the admin site.",
        ))
