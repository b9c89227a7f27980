"""Public pages: the adverts list with its filters, an advert, bidding for it, and past let results."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from cbl.queries import listings
from cbl.database import Database
from cbl.rules.scheme import Scheme
from cbl.rules.working_days import local_date
from cbl.services.bidding import place_bid
from cbl.services.errors import DomainError, NotFound
from cbl.web import forms
from cbl.web.auth import Viewer, applicant_actor, now, signed_in_applicant


def _applicant_id(viewer: Viewer | None) -> int | None:
    return viewer.id if viewer is not None and viewer.kind == "applicant" else None


@get("/adverts", sync_to_thread=True)
def advert_list(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                viewer: NamedDependency[Viewer | None], bedrooms: FromQuery[str | None] = None,
                area: FromQuery[str | None] = None, property_type: FromQuery[str | None] = None,
                landlord: FromQuery[str | None] = None, page: FromQuery[str | None] = None) -> Template:
    filters = listings.AdvertFilters.parse(bedrooms, area, property_type, landlord, page)
    with db.reading() as session:
        cards, total = listings.search_adverts(session, filters)
        choices = listings.filter_choices(session)
        marks = listings.bid_marks(session, scheme, _applicant_id(viewer), cards, now())
    pages = max(1, -(-total // listings.PER_PAGE))
    return Template("public/adverts/list.html", context={
        "cards": cards, "total": total, "filters": filters, "choices": choices, "pages": pages, "viewer": viewer,
        "marks": marks,
    })


class BidForm(forms.Form):
    """A bid has no fields: the page shows why one was refused (limit reached, not eligible, closed)."""


def _advert_page(db: Database, scheme: Scheme, reference: str, viewer: Viewer | None,
                 bid: BidForm | None = None) -> Template:
    with db.reading() as session:
        page = listings.advert_with_place(session, scheme, reference, _applicant_id(viewer), now())
        again = None if page.card.open_for_bids else listings.advertised_again(session, reference)
    bid = bid or forms.read(BidForm, None)
    return Template("public/adverts/advert.html", status_code=bid.status, context={
        "card": page.card, "viewer": viewer, "position": page.position, "option": page.option, "bid": bid,
        "advertised_again": again,
    })


@get("/adverts/{reference:str}", sync_to_thread=True)
def advert_page(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                viewer: NamedDependency[Viewer | None], reference: FromPath[str]) -> Template:
    return _advert_page(db, scheme, reference, viewer)


@post("/adverts/{reference:str}/bid", sync_to_thread=True)
def bid_for_advert(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                   viewer: NamedDependency[Viewer | None], request: Request,
                   reference: FromPath[str]) -> Template | Redirect:
    applicant = signed_in_applicant(viewer, db, request)
    try:
        db.run(place_bid, applicant_actor(applicant), scheme, applicant.id, reference, now())
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        bid = forms.read(BidForm, {})
        bid.refuse(error)
        return _advert_page(db, scheme, reference, viewer, bid)
    return Redirect(f"/account/bids?placed={reference}", status_code=303)


@get("/results", sync_to_thread=True)
def results(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None]) -> Template:
    with db.reading() as session:
        lets = listings.let_results(session, local_date(now()))
    return Template("public/results.html", context={"lets": lets, "viewer": viewer})

