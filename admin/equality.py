"""Equality monitoring on the staff site: an officer types in a paper form's answers (never shown back), and the
managers' report of counts by characteristic at each stage, on screen with charts and as CSV."""

from datetime import date
from typing import Annotated

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Response, Template

from cbl.database import Database
from cbl.reports.equality import DEFINITIONS, EqualityReport, equality_report, report_csv
from cbl.rules import reporting_periods
from cbl.rules.working_days import local_date
from cbl.services import equality
from cbl.services.actors import staff as staff_actor
from cbl.services.errors import DomainError
from cbl.services.rights import Right
from cbl.web import forms
from cbl.web.auth import now
from cbl.web.equality_forms import EqualityForm, answers, read_equality

from . import periods
from .charts import paired_bar_chart
from .guards import current_staff


def _today() -> date:
    return local_date(now())


# --- a paper form's answers ----------------------------------------------------------------------------------

def _paper_page(request: Request, found: equality.PaperForm, form: EqualityForm, recorded: bool = False) -> Template:
    return Template("admin/applicants/equality.html", status_code=form.status, context={
        "staff": current_staff(request), "found": found, "form": form, "recorded": recorded})


@get("/applicants/{reference:str}/equality", opt={"right": Right.EQUALITY_RECORD}, sync_to_thread=True)
def paper_equality_page(db: NamedDependency[Database], request: Request, reference: FromPath[str],
                        done: FromQuery[str | None] = None) -> Template:
    """An empty form, always: answers held are never shown here, only whether there are any."""
    with db.reading() as session:
        found = equality.paper_form(session, staff_actor(current_staff(request)), reference)
    return _paper_page(request, found, read_equality(None), done == "1")


@post("/applicants/{reference:str}/equality", opt={"right": Right.EQUALITY_RECORD}, sync_to_thread=True)
def paper_equality_submit(db: NamedDependency[Database], request: Request, reference: FromPath[str],
                          data: forms.Body) -> Template | Redirect:
    actor = staff_actor(current_staff(request))
    with db.reading() as session:
        found = equality.paper_form(session, actor, reference)
    form = read_equality(data)
    if form.validate():
        try:
            db.run(equality.record_from_paper, actor, found.applicant_id, answers(form), now())
            return Redirect(f"/admin/applicants/{reference}/equality?done=1", status_code=303)
        except DomainError as error:
            form.refuse(error)
    return _paper_page(request, found, form)


# --- the managers' report -----------------------------------------------------------------------------------

@get("/reports/equality", opt={"right": Right.EQUALITY_REPORT}, sync_to_thread=True)
def equality_report_page(db: NamedDependency[Database], request: Request) -> Template:
    """Counts by characteristic at each stage for a period (this financial year unless another is chosen)."""
    form, chosen = periods.read(periods.Period, request, reporting_periods.financial_year(_today()))
    report: EqualityReport | None = None
    if chosen is not None:
        with db.reading() as session:
            report = equality_report(session, staff_actor(current_staff(request)), *chosen)
        periods.reported(form, chosen)
    charts = {figure.key: paired_bar_chart(f"chart-{figure.key}", f"{figure.title}: share of the register and of "
                                           "those housed (%)", ("Register", "Housed"), figure.chart)
              for figure in (report.figures if report else ())}
    return Template("admin/reports/equality.html", status_code=form.status, context={
        "staff": current_staff(request), "form": form, "report": report, "charts": charts,
        "definitions": DEFINITIONS})


@get("/reports/equality.csv", opt={"right": Right.EQUALITY_REPORT}, sync_to_thread=True)
def equality_report_csv(db: NamedDependency[Database], request: Request,
                        start: Annotated[str | None, QueryParameter(name="from")] = None,
                        end: Annotated[str | None, QueryParameter(name="to")] = None) -> Response[str]:
    """The same report as CSV: ?from=2026-04-01&to=2027-03-31 (ISO days; this financial year without them)."""
    period = reporting_periods.period(start, end, reporting_periods.financial_year(_today()))
    with db.reading() as session:
        report = equality_report(session, staff_actor(current_staff(request)), *period)
    filename = f"equality-monitoring-{report.start.isoformat()}-to-{report.end.isoformat()}.csv"
    return Response(report_csv(report), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


ROUTES = [paper_equality_page, paper_equality_submit, equality_report_page, equality_report_csv]
