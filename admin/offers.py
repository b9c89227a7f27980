"""Offers outside a shortlist: direct offers, proposed by an officer and approved by a manager, and
the page on which any offer is worked."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from cbl.database import Database
from cbl.queries import offers as offer_queries
from cbl.queries import stock
from cbl.rules.scheme import Scheme
from cbl.services.actors import staff as staff_actor
from cbl.services.direct_offers import REASONS, decide_direct_offer, request_direct_offer
from cbl.services.errors import DomainError, InvalidInput, NotFound
from cbl.web import forms
from cbl.web.auth import now

from .acting import act
from .guards import current_staff
from .stock import home_page_view
from cbl.services.rights import Right


def offer_page(db: Database, request: Request, offer_id: int, error: DomainError | None = None) -> Template:
    with db.reading() as session:
        case = offer_queries.offer_case(session, offer_id)
    return Template("admin/offers/offer.html", status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "offer": case.offer, "refusal": case.refusal,
        "offers": [(case.offer, case.refusal)], "reference": case.reference, "home": case.home, "names": case.names,
        "letters": case.letters, "error": error})


@get("/offers/{offer_id:int}", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def offer_view(db: NamedDependency[Database], request: Request, offer_id: FromPath[int]) -> Template:
    return offer_page(db, request, offer_id)


def work_on_offer_page(db: Database, request: Request, offer_id: int, action) -> Template | Redirect:  # noqa: ANN001
    """Run `action(session, actor)` on an offer with no shortlist; back to its page, or the page with the refusal."""
    return act(db, request, action, lambda error: offer_page(db, request, offer_id, error), f"/admin/offers/{offer_id}")


@post("/voids/{void_id:int}/direct-offer", opt={"right": Right.OFFER_MAKE}, sync_to_thread=True)
def direct_offer_request(db: NamedDependency[Database], request: Request, void_id: FromPath[int],
                         data: forms.Body) -> Template | Redirect:
    with db.reading() as session:
        home = stock.home_of_void(session, void_id)
    if home is None:
        raise NotFound("No such void.")
    try:
        db.run(request_direct_offer, staff_actor(current_staff(request)), void_id, forms.text(data, "applicant", 32),
               forms.text(data, "reason_code", 32), forms.text(data, "reason", 2000), forms.ticked(data, "final"), now())
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        if error.field:
            error.field = f"direct-{error.field}"
        return home_page_view(db, request, home.reference, error)
    return Redirect("/admin/direct-offers", status_code=303)


def _requests_page(db: Database, request: Request, error: DomainError | None = None) -> Template:
    with db.reading() as session:
        rows = offer_queries.direct_offer_requests(session)
    return Template("admin/offers/direct.html", status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "rows": rows, "reasons": REASONS, "error": error,
        "may_decide": staff_actor(current_staff(request)).may(Right.OFFER_APPROVE_DIRECT)})


@get("/direct-offers", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def direct_offers(db: NamedDependency[Database], request: Request) -> Template:
    return _requests_page(db, request)


@post("/direct-offers/{request_id:int}/decision", opt={"right": Right.OFFER_APPROVE_DIRECT}, sync_to_thread=True)
def direct_offer_decision(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                          request_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    verdict = forms.text(data, "approve", 3)
    try:
        if verdict not in ("yes", "no"):
            raise InvalidInput("Say whether you approve the direct offer.", field=f"approve-{request_id}")
        db.run(decide_direct_offer, staff_actor(current_staff(request)), scheme, request_id, verdict == "yes",
               forms.text(data, "note", 2000), now())
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        if error.field and not error.field.startswith("approve-"):
            error.field = f"{error.field}-{request_id}"
        return _requests_page(db, request, error)
    return Redirect("/admin/direct-offers", status_code=303)
