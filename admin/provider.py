"""The provider portal: a registered provider's staff see their own homes, voids and the council's
nominations to them, and nothing of any other provider's (another's is simply not found)."""


from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import Session, select

from cbl.database import Database
from cbl.models import Advert, Nomination, NominationAgreement, Organisation, Property, Void
from cbl.models.states import VoidStatus
from cbl.rules.scheme import Scheme
from cbl.services.actors import Actor
from cbl.services.actors import staff as staff_actor
from cbl.services.errors import DomainError, NotFound
from cbl.services.lettings import void_days
from cbl.services.nominations import (
    OPEN, VIEWING_OUTCOMES, arrange_viewing, decline_nomination, house_nominee, nomination_for,
    record_viewing_outcome, shared_details,
)
from cbl.services.stock import log_void, mark_ready_to_let
from cbl.settings import Settings
from cbl.web import forms
from cbl.web.auth import now

from .acting import act
from .guards import current_staff
from cbl.services.rights import Right


def _actor(request: Request) -> Actor:
    return staff_actor(current_staff(request))


@get("/provider", opt={"right": Right.PROVIDER_PORTAL}, sync_to_thread=True)
def portal(db: NamedDependency[Database], request: Request) -> Template:
    actor, today = _actor(request), now().date()
    with db.reading() as session:
        organisation = session.get(Organisation, actor.provider_id)
        homes = session.exec(select(Property, Void).outerjoin(
            Void, (Void.property_id == Property.id) & (Void.status == VoidStatus.OPEN))
            .where(Property.landlord_id == actor.provider_id).order_by(Void.tenancy_end_date, Property.reference)
            .limit(500)).all()
        nominations = session.exec(select(Nomination, Advert.reference).join(Advert, Advert.id == Nomination.advert_id)
                                   .where(Nomination.provider_id == actor.provider_id)
                                   .order_by(Nomination.status.in_(OPEN).desc(), Nomination.respond_by.desc())
                                   .limit(200)).all()
    return Template("admin/provider/portal.html", context={
        "staff": current_staff(request), "organisation": organisation, "homes": homes, "nominations": nominations,
        "open": OPEN, "today": today,
        "ages": {void.id: void_days(void.tenancy_end_date, today) for _, void in homes if void}})


def _own_home(session: Session, actor: Actor, reference: str) -> Property:
    home = session.exec(select(Property).where(Property.reference == reference,
                                               Property.landlord_id == actor.provider_id)).first()
    if home is None:
        raise NotFound(f"There is no property {reference} of yours.")
    return home


def _home_page(db: Database, request: Request, reference: str, error: DomainError | None = None) -> Template:
    actor = _actor(request)
    with db.reading() as session:
        home = _own_home(session, actor, reference)
        voids = session.exec(select(Void).where(Void.property_id == home.id)
                             .order_by(Void.tenancy_end_date.desc())).all()
    return Template("admin/provider/home.html", status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "home": home, "voids": voids, "error": error, "today": now().date()})


@get("/provider/homes/{reference:str}", opt={"right": Right.PROVIDER_VOIDS}, sync_to_thread=True)
def provider_home(db: NamedDependency[Database], request: Request, reference: FromPath[str]) -> Template:
    return _home_page(db, request, reference)


@post("/provider/homes/{reference:str}/voids", opt={"right": Right.PROVIDER_VOIDS}, sync_to_thread=True)
def notify_void(db: NamedDependency[Database], request: Request, reference: FromPath[str],
                data: forms.Body) -> Template | Redirect:

    def notify(session: Session, actor: Actor):  # noqa: ANN202
        home = _own_home(session, actor, reference)
        return log_void(session, actor, home.id, forms.day(data, "tenancy_end"), forms.text(data, "reason", 200),
                        forms.ticked(data, "first_let"), now())

    return act(db, request, notify, lambda error: _home_page(db, request, reference, error),
               f"/admin/provider/homes/{reference}")


@post("/provider/voids/{void_id:int}/ready", opt={"right": Right.PROVIDER_VOIDS}, sync_to_thread=True)
def void_ready(db: NamedDependency[Database], request: Request, void_id: FromPath[int]) -> Redirect:
    void = db.run(mark_ready_to_let, _actor(request), void_id, now())
    with db.reading() as session:
        reference = session.get(Property, void.property_id).reference
    return Redirect(f"/admin/provider/homes/{reference}", status_code=303)


def _nomination_page(db: Database, request: Request, nomination_id: int,
                     error: DomainError | None = None) -> Template:
    actor = _actor(request)
    with db.reading() as session:
        nomination = nomination_for(session, actor, nomination_id)
        advert = session.get(Advert, nomination.advert_id)
        home = session.get(Property, advert.property_id)
        void = session.get(Void, advert.void_id)
        agreement = session.get(NominationAgreement, nomination.agreement_id)
        details = shared_details(session, nomination)
    return Template("admin/provider/nomination.html", status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "nomination": nomination, "advert": advert, "home": home, "void": void,
        "agreement": agreement, "details": details, "error": error, "open": nomination.status in OPEN,
        "today": now().date(), "outcomes": list(VIEWING_OUTCOMES.items()),
        "grounds": [(g.code, g.label) for g in request.app.state["scheme"].nominations.decline_grounds
                    if g.code in agreement.decline_grounds]})


@get("/provider/nominations/{nomination_id:int}", opt={"right": Right.PROVIDER_NOMINATIONS}, sync_to_thread=True)
def provider_nomination(db: NamedDependency[Database], request: Request, nomination_id: FromPath[int]) -> Template:
    return _nomination_page(db, request, nomination_id)


def _work(db: Database, request: Request, nomination_id: int, action) -> Template | Redirect:  # noqa: ANN001
    return act(db, request, action, lambda error: _nomination_page(db, request, nomination_id, error),
               f"/admin/provider/nominations/{nomination_id}")


@post("/provider/nominations/{nomination_id:int}/viewing", opt={"right": Right.PROVIDER_NOMINATIONS},
      sync_to_thread=True)
def nomination_viewing(db: NamedDependency[Database], settings: NamedDependency[Settings], request: Request,
                       nomination_id: FromPath[int], data: forms.Body) -> Template | Redirect:

    def arrange(session: Session, actor: Actor):  # noqa: ANN202
        return arrange_viewing(session, actor, nomination_id, forms.local_moment(data, settings.time_zone), now())

    return _work(db, request, nomination_id, arrange)


@post("/provider/nominations/{nomination_id:int}/viewing-outcome", opt={"right": Right.PROVIDER_NOMINATIONS},
      sync_to_thread=True)
def nomination_viewing_outcome(db: NamedDependency[Database], request: Request, nomination_id: FromPath[int],
                               data: forms.Body) -> Template | Redirect:
    return _work(db, request, nomination_id, lambda s, actor: record_viewing_outcome(
        s, actor, nomination_id, forms.text(data, "outcome", 16), now()))


@post("/provider/nominations/{nomination_id:int}/tenancy", opt={"right": Right.PROVIDER_NOMINATIONS},
      sync_to_thread=True)
def nomination_tenancy(db: NamedDependency[Database], request: Request, nomination_id: FromPath[int],
                       data: forms.Body) -> Template | Redirect:
    return _work(db, request, nomination_id, lambda s, actor: house_nominee(
        s, actor, nomination_id, forms.day(data, "starts_on"), now()))


@post("/provider/nominations/{nomination_id:int}/decline", opt={"right": Right.PROVIDER_NOMINATIONS},
      sync_to_thread=True)
def nomination_decline(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                       nomination_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return _work(db, request, nomination_id, lambda s, actor: decline_nomination(
        s, actor, scheme, nomination_id, forms.text(data, "ground", 64), forms.text(data, "note", 2000), now()))
