"""A household's mutual exchange pages: listing its home and what it wants, withdrawing it, and saying whether it
is interested in an exchange proposed to it."""

import anyio
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from cbl.database import Database
from cbl.models import Applicant, ExchangeListing, Organisation
from cbl.models.exchanges import REASON_LIMIT
from cbl.models.states import ExchangeMatchStatus, ExchangeTenancy, PropertyType
from cbl.queries import exchanges as exchange_queries
from cbl.rules.exchange_listings import suitable_bedrooms
from cbl.rules.scheme import Scheme
from cbl.services.errors import DomainError, NotFound
from cbl.services.exchanges import ListingDetails, save_listing, say_interest, withdraw_listing
from cbl.web import forms
from cbl.web.auth import Viewer, applicant_actor, now, signed_in_applicant

TENANCIES = [(ExchangeTenancy.SECURE.value, "Secure (the council's)"),
             (ExchangeTenancy.FLEXIBLE.value, "Flexible, fixed-term (the council's)"),
             (ExchangeTenancy.ASSURED.value, "Assured (a housing association's)"),
             (ExchangeTenancy.INTRODUCTORY_OR_STARTER.value, "Introductory or starter (a trial tenancy)")]
KINDS = [(kind.value, kind.value.capitalize()) for kind in PropertyType]
ROOMS = "must be a number from 0 to 10, like 2"


class ListingForm(forms.Form):
    landlord = forms.Choice("Your landlord", required="Choose your landlord")
    tenancy = forms.Choice("Your tenancy", required="Choose the kind of tenancy you have")
    address = forms.Text("Address of your home", limit=400, required="Enter the address of your home")
    postcode = forms.Text("Postcode", limit=10, required="Enter the postcode of your home")
    area = forms.Choice("Area of your home", required="Choose the area of your home")
    bedrooms = forms.WholeNumber("Bedrooms in your home", low=0, high=10, required=True,
                                 message=f"Bedrooms in your home {ROOMS}")
    property_type = forms.Choice("Kind of home", required="Choose the kind of home you have")
    weekly_rent = forms.Money("Weekly rent")
    want_areas = forms.Many("Areas you would move to", required="Choose at least one area you would move to")
    want_min_bedrooms = forms.WholeNumber("Fewest bedrooms you would take", low=0, high=10, required=True,
                                          message=f"Fewest bedrooms {ROOMS}")
    want_max_bedrooms = forms.WholeNumber("Most bedrooms you would take", low=0, high=10, required=True,
                                          message=f"Most bedrooms {ROOMS}")
    want_types = forms.Many("Kinds of home you would move to",
                            required="Choose at least one kind of home you would move to")


class InterestForm(forms.Form):
    answer = forms.Choice("Are you interested in this exchange?", required="Say whether you are interested")
    reason = forms.Text("Why not? (optional)", limit=REASON_LIMIT)


def _listing_form(db: Database, scheme: Scheme, body: dict | None = None,
                  saved: ExchangeListing | None = None) -> ListingForm:
    with db.reading() as session:
        landlords = exchange_queries.landlords(session)
    kept = {}
    if saved is not None:
        kept = {"tenancy": saved.tenancy.value, "address": saved.address, "postcode": saved.postcode,
                "area": saved.area, "bedrooms": saved.bedrooms, "property_type": saved.property_type.value,
                "weekly_rent": saved.weekly_rent_pence, "want_areas": saved.want_areas,
                "want_min_bedrooms": saved.want_min_bedrooms, "want_max_bedrooms": saved.want_max_bedrooms,
                "want_types": saved.want_types}
    areas = scheme.exchanges.areas
    return forms.read(ListingForm, body, choices={
        "landlord": landlords, "tenancy": TENANCIES, "area": areas, "property_type": KINDS, "want_areas": areas,
        "want_types": KINDS}, **kept)


def _page(db: Database, scheme: Scheme, viewer: Viewer | None, applicant: Applicant, *,
          listing_form: ListingForm | None = None, interest: tuple[int, InterestForm] | None = None,
          done: str | None = None) -> Template:
    with db.reading() as session:
        listing, matches = exchange_queries.household_exchange(session, applicant.id)
        listing_rests = listing is not None and exchange_queries.is_resting(session, listing.id)
        landlord_code = None
        if listing is not None and listing_form is None:
            landlord_code = session.get(Organisation, listing.landlord_id).code
    form = listing_form or _listing_form(db, scheme, saved=listing)
    if landlord_code:
        form.landlord.data = landlord_code
    answers = {m.member.id: forms.read(InterestForm, None, id_suffix=f"-{m.member.id}",
                                       choices={"answer": [("yes", "Yes"), ("no", "No")]}) for m in matches}
    if interest:
        answers[interest[0]] = interest[1]
    refused = listing_form if listing_form and listing_form.summary else (interest[1] if interest else None)
    low, high = suitable_bedrooms(applicant.bedroom_need, scheme.exchanges.extra_bedrooms)
    return Template("public/account/exchange.html", status_code=refused.status if refused else 200, context={
        "viewer": viewer, "listing": listing, "matches": matches, "form": form, "answers": answers,
        "refused": refused, "need": applicant.bedroom_need, "low": low, "high": high, "done": done,
        "rests": listing_rests,
        "proposed": ExchangeMatchStatus.PROPOSED})


# An async handler doing its work in a thread (see cbl/web/account.py: a sync GET sharing its path with a POST).
@get("/account/exchange")
async def exchange_page(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                        viewer: NamedDependency[Viewer | None], request: Request,
                        done: FromQuery[str | None] = None) -> Template:
    return await anyio.to_thread.run_sync(_exchange_page, db, scheme, viewer, request, done)


DONE = {"listed": "Your home is listed for exchange.", "withdrawn": "Your listing is withdrawn.",
        "answered": "Thank you: your answer is recorded."}


def _exchange_page(db: Database, scheme: Scheme, viewer: Viewer | None, request: Request,
                   done: str | None) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    return _page(db, scheme, viewer, applicant, done=DONE.get(done or ""))


@post("/account/exchange", sync_to_thread=True)
def exchange_listing_submit(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                            viewer: NamedDependency[Viewer | None], request: Request,
                            data: forms.Body) -> Template | Redirect:
    applicant = signed_in_applicant(viewer, db, request)
    form = _listing_form(db, scheme, data)
    if form.validate():
        details = ListingDetails(
            form.landlord.data, ExchangeTenancy(form.tenancy.data), form.address.data, form.postcode.data,
            form.area.data, form.bedrooms.data, PropertyType(form.property_type.data), form.weekly_rent.data,
            form.want_areas.data, form.want_min_bedrooms.data, form.want_max_bedrooms.data, form.want_types.data)
        try:
            db.run(save_listing, applicant_actor(applicant), scheme, details, now())
            return Redirect("/account/exchange?done=listed", status_code=303)
        except DomainError as error:
            form.refuse(error)
    return _page(db, scheme, viewer, applicant, listing_form=form)


@post("/account/exchange/withdrawal", sync_to_thread=True)
def exchange_withdrawal(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None],
                        request: Request) -> Redirect:
    applicant = signed_in_applicant(viewer, db, request)
    db.run(withdraw_listing, applicant_actor(applicant), now())
    return Redirect("/account/exchange?done=withdrawn", status_code=303)


@post("/account/exchange/{member_id:int}/interest", sync_to_thread=True)
def exchange_interest(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                      viewer: NamedDependency[Viewer | None], request: Request, member_id: FromPath[int],
                      data: forms.Body) -> Template | Redirect:
    applicant = signed_in_applicant(viewer, db, request)
    form = forms.read(InterestForm, data, id_suffix=f"-{member_id}", choices={"answer": [("yes", "Yes"),
                                                                                         ("no", "No")]})
    if form.validate():
        try:
            db.run(say_interest, applicant_actor(applicant), member_id, form.answer.data == "yes",
                   form.reason.data or "", now())
            return Redirect("/account/exchange?done=answered", status_code=303)
        except DomainError as error:
            if error.status_code == 404:
                raise
            form.refuse(error)
    with db.reading() as session:
        if not exchange_queries.is_own_member(session, applicant.id, member_id):
            raise NotFound("There is no such exchange of yours.")  # someone else's: not found, whatever was sent
    return _page(db, scheme, viewer, applicant, interest=(member_id, form))


ROUTES = [exchange_page, exchange_listing_submit, exchange_withdrawal, exchange_interest]
