"""The managers' dashboard: re-let times, where the days go, homes empty now, cycles and rent lost,
for a period and a landlord; each figure a chart with its table beside it, and each table as CSV."""

import re
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Response, Template

from cbl.rules.working_days import local_date
from cbl.database import Database
from cbl.reports.dashboard import (
    DEFINITIONS, Dashboard, dashboard, financial_quarter, landlords, period, quarter_name, table_csv,
)
from cbl.services.errors import InvalidInput, NotFound
from cbl.web import forms
from cbl.web.auth import now
from cbl.rules.wording import money

from . import periods
from .charts import bar_chart
from .guards import current_staff
from cbl.services.rights import Right

From = Annotated[str | None, QueryParameter(name="from")]
To = Annotated[str | None, QueryParameter(name="to")]
Landlord = FromQuery[str | None]

# The panels of the page, in order: a heading and the tables under it.
PANELS = (
    ("Re-let time", ("relet-by-month", "relet-by-landlord", "relet-by-type", "relet-by-area")),
    ("Where the days go", ("stage-days",)),
    ("Homes empty now", ("live-by-age", "live-by-stage")),
    ("Bidding and who was housed", ("cycles", "housed-by-band")),
    ("Rent lost", ("rent-lost",)),
)
TABLES = frozenset(key for _, keys in PANELS for key in keys)


def _today() -> date:
    return local_date(now())


class Filters(periods.Period):
    """The dashboard's period and, if one, the landlord whose homes it counts."""

    landlord = forms.Choice("Landlord", required=None)


def _csv_query(start: date, end: date, landlord: str | None) -> str:
    """The CSV downloads' period (ISO days) and landlord."""
    fields = {"from": start.isoformat(), "to": end.isoformat()}
    if landlord:
        fields["landlord"] = landlord
    return urlencode(fields)


def _page_query(period: tuple[date, date], landlord: str | None) -> str:
    """This page for another period, as its form would ask for it."""
    return urlencode({**periods.day_fields(period), **({"landlord": landlord} if landlord else {})})


def _report(db: Database, start: str | None, end: str | None, landlord: str | None) -> Dashboard:
    today = _today()
    first, last = period(start, end, today)
    with db.reading() as session:
        return dashboard(session, first, last, today, (landlord or "").strip()[:32] or None)


@get("/dashboard", opt={"right": Right.REPORTS_READ}, sync_to_thread=True)
def dashboard_page(db: NamedDependency[Database], request: Request) -> Template:
    """How long homes stand empty, for which landlord, and where the days go."""
    today = _today()
    report = None
    with db.reading() as session:
        form, chosen = periods.read(Filters, request, financial_quarter(today),
                                    choices={"landlord": [("", "All landlords"), *landlords(session)]})
        if chosen is not None:
            try:
                report = dashboard(session, *chosen, today, form.landlord.data or None)
            except InvalidInput as refused:
                form.refuse(refused)
    context = {"staff": current_staff(request), "report": report, "form": form,
               "definitions": DEFINITIONS, "panels": PANELS}
    if report is not None:  # the period shown is the one reported on, the default quarter included
        periods.reported(form, (report.start, report.end))
        previous = financial_quarter(report.start - timedelta(days=1))
        following = financial_quarter(report.end + timedelta(days=1))
        context.update(
            query=_csv_query(report.start, report.end, report.landlord),
            quarter=quarter_name(report.start, report.end),
            previous=_page_query(previous, report.landlord),
            following=_page_query(following, report.landlord) if following[0] <= report.today else None,
            rent_lost=money(report.rent_lost_pence),
            charts={key: bar_chart(f"chart-{key}", table.caption, table.bars, table.unit)
                    for key, table in report.tables.items()})
    return Template("admin/dashboard/dashboard.html", status_code=form.status, context=context)


@get("/dashboard/{table:str}", opt={"right": Right.REPORTS_EXPORT}, sync_to_thread=True)
def dashboard_table_csv(db: NamedDependency[Database], table: FromPath[str], start: From = None, end: To = None,
                        landlord: Landlord = None) -> Response[str]:
    """One of the dashboard's tables as CSV, for the same period and landlord: /admin/dashboard/<table>.csv."""
    key = table.removesuffix(".csv")
    if not table.endswith(".csv") or key not in TABLES:
        raise NotFound("There is no such table on the dashboard.")
    report = _report(db, start, end, landlord)
    whose = "-" + re.sub(r"[^A-Za-z0-9_-]", "", report.landlord) if report.landlord else ""
    filename = f"{key}{whose}-{report.start.isoformat()}-to-{report.end.isoformat()}.csv"
    return Response(table_csv(report.tables[key]), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
