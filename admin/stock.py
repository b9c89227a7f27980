"""Homes and voids: log a void, mark it ready, advertise it in a cycle with a preview (finding a home is
.stock_search)."""

from collections.abc import Callable

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import Session

from cbl.queries import listings
from cbl.queries import stock as stock_queries
from cbl.database import Database
from cbl.models import Advert
from cbl.models.states import OrganisationKind, PropertyType, VoidStatus
from cbl.rules.scheme import Scheme
from cbl.rules.working_days import local_date
from cbl.services.actors import Actor
from cbl.services.actors import staff as staff_actor
from cbl.services.direct_offers import reasons_for
from cbl.services.errors import DomainError, InvalidInput, NotFound
from cbl.services.void_clock import record_works_finished, record_works_started, weekly_charge_pence
from cbl.rules.wording import money
from cbl.services.stock import HomeDetails, add_property, advertise, log_void, mark_ready_to_let
from cbl.web import forms
from cbl.web.auth import now

from .acting import submit
from .guards import current_staff
from cbl.services.rights import Right


class VoidLog(forms.Form):
    tenancy_end = forms.Day("Date the tenancy ended")
    reason = forms.Text("Reason", limit=200)
    first_let = forms.Ticked("This is a new home's first let")


class Works(forms.Form):
    """Repairs between tenancies, for the void clock: either date, or both."""

    works_started = forms.Day("Works started on", required=False)
    works_finished = forms.Day("Works finished on", required=False)


class DirectOffer(forms.Form):
    """Asking a manager to approve offering the home outside bidding (handled in .offers, drawn on the home's page)."""

    applicant = forms.Text("Application reference", limit=32, required="Enter the application reference")
    reason_code = forms.Choice("Why outside bidding", required="Choose why the home is offered outside bidding")
    reason = forms.Text("The case for it", limit=2000, required="Explain the case for the direct offer; the "
                        "approving manager and the household read it")
    final = forms.Ticked("This is a final offer under Part 7 (the household is owed the main duty)")


def direct_offer_form(scheme: Scheme, body: dict | None = None) -> DirectOffer:
    # Its ids carry "-direct": the void's form on the same page has a "reason" too.
    return forms.read(DirectOffer, body, id_suffix="-direct", choices={
        "reason_code": [(code, text[0].upper() + text[1:]) for code, text in reasons_for(scheme).items()]})


def home_page_view(db: Database, request: Request, reference: str, submitted: forms.Form | None = None) -> Template:
    """The home's page with its three forms: each empty (works showing the dates recorded), except the one
    submitted, shown with its errors and what was typed."""
    with db.reading() as session:
        record = stock_queries.home_record(session, reference)
    open_void = next((void for void in record.voids if void.status is VoidStatus.OPEN), None)
    recorded = ({"works_started": open_void.works_started_at, "works_finished": open_void.works_ended_at}
                if open_void else {})
    page_forms = {"void_form": forms.read(VoidLog, None),
                  "works_form": forms.read(Works, None, **{k: local_date(v) for k, v in recorded.items() if v}),
                  "direct_form": direct_offer_form(request.app.state["scheme"])}
    page_forms.update({name: submitted for name, form in page_forms.items() if type(form) is type(submitted)})
    return Template("admin/stock/home.html", status_code=submitted.status if submitted else 200, context={
        "staff": current_staff(request), "home": record.home, "landlord": record.landlord, "voids": record.voids,
        "adverts": record.adverts, "submitted": submitted, "today": now().date(), "open_void": open_void,
        "clocks": stock_queries.void_clocks(record, local_date(now())),
        "weekly": money(weekly_charge_pence(record.home)),
        "council_home": record.landlord.kind is OrganisationKind.COUNCIL, **page_forms})


@get("/stock/{reference:str}", opt={"right": Right.STOCK_READ}, sync_to_thread=True)
def home_page(db: NamedDependency[Database], request: Request, reference: FromPath[str]) -> Template:
    return home_page_view(db, request, reference)


@post("/stock/{reference:str}/voids", opt={"right": Right.STOCK_WRITE}, sync_to_thread=True)
def log_void_submit(db: NamedDependency[Database], request: Request, reference: FromPath[str],
                    data: forms.Body) -> Template | Redirect:
    with db.reading() as session:
        home = stock_queries.home(session, reference)

    def log(session: Session, actor: Actor, form: VoidLog):  # noqa: ANN202
        return log_void(session, actor, home.id, form.tenancy_end.data, form.reason.data or "", form.first_let.data,
                        now())

    return submit(db, request, forms.read(VoidLog, data), log,
                  lambda form: home_page_view(db, request, reference, form), f"/admin/stock/{reference}")


@post("/voids/{void_id:int}/ready", opt={"right": Right.STOCK_WRITE}, sync_to_thread=True)
def ready(db: NamedDependency[Database], request: Request, void_id: FromPath[int]) -> Redirect:
    void = db.run(mark_ready_to_let, staff_actor(current_staff(request)), void_id, now())
    with db.reading() as session:
        reference = stock_queries.home_of_void(session, void.id).reference
    return Redirect(f"/admin/stock/{reference}", status_code=303)


class AdvertForm(forms.Form):
    cycle = forms.Choice("Cycle", required="Choose the cycle to advertise in")
    description = forms.Text("Description", limit=4000)
    min_bedroom_need = forms.WholeNumber("Lowest bedroom need", low=0, high=10,
                                         message="Lowest bedroom need must be a whole number from 0 to 10, or empty")
    max_bedroom_need = forms.WholeNumber("Highest bedroom need", low=0, high=10,
                                         message="Highest bedroom need must be a whole number from 0 to 10, or empty")
    min_household = forms.WholeNumber("Smallest household", low=1, high=20,
                                      message="Smallest household must be a whole number from 1 to 20, or empty")
    max_household = forms.WholeNumber("Largest household", low=1, high=20,
                                      message="Largest household must be a whole number from 1 to 20, or empty")
    min_age = forms.WholeNumber("Minimum age of the applicant", low=16, high=120,
                                message="Minimum age must be a whole number from 16 to 120, or empty")
    step_free_only = forms.Ticked("Only households who need a home without steps")
    wheelchair_only = forms.Ticked("Only wheelchair users")
    transfer_only = forms.Ticked("Only existing tenants (transfers)")
    preference_groups = forms.Text("Who comes first, in order", limit=1000)

    def criteria(self) -> dict:
        return {name: self[name].data for name in (*CRITERIA_NUMBERS, *CRITERIA_FLAGS)}

    def groups(self) -> list[str]:
        return [line.strip() for line in (self.preference_groups.data or "").splitlines() if line.strip()]


CRITERIA_NUMBERS = ("min_bedroom_need", "max_bedroom_need", "min_household", "max_household", "min_age")
CRITERIA_FLAGS = ("step_free_only", "wheelchair_only", "transfer_only")


def _advert_page(db: Database, request: Request, void_id: int,
                 body: dict | None = None) -> tuple[AdvertForm, Callable[..., Template]]:
    """The advert form (filled from `body` if given) and a function drawing its page, with a preview or not."""
    from cbl.app import local_datetime  # imported here: the app imports this module while it is built

    zone = request.app.state["settings"].time_zone
    with db.reading() as session:
        found = stock_queries.void_to_advertise(session, void_id)
    form = forms.read(AdvertForm, body, choices={"cycle": [
        (str(cycle.id), f"{cycle.name} (closes {local_datetime(cycle.closes_at, zone)})") for cycle in found.cycles]})

    def page(shown: AdvertForm, preview: list[str] | None = None) -> Template:
        return Template("admin/stock/advert.html", status_code=shown.status, context={
            "staff": current_staff(request), "void": found.void, "home": found.home, "form": shown,
            "preview": preview})

    return form, page


@get("/voids/{void_id:int}/advert", opt={"right": Right.ADVERT_WRITE}, sync_to_thread=True)
def advert_form(db: NamedDependency[Database], request: Request, void_id: FromPath[int]) -> Template:
    form, page = _advert_page(db, request, void_id)
    return page(form)


@post("/voids/{void_id:int}/advert", opt={"right": Right.ADVERT_WRITE}, sync_to_thread=True)
def advert_submit(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                  void_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    form, page = _advert_page(db, request, void_id, data)
    if form.validate():
        if data.get("action") == "preview":  # which button was pressed: Preview, or Advertise
            return page(form, listings.criteria_words(Advert(**form.criteria()))
                        + [f"First: {listings.preference_group_words(g)}" for g in form.groups()])
        try:
            advert = db.run(advertise, staff_actor(current_staff(request)), void_id, int(form.cycle.data),
                            form.criteria(), form.groups(), form.description.data or "", now(),
                            registration_date_share_pct=scheme.ranking.registration_date_share_pct)
            return Redirect(f"/adverts/{advert.reference}", status_code=303)
        except DomainError as error:
            if isinstance(error, NotFound):
                raise
            form.refuse(error)
    return page(form)


HOME_FEATURES = [("lift", "Lift to the home's floor"), ("step_free", "Step-free access"),
                 ("wheelchair_adapted", "Adapted for a wheelchair user"), ("garden", "Private garden"),
                 ("sheltered", "Sheltered housing (older people)")]


class NewHome(forms.Form):
    landlord = forms.Choice("Landlord", required="Choose the landlord")
    reference = forms.Text("Landlord's reference for the home", limit=32,
                           required="Enter the landlord's reference for the home")
    uprn = forms.Text("UPRN (optional)", limit=12)
    address = forms.Text("Address", limit=400, required="Enter the home's address")
    postcode = forms.Text("Postcode", limit=10, required="Enter the postcode")
    area = forms.Text("Area", limit=100, required="Enter the area the home is in")
    property_type = forms.Choice("Type of home", required="Choose the type of home")
    bedrooms = forms.WholeNumber("Bedrooms", low=0, high=10, required=True,
                                 message="Bedrooms must be from 0 (a bedsit) to 10")
    floor = forms.WholeNumber("Floor", low=-1, high=60, message="Floor must be from -1 (basement) to 60")
    features = forms.Many("Features")
    rent = forms.Money("Weekly rent (£)")
    charges = forms.Money("Weekly service charges (£, optional)", required=False)


def _new_home_form(db: Database, body: dict | None = None) -> NewHome:
    with db.reading() as session:
        landlords = stock_queries.landlords(session)
    return forms.read(NewHome, body, choices={
        "landlord": landlords, "features": HOME_FEATURES,
        "property_type": [(kind.value, kind.value.capitalize()) for kind in PropertyType]})


def _new_home_page(request: Request, form: NewHome) -> Template:
    return Template("admin/stock/new.html", status_code=form.status,
                    context={"staff": current_staff(request), "form": form})


@get("/stock/new", opt={"right": Right.STOCK_WRITE}, sync_to_thread=True)
def new_home(db: NamedDependency[Database], request: Request) -> Template:
    return _new_home_page(request, _new_home_form(db))


@post("/stock/new", opt={"right": Right.STOCK_WRITE}, sync_to_thread=True)
def new_home_submit(db: NamedDependency[Database], request: Request, data: forms.Body) -> Template | Redirect:
    form = _new_home_form(db, data)
    if form.validate():
        details = HomeDetails(
            landlord_code=form.landlord.data, reference=form.reference.data, address=form.address.data,
            postcode=form.postcode.data, area=form.area.data, property_type=form.property_type.data,
            bedrooms=form.bedrooms.data, floor=form.floor.data or 0, weekly_rent_pence=form.rent.data,
            weekly_charges_pence=form.charges.data, uprn=form.uprn.data or "",
            **{name: name in form.features.data for name, _ in HOME_FEATURES})
        try:
            home = db.run(add_property, staff_actor(current_staff(request)), details, now())
            return Redirect(f"/admin/stock/{home.reference}", status_code=303)
        except DomainError as error:
            form.refuse(error)
    return _new_home_page(request, form)


@post("/voids/{void_id:int}/works", opt={"right": Right.STOCK_WRITE}, sync_to_thread=True)
def works(db: NamedDependency[Database], request: Request, void_id: FromPath[int],
          data: forms.Body) -> Template | Redirect:
    """Repairs between tenancies: when they started and finished, for the void clock."""
    with db.reading() as session:
        home = stock_queries.home_of_void(session, void_id)
    if home is None:
        raise NotFound("No such void.")
    reference = home.reference

    def record(session: Session, actor: Actor, form: Works):  # noqa: ANN202
        started, finished = form.works_started.data, form.works_finished.data
        if started is None and finished is None:
            raise InvalidInput("Enter the date the works started, or finished", field="works_started")
        if started is not None:
            record_works_started(session, actor, void_id, started, now())
        if finished is not None:
            record_works_finished(session, actor, void_id, finished, now())

    return submit(db, request, forms.read(Works, data), record,
                  lambda form: home_page_view(db, request, reference, form), f"/admin/stock/{reference}")
