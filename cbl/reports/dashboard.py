"""The managers' dashboard: how long homes stand empty and where the days go, for a period and a landlord.

Read-only queries and figures; the admin page draws them. Every figure is a `Table` of text cells,
the same cells on the page and in its CSV, so a download always matches what was on screen.
Days are UK calendar days (Europe/London); `DEFINITIONS` says in a line each how a figure is made.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction

import sqlalchemy as sa
from sqlmodel import Session, func, select

from cbl.reports.csv_files import csv_text
from cbl.reports.figures import average, financial_quarter, one_decimal
from cbl.rules import reporting_periods
from cbl.rules.working_days import LONDON
from cbl.models import Advert, Applicant, Bid, Cycle, Nomination, Offer, Organisation, Property, Void
from cbl.models.states import AdvertStatus, BidStatus, NominationStatus, OfferStatus, VoidStatus

from cbl.services.errors import InvalidInput
from cbl.services.void_clock import (
    MILESTONE_NAMES, MILESTONES, STAGE_NAMES, rent_lost_pence, void_clock, weekly_charge_pence,
)

AGE_BANDS = ((0, 7), (8, 14), (15, 28), (29, 56), (57, None))
NUMBER = re.compile(r"\d+(\.\d+)?%?")

DEFINITIONS = (
    "Void days: calendar days from the day after the tenancy ended to the day the new tenancy started "
    "(UK dates); for a home still empty, to today.",
    "Re-let time: the void days of the lets whose new tenancy started in the period, averaged over those lets.",
    "Stages: from one recorded milestone to the next; a milestone not recorded is skipped and its days count in "
    "the stage ending at the next one recorded, so a let's stage days add up to its void days.",
    "Where the days go: each stage's days summed over the period's lets and divided by the number of lets, so "
    "the stages add up to the average re-let time.",
    "Homes empty now: voids open today, whatever the period, by days empty so far and by the latest milestone "
    "reached.",
    "Cycles: the bidding cycles closing in the period that have opened; adverts not withdrawn, and the bids on "
    "them that still stand.",
    "Households housed: the households whose offer or nomination ended in a let in the period, by their band; "
    "waiting time is from their registration to their tenancy start.",
    "Rent lost: (weekly rent + service charges) ÷ 7 for each void day falling in the period (to today at "
    "most), rounded to the penny for each home; homes taken out of letting are left out.",
)


# --- the period ----------------------------------------------------------------------------

def quarter_name(start: date, end: date) -> str | None:
    """"Q1 of 2026 to 2027" when the period is a financial quarter; else None."""
    if (start, end) != financial_quarter(start):
        return None
    number = (start.month - 4) % 12 // 3 + 1
    year = start.year if start.month >= 4 else start.year - 1
    return f"Q{number} of {year} to {year + 1}"


def period(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """The period asked for (UK dates, both included), or by default the financial quarter of today."""
    return reporting_periods.period(start, end, financial_quarter(today))


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


# --- the figures -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Table:
    """A figure as a table of text cells, with the values its bar chart draws (one per row)."""

    key: str  # its CSV is /admin/dashboard/<key>.csv
    caption: str
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    bars: tuple[tuple[str, float], ...]
    unit: str

    @property
    def numeric(self) -> tuple[bool, ...]:
        """Which columns hold numbers (right-aligned on the page): all but the first whose cells are figures."""
        return tuple(i > 0 and all(NUMBER.fullmatch(row[i]) or not row[i] for row in self.rows)
                     for i in range(len(self.headings)))


@dataclass(frozen=True)
class Dashboard:
    start: date
    end: date
    today: date
    landlord: str | None  # an organisation's code
    landlord_name: str | None
    lets: int
    average_relet: Fraction | None
    bottleneck: tuple[str, Fraction] | None  # the stage taking most days per let, and its days
    rent_lost_pence: int
    live_voids: int
    tables: dict[str, Table]

    @property
    def average_relet_text(self) -> str:
        return one_decimal(self.average_relet)

    @property
    def bottleneck_text(self) -> str:
        """The stage where most of the re-let time goes, with its average days a let and its share."""
        if self.bottleneck is None or not self.average_relet:
            return "No days to show"
        stage, days = self.bottleneck
        return f"{stage}: {one_decimal(days)} days a let ({one_decimal(100 * days / self.average_relet)}% of the " \
               "re-let time)"


def pounds(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


def _table(key: str, caption: str, headings: Iterable[str], rows: Iterable[tuple], unit: str,
           chart_column: int = 2) -> Table:
    """Rows of (label, values...): the cells as text; the chart draws the `chart_column`-th value."""
    rows = list(rows)
    return Table(key, caption, tuple(headings),
                 tuple(tuple(_text(cell) for cell in row) for row in rows),
                 tuple((str(row[0]), float(row[chart_column] or 0)) for row in rows), unit)


def _text(cell: object) -> str:
    if isinstance(cell, Fraction) or cell is None:
        return one_decimal(cell, "")
    return str(cell)


@dataclass(frozen=True)
class _Let:
    landlord: str
    property_type: str
    area: str
    started: date
    days: int
    stages: dict[str, int]


def landlords(session: Session) -> list[tuple[str, str]]:
    """Every landlord with homes, as (code, name), by name."""
    return [tuple(row) for row in session.exec(
        select(Organisation.code, Organisation.name).where(
            sa.exists().where(Property.landlord_id == Organisation.id)).order_by(Organisation.name)).all()]


def _homes(landlord_id: int | None) -> list:
    return [Property.landlord_id == landlord_id] if landlord_id is not None else []


def _let_conditions(start: date, end: date, landlord_id: int | None) -> list:
    return [Void.status == VoidStatus.LET, Void.tenancy_start_date.is_not(None),
            Void.tenancy_start_date >= start, Void.tenancy_start_date <= end, *_homes(landlord_id)]


# A void with what the figures need of its home and landlord, as one plain row: a quarter's lets and
# the homes empty now are thousands of rows, and ORM objects for them cost more than the figures.
_VOID_AND_HOME = (*Void.__table__.columns, Property.property_type, Property.area, Property.weekly_rent_pence,
                  Property.weekly_charges_pence, Organisation.name.label("landlord"))


def _voids(session: Session, *conditions: sa.ColumnElement[bool]) -> list[sa.Row]:
    return list(session.exec(select(*_VOID_AND_HOME).join(Property, Property.id == Void.property_id)
                             .join(Organisation, Organisation.id == Property.landlord_id).where(*conditions)))


def _lets(session: Session, start: date, end: date, today: date, landlord_id: int | None) -> list[_Let]:
    lets = []
    for void in _voids(session, *_let_conditions(start, end, landlord_id)):
        home, landlord = void, void.landlord
        clock = void_clock(void, weekly_charge_pence(home), today)
        stages: dict[str, int] = defaultdict(int)
        for stage in clock.stages:
            stages[stage.key] += stage.days
        lets.append(_Let(landlord, home.property_type.value.capitalize(), home.area, void.tenancy_start_date,
                         clock.total_days, dict(stages)))
    return lets


def _relet_by(key: str, caption: str, heading: str, lets: list[_Let], label, order=None) -> Table:  # noqa: ANN001
    groups: dict = defaultdict(list)
    for let in lets:
        groups[label(let)].append(let.days)
    names = sorted(groups, key=order or (lambda name: str(name).lower()))
    return _table(key, caption, (heading, "Lets", "Average re-let time (days)", "Longest (days)"),
                  [(_name(name), len(groups[name]), average(groups[name]), max(groups[name])) for name in names],
                  "days")


def _name(group: object) -> str:
    return f"{group:%B %Y}" if isinstance(group, date) else str(group)


def _stage_days(lets: list[_Let]) -> Table:
    rows = []
    total = sum(let.days for let in lets)
    for key, _, name in MILESTONES[1:]:
        days = sum(let.stages.get(key, 0) for let in lets)
        share = f"{one_decimal(Fraction(100 * days, total))}%" if total else ""
        rows.append((name, Fraction(days, len(lets)) if lets else None, share))
    return _table("stage-days", "Where the days go: average days per let in each stage", ("Stage",
                  "Average days per let", "Share of re-let time"), rows, "days", chart_column=1)


def _live(session: Session, today: date, landlord_id: int | None) -> tuple[Table, Table, int]:
    rows = _voids(session, Void.status == VoidStatus.OPEN, *_homes(landlord_id))
    ages: dict[tuple, int] = {band: 0 for band in AGE_BANDS}
    stages: dict[str, list[int]] = {key: [] for key, _, _ in MILESTONES[:-1]}
    for void in rows:
        clock = void_clock(void, weekly_charge_pence(void), today)
        for low, high in AGE_BANDS:
            if clock.total_days >= low and (high is None or clock.total_days <= high):
                ages[(low, high)] += 1
        stages.setdefault(clock.latest.key, []).append(clock.total_days)
    by_age = _table("live-by-age", "Homes empty now, by days empty so far", ("Days empty", "Homes"),
                    [(f"{low} to {high} days" if high else f"{low} days or more", count)
                     for (low, high), count in ages.items()], "homes", chart_column=1)
    by_stage = _table("live-by-stage", "Homes empty now, by the latest milestone reached",
                      ("Latest milestone", "Homes", "Average days empty so far"),
                      [(MILESTONE_NAMES[key], len(days), average(days)) for key, days in stages.items()],
                      "homes", chart_column=1)
    return by_age, by_stage, len(rows)


def _cycles(session: Session, start: date, end: date, today: date, landlord_id: int | None) -> Table:
    cycles = session.exec(select(Cycle).where(
        Cycle.closes_at >= _local_midnight(start), Cycle.closes_at < _local_midnight(end + timedelta(days=1)),
        Cycle.opens_at < _local_midnight(today + timedelta(days=1))).order_by(Cycle.closes_at, Cycle.id)).all()
    # Each advert with the bids still standing on it, counted from their index (ix_bid_active_advert_id), which
    # holds all that is counted: a quarter's cycles have ~90,000 bids, too many to read from the table.
    standing = (select(func.count()).where(Bid.advert_id == Advert.id, Bid.status == BidStatus.ACTIVE)
                .correlate(Advert).scalar_subquery())
    shown = (select(Advert.cycle_id, standing.label("bids")).join(Property, Property.id == Advert.property_id)
             .where(Advert.status.not_in([AdvertStatus.DRAFT, AdvertStatus.WITHDRAWN]), *_homes(landlord_id),
                    Advert.cycle_id.in_([cycle.id for cycle in cycles])).subquery())
    counts = {cycle_id: (adverts, int(bids)) for cycle_id, adverts, bids in session.exec(
        select(shown.c.cycle_id, func.count(), func.sum(shown.c.bids)).group_by(shown.c.cycle_id)).all()}
    rows = []
    for cycle in cycles:
        count, bid_count = counts.get(cycle.id, (0, 0))
        closed = cycle.closes_at.astimezone(LONDON).date()
        rows.append((cycle.name, f"{closed.day} {closed:%B %Y}", count, bid_count,
                     Fraction(bid_count, count) if count else None))
    return _table("cycles", "Bidding cycles closing in the period",
                  ("Cycle", "Closed on", "Adverts", "Bids", "Bids per advert"), rows, "bids per advert",
                  chart_column=4)


def _housed(session: Session, start: date, end: date, landlord_id: int | None) -> Table:
    conditions = _let_conditions(start, end, landlord_id)
    picked = (Void.id, Applicant.band, Applicant.registration_date, Void.tenancy_start_date)
    by_offer = (select(*picked).join(Property, Property.id == Void.property_id)
                .join(Offer, Offer.void_id == Void.id).join(Applicant, Applicant.id == Offer.applicant_id)
                .where(*conditions, Offer.status == OfferStatus.LET))
    by_nomination = (select(*picked).join(Property, Property.id == Void.property_id)
                     .join(Advert, Advert.void_id == Void.id).join(Nomination, Nomination.advert_id == Advert.id)
                     .join(Applicant, Applicant.id == Nomination.applicant_id)
                     .where(*conditions, Nomination.status == NominationStatus.LET))
    housed = {void_id: (band, registered, started) for void_id, band, registered, started
              in session.exec(sa.union_all(by_offer, by_nomination)).all()}
    waits: dict[str, list[int]] = defaultdict(list)
    for band, registered, started in housed.values():
        waits[band or "No band"].append(max(0, (started - registered).days))
    return _table("housed-by-band", "Households housed in the period, by band",
                  ("Band", "Households housed", "Average wait from registration (days)", "Longest wait (days)"),
                  [(band, len(days), average(days), max(days)) for band, days in sorted(waits.items())], "days")


def _rent_lost(session: Session, start: date, end: date, today: date, landlord_id: int | None) -> tuple[Table, int]:
    rows = _voids(session, Void.status.in_([VoidStatus.OPEN, VoidStatus.LET]), Void.tenancy_end_date < end,
                  sa.or_(Void.tenancy_start_date.is_(None), Void.tenancy_start_date >= start), *_homes(landlord_id))
    days: dict[str, int] = defaultdict(int)
    lost: dict[str, int] = defaultdict(int)
    for void in rows:
        in_period = days_in_period(void, start, end, today)
        if in_period:
            days[void.landlord] += in_period
            lost[void.landlord] += rent_lost_pence(weekly_charge_pence(void), in_period)
    table = _table("rent-lost", "Rent lost in the period, by landlord", ("Landlord", "Void days in the period",
                   "Rent lost (£)"), [(name, days[name], pounds(lost[name])) for name in sorted(days)], "£")
    return table, sum(lost.values())


def days_in_period(void: Void, start: date, end: date, today: date) -> int:
    """The void's empty days (after the tenancy end, up to the tenancy start or today) within start..end."""
    stop = min(void.tenancy_start_date or today, end, today)
    return max(0, (stop - max(void.tenancy_end_date, start - timedelta(days=1))).days)


def dashboard(session: Session, start: date, end: date, today: date, landlord: str | None = None) -> Dashboard:
    """The dashboard for lets in start..end (UK dates, both included), homes empty on `today`, one landlord or all."""
    landlord_id = landlord_name = None
    if landlord:
        found = session.exec(select(Organisation).where(Organisation.code == landlord)).first()
        if found is None:
            raise InvalidInput("Choose a landlord from the list.", field="landlord")
        landlord_id, landlord_name = found.id, found.name
    lets = _lets(session, start, end, today, landlord_id)
    whose = f" ({landlord_name})" if landlord_name else ""
    relet = [
        _relet_by("relet-by-month", f"Average re-let time by month of tenancy start{whose}", "Month", lets,
                  lambda let: let.started.replace(day=1), order=lambda month: month),
        _relet_by("relet-by-landlord", "Average re-let time by landlord", "Landlord", lets, lambda let: let.landlord),
        _relet_by("relet-by-type", f"Average re-let time by type of home{whose}", "Type of home", lets,
                  lambda let: let.property_type),
        _relet_by("relet-by-area", f"Average re-let time by area{whose}", "Area", lets, lambda let: let.area),
    ]
    stages = _stage_days(lets)
    by_age, by_stage, live = _live(session, today, landlord_id)
    rent, rent_lost = _rent_lost(session, start, end, today, landlord_id)
    tables = [*relet, stages, by_age, by_stage, _cycles(session, start, end, today, landlord_id),
              _housed(session, start, end, landlord_id), rent]
    per_stage = [(STAGE_NAMES[key], Fraction(sum(let.stages.get(key, 0) for let in lets), len(lets)))
                 for key in STAGE_NAMES] if lets else []
    bottleneck = max(per_stage, key=lambda item: item[1]) if per_stage else None
    return Dashboard(start, end, today, landlord, landlord_name, len(lets), average([let.days for let in lets]),
                     bottleneck if bottleneck and bottleneck[1] > 0 else None,
                     rent_lost, live,
                     {table.key: table for table in tables})


def table_csv(table: Table) -> str:
    """A table as CSV: its headings, then its rows, cell for cell as on the page."""
    return csv_text([table.headings, *table.rows])

