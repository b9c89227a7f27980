"""The review team's figures: reviews received and decided, the share decided in time, outcomes and the
overturn rate by decision type and by original decision maker, month by month, with enquiries and
complaints beside them."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from cbl.reports.csv_files import sections_csv
from cbl.reports.figures import whole_percent
from cbl.rules.working_days import local_date
from cbl.models import Enquiry, Review, StaffUser
from cbl.models.states import ReviewOutcome, ReviewStatus

from cbl.services.errors import InvalidInput
from cbl.services.reviews import deadline


@dataclass
class Tally:
    received: int = 0
    decided: int = 0
    in_time: int = 0
    overturned: int = 0
    outcomes: Counter = field(default_factory=Counter)

    @property
    def in_time_pct(self) -> int | None:
        return whole_percent(self.in_time, self.decided)

    @property
    def overturn_pct(self) -> int | None:
        return whole_percent(self.overturned, self.decided)


@dataclass
class EnquiryTally:
    received: int = 0
    answered: int = 0
    answered_in_time: int = 0


@dataclass
class ReviewReport:
    start: date
    end: date
    by_month: dict[str, Tally]
    by_type: dict[str, Tally]
    by_decision_maker: dict[str, Tally]
    enquiries_by_month: dict[str, EnquiryTally]
    total: Tally


def _month(day: date) -> str:
    return f"{day:%Y-%m}"


def review_report(session: Session, start: date, end: date) -> ReviewReport:
    if end < start:
        raise InvalidInput("The end of the period must not be before its start.", field="to")
    if (end - start).days > 366 * 3:
        raise InvalidInput("Choose a period of three years or less.", field="from")
    names = {user.id: user.name for user in session.exec(select(StaffUser))}
    by_month: dict[str, Tally] = defaultdict(Tally)
    by_type: dict[str, Tally] = defaultdict(Tally)
    by_maker: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    for review in session.exec(select(Review)):
        received = start <= review.requested_on <= end
        decided_on = local_date(review.decided_at) if review.decided_at else None
        decided = review.status is ReviewStatus.DECIDED and decided_on is not None and start <= decided_on <= end
        if not (received or decided):
            continue
        maker = names.get(review.original_decision_maker_id, "Not recorded")
        tallies = [total, by_type[review.decision_type.value], by_maker[maker]]
        if received:
            for tally in [*tallies, by_month[_month(review.requested_on)]]:
                tally.received += 1
        if decided:
            for tally in [*tallies, by_month[_month(decided_on)]]:
                tally.decided += 1
                tally.in_time += decided_on <= deadline(review)
                tally.overturned += review.outcome is ReviewOutcome.OVERTURNED
                tally.outcomes[review.outcome.value] += 1
    enquiries = _enquiries_by_month_and_kind(session, start, end)
    return ReviewReport(start, end, dict(sorted(by_month.items())), dict(sorted(by_type.items())),
                        dict(sorted(by_maker.items())), dict(sorted(enquiries.items())), total)


def _enquiries_by_month_and_kind(session: Session, start: date, end: date) -> dict[str, EnquiryTally]:
    enquiries: dict[str, EnquiryTally] = defaultdict(EnquiryTally)
    for enquiry in session.exec(select(Enquiry).where(Enquiry.received_on >= start, Enquiry.received_on <= end)):
        tally = enquiries[f"{_month(enquiry.received_on)} {enquiry.kind.value}"]
        tally.received += 1
        if enquiry.answered_on is not None:
            tally.answered += 1
            tally.answered_in_time += enquiry.answered_on <= enquiry.answer_by
    return enquiries


def report_csv(report: ReviewReport) -> str:
    headings = ["Received", "Decided", "Decided in time", "Decided in time %", "Upheld", "Overturned",
                "Overturn rate %"]
    tables = [[[title, *headings],
               *[[name, tally.received, tally.decided, tally.in_time, tally.in_time_pct, tally.outcomes["upheld"],
                  tally.overturned, tally.overturn_pct] for name, tally in rows.items()]]
              for title, rows in (("Month", report.by_month), ("Decision type", report.by_type),
                                  ("Original decision maker", report.by_decision_maker))]
    enquiries = [["Enquiries and complaints (month, kind)", "Received", "Answered", "Answered in time"],
                 *[[name, tally.received, tally.answered, tally.answered_in_time]
                   for name, tally in report.enquiries_by_month.items()]]
    return sections_csv(*tables, enquiries)
