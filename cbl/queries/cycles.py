"""What the start pages read: the cycle open for bids and its live adverts, the latest cycles, and the
shortlist places waiting for an officer."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from cbl.models import Advert, Cycle, ShortlistEntry
from cbl.models.states import AdvertStatus, CycleStatus, ShortlistStatus


@dataclass(frozen=True)
class Bidding:
    cycle: Cycle | None  # the open cycle, if any
    live_adverts: int
    next_opens_at: datetime | None  # while none is open: when the next planned cycle opens, if one is planned


def bidding(session: Session, now: datetime) -> Bidding:
    cycle = session.exec(select(Cycle).where(Cycle.status == CycleStatus.OPEN).order_by(Cycle.opens_at.desc())).first()
    live = session.exec(select(func.count()).select_from(Advert).where(Advert.status == AdvertStatus.LIVE)).one()
    next_opens_at = None
    if cycle is None:
        # The scheduler plans the next cycle when one closes (services/cycles.plan_next_cycle); one
        # planned to open in the past is about to be opened, and is no help to a reader.
        next_opens_at = session.exec(select(Cycle.opens_at).where(
            Cycle.status == CycleStatus.SCHEDULED, Cycle.opens_at > now).order_by(Cycle.opens_at)).first()
    return Bidding(cycle, live, next_opens_at)


def latest(session: Session, count: int = 4) -> list[Cycle]:
    return list(session.exec(select(Cycle).order_by(Cycle.opens_at.desc()).limit(count)).all())


def places_waiting(session: Session) -> int:
    """Shortlist places the engine proposed that no officer has worked yet."""
    return session.exec(select(func.count()).select_from(ShortlistEntry).where(
        ShortlistEntry.proposed, ShortlistEntry.status == ShortlistStatus.PENDING)).one()
