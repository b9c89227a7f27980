"""Payments to households that move: the list a manager approves from (never their own requests) and officers record
payments on, the receipts, and the report by period and scheme."""

from datetime import date

import anyio
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from cbl.database import Database
from cbl.queries import moves as queries
from cbl.reports.move_payments import move_payments_report, report_csv
from cbl.rules import reporting_periods
from cbl.rules.reporting_periods import financial_year
from cbl.rules.scheme import Scheme
from cbl.rules.working_days import local_date
from cbl.services import evidence, move_payments
from cbl.services.actors import staff as staff_actor
from cbl.services.rights import Right
from cbl.web import forms
from cbl.web.application_pages import evidence_download
from cbl.web.auth import now

from . import move_forms as f
from . import periods
from .acting import submit
from .guards import current_staff
from .line_forms import PerLine, Submitted

PAGE = "/admin/move-payments"


def _page(db: Database, request: Request, submitted: Submitted | None = None) -> Template:
    with db.reading() as session:
        rows = queries.payments_to_work(session)
    viewer = staff_actor(current_staff(request))
    return Template("admin/moves/payments.html", status_code=submitted[1].status if submitted else 200, context={
        "staff": current_staff(request), "rows": rows, "kinds": move_payments.KIND_WORDS,
        "decisions": PerLine(f.PaymentDecision, "decision", submitted=submitted, choices={"approve": f.DECISIONS}),
        "paid": PerLine(f.Paid, "paid", submitted=submitted), "errors": submitted[1] if submitted else None,
        "may_decide": viewer.may(Right.PAYMENT_APPROVE), "may_record": viewer.may(Right.MOVES_MANAGE),
        "viewer_id": viewer.id})


@get("/move-payments", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def payments(db: NamedDependency[Database], request: Request) -> Template:
    """Payments waiting for a manager's decision, and approved payments waiting to be recorded paid."""
    return _page(db, request)


@post("/move-payments/{payment_id:int}/decision", opt={"right": Right.PAYMENT_APPROVE}, sync_to_thread=True)
def decision(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
             payment_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    form = PerLine(f.PaymentDecision, "decision", choices={"approve": f.DECISIONS}).read(payment_id, data)
    return submit(db, request, form, lambda s, actor, filled: move_payments.decide_payment(
        s, actor, scheme, payment_id, filled.approve.data == "yes",
        filled.approved.data if (filled.approved.raw_data or [""])[0].strip() else None, filled.arrears.data or 0,
        filled.arrears_note.data or "", filled.note.data or "", now()),
        lambda refused: _page(db, request, (payment_id, refused)), PAGE)


@post("/move-payments/{payment_id:int}/paid", opt={"right": Right.MOVES_MANAGE}, sync_to_thread=True)
def paid(db: NamedDependency[Database], request: Request, payment_id: FromPath[int],
         data: forms.Body) -> Template | Redirect:
    form = PerLine(f.Paid, "paid").read(payment_id, data)
    return submit(db, request, form, lambda s, actor, filled: move_payments.record_paid(
        s, actor, payment_id, filled.paid_on.data, now()),
        lambda refused: _page(db, request, (payment_id, refused)), PAGE)


def _receipt(db: Database, request: Request, payment_id: int, file_id: int) -> Response[bytes]:
    with db.reading() as session:
        found = move_payments.receipt_file(session, staff_actor(current_staff(request)), payment_id, file_id)
    return evidence_download(found, evidence.read_file(request.app.state["settings"].uploads_dir, found))


@get("/move-payments/{payment_id:int}/receipts/{file_id:int}", opt={"right": Right.REGISTER_READ})
async def receipt(db: NamedDependency[Database], request: Request, payment_id: FromPath[int],
                  file_id: FromPath[int]) -> Response[bytes]:
    """A receipt for a claim, downloaded (never shown inside the admin site's pages)."""
    return await anyio.to_thread.run_sync(_receipt, db, request, payment_id, file_id)


# --- the report --------------------------------------------------------------------------------------------------


def _year_to_date() -> tuple[date, date]:
    today = local_date(now())
    return financial_year(today)[0], today


@get("/reports/move-payments", opt={"right": Right.REPORTS_READ}, sync_to_thread=True)
def report(db: NamedDependency[Database], request: Request) -> Template:
    """Payments asked for, approved and paid in a period, by kind and by regeneration scheme."""
    form, period = periods.read(periods.Period, request, _year_to_date())
    figures = None
    if period is not None:
        with db.reading() as session:
            figures = move_payments_report(session, *period)
        periods.reported(form, period)
    return Template("admin/moves/report.html", status_code=form.status, context={
        "staff": current_staff(request), "form": form, "report": figures})


@get("/reports/move-payments.csv", opt={"right": Right.REPORTS_EXPORT}, sync_to_thread=True)
def report_download(db: NamedDependency[Database], start: FromQuery[str | None] = None,
                    end: FromQuery[str | None] = None) -> Response[str]:
    first, last = reporting_periods.period(start, end, _year_to_date(), fields=("start", "end"))
    with db.reading() as session:
        text = report_csv(move_payments_report(session, first, last))
    return Response(text, media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="move-payments-{first}-to-{last}.csv"'})


ROUTES = [payments, decision, paid, receipt, report, report_download]
