"""Bidding cycles: the list, each one's close report (what the engine proposed, and how), and a manager's closing
one early or reopening one just closed, each with a reason the audit trail keeps."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import Session

from cbl.database import Database
from cbl.models import Cycle
from cbl.queries import close_reports
from cbl.queries.paging import page_number
from cbl.rules import cycle_overrides as rules
from cbl.rules.scheme import Scheme
from cbl.services.actors import Actor
from cbl.services.cycle_overrides import close_early, reopen, reopening_refused
from cbl.services.errors import NotFound
from cbl.services.rights import Right
from cbl.web import forms
from cbl.web.auth import now

from .acting import submit
from .guards import current_staff


@get("/cycles", opt={"right": Right.CYCLE_REPORT_READ}, sync_to_thread=True)
def cycle_list(db: NamedDependency[Database], request: Request, page: FromQuery[str | None] = None) -> Template:
    """Every cycle, the latest first, each with its close report."""
    with db.reading() as session:
        found = close_reports.cycles(session, page_number(page))
    return Template("admin/cycles/list.html", context={"staff": current_staff(request), "cycles": found,
                                                       "page_link": lambda n: f"/admin/cycles?page={n}"})


@get("/cycles/{cycle_id:int}/close-report", opt={"right": Right.CYCLE_REPORT_READ}, sync_to_thread=True)
def close_report(db: NamedDependency[Database], request: Request, cycle_id: FromPath[int],
                 page: FromQuery[str | None] = None) -> Template:
    """What the engine reported and proposed when the cycle closed, advert by advert."""
    number = page_number(page)
    scheme: Scheme = request.app.state["scheme"]
    with db.reading() as session:
        report = close_reports.close_report(session, cycle_id, number)
        # Whether the page offers a manager the way to reopen it: the rules' answer (the reopen page says why not).
        reopenable = report.closed and rules.reopen_refused(
            report.cycle.status, report.cycle.closed_at, now(), scheme.cycle.reopen_within_hours) is None
    return Template("admin/cycles/close_report.html", context={
        "staff": current_staff(request), "report": report, "reopenable": reopenable,
        "open_now": rules.early_close_refused(report.cycle.status, report.cycle.opens_at, report.cycle.closes_at,
                                              now()) is None,
        "page_link": lambda n: f"/admin/cycles/{cycle_id}/close-report?page={n}"})


class EarlyClose(forms.Form):
    reason = forms.Text("Why close it now", limit=rules.REASON_LIMIT,
                        required="Give the reason for closing the cycle early")


class Reopening(forms.Form):
    reason = forms.Text("Why reopen it", limit=rules.REASON_LIMIT, required="Give the reason for reopening the cycle")
    closes_on = forms.Day("Date bidding closes again")
    closes_time = forms.TimeOfDay("Time (UK)", required="Enter the time bidding closes again, like 11:59pm")


def _cycle(session: Session, cycle_id: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("There is no such cycle.")
    return cycle


def _early_page(db: Database, request: Request, cycle_id: int, form: EarlyClose) -> Template:
    with db.reading() as session:
        cycle = _cycle(session, cycle_id)
    refusal = rules.early_close_refused(cycle.status, cycle.opens_at, cycle.closes_at, now())
    return Template("admin/cycles/close_early.html", status_code=form.status, context={
        "staff": current_staff(request), "cycle": cycle, "form": form, "refusal": refusal})


@get("/cycles/{cycle_id:int}/close-early", opt={"right": Right.CYCLE_OVERRIDE}, sync_to_thread=True)
def close_early_page(db: NamedDependency[Database], request: Request, cycle_id: FromPath[int]) -> Template:
    return _early_page(db, request, cycle_id, forms.read(EarlyClose, None))


@post("/cycles/{cycle_id:int}/close-early", opt={"right": Right.CYCLE_OVERRIDE}, sync_to_thread=True)
def close_early_submit(db: NamedDependency[Database], request: Request, cycle_id: FromPath[int],
                       data: forms.Body) -> Template | Redirect:
    """Close the cycle now: the engine runs in this request, as it would at the cycle's time."""
    scheme = request.app.state["scheme"]

    def close(session: Session, actor: Actor, form: EarlyClose) -> None:
        close_early(session, actor, scheme, cycle_id, form.reason.data or "", now())

    return submit(db, request, forms.read(EarlyClose, data), close,
                  lambda form: _early_page(db, request, cycle_id, form), f"/admin/cycles/{cycle_id}/close-report")


def _reopen_page(db: Database, request: Request, cycle_id: int, form: Reopening) -> Template:
    scheme: Scheme = request.app.state["scheme"]
    with db.reading() as session:
        cycle = _cycle(session, cycle_id)
        refusal = reopening_refused(session, scheme, cycle, now())
    return Template("admin/cycles/reopen.html", status_code=form.status, context={
        "staff": current_staff(request), "cycle": cycle, "form": form, "refusal": refusal,
        "within_hours": scheme.cycle.reopen_within_hours})


@get("/cycles/{cycle_id:int}/reopen", opt={"right": Right.CYCLE_OVERRIDE}, sync_to_thread=True)
def reopen_page(db: NamedDependency[Database], request: Request, cycle_id: FromPath[int]) -> Template:
    return _reopen_page(db, request, cycle_id, forms.read(Reopening, None))


@post("/cycles/{cycle_id:int}/reopen", opt={"right": Right.CYCLE_OVERRIDE}, sync_to_thread=True)
def reopen_submit(db: NamedDependency[Database], request: Request, cycle_id: FromPath[int],
                  data: forms.Body) -> Template | Redirect:
    """Open the cycle for bids again until the time given; its shortlists are thrown away."""
    scheme, zone = request.app.state["scheme"], request.app.state["settings"].time_zone

    def reopen_it(session: Session, actor: Actor, form: Reopening) -> None:
        closes_at = forms.moment(form.closes_on.data, form.closes_time.data, zone)
        reopen(session, actor, scheme, cycle_id, form.reason.data or "", closes_at, now())

    return submit(db, request, forms.read(Reopening, data), reopen_it,
                  lambda form: _reopen_page(db, request, cycle_id, form), f"/admin/cycles/{cycle_id}/close-report")
