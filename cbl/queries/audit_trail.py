"""The audit trail as auditors and managers read it: every event, narrowed by who acted, what they did, the record
they did it to, the case it belongs to and the UK days it happened on; a page at a time, newest first, and the
same events as CSV (admin/audit.py). A case's own events are on its page (cbl/queries/register.py).

The lists the filters choose from are read from the trail itself, so an action or a kind of record is on the
list once it has happened: each by a walk up its index (one index probe per value, not a scan of the trail).
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import Session, func, select

from cbl.models import Applicant, AuditEvent, StaffUser
from cbl.models.states import ActorKind
from cbl.queries.paging import Page
from cbl.rules.working_days import LONDON, uk_midnight

PER_PAGE = 50
# A page counts the events that match no further than this (200 pages): past it the page says "more than 10,000",
# and it shows the first 10,000. Counting a million to number the pages would cost more than reading the page.
PAGE_COUNTED = 10_000
# The most events one CSV file holds; a larger choice is refused with a message (narrow the filters), never cut.
# About 30 MB of CSV; the count that decides it reads the index only.
CSV_MAX_ROWS = 100_000
# Kinds of actor that are not a member of staff, as the filter names them.
ACTOR_KINDS = {ActorKind.SYSTEM: "The system (scheduler and automatic steps)",
               ActorKind.APPLICANT: "Households (their own accounts)",
               ActorKind.PROVIDER_API: "Registered providers' systems (API)"}


@dataclass(frozen=True)
class Filters:
    """What the trail is narrowed to; None (or empty) for any."""

    actor_kind: ActorKind | None = None
    actor_id: int | None = None  # with actor_kind, one member of staff (or household) who acted
    action: str | None = None
    subject_type: str | None = None  # the table of the record acted on
    subject_id: int | None = None
    applicant_id: int | None = None  # the case the event belongs to
    start: date | None = None  # UK dates, both included
    end: date | None = None

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        found: list[sa.ColumnElement[bool]] = []
        if self.actor_kind is not None:
            found.append(AuditEvent.actor_kind == self.actor_kind)
        if self.actor_id is not None:
            found.append(AuditEvent.actor_id == self.actor_id)
        if self.action:
            found.append(AuditEvent.action == self.action)
        if self.subject_type:
            found.append(AuditEvent.subject_type == self.subject_type)
        if self.subject_id is not None:
            found.append(AuditEvent.subject_id == self.subject_id)
        if self.applicant_id is not None:
            found.append(AuditEvent.applicant_id == self.applicant_id)
        if self.start is not None:
            found.append(AuditEvent.at >= uk_midnight(self.start))
        if self.end is not None:
            found.append(AuditEvent.at < uk_midnight(self.end + timedelta(days=1)))
        return found



def staff_actors(session: Session) -> list[tuple[int, str]]:
    """Every member of staff (those disabled too: what they did stays on the trail), by name: (id, how shown)."""
    rows = session.exec(select(StaffUser.id, StaffUser.name, StaffUser.email, StaffUser.active)
                        .order_by(StaffUser.name, StaffUser.id)).all()
    return [(row[0], f"{row[1]} ({row[2]}{'' if row[3] else ', disabled'})") for row in rows]


def _distinct(session: Session, column: str) -> list[str]:
    """The values an indexed column of the trail holds, in order, one index probe each (a "loose index scan"):
    SELECT DISTINCT would read the whole index, millions of entries, for a hundred values."""
    walk = sa.text(f"""
        WITH RECURSIVE seen(value) AS (
            SELECT (SELECT {column} FROM audit_event ORDER BY {column} LIMIT 1)
            UNION ALL
            SELECT (SELECT {column} FROM audit_event WHERE {column} > seen.value ORDER BY {column} LIMIT 1)
            FROM seen WHERE seen.value IS NOT NULL
        )
        SELECT value FROM seen WHERE value IS NOT NULL""")
    return list(session.execute(walk).scalars())


def actions(session: Session) -> list[str]:
    """Every action the trail holds (cycle.closed, bid.placed ...)."""
    return _distinct(session, "action")


def record_types(session: Session) -> list[str]:
    """Every kind of record the trail's events were about (applicant, cycle, offer ...)."""
    return _distinct(session, "subject_type")


def applicant_id(session: Session, reference: str) -> int | None:
    return session.exec(select(Applicant.id).where(Applicant.reference == reference)).first()


@dataclass(frozen=True)
class Event:
    event: AuditEvent
    case: str | None  # the reference of the case it belongs to


@dataclass(frozen=True)
class Found:
    page: Page[Event]
    more: bool  # more events match than were counted (PAGE_COUNTED): the page says "more than"


def _counted(session: Session | Connection, filters: Filters, up_to: int) -> int:
    """How many events match, counting no further than `up_to` (the index is read no further than that)."""
    matching = select(AuditEvent.id).where(*filters.conditions()).limit(up_to).subquery()
    return session.execute(select(func.count()).select_from(matching)).scalar_one()


def _newest_first(filters: Filters) -> sa.Select:
    return (select(AuditEvent, Applicant.reference).outerjoin(Applicant, Applicant.id == AuditEvent.applicant_id)
            .where(*filters.conditions()).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))


def page(session: Session, filters: Filters, number: int, size: int = PER_PAGE) -> Found:
    """Page `number` of the events that match, newest first, counted up to PAGE_COUNTED and one more."""
    total = _counted(session, filters, PAGE_COUNTED + 1)
    shown: Page[Event] = Page([], number, size, min(total, PAGE_COUNTED))
    if not shown.beyond:
        rows = session.exec(_newest_first(filters).offset(shown.offset).limit(size)).all()
        shown = Page([Event(event, case) for event, case in rows], number, size, shown.total)
    return Found(shown, total > PAGE_COUNTED)


def subject_events(session: Session, table: str, subject_id: int, actions: tuple[str, ...]) -> list[AuditEvent]:
    """The events of these actions about one record, oldest first (a cycle's early close and reopenings)."""
    return list(session.exec(select(AuditEvent).where(
        AuditEvent.subject_type == table, AuditEvent.subject_id == subject_id, AuditEvent.action.in_(actions))
        .order_by(AuditEvent.at, AuditEvent.id)).all())


# --- as CSV -------------------------------------------------------------------------------

CSV_HEADINGS = ("Event", "When (UTC)", "When (UK)", "Who: kind", "Who: id", "Who", "What", "Record", "Record id",
                "Case", "Details")


def csv_count(connection: Connection, filters: Filters) -> int:
    """How many events a CSV of these filters holds, up to CSV_MAX_ROWS and one more: read in the snapshot the
    file is then read in (Database.open_snapshot), so the file holds exactly the events counted."""
    return _counted(connection, filters, CSV_MAX_ROWS + 1)


def csv_rows(connection: Connection, filters: Filters) -> Iterator[tuple[object, ...]]:
    """The events that match as CSV rows, newest first, read as they are written out (a server-side cursor on
    PostgreSQL), never held whole."""
    query = (select(*AuditEvent.__table__.c, Applicant.reference.label("case"))
             .outerjoin(Applicant, Applicant.id == AuditEvent.applicant_id)
             .where(*filters.conditions()).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    for row in connection.execution_options(stream_results=True, yield_per=1000).execute(query):
        at: datetime = row.at
        yield (row.id, at.isoformat(timespec="seconds"), at.astimezone(LONDON).isoformat(timespec="seconds"),
               row.actor_kind.value, row.actor_id, row.actor_name, row.action, row.subject_type, row.subject_id,
               row.case, json.dumps(row.details, ensure_ascii=False, sort_keys=True) if row.details else "")
