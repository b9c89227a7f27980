"""The void clock: a void's milestones as UK dates, the days each stage of its re-let took, the days it
has stood empty and the rent lost; and recording when the repair works started and finished.

Every figure counts UK calendar days (Europe/London), so a clock change never adds or loses a day.
The clock runs from the day after the tenancy ended to the day the new tenancy started (or, while the
home is still empty, today): `cbl.services.lettings.void_days`. A stage runs from one recorded
milestone to the next recorded one; a milestone that was not recorded is skipped, its days falling
into the stage that ends at the next milestone recorded. So a void's stage days add up to its total.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import cast
from fractions import Fraction

import sqlalchemy as sa
from sqlmodel import Session, select

from cbl.rules.working_days import LONDON, local_date
from cbl.models import Property, Void
from cbl.models.day_sql import days_between, earliest_day, latest_day, local_day
from cbl.models.states import VoidStatus

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound
from .lettings import void_days
from .stock import _home_to_manage

# Each milestone in the order a re-let reaches them: its key, its name, and the name of the stage
# that ends when it is reached (the first, the tenancy end, starts the clock and ends no stage).
MILESTONES: tuple[tuple[str, str, str], ...] = (
    ("tenancy_end", "Tenancy ended", ""),
    ("keys_returned", "Keys returned", "Getting the keys back"),
    ("works_started", "Works started", "Waiting for works to start"),
    ("works_ended", "Works finished", "Repair works"),
    ("ready_to_let", "Ready to let", "Works finished to ready to let"),
    ("advertised", "Advertised", "Waiting to be advertised"),
    ("shortlisted", "Shortlisted", "Advertised, until the shortlist"),
    ("offered", "Offer or nomination", "Shortlist to offer or nomination"),
    ("accepted", "Accepted", "Waiting for the household's acceptance"),
    ("tenancy_start", "Tenancy started", "Accepted to tenancy start"),
)
# The keys handed to the new tenant at sign-up: recorded and shown with the milestones, but ending no stage,
# for the clock stops at the tenancy start whether the keys went a day before it or on the day.
KEYS_GIVEN = "keys_given"
MILESTONE_NAMES = {key: name for key, name, _ in MILESTONES} | {KEYS_GIVEN: "Keys given"}
STAGE_NAMES = {key: stage for key, _, stage in MILESTONES if stage}

_MOMENTS = {"keys_returned": "keys_returned_at", "works_started": "works_started_at",
            "works_ended": "works_ended_at", "ready_to_let": "ready_to_let_at", "advertised": "advertised_at",
            "shortlisted": "shortlisted_at", "offered": "offered_at", "accepted": "accepted_at"}


@dataclass(frozen=True)
class Milestone:
    key: str
    on: date  # the UK date it was reached

    @property
    def name(self) -> str:
        return MILESTONE_NAMES[self.key]


@dataclass(frozen=True)
class Stage:
    """The days from one recorded milestone to the next; `end` is None for a live void's stage so far."""

    start: Milestone
    end: Milestone | None
    days: int

    @property
    def key(self) -> str:
        """The stage's name is that of the milestone that ends it ("running" while it has not ended)."""
        return self.end.key if self.end else "running"

    @property
    def name(self) -> str:
        if self.end is None:
            return f"Since {self.start.name.lower()}, so far"
        return STAGE_NAMES[self.end.key]


@dataclass(frozen=True)
class VoidClock:
    milestones: tuple[Milestone, ...]
    stages: tuple[Stage, ...]
    total_days: int
    live: bool  # still empty: the clock runs to `today`
    today: date
    rent_lost_pence: int

    @property
    def latest(self) -> Milestone:
        """The furthest milestone in the re-let reached so far."""
        return self.milestones[-1]


def weekly_charge_pence(home: Property) -> int:
    """What the home brings in a week when let: the rent and the service charges."""
    return home.weekly_rent_pence + home.weekly_charges_pence


def rent_lost_pence(weekly_pence: int, days: int) -> int:
    """(Weekly rent + charges) ÷ 7 × days, rounded to the penny (halves up, though sevenths never halve)."""
    return int(Fraction(weekly_pence * days, 7) + Fraction(1, 2)) if days > 0 else 0


def milestones(void: Void) -> tuple[Milestone, ...]:
    """The milestones recorded for a void, in the order of a re-let, as UK dates."""
    found = [Milestone("tenancy_end", void.tenancy_end_date)]
    for key, _, _ in MILESTONES[1:-1]:
        moment = getattr(void, _MOMENTS[key])
        if moment is not None:
            found.append(Milestone(key, local_date(moment)))
    if void.keys_given_on is not None:
        found.append(Milestone(KEYS_GIVEN, void.keys_given_on))
    if void.tenancy_start_date is not None:
        found.append(Milestone("tenancy_start", void.tenancy_start_date))
    return tuple(found)


def void_clock(void: Void, weekly_pence: int, today: date) -> VoidClock:
    """The void's clock as of `today` (a UK date), with the rent lost at `weekly_pence` a week."""
    reached = milestones(void)
    live = void.tenancy_start_date is None and void.status is VoidStatus.OPEN
    if void.tenancy_start_date is not None:
        stop = void.tenancy_start_date
    elif live:
        stop = max(today, void.tenancy_end_date)
    else:  # withdrawn from letting on a day not recorded: the clock stops at its last milestone
        stop = max(m.on for m in reached)
    stages, previous, clock = [], reached[0], void.tenancy_end_date
    for milestone in (m for m in reached[1:] if m.key != KEYS_GIVEN):
        # A milestone recorded out of order adds no days; none runs the clock past its stop.
        on = min(max(milestone.on, clock), stop)
        stages.append(Stage(previous, milestone, (on - clock).days))
        previous, clock = milestone, on
    if live:
        stages.append(Stage(previous, None, (stop - clock).days))
    total = void_days(void.tenancy_end_date, stop)
    return VoidClock(reached, tuple(stages), total, live, today, rent_lost_pence(weekly_pence, total))


# --- the same clock in SQL, for reports over many voids --------------------------------------

@dataclass(frozen=True)
class ClockColumns:
    """The void clock of each row as SQL expressions (over `Void`), for the database to sum or group: what
    `void_clock` gives for one void, without reading the voids out."""

    total_days: sa.ColumnElement[int]
    stage_days: dict[str, sa.ColumnElement[int]]  # by the key of the milestone ending the stage
    latest: sa.ColumnElement[str]  # the key of the furthest milestone reached


TODAY = sa.bindparam("clock_today", type_=sa.Date)  # the day a live void's clock runs to: give it as a parameter


def clock_columns() -> ClockColumns:
    """`void_clock` as SQL, to the day given as the parameter `clock_today` (`TODAY`). A stage ends at a
    milestone clamped between the clock so far and the stop, so the clock after each milestone is the latest
    of the tenancy end and the milestones recorded up to it, never past the stop; a milestone not recorded
    leaves the clock where it was (a stage of no days), as skipping it does. Only the clock to a let's
    tenancy start has stages here (a live void's figures need none)."""
    stop_of_let = Void.tenancy_start_date
    stop = sa.case((Void.tenancy_start_date.is_not(None), Void.tenancy_start_date),
                   (Void.status == VoidStatus.OPEN, latest_day(TODAY, Void.tenancy_end_date)),
                   else_=None)
    reached = [Void.tenancy_end_date]
    clock_before = cast(sa.ColumnElement, Void.tenancy_end_date)  # (the model's column, typed as one)
    stages = {}
    for key, _, _ in MILESTONES[1:-1]:
        day = local_day(getattr(Void, _MOMENTS[key]))
        reached.append(sa.func.coalesce(day, Void.tenancy_end_date))
        clock = earliest_day(latest_day(*reached), stop_of_let)
        stages[key] = days_between(clock, clock_before)
        clock_before = clock
    stages["tenancy_start"] = days_between(stop_of_let, clock_before)
    total = days_between(stop, Void.tenancy_end_date)
    latest = sa.case((Void.keys_given_on.is_not(None), KEYS_GIVEN),
                     *[(getattr(Void, _MOMENTS[key]).is_not(None), key) for key, _, _ in reversed(MILESTONES[1:-1])],
                     else_="tenancy_end")
    return ClockColumns(sa.case((total > 0, total), else_=0), stages, latest)


CLOCK = clock_columns()  # built once: a dashboard sums a dozen of these expressions


# --- recording the works -------------------------------------------------------------------

def _noon(on: date, now: datetime) -> datetime:
    """A UK date kept as a moment: midday there, or now if that has not come yet today."""
    return min(datetime.combine(on, time(12), tzinfo=LONDON), now)


def _open_void(session: Session, actor: Actor, void_id: int) -> Void:
    void = session.exec(select(Void).where(Void.id == void_id).with_for_update()).first()
    if void is None:
        raise NotFound("No such void.")
    _home_to_manage(session, actor, void.property_id)
    if void.status is not VoidStatus.OPEN:
        raise Conflict(f"This void is closed ({void.status.value}); its milestones can no longer change.")
    return void


def _check_day(void: Void, on: date, now: datetime, field: str, what: str) -> None:
    if on < void.tenancy_end_date:
        raise InvalidInput(f"The {what} cannot be before the tenancy ended ({void.tenancy_end_date:%-d %B %Y}).",
                           field=field)
    if on > local_date(now):
        raise InvalidInput(f"The {what} cannot be in the future.", field=field)


def record_works_started(session: Session, actor: Actor, void_id: int, on: date, now: datetime) -> Void:
    """The repair works on an empty home started on a UK date (a correction replaces the date recorded)."""
    void = _open_void(session, actor, void_id)
    _check_day(void, on, now, "works_started", "date the works started")
    if void.works_ended_at is not None and on > local_date(void.works_ended_at):
        raise InvalidInput("The works cannot start after the day they finished "
                           f"({local_date(void.works_ended_at):%-d %B %Y}).", field="works_started")
    previous = local_date(void.works_started_at) if void.works_started_at else None
    if previous == on:
        return void  # already recorded: nothing changes
    void.works_started_at = _noon(on, now)
    session.add(void)
    audit(session, actor, "void.works_started", void, {"on": on, "previous": previous})
    return void


def record_works_finished(session: Session, actor: Actor, void_id: int, on: date, now: datetime) -> Void:
    """The repair works finished on a UK date, on or after the day they started."""
    void = _open_void(session, actor, void_id)
    _check_day(void, on, now, "works_finished", "date the works finished")
    if void.works_started_at is None:
        raise Conflict("Record the day the works started first.")
    started = local_date(void.works_started_at)
    if on < started:
        raise InvalidInput(f"The works cannot finish before the day they started ({started:%-d %B %Y}).",
                           field="works_finished")
    previous = local_date(void.works_ended_at) if void.works_ended_at else None
    if previous == on:
        return void
    void.works_ended_at = _noon(on, now)
    session.add(void)
    audit(session, actor, "void.works_finished", void, {"on": on, "previous": previous})
    return void
