"""The managers' dashboard: how long homes stand empty and where the days go, for a period and a landlord.

Read-only queries and figures; the admin page draws them. Every figure is a `Table` of text cells,
the same cells on the page and in its CSV, so a download always matches what was on screen.
Days are UK calendar days (Europe/London); `DEFINITIONS` says in a line each how a figure is made.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

import sqlalchemy as sa
from sqlmodel import Session, func, select

from cbl.reports.csv_files import csv_text
from cbl.reports.figures import financial_quarter, one_decimal
from cbl.rules import reporting_periods
from cbl.rules.working_days import LONDON, uk_midnight
from cbl.models import Advert, Applicant, Bid, Cycle, Nomination, Offer, Organisation, Property, Void
from cbl.models.states import AdvertStatus, BidStatus, NominationStatus, OfferStatus, VoidStatus

from cbl.services.errors import InvalidInput
from cbl.models.day_sql import days_between, earliest_day, latest_day
from cbl.services.void_clock import CLOCK, MILESTONE_NAMES, MILESTONES, STAGE_NAMES

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


def _void_homes(*columns: sa.ColumnElement) -> sa.Select:
    """Voids with their homes and landlords, for the figures the database sums over them."""
    return (select(*columns).select_from(Void).join(Property, Property.id == Void.property_id)
            .join(Organisation, Organisation.id == Property.landlord_id))


@dataclass(frozen=True)
class _LetGroup:
    """The period's lets in one group (a month, a landlord, a type of home or an area): how many, and the void
    days they add up to and the longest."""

    name: object
    lets: int
    days: int
    longest: int


@dataclass(frozen=True)
class _Lets:
    """The period's lets as the database sums them (a quarter's lets are thousands of rows: each figure is
    summed where they are, not read out): grouped for the re-let tables, and their days in each stage."""

    count: int
    days: int
    stages: dict[str, int]  # the days in each stage, summed over the lets, by the key of the milestone ending it
    by: dict[str, list[_LetGroup]]  # month, landlord, type, area


def _lets(session: Session, start: date, end: date, today: date, landlord_id: int | None) -> _Lets:
    """One statement: the lets summed for each month, landlord, type of home and area that has any (a group's
    figures are sums, counts and a maximum, so the four tables' groups are these added up)."""
    clock = CLOCK
    keys = (sa.extract("year", Void.tenancy_start_date), sa.extract("month", Void.tenancy_start_date),
            Organisation.name, Property.property_type, Property.area)
    found = session.exec(_void_homes(*keys, func.count(), func.sum(clock.total_days), func.max(clock.total_days),
                                     *[func.sum(days) for days in clock.stage_days.values()])
                         .where(*_let_conditions(start, end, landlord_id)).group_by(*keys),
                         params={"clock_today": today}).all()
    by: dict[str, dict[object, _LetGroup]] = {"month": {}, "landlord": {}, "type": {}, "area": {}}
    stages = dict.fromkeys(clock.stage_days, 0)
    count = days = 0
    for year, month, landlord, kind, area, lets, total, longest, *stage_days in found:
        lets, total, longest = int(lets), int(total), int(longest)
        count, days = count + lets, days + total
        for key, stage in zip(clock.stage_days, stage_days, strict=True):
            stages[key] += int(stage)
        for name, group in (("month", date(int(year), int(month), 1)), ("landlord", landlord), ("type", kind),
                            ("area", area)):
            held = by[name].get(group)
            by[name][group] = _LetGroup(group, lets, total, longest) if held is None else _LetGroup(
                group, held.lets + lets, held.days + total, max(held.longest, longest))
    return _Lets(count, days, stages, {name: list(groups.values()) for name, groups in by.items()})


def _relet_by(key: str, caption: str, heading: str, groups: list[_LetGroup], label=str, order=None) -> Table:  # noqa: ANN001
    named = sorted(groups, key=lambda group: (order or (lambda name: str(name).lower()))(label(group.name)))
    return _table(key, caption, (heading, "Lets", "Average re-let time (days)", "Longest (days)"),
                  [(_name(label(group.name)), group.lets, Fraction(group.days, group.lets), group.longest)
                   for group in named], "days")


def _name(group: object) -> str:
    return f"{group:%B %Y}" if isinstance(group, date) else str(group)


def _stage_days(lets: _Lets) -> Table:
    rows = []
    for key, _, name in MILESTONES[1:]:
        days = lets.stages.get(key, 0)
        share = f"{one_decimal(Fraction(100 * days, lets.days))}%" if lets.days else ""
        rows.append((name, Fraction(days, lets.count) if lets.count else None, share))
    return _table("stage-days", "Where the days go: average days per let in each stage", ("Stage",
                  "Average days per let", "Share of re-let time"), rows, "days", chart_column=1)


def _live(session: Session, today: date, landlord_id: int | None) -> tuple[Table, Table, int]:
    """One statement: the homes empty now counted by their latest milestone and band of days empty so far."""
    clock = CLOCK
    band = sa.case(*[(clock.total_days <= high, low) for low, high in AGE_BANDS if high is not None],
                   else_=AGE_BANDS[-1][0])
    found = session.exec(_void_homes(clock.latest, band, func.count(), func.sum(clock.total_days))
                         .where(Void.status == VoidStatus.OPEN, *_homes(landlord_id)).group_by(clock.latest, band),
                         params={"clock_today": today}).all()
    ages = {(low, high): 0 for low, high in AGE_BANDS}
    lows = {low: (low, high) for low, high in AGE_BANDS}
    # Every milestone but the tenancy start is listed, reached by any home or not; the keys given after them.
    stages = {key: (0, 0) for key, _, _ in MILESTONES[:-1]}
    for latest, low, count, days in found:
        ages[lows[low]] += count
        held = stages.get(latest, (0, 0))
        stages[latest] = (held[0] + count, held[1] + int(days))
    by_age = _table("live-by-age", "Homes empty now, by days empty so far", ("Days empty", "Homes"),
                    [(f"{low} to {high} days" if high else f"{low} days or more", count)
                     for (low, high), count in ages.items()], "homes", chart_column=1)
    by_stage = _table("live-by-stage", "Homes empty now, by the latest milestone reached",
                      ("Latest milestone", "Homes", "Average days empty so far"),
                      [(MILESTONE_NAMES[key], count, Fraction(days, count) if count else None)
                       for key, (count, days) in stages.items()],
                      "homes", chart_column=1)
    return by_age, by_stage, sum(ages.values())


def _cycles(session: Session, start: date, end: date, today: date, landlord_id: int | None) -> Table:
    cycles = session.exec(select(Cycle).where(
        Cycle.closes_at >= uk_midnight(start), Cycle.closes_at < uk_midnight(end + timedelta(days=1)),
        Cycle.opens_at < uk_midnight(today + timedelta(days=1))).order_by(Cycle.closes_at, Cycle.id)).all()
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
    # Each let once (a union, not a union all), summed by band where the lets are.
    housed = sa.union(by_offer, by_nomination).subquery()
    waited = days_between(housed.c.tenancy_start_date, housed.c.registration_date)
    wait = sa.case((waited > 0, waited), else_=0)
    waits = {band or "No band": (count, int(days), int(longest)) for band, count, days, longest in session.exec(
        select(housed.c.band, func.count(), func.sum(wait), func.max(wait)).group_by(housed.c.band)).all()}
    return _table("housed-by-band", "Households housed in the period, by band",
                  ("Band", "Households housed", "Average wait from registration (days)", "Longest wait (days)"),
                  [(band, count, Fraction(days, count), longest) for band, (count, days, longest)
                   in sorted(waits.items())], "days")


def _rent_lost(session: Session, start: date, end: date, today: date, landlord_id: int | None) -> tuple[Table, int]:
    days = _days_in_period(start, end, today)
    weekly = Property.weekly_rent_pence + Property.weekly_charges_pence
    # `rent_lost_pence` for each home, in whole numbers: (weekly × days) ÷ 7 to the penny, halves up.
    lost = (2 * weekly * days + 7) // 14
    found = session.exec(_void_homes(Organisation.name, func.sum(days), func.sum(lost)).where(
        Void.status.in_([VoidStatus.OPEN, VoidStatus.LET]), Void.tenancy_end_date < end,
        sa.or_(Void.tenancy_start_date.is_(None), Void.tenancy_start_date >= start), *_homes(landlord_id),
        days > 0).group_by(Organisation.name)).all()
    totals = {name: (int(void_days), int(pence)) for name, void_days, pence in found}
    table = _table("rent-lost", "Rent lost in the period, by landlord", ("Landlord", "Void days in the period",
                   "Rent lost (£)"), [(name, totals[name][0], pounds(totals[name][1])) for name in sorted(totals)], "£")
    return table, sum(pence for _, pence in totals.values())


def _days_in_period(start: date, end: date, today: date) -> sa.ColumnElement[int]:
    """`days_in_period` as SQL: the void's empty days (after the tenancy end, up to the tenancy start or today)
    within start..end."""
    stop = earliest_day(sa.func.coalesce(Void.tenancy_start_date, sa.literal(today, sa.Date)),
                        sa.literal(min(end, today), sa.Date))
    days = days_between(stop, latest_day(Void.tenancy_end_date, sa.literal(start - timedelta(days=1), sa.Date)))
    return sa.case((days > 0, days), else_=0)


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
        _relet_by("relet-by-month", f"Average re-let time by month of tenancy start{whose}", "Month", lets.by["month"],
                  label=lambda month: month, order=lambda month: month),
        _relet_by("relet-by-landlord", "Average re-let time by landlord", "Landlord", lets.by["landlord"]),
        _relet_by("relet-by-type", f"Average re-let time by type of home{whose}", "Type of home", lets.by["type"],
                  label=lambda kind: kind.value.capitalize()),
        _relet_by("relet-by-area", f"Average re-let time by area{whose}", "Area", lets.by["area"]),
    ]
    stages = _stage_days(lets)
    by_age, by_stage, live = _live(session, today, landlord_id)
    rent, rent_lost = _rent_lost(session, start, end, today, landlord_id)
    tables = [*relet, stages, by_age, by_stage, _cycles(session, start, end, today, landlord_id),
              _housed(session, start, end, landlord_id), rent]
    per_stage = [(STAGE_NAMES[key], Fraction(lets.stages.get(key, 0), lets.count))
                 for key in STAGE_NAMES] if lets.count else []
    bottleneck = max(per_stage, key=lambda item: item[1]) if per_stage else None
    return Dashboard(start, end, today, landlord, landlord_name, lets.count,
                     Fraction(lets.days, lets.count) if lets.count else None,
                     bottleneck if bottleneck and bottleneck[1] > 0 else None,
                     rent_lost, live,
                     {table.key: table for table in tables})


def table_csv(table: Table) -> str:
    """A table as CSV: its headings, then its rows, cell for cell as on the page."""
    return csv_text([table.headings, *table.rows])

