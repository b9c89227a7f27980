"""Homes and voids: log a void, mark it ready, advertise it in a cycle with a preview."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from cbl.rules.digits import only_digits
from cbl.queries import listings
from cbl.queries import stock as stock_queries
from cbl.database import Database
from cbl.models import Advert
from cbl.models.states import OrganisationKind, PropertyType
from cbl.services.actors import staff as staff_actor
from cbl.services.direct_offers import REASONS
from cbl.services.errors import DomainError, InvalidInput, NotFound
from cbl.services.lettings import void_days
from cbl.services.void_clock import record_works_finished, record_works_started
from cbl.services.stock import HomeDetails, add_property, advertise, log_void, mark_ready_to_let
from cbl.web import forms
from cbl.web.auth import now

from .acting import act
from .guards import current_staff
from cbl.services.rights import Right


@get("/stock", opt={"right": Right.STOCK_READ}, sync_to_thread=True)
def stock(db: NamedDependency[Database], request: Request, q: FromQuery[str | None] = None) -> Template:
    text = (q or "").strip()[:100]
    with db.reading() as session:
        rows = stock_queries.homes(session, text)  # by default, the homes standing empty
    today = now().date()
    return Template("admin/stock/list.html", context={
        "staff": current_staff(request), "rows": rows, "q": text,
        "ages": {void.id: void_days(void.tenancy_end_date, today) for _, _, void in rows if void}})


def home_page_view(db: Database, request: Request, reference: str, error: DomainError | None = None) -> Template:
    with db.reading() as session:
        record = stock_queries.home_record(session, reference)
    return Template("admin/stock/home.html", status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "home": record.home, "landlord": record.landlord, "voids": record.voids,
        "adverts": record.adverts, "error": error, "today": now().date(),
        "council_home": record.landlord.kind is OrganisationKind.COUNCIL,
        "direct_reasons": [(code, text[0].upper() + text[1:]) for code, text in REASONS.items()]})


@get("/stock/{reference:str}", opt={"right": Right.STOCK_READ}, sync_to_thread=True)
def home_page(db: NamedDependency[Database], request: Request, reference: FromPath[str]) -> Template:
    return home_page_view(db, request, reference)


@post("/stock/{reference:str}/voids", opt={"right": Right.STOCK_WRITE}, sync_to_thread=True)
def log_void_submit(db: NamedDependency[Database], request: Request, reference: FromPath[str],
                    data: forms.Body) -> Template | Redirect:
    actor = staff_actor(current_staff(request))
    try:
        with db.reading() as session:
            home = stock_queries.home(session, reference)
        ended = forms.day(data, "tenancy_end")
        db.run(log_void, actor, home.id, ended, forms.text(data, "reason", 200), forms.ticked(data, "first_let"), now())
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        return home_page_view(db, request, reference, error)
    return Redirect(f"/admin/stock/{reference}", status_code=303)


@post("/voids/{void_id:int}/ready", opt={"right": Right.STOCK_WRITE}, sync_to_thread=True)
def ready(db: NamedDependency[Database], request: Request, void_id: FromPath[int]) -> Redirect:
    void = db.run(mark_ready_to_let, staff_actor(current_staff(request)), void_id, now())
    with db.reading() as session:
        reference = stock_queries.home_of_void(session, void.id).reference
    return Redirect(f"/admin/stock/{reference}", status_code=303)


def _advert_form(db: Database, request: Request, void_id: int, form: dict, error: DomainError | None = None,
                 preview: list[str] | None = None) -> Template:
    with db.reading() as session:
        found = stock_queries.void_to_advertise(session, void_id)
    return Template("admin/stock/advert.html", status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "void": found.void, "home": found.home, "cycles": found.cycles, "form": form,
        "error": error,
        "preview": preview})


@get("/voids/{void_id:int}/advert", opt={"right": Right.ADVERT_WRITE}, sync_to_thread=True)
def advert_form(db: NamedDependency[Database], request: Request, void_id: FromPath[int]) -> Template:
    return _advert_form(db, request, void_id, {})


CRITERIA_NUMBERS = ("min_bedroom_need", "max_bedroom_need", "min_household", "max_household", "min_age")
CRITERIA_FLAGS = ("step_free_only", "wheelchair_only", "transfer_only")


def _criteria(data: dict) -> dict:
    criteria: dict = {}
    for name in CRITERIA_NUMBERS:
        text = forms.text(data, name, 3)
        if text and (not only_digits(text) or int(text) > 120):
            raise InvalidInput("Criteria must be whole numbers, or left empty.", field=name)
        criteria[name] = int(text) if text else None
    for name in CRITERIA_FLAGS:
        criteria[name] = forms.ticked(data, name)
    return criteria


@post("/voids/{void_id:int}/advert", opt={"right": Right.ADVERT_WRITE}, sync_to_thread=True)
def advert_submit(db: NamedDependency[Database], request: Request, void_id: FromPath[int],
                  data: forms.Body) -> Template | Redirect:
    actor = staff_actor(current_staff(request))
    form = {name: forms.text(data, name, 4000) for name in (*CRITERIA_NUMBERS, "cycle", "description", "groups")}
    form.update({name: forms.ticked(data, name) for name in CRITERIA_FLAGS})
    groups = [g.strip() for g in form["groups"].splitlines() if g.strip()]
    try:
        criteria = _criteria(data)
        if forms.text(data, "action") == "preview":
            return _advert_form(db, request, void_id, form, preview=listings.criteria_words(Advert(**criteria))
                                + [f"First: {listings.preference_group_words(g)}" for g in groups])
        if not only_digits(form["cycle"]):
            raise InvalidInput("Choose the cycle to advertise in.", field="cycle")
        advert = db.run(advertise, actor, void_id, int(form["cycle"]), criteria, groups, form["description"], now())
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        return _advert_form(db, request, void_id, form, error)
    return Redirect(f"/adverts/{advert.reference}", status_code=303)


def _new_home_page(db: Database, request: Request, form: dict, error: DomainError | None = None) -> Template:
    with db.reading() as session:
        landlords = stock_queries.landlords(session)
    return Template("admin/stock/new.html", status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "form": form, "error": error, "landlords": landlords,
        "property_types": [(kind.value, kind.value.capitalize()) for kind in PropertyType],
        "features": HOME_FEATURES})


HOME_FEATURES = [("lift", "Lift to the home's floor"), ("step_free", "Step-free access"),
                 ("wheelchair_adapted", "Adapted for a wheelchair user"), ("garden", "Private garden"),
                 ("sheltered", "Sheltered housing (older people)")]


@get("/stock/new", opt={"right": Right.STOCK_WRITE}, sync_to_thread=True)
def new_home(db: NamedDependency[Database], request: Request) -> Template:
    return _new_home_page(db, request, {})


@post("/stock/new", opt={"right": Right.STOCK_WRITE}, sync_to_thread=True)
def new_home_submit(db: NamedDependency[Database], request: Request, data: forms.Body) -> Template | Redirect:
    form = {name: forms.text(data, name, 400) for name in (
        "landlord", "reference", "uprn", "address", "postcode", "area", "property_type", "bedrooms", "floor", "rent",
        "charges")}
    form["features"] = forms.many(data, "features", 32)
    try:
        details = HomeDetails(
            landlord_code=form["landlord"], reference=form["reference"], address=form["address"],
            postcode=form["postcode"], area=form["area"], property_type=form["property_type"],
            bedrooms=forms.whole_number(data, "bedrooms", 0, 10, "Bedrooms must be from 0 (a bedsit) to 10."),
            floor=forms.whole_number(data, "floor", -1, 60, "Floor must be from -1 (basement) to 60.", default=0),
            weekly_rent_pence=forms.pence(data, "rent"), weekly_charges_pence=forms.pence(data, "charges", optional=True),
            uprn=form["uprn"], **{name: name in form["features"] for name, _ in HOME_FEATURES})
        home = db.run(add_property, staff_actor(current_staff(request)), details, now())
    except DomainError as error:
        return _new_home_page(db, request, form, error)
    return Redirect(f"/admin/stock/{home.reference}", status_code=303)


@post("/voids/{void_id:int}/works", opt={"right": Right.STOCK_WRITE}, sync_to_thread=True)
def works(db: NamedDependency[Database], request: Request, void_id: FromPath[int],
          data: forms.Body) -> Template | Redirect:
    """Repairs between tenancies: when they started and finished, for the void clock."""
    with db.reading() as session:
        home = stock_queries.home_of_void(session, void_id)
    if home is None:
        raise NotFound("No such void.")
    reference = home.reference

    def record(session, actor):  # noqa: ANN001, ANN202
        started = forms.day(data, "works_started", optional=True)
        finished = forms.day(data, "works_finished", optional=True)
        if started is None and finished is None:
            raise InvalidInput("Enter the date the works started, or finished.", field="works_started")
        if started is not None:
            record_works_started(session, actor, void_id, started, now())
        if finished is not None:
            record_works_finished(session, actor, void_id, finished, now())

    return act(db, request, record, lambda error: home_page_view(db, request, reference, error),
               f"/admin/stock/{reference}")
