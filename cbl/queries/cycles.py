"""What the start pages read: the cycle open for bids and its live adverts, the latest cycles, and the
shortlist places waiting for an officer."""

from dataclasses import dataclass

from sqlmodel import Session, func, select

from cbl.models import Advert, Cycle, ShortlistEntry
from cbl.models.states import AdvertStatus, CycleStatus, ShortlistStatus


@dataclass(frozen=True)
class Bidding:
    cycle: Cycle | None  # the open cycle, if any
    live_adverts: int


def bidding(session: Session) -> Bidding:
    cycle = session.exec(select(Cycle).where(Cycle.status == CycleStatus.OPEN).order_by(Cycle.opens_at.desc())).first()
    live = session.exec(select(func.count()).select_from(Advert).where(Advert.status == AdvertStatus.LIVE)).one()
    return Bidding(cycle, live)


def latest(session: Session, count: int = 4) -> list[Cycle]:
    return list(session.exec(select(Cycle).order_by(Cycle.opens_at.desc()).limit(count)).all())


def places_waiting(session: Session) -> int:
    """Shortlist places the engine proposed that no officer has worked yet."""
    return session.exec(select(func.count()).select_from(ShortlistEntry).where(
        ShortlistEntry.proposed, ShortlistEntry.status == ShortlistStatus.PENDING)).one()
