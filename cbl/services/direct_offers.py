"""Direct offers: a council home offered outside bidding, for a reason the scheme allows, proposed by an
officer and approved by a manager before the household is written to."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from cbl.models import (
    Advert, Applicant, DirectOfferRequest, Offer, Organisation, OutboxMessage, Property, StaffUser, Void,
)
from cbl.models.states import (
    AdvertStatus, ApplicationStatus, Channel, OfferStatus, OrganisationKind, StaffRole, VoidStatus,
)
from cbl.rules.scheme import Scheme

from .actors import Actor
from .approvals import decision_note, open_request
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound, within
from .final_offers import assessment_for_offer
from .lettings import open_offer
from .stock import unsuccessful_cycles
from cbl.services.rights import Right

# Why a home may be offered without being advertised (the scheme's direct-lets policy).
REASONS = {
    "homeless": "the household is owed the main homelessness duty and needs a settled home",
    "decant": "the household must move while their home is repaired or rebuilt",
    "adapted": "the home is adapted for the household's disability",
    "management_transfer": "the household must move because of a risk of harm where they live",
    "unlet": "the home was advertised for bidding and not let, as often as the scheme asks before a direct let",
}
UNLET = "unlet"  # allowed only where the scheme says, after its number of unsuccessful cycles


def reasons_for(scheme: Scheme) -> dict[str, str]:
    """The reasons this scheme allows a direct offer for."""
    allowed = scheme.offers.direct_let_after_unsuccessful_cycles > 0
    return {code: text for code, text in REASONS.items() if code != UNLET or allowed}


def _check_unlet(session: Session, scheme: Scheme, void: Void) -> None:
    """A direct let of a home bidding did not let: only where the scheme allows it, and only once the home has
    been through the scheme's number of cycles unlet (adverts withdrawn after their cycle closed)."""
    needed = scheme.offers.direct_let_after_unsuccessful_cycles
    if needed == 0:
        raise InvalidInput("The scheme does not allow a direct let of a home bidding did not let.",
                           field="reason_code")
    done = unsuccessful_cycles(session, void.id)
    if done < needed:
        raise Conflict(f"This home has been advertised without being let in {done} cycle{'s' if done != 1 else ''}; "
                       f"the scheme allows a direct let after {needed}.", field="reason_code")


def _home(session: Session, void_id: int) -> tuple[Void, Property]:
    row = session.exec(select(Void, Property, Organisation).join(Property, Property.id == Void.property_id)
                       .join(Organisation, Organisation.id == Property.landlord_id).where(Void.id == void_id)).first()
    if row is None:
        raise NotFound("No such void.")
    void, home, landlord = row
    if void.status is not VoidStatus.OPEN:
        raise Conflict("This home is no longer empty.")
    if landlord.kind is not OrganisationKind.COUNCIL:
        raise Conflict(f"This home belongs to {landlord.name}: it is let through a nomination, not a direct offer.")
    advertised = session.exec(select(Advert.reference).where(
        Advert.void_id == void.id, Advert.status.in_([AdvertStatus.LIVE, AdvertStatus.SHORTLISTED]))).first()
    if advertised:
        raise Conflict(f"This home is advertised as {advertised}: withdraw the advert before offering it directly.")
    if session.exec(select(Offer.id).where(Offer.void_id == void.id,
                                           Offer.status.in_([OfferStatus.MADE, OfferStatus.ACCEPTED]))).first():
        raise Conflict("This home already has an offer waiting for an answer.")
    return void, home


def _household(session: Session, reference: str) -> Applicant:
    applicant = session.exec(select(Applicant).where(Applicant.reference == reference.strip().upper())).first()
    if applicant is None:
        raise InvalidInput(f"There is no application {reference.strip() or 'with that reference'}.", field="applicant")
    return _may_be_offered(applicant)


def _may_be_offered(applicant: Applicant) -> Applicant:
    if applicant.status is not ApplicationStatus.ACTIVE:
        raise Conflict(f"Application {applicant.reference} is {applicant.status.value}; only an active one can be "
                       "offered a home.")
    if not applicant.verified:
        raise Conflict(f"Application {applicant.reference} has not been verified; an offer cannot be made.")
    return applicant


def request_direct_offer(session: Session, actor: Actor, scheme: Scheme, void_id: int, applicant_reference: str,
                         reason_code: str, reason: str, final_offer: bool, now: datetime) -> DirectOfferRequest:
    actor.require(Right.OFFER_MAKE)
    if reason_code not in REASONS:
        raise InvalidInput("Choose why the home is offered outside bidding.", field="reason_code")
    reason = within(reason, 2000, "reason", "The case for it")
    if not reason:
        raise InvalidInput("Explain the case for the direct offer; the approving manager and the household read it.",
                           field="reason")
    void, home = _home(session, void_id)
    if reason_code == UNLET:
        _check_unlet(session, scheme, void)
    applicant = _household(session, applicant_reference)
    if final_offer and not applicant.homeless_duty:
        raise InvalidInput("Only a household owed the homelessness duty can be made a final offer.", field="final")
    if final_offer:
        assessment_for_offer(session, applicant, void, home)  # said now, not only when a manager approves
    request = DirectOfferRequest(applicant_id=applicant.id, void_id=void.id, reason_code=reason_code,
                                 reason=reason, final_offer=final_offer, requested_by_id=actor.id,
                                 requested_at=now)
    session.add(request)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict("A direct offer of this home is already waiting for a manager's decision.") from None
    audit(session, actor, "direct_offer.requested", request,
          {"property": home.reference, "reason_code": reason_code, "reason": reason, "final_offer": final_offer})
    managers = session.exec(select(StaffUser.id).where(StaffUser.role == StaffRole.MANAGER, StaffUser.active)).all()
    for manager_id in managers:
        session.add(OutboxMessage(channel=Channel.EMAIL, template="direct_offer_approval", staff_user_id=manager_id,
                                  subject=f"A direct offer of {home.reference} needs your decision",
                                  body=f"{actor.name} asks to offer {home.address} to {applicant.reference} outside "
                                       f"bidding: {REASONS[reason_code]}. Decide it in the admin site."))
    return request


def decide_direct_offer(session: Session, actor: Actor, scheme: Scheme, request_id: int, approve: bool, note: str,
                        now: datetime) -> DirectOfferRequest:
    """A manager approves (and the offer is made at once, in their name as approver) or turns it down."""
    actor.require(Right.OFFER_APPROVE_DIRECT)
    request = open_request(session, actor, DirectOfferRequest, request_id, "direct offer")
    note = decision_note(note, approve, "direct offer")
    request.approved, request.decided_by_id, request.decided_at = approve, actor.id, now
    request.decision_note = note or None
    if approve:
        void, home = _home(session, request.void_id)
        if request.reason_code == UNLET:
            _check_unlet(session, scheme, void)  # checked again: the scheme may have changed since
        applicant = _may_be_offered(session.get(Applicant, request.applicant_id))  # checked again: time has passed
        offer = open_offer(session, actor, scheme, applicant, void, home, now, final_offer=request.final_offer,
                           direct_reason=REASONS[request.reason_code], approved_by_id=actor.id,
                           made_by_id=request.requested_by_id)
        request.offer_id = offer.id
    session.add(request)
    audit(session, actor, "direct_offer.approved" if approve else "direct_offer.turned_down", request,
          {"note": note[:500], "offer_id": request.offer_id})
    return request
