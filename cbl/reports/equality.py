"""The equality monitoring report: for a period, how the households on the register, those who bid, were
shortlisted, offered a home and housed compare by each protected characteristic (Equality Act 2010, s149).

Read-only. One statement counts the households at every stage by each characteristic (the same whatever the
size of the register); the answers are read only here, as counts, and every count is protected
(cbl/reports/suppression.py) before anything is shown: on the page, in its charts and in its CSV alike.
`DEFINITIONS` says in a line each how each figure is made.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

import sqlalchemy as sa
from sqlmodel import Session, select

from cbl.models import Advert, Applicant, Bid, Cycle, EqualityAnswers, Nomination, Offer, ShortlistEntry, Void
from cbl.models.states import NominationStatus, OfferStatus, VoidStatus
from cbl.reports.csv_files import sections_csv
from cbl.reports.figures import decimal_text
from cbl.reports.suppression import HELD_BACK, Protected, protect
from cbl.rules.equality_categories import (
    AGE_BANDS, AGE_NOT_RECORDED, ETHNIC_GROUP_OF, NOT_ANSWERED_LABEL, PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL,
    KEYS, QUESTIONS, REPORTED_ETHNIC_GROUPS, born_by,
)
from cbl.rules.working_days import uk_midnight
from cbl.services.actors import Actor
from cbl.services.rights import Right

STAGES: tuple[tuple[str, str], ...] = (
    ("register", "On the register"), ("bids", "Bid"), ("shortlisted", "Shortlisted"), ("offered", "Offered a home"),
    ("let", "Housed"),
)

SHARE_HEADINGS = ("Category", *(f"{words} (%)" for _, words in STAGES), "Housed per 100 on the register")

DEFINITIONS = (
    "Each household is counted by the answers of the person who applied (the lead applicant), once in each stage "
    "however many bids, places or offers it had.",
    "On the register: applications registered on or before the last day of the period, and not closed or housed "
    "before its first day.",
    "Bid: households that placed a bid, withdrawn or not, in a bidding cycle that closed in the period.",
    "Shortlisted: households placed on a shortlist as eligible, in a bidding cycle that closed in the period.",
    "Offered a home: households made an offer, or nominated to a housing association, in the period.",
    "Housed: households whose offer or nomination ended in a tenancy starting in the period.",
    "Age: the lead applicant's age on the last day of the period, from the date of birth on the application.",
    "Ethnic group: the five high-level groups of the census's 19 categories.",
    "Not answered: no answer to the question (the household did not answer it, or gave no answers at all); "
    "Prefer not to say: the household chose that answer.",
    "Percentages: a category's share of the households at that stage; housed per 100 on the register: the "
    "category's households housed for every 100 of its households on the register.",
    "<5: a count from 0 to 4, not shown so that no household can be picked out. [c]: a figure held back so "
    "that a count under 5 cannot be worked out from the totals (also any percentage made from a figure not "
    "shown).",
)


# --- counting --------------------------------------------------------------------------------------------------


def _cycles_closing(start: date, end: date) -> sa.Select:
    return select(Cycle.id).where(Cycle.closes_at >= uk_midnight(start),
                                  Cycle.closes_at < uk_midnight(end + timedelta(days=1)))


def _housed_between(first: date | None, last: date) -> sa.CompoundSelect:
    """The households whose offer or nomination ended in a tenancy starting in first..last (UK dates)."""
    starts = [Void.status == VoidStatus.LET, Void.tenancy_start_date <= last]
    if first is not None:
        starts.append(Void.tenancy_start_date >= first)
    by_offer = (select(Offer.applicant_id).join(Void, Void.id == Offer.void_id)
                .where(Offer.status == OfferStatus.LET, *starts))
    by_nomination = (select(Nomination.applicant_id).join(Advert, Advert.id == Nomination.advert_id)
                     .join(Void, Void.id == Advert.void_id).where(Nomination.status == NominationStatus.LET, *starts))
    return sa.union(by_offer, by_nomination)


def _on_register(start: date, end: date) -> sa.ColumnElement[bool]:
    """Whether an application was on the register in the period (a condition on the applicant's own row)."""
    return sa.and_(Applicant.registration_date <= end,
                   sa.or_(Applicant.closed_on.is_(None), Applicant.closed_on >= start),
                   Applicant.id.not_in(_housed_between(None, start - timedelta(days=1))))


def _stage(stage: str, start: date, end: date) -> sa.Select | sa.CompoundSelect:
    """The ids of the households at a stage after the register in the period."""
    if stage == "bids":
        return select(Bid.applicant_id).where(Bid.cycle_id.in_(_cycles_closing(start, end)))
    if stage == "shortlisted":
        return (select(ShortlistEntry.applicant_id).join(Advert, Advert.id == ShortlistEntry.advert_id)
                .where(ShortlistEntry.eligible, Advert.cycle_id.in_(_cycles_closing(start, end))))
    if stage == "offered":
        return sa.union(
            select(Offer.applicant_id).where(Offer.made_at >= uk_midnight(start),
                                             Offer.made_at < uk_midnight(end + timedelta(days=1))),
            select(Nomination.applicant_id).where(Nomination.sent_at >= uk_midnight(start),
                                                  Nomination.sent_at < uk_midnight(end + timedelta(days=1))))
    return _housed_between(start, end)


def _age_band(end: date) -> sa.ColumnElement[str]:
    """The lead applicant's age band on `end`, worked out in the query (from the oldest band down)."""
    born = Applicant.lead_date_of_birth
    whens = [(born.is_(None), AGE_NOT_RECORDED)]
    whens += [(born <= born_by(end, low), words) for low, _, words in reversed(AGE_BANDS[1:])]
    return sa.case(*whens, else_=AGE_BANDS[0][2])


Counts = dict[str, Counter[str | None]]  # each characteristic's key: households by answer (or age band)


def _counts(session: Session, start: date, end: date) -> list[Counts]:
    """For each stage, households by each characteristic's answers. One statement: the households at any stage are
    read once, each with its answers and a mark for each stage it reached, then grouped by each characteristic in
    the database, so that a few rows a characteristic come back whatever the size of the register."""
    # Each stage's households, as a set the database makes once (an IN list of a subquery) and looks ids up in.
    reached = {stage: _on_register(start, end) if stage == "register" else
               Applicant.id.in_(select(_stage(stage, start, end).subquery().c[0])) for stage, _ in STAGES}
    households = (select(_age_band(end).label("age"), *(getattr(EqualityAnswers, key) for key in KEYS),
                         *(sa.case((condition, 1), else_=0).label(stage) for stage, condition in reached.items()))
                  .select_from(Applicant)
                  .join(EqualityAnswers, EqualityAnswers.applicant_id == Applicant.id, isouter=True)
                  .where(sa.or_(*reached.values()))).cte("households")
    # The characteristics' keys are this module's own words, never input: safe to write into the statement.
    grouped: list[sa.Select] = [
        select(sa.literal_column(f"'{key}'").label("characteristic"), households.c[key].label("answer"),
               *(sa.func.sum(households.c[stage]) for stage, _ in STAGES)).group_by(households.c[key])
        for key in ("age", *KEYS)]
    found: list[Counts] = [{key: Counter() for key in ("age", *KEYS)} for _ in STAGES]
    for characteristic, answer, *counts in session.exec(sa.union_all(*grouped)).all():
        for column, count in enumerate(counts):
            found[column][characteristic][answer] += int(count or 0)
    return found


# --- the characteristics -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Characteristic:
    key: str
    title: str
    categories: tuple[tuple[str, str], ...]  # (code, words), in the report's order

    def category(self, code: str | None) -> str:
        """The report's category for an answer (a code, or None: not answered; for age, its band)."""
        if self.key == "ethnic_group" and code not in (None, PREFER_NOT_TO_SAY):
            return ETHNIC_GROUP_OF.get(code or "", "")
        return code or ""


def characteristics() -> tuple[Characteristic, ...]:
    age = Characteristic("age", "Age", (*((words, words) for _, _, words in AGE_BANDS),
                                         (AGE_NOT_RECORDED, AGE_NOT_RECORDED)))
    asked = []
    for question in QUESTIONS:
        answers = REPORTED_ETHNIC_GROUPS if question.key == "ethnic_group" else [
            item for item in question.answers if item[0] != PREFER_NOT_TO_SAY]
        asked.append(Characteristic(question.key, question.title, (
            *answers, (PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL), ("", NOT_ANSWERED_LABEL))))
    return (age, *asked)


# --- the report -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figure:
    """One characteristic: its counts and percentages as text cells (as the page, the chart and the CSV show
    them), and what its chart draws."""

    key: str
    title: str
    count_headings: tuple[str, ...]
    counts: tuple[tuple[str, ...], ...]  # a row a category, then the total
    share_headings: tuple[str, ...]
    shares: tuple[tuple[str, ...], ...]
    chart: tuple[tuple[str, float | None, float | None], ...]  # category, % of the register, % of those housed


@dataclass(frozen=True)
class EqualityReport:
    start: date
    end: date
    figures: tuple[Figure, ...]


def _percent(part: int, whole: int) -> Fraction | None:
    return Fraction(100 * part, whole) if whole else None


def _percent_text(value: Fraction | None) -> str:
    return "" if value is None else f"{decimal_text(value)}%"


def _figure(characteristic: Characteristic, grid: list[list[int]], shown: Protected) -> Figure:
    labels = [words for _, words in characteristic.categories]
    totals = [sum(row[column] for row in grid) for column in range(len(STAGES))]
    counts = [(label, *row) for label, row in zip(labels, shown.cells, strict=True)]
    counts.append(("Total", *shown.totals))
    register, housed = 0, len(STAGES) - 1

    def share(row: int, column: int) -> str:
        """The category's share of the stage: shown only when its count and the stage's total are."""
        if not (shown.shown(row, column) and shown.total_shown(column)):
            return HELD_BACK
        return _percent_text(_percent(grid[row][column], totals[column]))

    def rate(row: int) -> str:
        """Housed for every 100 on the register: shown only when both counts are."""
        if not (shown.shown(row, housed) and shown.shown(row, register)):
            return HELD_BACK
        rated = _percent(grid[row][housed], grid[row][register])
        return "" if rated is None else decimal_text(rated)

    shares = [(label, *(share(row, column) for column in range(len(STAGES))), rate(row))
              for row, label in enumerate(labels)]
    chart = tuple((label, _drawn(share(row, register)), _drawn(share(row, housed)))
                  for row, label in enumerate(labels))
    return Figure(characteristic.key, characteristic.title, ("Category", *(words for _, words in STAGES)),
                  tuple(counts), SHARE_HEADINGS, tuple(shares), chart)


def _drawn(text: str) -> float | None:
    return float(text.removesuffix("%")) if text.endswith("%") else None


def _grid(characteristic: Characteristic, stages: list[Counts]) -> list[list[int]]:
    """Rows of categories by columns of stages."""
    index = {code: row for row, (code, _) in enumerate(characteristic.categories)}
    last = len(characteristic.categories) - 1  # not answered (or, for age, not recorded): where anything else goes
    grid = [[0] * len(stages) for _ in characteristic.categories]
    for column, counts in enumerate(stages):
        for answer, count in counts[characteristic.key].items():
            grid[index.get(characteristic.category(answer), last)][column] += count
    return grid


def equality_report(session: Session, actor: Actor, start: date, end: date) -> EqualityReport:
    """The report for start..end (UK dates, both included): managers only."""
    actor.require(Right.EQUALITY_REPORT)
    stages = _counts(session, start, end)
    found = characteristics()
    grids = [_grid(characteristic, stages) for characteristic in found]
    shown = protect(grids)
    return EqualityReport(start, end, tuple(_figure(characteristic, grid, protected) for characteristic, grid,
                                            protected in zip(found, grids, shown, strict=True)))


def report_csv(report: EqualityReport) -> str:
    """Every figure's two tables, as on the page, one after another."""
    sections: list[Iterable] = [[("Equality monitoring", f"{report.start.isoformat()} to {report.end.isoformat()}")]]
    for figure in report.figures:
        sections.append([(f"{figure.title}: households at each stage",), figure.count_headings, *figure.counts])
        sections.append([(f"{figure.title}: percentages",), figure.share_headings, *figure.shares])
    return sections_csv(*sections)
