"""Offers outside a shortlist: direct offers, proposed by an officer and approved by a manager, and
the page on which any offer is worked."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import select

from cbl.database import Database
from cbl.models import Applicant, DirectOfferRequest, Offer, OutboxMessage, Property, Refusal, StaffUser, Void
from cbl.models.states import Channel
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
        row = session.exec(select(Offer, Refusal, Applicant.reference, Property)
                           .outerjoin(Refusal, Refusal.offer_id == Offer.id)
                           .join(Applicant, Applicant.id == Offer.applicant_id)
                           .join(Void, Void.id == Offer.void_id).join(Property, Property.id == Void.property_id)
                           .where(Offer.id == offer_id)).first()
        if row is None:
            raise NotFound("No such offer.")
        offer, refusal, reference, home = row
        names = {user.id: user.name for user in session.exec(select(StaffUser).where(
            StaffUser.id.in_([i for i in (offer.made_by_id, offer.approved_by_id) if i])))}
        letters = session.exec(select(OutboxMessage).where(
            OutboxMessage.applicant_id == offer.applicant_id, OutboxMessage.channel == Channel.LETTER,
            OutboxMessage.created_at >= offer.made_at).order_by(OutboxMessage.id)).all()
    return Template("admin/offers/offer.html", status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "offer": offer, "refusal": refusal, "offers": [(offer, refusal)],
        "reference": reference, "home": home, "names": names, "letters": letters, "error": error})


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
        home = session.exec(select(Property).join(Void, Void.property_id == Property.id)
                            .where(Void.id == void_id)).first()
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
        rows = session.exec(
            select(DirectOfferRequest, Applicant.reference, Property, StaffUser.name)
            .join(Applicant, Applicant.id == DirectOfferRequest.applicant_id)
            .join(Void, Void.id == DirectOfferRequest.void_id).join(Property, Property.id == Void.property_id)
            .join(StaffUser, StaffUser.id == DirectOfferRequest.requested_by_id)
            .order_by(DirectOfferRequest.decided_at.is_not(None), DirectOfferRequest.requested_at.desc()).limit(100)
        ).all()
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
