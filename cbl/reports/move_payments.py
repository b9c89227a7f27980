"""Payments to households that move, by period and by regeneration scheme: how many were asked for, approved and
paid, and their totals, by kind. A fixed number of statements whatever the number of payments: the database counts."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from cbl.models import MovePayment, RegenerationScheme
from cbl.models.moves import PaymentKind
from cbl.reports.csv_files import sections_csv
from cbl.rules.working_days import uk_midnight

STAGES = ("requested", "approved", "paid")
NO_SCHEME = "Not in a regeneration scheme"


@dataclass
class Tally:
    count: int = 0
    pence: int = 0


@dataclass
class Line:
    """One row of the report: each stage's count and total."""

    stages: dict[str, Tally] = field(default_factory=lambda: {stage: Tally() for stage in STAGES})


@dataclass
class MovePaymentsReport:
    start: date
    end: date
    by_kind: dict[str, Line]
    by_scheme: dict[str, Line]
    total: Line


KIND_NAMES = {PaymentKind.DOWNSIZING_INCENTIVE: "Downsizing incentive", PaymentKind.REMOVAL_COSTS: "Removal costs",
              PaymentKind.HOME_LOSS: "Home loss payment", PaymentKind.DISTURBANCE: "Disturbance payment"}



def move_payments_report(session: Session, start: date, end: date) -> MovePaymentsReport:
    """Asked for (by the day asked), approved (by the day decided, the amount approved) and paid (by the day paid, the
    amount paid after any arrears offset) in the period, UK days, both included."""
    first, after = uk_midnight(start), uk_midnight(end + timedelta(days=1))
    paid = MovePayment.approved_pence - MovePayment.arrears_offset_pence
    queries = {
        "requested": (MovePayment.claimed_pence, sa.and_(MovePayment.requested_at >= first,
                                                         MovePayment.requested_at < after)),
        "approved": (MovePayment.approved_pence, sa.and_(MovePayment.approved.is_(True),
                                                         MovePayment.decided_at >= first,
                                                         MovePayment.decided_at < after)),
        "paid": (paid, sa.and_(MovePayment.paid_on >= start, MovePayment.paid_on <= end)),
    }
    names = {row.id: row.name for row in session.exec(select(RegenerationScheme.id, RegenerationScheme.name))}
    by_kind = {name: Line() for name in KIND_NAMES.values()}
    by_scheme: dict[str, Line] = defaultdict(Line)
    total = Line()
    for stage, (amount, condition) in queries.items():
        rows = session.exec(select(MovePayment.kind, MovePayment.regeneration_scheme_id, sa.func.count(),
                                   sa.func.coalesce(sa.func.sum(amount), 0))
                            .where(condition).group_by(MovePayment.kind, MovePayment.regeneration_scheme_id))
        for kind, scheme_id, count, pence in rows:
            scheme = names.get(scheme_id, NO_SCHEME) if scheme_id is not None else NO_SCHEME
            for line in (by_kind[KIND_NAMES[PaymentKind(kind)]], by_scheme[scheme], total):
                line.stages[stage].count += count
                line.stages[stage].pence += int(pence)
    return MovePaymentsReport(start, end, by_kind, dict(sorted(by_scheme.items())), total)


def report_csv(report: MovePaymentsReport) -> str:
    headings = [heading for stage in STAGES for heading in (f"{stage.capitalize()} (number)",
                                                            f"{stage.capitalize()} (£)")]

    def cells(line: Line) -> list[object]:
        return [value for stage in STAGES for value in (line.stages[stage].count,
                                                        f"{line.stages[stage].pence / 100:.2f}")]

    period = f"{report.start.isoformat()} to {report.end.isoformat()}"
    return sections_csv(
        [[f"Kind ({period})", *headings], *[[name, *cells(line)] for name, line in report.by_kind.items()],
         ["All payments", *cells(report.total)]],
        [[f"Regeneration scheme ({period})", *headings],
         *[[name, *cells(line)] for name, line in report.by_scheme.items()]])
