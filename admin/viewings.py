"""Viewings: the page of one (the households invited, whether each came and, at a block viewing, wants the
home), where attendance is recorded and a block viewing ends in its offer or is cancelled; and the form that
arranges a block viewing from a shortlist."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import Session

from cbl.database import Database
from cbl.queries.viewings import viewing_case
from cbl.rules.scheme import Scheme
from cbl.services.actors import Actor
from cbl.services.errors import NotFound
from cbl.services.rights import Right
from cbl.services.viewings import (
    BLOCK_MAX, BLOCK_MIN, CANCEL_MAX, PLACE_MAX, VIEWING_LABELS, cancel_block_viewing, offer_from_block_viewing,
    record_attendance,
)
from cbl.web import forms
from cbl.web.auth import now

from .acting import submit
from .guards import current_staff
from .line_forms import PerLine, Submitted

YES_NO = [("yes", "Yes"), ("no", "No")]


class BlockViewing(forms.Form):
    """Several households from the top of the shortlist invited to view the home at one time."""

    households = forms.WholeNumber("Households to invite", low=BLOCK_MIN, high=BLOCK_MAX, required=True,
                                   message=f"Enter the number of households to invite, from {BLOCK_MIN} to "
                                           f"{BLOCK_MAX}")
    viewing_at = forms.Day("Viewing date")
    viewing_time = forms.TimeOfDay("Time (UK)", required="Enter the time of the viewing")
    place = forms.Text("Where to meet", limit=PLACE_MAX)
    accompanied = forms.Ticked("Shown round by an officer")


def block_viewing_form(body: dict | None = None) -> BlockViewing:
    # Its ids carry "-block": the offers table's viewing forms on the same page have the same fields.
    return forms.read(BlockViewing, body, id_suffix="-block")


class Attendance(forms.Form):
    attended = forms.Choice("Came to the viewing", required="Say whether the household came to the viewing")
    wants_home = forms.Choice("Wants the home", required=None)


class Conclusion(forms.Form):
    final = forms.Ticked("A final offer (homelessness duty)")


class Cancellation(forms.Form):
    reason = forms.Text("Reason for cancelling", limit=CANCEL_MAX, required="Give the reason for cancelling")


def _attendances(submitted: Submitted | None = None) -> PerLine[Attendance]:
    return PerLine(Attendance, "invitation", submitted=submitted, choices={"attended": YES_NO, "wants_home": YES_NO})


def _page(db: Database, request: Request, viewing_id: int, submitted: Submitted | None = None) -> Template:
    with db.reading() as session:
        case = viewing_case(session, viewing_id)
    form = submitted[1] if submitted else None
    return Template("admin/viewings/viewing.html", status_code=form.status if form else 200, context={
        "staff": current_staff(request), "case": case, "viewing": case.viewing, "submitted": form,
        "attendances": _attendances(submitted), "labels": VIEWING_LABELS, "now": now(),
        "conclusion": form if type(form) is Conclusion else forms.read(Conclusion, None),
        "cancellation": form if type(form) is Cancellation else forms.read(Cancellation, None)})


@get("/viewings/{viewing_id:int}", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def viewing_page(db: NamedDependency[Database], request: Request, viewing_id: FromPath[int]) -> Template:
    return _page(db, request, viewing_id)


@post("/viewings/{viewing_id:int}/attendance/{invitation_id:int}", opt={"right": Right.OFFER_RECORD},
      sync_to_thread=True)
def attendance(db: NamedDependency[Database], request: Request, viewing_id: FromPath[int],
               invitation_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    with db.reading() as session:
        case = viewing_case(session, viewing_id)
    if not any(invited.invitation.id == invitation_id for invited in case.invited):
        raise NotFound("No such household invited to this viewing.")

    def record(session: Session, actor: Actor, form: Attendance):  # noqa: ANN202
        came = form.attended.data == "yes"
        wants = {"yes": True, "no": False}.get(form.wants_home.data or "")
        return record_attendance(session, actor, invitation_id, came, now(), wants_home=wants)

    return submit(db, request, _attendances().read(invitation_id, data), record,
                  lambda form: _page(db, request, viewing_id, (invitation_id, form)), f"/admin/viewings/{viewing_id}")


@post("/viewings/{viewing_id:int}/offer", opt={"right": Right.OFFER_MAKE}, sync_to_thread=True)
def offer_from_viewing(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                       viewing_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    def conclude(session: Session, actor: Actor, form: Conclusion):  # noqa: ANN202
        return offer_from_block_viewing(session, actor, scheme, viewing_id, now(), final_offer=form.final.data)

    return submit(db, request, forms.read(Conclusion, data), conclude,
                  lambda form: _page(db, request, viewing_id, (None, form)), f"/admin/viewings/{viewing_id}")


@post("/viewings/{viewing_id:int}/cancel", opt={"right": Right.SHORTLIST_WORK}, sync_to_thread=True)
def cancel(db: NamedDependency[Database], request: Request, viewing_id: FromPath[int],
           data: forms.Body) -> Template | Redirect:
    def call_off(session: Session, actor: Actor, form: Cancellation):  # noqa: ANN202
        return cancel_block_viewing(session, actor, viewing_id, form.reason.data, now())

    return submit(db, request, forms.read(Cancellation, data), call_off,
                  lambda form: _page(db, request, viewing_id, (None, form)), f"/admin/viewings/{viewing_id}")
