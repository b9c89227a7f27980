"""What the offer pages read: one offer with its refusal, household, home and letters, and the direct
offers waiting for a manager or decided."""

from dataclasses import dataclass

from sqlmodel import Session, select

from cbl.models import Applicant, DirectOfferRequest, Offer, OutboxMessage, Property, Refusal, StaffUser, Void
from cbl.models.states import Channel
from cbl.services.errors import NotFound

REQUESTS_SHOWN = 100


@dataclass(frozen=True)
class OfferCase:
    offer: Offer
    refusal: Refusal | None
    reference: str  # the household's
    home: Property
    names: dict[int, str]  # staff id -> name, of who made and who approved the offer
    letters: list[OutboxMessage]  # sent to the household since the offer was made


def offer_case(session: Session, offer_id: int) -> OfferCase:
    row = session.exec(select(Offer, Refusal, Applicant.reference, Property)
                       .outerjoin(Refusal, Refusal.offer_id == Offer.id)
                       .join(Applicant, Applicant.id == Offer.applicant_id)
                       .join(Void, Void.id == Offer.void_id).join(Property, Property.id == Void.property_id)
                       .where(Offer.id == offer_id)).first()
    if row is None:
        raise NotFound("No such offer.")
    offer, refusal, reference, home = row
    names = dict(session.exec(select(StaffUser.id, StaffUser.name).where(
        StaffUser.id.in_([i for i in (offer.made_by_id, offer.approved_by_id, offer.answered_by_id,
                                      offer.withdrawn_by_id) if i]))).all())
    letters = session.exec(select(OutboxMessage).where(
        OutboxMessage.applicant_id == offer.applicant_id, OutboxMessage.channel == Channel.LETTER,
        OutboxMessage.created_at >= offer.made_at).order_by(OutboxMessage.id)).all()
    return OfferCase(offer, refusal, reference, home, names, list(letters))


def direct_offer_requests(session: Session) -> list[tuple[DirectOfferRequest, str, Property, str]]:
    """Direct offer requests, those waiting for a decision first, the latest first: each with the
    household's reference, the home and who asked."""
    return list(session.exec(
        select(DirectOfferRequest, Applicant.reference, Property, StaffUser.name)
        .join(Applicant, Applicant.id == DirectOfferRequest.applicant_id)
        .join(Void, Void.id == DirectOfferRequest.void_id).join(Property, Property.id == Void.property_id)
        .join(StaffUser, StaffUser.id == DirectOfferRequest.requested_by_id)
        .order_by(DirectOfferRequest.decided_at.is_not(None), DirectOfferRequest.requested_at.desc())
        .limit(REQUESTS_SHOWN)
    ).all())
