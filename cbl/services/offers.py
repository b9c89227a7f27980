"""Offers as the household answers them: accept, or refuse with a reason, before the deadline."""

from datetime import datetime

from sqlmodel import Session, select

from cbl.rules.working_days import local_date
from cbl.models import Offer, Refusal, Void
from cbl.models.states import ActorKind, OfferStatus
from cbl.rules.scheme import Scheme

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound
from cbl.services.rights import Right


def _own_open_offer(session: Session, actor: Actor, offer_id: int, now: datetime) -> Offer:
    offer = session.exec(select(Offer).where(Offer.id == offer_id).with_for_update()).first()
    if offer is None or not (actor.kind is ActorKind.APPLICANT and actor.id == offer.applicant_id
                             or actor.may(Right.OFFER_RECORD)):
        raise NotFound("No such offer.")
    if offer.status is not OfferStatus.MADE:
        raise Conflict(f"This offer has already been {offer.status.value}.")
    if local_date(now) > offer.respond_by:
        raise Conflict(f"The time to answer this offer ended on {offer.respond_by:%-d %B %Y}. "
                       "Contact your housing officer.")
    return offer


def accept_offer(session: Session, actor: Actor, offer_id: int, now: datetime) -> Offer:
    offer = _own_open_offer(session, actor, offer_id, now)
    offer.status, offer.answered_at = OfferStatus.ACCEPTED, now
    void = session.get(Void, offer.void_id)
    void.accepted_at = now
    session.add_all([offer, void])
    audit(session, actor, "offer.accepted", offer)
    return offer


def refuse_offer(session: Session, actor: Actor, scheme: Scheme, offer_id: int, reason: str, detail: str,
                 now: datetime) -> Refusal:
    offer = _own_open_offer(session, actor, offer_id, now)  # someone else's offer is not found, whatever is sent
    if reason not in scheme.refusals.reasons:
        raise InvalidInput("Choose the main reason you are refusing this home.", field="reason")
    if reason == "Other" and not detail.strip():
        raise InvalidInput("Tell us why you are refusing this home.", field="detail")
    if len(detail) > 1500:
        raise InvalidInput("Your reason must be 1,500 characters or fewer.", field="detail")
    offer.status, offer.answered_at = OfferStatus.REFUSED, now
    refusal = Refusal(offer_id=offer.id, reason=f"{reason}: {detail.strip()}" if detail.strip() else reason,
                      recorded_at=now)
    session.add_all([offer, refusal])
    audit(session, actor, "offer.refused", offer, {"reason": refusal.reason})
    return refusal
