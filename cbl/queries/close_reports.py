"""What a cycle's close report shows: the cycles, and for one the engine's result as stored at its close (status,
counts, quota shortfalls, designations, timings) with its proposal advert by advert, a page at a time, and any
early close or reopening a manager made."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, func, select

from cbl.models import Advert, Applicant, AuditEvent, Cycle, Organisation, Property, ShortlistEntry
from cbl.models.states import AdvertStatus
from cbl.queries.audit_trail import subject_events
from cbl.queries.paging import Page
from cbl.rules.wording import ordinal
from cbl.services.errors import NotFound

CYCLES_PER_PAGE = 25
ADVERTS_PER_PAGE = 50
OVERRIDES = ("cycle.closed_early", "cycle.reopened")


def cycles(session: Session, number: int) -> Page[Cycle]:
    """Page `number` of the cycles, the latest to open first."""
    total = session.exec(select(func.count()).select_from(Cycle)).one()
    rows = session.exec(select(Cycle).order_by(Cycle.opens_at.desc(), Cycle.id.desc())
                        .offset((number - 1) * CYCLES_PER_PAGE).limit(CYCLES_PER_PAGE)).all()
    return Page(list(rows), number, CYCLES_PER_PAGE, total)


@dataclass(frozen=True)
class AdvertLine:
    """One advert of the cycle and what the engine did with it."""

    reference: str
    address: str
    landlord: str
    status: AdvertStatus
    bids: int  # the bids ranked on its shortlist
    eligible: int
    proposed: str | None  # the household the engine proposed for it, if any
    band: str | None  # that household's band
    position: int | None  # its place on the shortlist
    designated: str | None  # the group whose members went first here, to meet a nomination quota

    @property
    def place(self) -> str:
        return f"{ordinal(self.position)} on the shortlist" if self.position else ""


@dataclass(frozen=True)
class Override:
    """A manager's early close or reopening of the cycle, from the audit trail."""

    early_close: bool  # else a reopening
    at: datetime
    by: str
    reason: str
    closes_at: datetime | None  # a reopening's new closing time

    @classmethod
    def of(cls, event: AuditEvent) -> "Override":
        closes_at = event.details.get("closes_at")
        return cls(event.action == "cycle.closed_early", event.at, event.actor_name, str(event.details.get("reason")),
                   datetime.fromisoformat(closes_at) if closes_at else None)


@dataclass(frozen=True)
class CloseReport:
    cycle: Cycle
    report: dict[str, Any]  # what the close stored (cbl/services/cycles.py); empty while the cycle is not closed
    adverts: Page[AdvertLine]
    overrides: list[Override]  # its early close and reopenings, oldest first

    @property
    def closed(self) -> bool:
        return self.cycle.closed_at is not None and bool(self.report)

    @property
    def shortfalls(self) -> list[dict[str, Any]]:
        return list(self.report.get("quota_shortfalls") or [])

    @property
    def designated(self) -> dict[str, str]:
        return dict(self.report.get("designated") or {})

    @property
    def timings(self) -> list[tuple[str, float]]:
        """The engine's stages and their seconds, in the order it ran them, the total last."""
        timings = dict(self.report.get("timings") or {})
        total = timings.pop("total", None)
        return [*timings.items(), *([("total", total)] if total is not None else [])]

    @property
    def sizes(self) -> dict[str, int]:
        return dict(self.report.get("sizes") or {})


def close_report(session: Session, cycle_id: int, number: int) -> CloseReport:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("There is no such cycle.")
    report = dict(cycle.close_report or {})
    designated = dict(report.get("designated") or {})
    total = session.exec(select(func.count()).select_from(Advert).where(Advert.cycle_id == cycle_id)).one()
    lines: Page[AdvertLine] = Page([], number, ADVERTS_PER_PAGE, total)
    if not lines.beyond:
        lines = Page(_lines(session, cycle_id, lines, designated), number, ADVERTS_PER_PAGE, total)
    return CloseReport(cycle, report, lines,
                       [Override.of(event) for event in subject_events(session, "cycle", cycle_id, OVERRIDES)])


def _lines(session: Session, cycle_id: int, shown: Page, designated: dict[str, str]) -> list[AdvertLine]:
    """A page of the cycle's adverts with their shortlists' sizes (counted for those adverts alone, through the
    shortlist's index) and the place the engine proposed."""
    entries = sa.alias(ShortlistEntry.__table__)  # counted apart from the proposed place joined below

    def counted(*conditions: sa.ColumnElement[bool]) -> sa.ScalarSelect:
        return (select(func.count()).select_from(entries).where(entries.c.advert_id == Advert.id, *conditions)
                .correlate(Advert).scalar_subquery())

    rows = session.execute(
        select(Advert.reference, Property.address, Property.postcode, Organisation.name, Advert.status,
               counted(), counted(entries.c.eligible), Applicant.reference, Applicant.band, ShortlistEntry.position)
        .join(Property, Property.id == Advert.property_id)
        .join(Organisation, Organisation.id == Property.landlord_id)
        .outerjoin(ShortlistEntry, (ShortlistEntry.advert_id == Advert.id) & ShortlistEntry.proposed)
        .outerjoin(Applicant, Applicant.id == ShortlistEntry.applicant_id)
        .where(Advert.cycle_id == cycle_id)
        .order_by(Advert.reference).offset(shown.offset).limit(shown.size)).all()
    return [AdvertLine(reference, f"{address} {postcode}", landlord, status, bids or 0, eligible or 0, proposed, band,
                       position, designated.get(reference))
            for reference, address, postcode, landlord, status, bids, eligible, proposed, band, position in rows]
