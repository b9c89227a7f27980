"""The provider portal: a registered provider's staff see their own homes, voids and the council's
nominations to them, and nothing of any other provider's (another's is simply not found)."""


from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import Session

from cbl.database import Database
from cbl.models import NominationAgreement
from cbl.queries import provider, stock
from cbl.queries.paging import page_number
from cbl.rules.scheme import Scheme
from cbl.services.actors import Actor
from cbl.services.actors import staff as staff_actor
from cbl.services.lettings import void_days
from cbl.services.nominations import (
    OPEN, VIEWING_OUTCOMES, arrange_viewing, decline_nomination, house_nominee, record_viewing_outcome,
)
from cbl.services.stock import log_void, mark_ready_to_let
from cbl.settings import Settings
from cbl.web import forms
from cbl.web.auth import now

from .acting import submit
from .guards import current_staff
from cbl.services.rights import Right


def _actor(request: Request) -> Actor:
    return staff_actor(current_staff(request))


@get("/provider", opt={"right": Right.PROVIDER_PORTAL}, sync_to_thread=True)
def portal(db: NamedDependency[Database], request: Request, page: FromQuery[str | None] = None) -> Template:
    actor, today = _actor(request), now().date()
    with db.reading() as session:
        found = provider.portal(session, actor.provider_id, page_number(page))
    return Template("admin/provider/portal.html", context={
        "staff": current_staff(request), "organisation": found.organisation, "homes": found.homes,
        "nominations": found.nominations, "open": OPEN, "today": today,
        "homes_page": lambda number: f"/admin/provider?page={number}",
        "ages": {void.id: void_days(void.tenancy_end_date, today) for _, void in found.homes.rows if void}})


class VoidNotice(forms.Form):
    tenancy_end = forms.Day("Date the tenancy ended")
    reason = forms.Text("Reason", limit=200)
    first_let = forms.Ticked("This is a new home's first let")


def _home_page(db: Database, request: Request, reference: str, notice: VoidNotice | None = None) -> Template:
    actor = _actor(request)
    with db.reading() as session:
        home = provider.own_home(session, actor.provider_id, reference)
        voids = provider.home_voids(session, home.id)
    notice = notice or forms.read(VoidNotice, None)
    return Template("admin/provider/home.html", status_code=notice.status, context={
        "staff": current_staff(request), "home": home, "voids": voids, "notice": notice, "today": now().date()})


@get("/provider/homes/{reference:str}", opt={"right": Right.PROVIDER_VOIDS}, sync_to_thread=True)
def provider_home(db: NamedDependency[Database], request: Request, reference: FromPath[str]) -> Template:
    return _home_page(db, request, reference)


@post("/provider/homes/{reference:str}/voids", opt={"right": Right.PROVIDER_VOIDS}, sync_to_thread=True)
def notify_void(db: NamedDependency[Database], request: Request, reference: FromPath[str],
                data: forms.Body) -> Template | Redirect:

    def notify(session: Session, actor: Actor, form: VoidNotice):  # noqa: ANN202
        home = provider.own_home(session, actor.provider_id, reference)
        return log_void(session, actor, home.id, form.tenancy_end.data, form.reason.data or "",
                        form.first_let.data, now())

    return submit(db, request, forms.read(VoidNotice, data), notify,
                  lambda form: _home_page(db, request, reference, form), f"/admin/provider/homes/{reference}")


@post("/provider/voids/{void_id:int}/ready", opt={"right": Right.PROVIDER_VOIDS}, sync_to_thread=True)
def void_ready(db: NamedDependency[Database], request: Request, void_id: FromPath[int]) -> Redirect:
    void = db.run(mark_ready_to_let, _actor(request), void_id, now())
    with db.reading() as session:
        reference = stock.home_of_void(session, void.id).reference
    return Redirect(f"/admin/provider/homes/{reference}", status_code=303)


class Viewing(forms.Form):
    viewing_at = forms.Day("Viewing date")
    viewing_time = forms.TimeOfDay("Time (UK)", required="Enter the time of the viewing")


class ViewingOutcome(forms.Form):
    outcome = forms.Choice("What happened at the viewing", required="Choose what happened at the viewing")


class TenancyStart(forms.Form):
    starts_on = forms.Day("Tenancy start date")


class Decline(forms.Form):
    ground = forms.Choice("Ground, as the agreement allows", required="Choose a ground for declining")
    note = forms.Text("Explanation", limit=2000, required="Explain the decision; the council and the household "
                      "are told it")


def _nomination_forms(request: Request, grounds: list[tuple[str, str]], data: dict | None = None,
                      kind: type[forms.Form] | None = None) -> dict[str, forms.Form]:
    """The page's four forms: the one submitted filled from `data`, the others empty."""
    choices = {ViewingOutcome: {"outcome": list(VIEWING_OUTCOMES.items())}, Decline: {"ground": grounds}}
    return {name: forms.read(form_kind, data if form_kind is kind else None, choices=choices.get(form_kind))
            for name, form_kind in (("viewing", Viewing), ("outcome", ViewingOutcome), ("tenancy", TenancyStart),
                                    ("decline", Decline))}


def _grounds(request: Request, agreement: NominationAgreement) -> list[tuple[str, str]]:
    return [(g.code, g.label) for g in request.app.state["scheme"].nominations.decline_grounds
            if g.code in agreement.decline_grounds]


def _nomination_page(db: Database, request: Request, nomination_id: int,
                     submitted: forms.Form | None = None) -> Template:
    actor = _actor(request)
    with db.reading() as session:
        case = provider.nomination_case(session, actor, nomination_id)
    nomination, agreement = case.nomination, case.agreement
    page_forms = _nomination_forms(request, _grounds(request, agreement))
    if submitted is not None:
        page_forms.update({name: submitted for name, form in page_forms.items() if type(form) is type(submitted)})
    return Template("admin/provider/nomination.html", status_code=submitted.status if submitted else 200, context={
        "staff": current_staff(request), "nomination": nomination, "advert": case.advert, "home": case.home,
        "void": case.void, "agreement": agreement, "details": case.details, "open": nomination.status in OPEN,
        "today": now().date(), "submitted": submitted, **page_forms})


@get("/provider/nominations/{nomination_id:int}", opt={"right": Right.PROVIDER_NOMINATIONS}, sync_to_thread=True)
def provider_nomination(db: NamedDependency[Database], request: Request, nomination_id: FromPath[int]) -> Template:
    return _nomination_page(db, request, nomination_id)


def _work(db: Database, request: Request, nomination_id: int, kind: type[forms.Form], data: dict,
          action) -> Template | Redirect:  # noqa: ANN001
    with db.reading() as session:
        agreement = provider.nomination_case(session, _actor(request), nomination_id).agreement
    form = _nomination_forms(request, _grounds(request, agreement), data, kind)
    form = next(f for f in form.values() if type(f) is kind)
    return submit(db, request, form, action, lambda refused: _nomination_page(db, request, nomination_id, refused),
                  f"/admin/provider/nominations/{nomination_id}")


@post("/provider/nominations/{nomination_id:int}/viewing", opt={"right": Right.PROVIDER_NOMINATIONS},
      sync_to_thread=True)
def nomination_viewing(db: NamedDependency[Database], settings: NamedDependency[Settings], request: Request,
                       nomination_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return _work(db, request, nomination_id, Viewing, data, lambda s, actor, form: arrange_viewing(
        s, actor, nomination_id, forms.moment(form.viewing_at.data, form.viewing_time.data, settings.time_zone), now()))


@post("/provider/nominations/{nomination_id:int}/viewing-outcome", opt={"right": Right.PROVIDER_NOMINATIONS},
      sync_to_thread=True)
def nomination_viewing_outcome(db: NamedDependency[Database], request: Request, nomination_id: FromPath[int],
                               data: forms.Body) -> Template | Redirect:
    return _work(db, request, nomination_id, ViewingOutcome, data, lambda s, actor, form: record_viewing_outcome(
        s, actor, nomination_id, form.outcome.data, now()))


@post("/provider/nominations/{nomination_id:int}/tenancy", opt={"right": Right.PROVIDER_NOMINATIONS},
      sync_to_thread=True)
def nomination_tenancy(db: NamedDependency[Database], request: Request, nomination_id: FromPath[int],
                       data: forms.Body) -> Template | Redirect:
    return _work(db, request, nomination_id, TenancyStart, data, lambda s, actor, form: house_nominee(
        s, actor, nomination_id, form.starts_on.data, now()))


@post("/provider/nominations/{nomination_id:int}/decline", opt={"right": Right.PROVIDER_NOMINATIONS},
      sync_to_thread=True)
def nomination_decline(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                       nomination_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return _work(db, request, nomination_id, Decline, data, lambda s, actor, form: decline_nomination(
        s, actor, scheme, nomination_id, form.ground.data, form.note.data, now()))
