"""Homes and voids: log a void, mark it ready, advertise it in a cycle with a preview."""

from datetime import date

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import select

from cbl import listings
from cbl.database import Database
from cbl.models import Advert, Cycle, Organisation, Property, Void
from cbl.models.states import CycleStatus, VoidStatus
from cbl.services.actors import staff as staff_actor
from cbl.services.errors import DomainError, InvalidInput, NotFound
from cbl.services.lettings import void_days
from cbl.services.stock import advertise, log_void, mark_ready_to_let
from cbl.web import forms
from cbl.web.auth import now

from .guards import current_staff


@get("/stock", opt={"right": "stock.read"}, sync_to_thread=True)
def stock(db: NamedDependency[Database], request: Request, q: FromQuery[str | None] = None) -> Template:
    text = (q or "").strip()[:100]
    with db.reading() as session:
        query = (select(Property, Organisation.name, Void).join(Organisation, Organisation.id == Property.landlord_id)
                 .outerjoin(Void, (Void.property_id == Property.id) & (Void.status == VoidStatus.OPEN)))
        if text:
            like = f"%{text.lower()}%"
            query = query.where(Property.reference.ilike(like) | Property.address.ilike(like)
                                | Property.postcode.ilike(like))
        else:
            query = query.where(Void.id.is_not(None))  # by default, the homes standing empty
        rows = session.exec(query.order_by(Void.tenancy_end_date, Property.reference).limit(200)).all()
    today = now().date()
    return Template("admin/stock/list.html", context={
        "staff": current_staff(request), "rows": rows, "q": text,
        "ages": {void.id: void_days(void.tenancy_end_date, today) for _, _, void in rows if void}})


def _home_page(db: Database, request: Request, reference: str, error: DomainError | None = None) -> Template:
    with db.reading() as session:
        home = session.exec(select(Property).where(Property.reference == reference)).first()
        if home is None:
            raise NotFound(f"There is no property {reference}.")
        landlord = session.get(Organisation, home.landlord_id)
        voids = session.exec(select(Void).where(Void.property_id == home.id).order_by(Void.tenancy_end_date.desc())).all()
        adverts = session.exec(select(Advert).where(Advert.property_id == home.id).order_by(Advert.id.desc())).all()
    return Template("admin/stock/home.html", status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "home": home, "landlord": landlord, "voids": voids, "adverts": adverts,
        "error": error, "today": now().date()})


@get("/stock/{reference:str}", opt={"right": "stock.read"}, sync_to_thread=True)
def home_page(db: NamedDependency[Database], request: Request, reference: FromPath[str]) -> Template:
    return _home_page(db, request, reference)


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("Enter a real date, like 2026-11-20.", field=field) from None


@post("/stock/{reference:str}/voids", opt={"right": "stock.write"}, sync_to_thread=True)
def log_void_submit(db: NamedDependency[Database], request: Request, reference: FromPath[str],
                    data: forms.Form) -> Template | Redirect:
    actor = staff_actor(current_staff(request))
    try:
        with db.reading() as session:
            home = session.exec(select(Property).where(Property.reference == reference)).first()
        if home is None:
            raise NotFound(f"There is no property {reference}.")
        ended = _date(forms.text(data, "tenancy_end", 10), "tenancy_end")
        db.run(log_void, actor, home.id, ended, forms.text(data, "reason", 200), forms.ticked(data, "first_let"), now())
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        return _home_page(db, request, reference, error)
    return Redirect(f"/admin/stock/{reference}", status_code=303)


@post("/voids/{void_id:int}/ready", opt={"right": "stock.write"}, sync_to_thread=True)
def ready(db: NamedDependency[Database], request: Request, void_id: FromPath[int]) -> Redirect:
    void = db.run(mark_ready_to_let, staff_actor(current_staff(request)), void_id, now())
    with db.reading() as session:
        reference = session.get(Property, void.property_id).reference
    return Redirect(f"/admin/stock/{reference}", status_code=303)


def _advert_form(db: Database, request: Request, void_id: int, form: dict, error: DomainError | None = None,
                 preview: list[str] | None = None) -> Template:
    with db.reading() as session:
        void = session.get(Void, void_id)
        if void is None:
            raise NotFound("No such void.")
        home = session.get(Property, void.property_id)
        cycles = session.exec(select(Cycle).where(Cycle.status.in_([CycleStatus.SCHEDULED, CycleStatus.OPEN]))
                              .order_by(Cycle.opens_at)).all()
    return Template("admin/stock/advert.html", status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "void": void, "home": home, "cycles": cycles, "form": form, "error": error,
        "preview": preview})


@get("/voids/{void_id:int}/advert", opt={"right": "advert.write"}, sync_to_thread=True)
def advert_form(db: NamedDependency[Database], request: Request, void_id: FromPath[int]) -> Template:
    return _advert_form(db, request, void_id, {})


CRITERIA_NUMBERS = ("min_bedroom_need", "max_bedroom_need", "min_household", "max_household", "min_age")
CRITERIA_FLAGS = ("step_free_only", "wheelchair_only", "transfer_only")


def _criteria(data: dict) -> dict:
    criteria: dict = {}
    for name in CRITERIA_NUMBERS:
        text = forms.text(data, name, 3)
        if text and (not text.isdigit() or int(text) > 120):
            raise InvalidInput("Criteria must be whole numbers, or left empty.", field=name)
        criteria[name] = int(text) if text else None
    for name in CRITERIA_FLAGS:
        criteria[name] = forms.ticked(data, name)
    return criteria


@post("/voids/{void_id:int}/advert", opt={"right": "advert.write"}, sync_to_thread=True)
def advert_submit(db: NamedDependency[Database], request: Request, void_id: FromPath[int],
                  data: forms.Form) -> Template | Redirect:
    actor = staff_actor(current_staff(request))
    form = {name: forms.text(data, name, 4000) for name in (*CRITERIA_NUMBERS, "cycle", "description", "groups")}
    form.update({name: forms.ticked(data, name) for name in CRITERIA_FLAGS})
    groups = [g.strip() for g in form["groups"].splitlines() if g.strip()]
    try:
        criteria = _criteria(data)
        if forms.text(data, "action") == "preview":
            return _advert_form(db, request, void_id, form, preview=listings.criteria_words(Advert(**criteria))
                                + [f"First: {listings.preference_group_words(g)}" for g in groups])
        if not form["cycle"].isdigit():
            raise InvalidInput("Choose the cycle to advertise in.", field="cycle")
        advert = db.run(advertise, actor, void_id, int(form["cycle"]), criteria, groups, form["description"], now())
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        return _advert_form(db, request, void_id, form, error)
    return Redirect(f"/adverts/{advert.reference}", status_code=303)
