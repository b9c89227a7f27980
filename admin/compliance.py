"""Nomination agreements, and how each provider kept its agreement: the compliance report, on screen and as CSV."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Response, Template
from sqlmodel import Session

from cbl.rules import reporting_periods
from cbl.rules.working_days import local_date
from cbl.database import Database
from cbl.models import AgreementQuota, NominationAgreement
from cbl.queries import agreements as agreement_queries
from cbl.rules.scheme import Scheme
from cbl.services.actors import staff as staff_actor
from cbl.reports.compliance import (
    DEFINITIONS, agreement_compliance, compliance_csv, financial_year, group_label,
)
from cbl.services.errors import InvalidInput
from cbl.web.auth import now

from . import periods
from .guards import current_staff
from cbl.services.rights import Right



@dataclass(frozen=True)
class AgreementLine:
    """One agreement as the list shows it."""

    agreement: NominationAgreement
    provider: str
    quotas: tuple[AgreementQuota, ...]

    @property
    def in_force(self) -> str:
        starts = _long_date(self.agreement.starts_on)
        return f"{starts} to {_long_date(self.agreement.ends_on)}" if self.agreement.ends_on else f"From {starts}"

    @property
    def quota_text(self) -> str:
        return "; ".join(f"{group_label(q.group)}: at least {q.min_share_pct}%"
                         for q in self.quotas) or "None"


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _today() -> date:
    return local_date(now())


def _period(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """The period asked for, or by default the financial year today falls in."""
    return reporting_periods.period(start, end, financial_year(today))


def _agreement(session: Session, agreement_id: int) -> tuple[NominationAgreement, str]:
    terms = agreement_queries.agreement(session, agreement_id)
    return terms.agreement, terms.provider_name


@get("/agreements", opt={"right": Right.REPORTS_READ}, sync_to_thread=True)
def agreements(db: NamedDependency[Database], request: Request) -> Template:
    with db.reading() as session:
        lines = [AgreementLine(terms.agreement, terms.provider_name, tuple(terms.quotas))
                 for terms in agreement_queries.agreements(session)]
        providers = agreement_queries.providers(session)
    start, end = financial_year(_today())
    return Template("admin/agreements/list.html", context={
        "staff": current_staff(request), "lines": lines, "year": f"{start.year} to {end.year}", "providers": providers,
        "may_manage": staff_actor(current_staff(request)).may(Right.AGREEMENTS_MANAGE)})


@get("/agreements/{agreement_id:int}/compliance", opt={"right": Right.REPORTS_READ}, sync_to_thread=True)
def agreement_compliance_page(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                              agreement_id: FromPath[int]) -> Template:
    today = _today()
    form, period = periods.read(periods.Period, request, financial_year(today))
    report = None
    with db.reading() as session:
        agreement, provider = _agreement(session, agreement_id)
        if period is not None:
            try:
                report = agreement_compliance(session, scheme, agreement_id, *period, today=today)
            except InvalidInput as refused:
                form.refuse(refused)
    if report is not None:  # the period shown is the one reported on, the default year included
        form = periods.reported(form, (report.start, report.end))
    return Template("admin/agreements/compliance.html", status_code=form.status, context={
        "staff": current_staff(request), "agreement": agreement, "provider": provider, "report": report,
        "form": form, "definitions": DEFINITIONS})


@get("/agreements/{agreement_id:int}/compliance.csv", opt={"right": Right.REPORTS_EXPORT}, sync_to_thread=True)
def agreement_compliance_csv(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                             agreement_id: FromPath[int],
                             start: Annotated[str | None, QueryParameter(name="from")] = None,
                             end: Annotated[str | None, QueryParameter(name="to")] = None) -> Response[str]:
    today = _today()
    with db.reading() as session:
        _agreement(session, agreement_id)
        report = agreement_compliance(session, scheme, agreement_id, *_period(start, end, today), today=today)
    filename = f"agreement-{agreement_id}-compliance-{report.start.isoformat()}-to-{report.end.isoformat()}.csv"
    return Response(compliance_csv(report), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
