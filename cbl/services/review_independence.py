"""Who may review a decision: no one involved in any part of it, and someone senior to whoever made it.

reg 5(2) of the Homelessness (Review Procedure etc.) Regulations 2018 (and s203(2)(a) of the Housing Act
1996): where the original decision was made by an officer, the review is made by someone "not involved in
the original decision" and senior to that officer. The council's scheme holds Part 6 reviews to the same
standard. Involvement is read from the records: whoever made, drafted, approved, authorised or recorded any
part of the decision, as the audit trail and the decision's own rows show.
"""

from collections.abc import Sequence

from sqlmodel import Session, select

from cbl.models import AuditEvent, DirectOfferRequest, Offer, Refusal, Review, StaffUser
from cbl.models.states import ActorKind, StaffRole

from .errors import NotAllowed

# How the record names what someone did, for the refusal message.
DID = {
    "offer.made": "made the offer", "offer.refused": "recorded the refusal", "refusal.judged": "judged the refusal",
    "direct_offer.requested": "proposed the offer", "direct_offer.approved": "approved the offer",
    "suitability.assessed": "assessed the home's suitability", "homelessness_duty.ended": "decided the duty ended",
    "band.set": "set the band",
}


def _subjects(session: Session, review: Review) -> list[tuple[str, int]]:
    """Every record that is part of the decision under review: the decision itself and what led to it."""
    subjects = [(review.subject_type, review.subject_id)]
    offer_id = None
    if review.subject_type == "offer":
        offer_id = review.subject_id
    elif review.subject_type == "refusal":
        refusal = session.get(Refusal, review.subject_id)
        offer_id = refusal.offer_id if refusal else None
    if offer_id is not None:
        subjects.append(("offer", offer_id))
        subjects += [("direct_offer_request", r) for r in session.exec(
            select(DirectOfferRequest.id).where(DirectOfferRequest.offer_id == offer_id))]
        subjects += [("suitability_assessment", a) for a in _assessments(session, offer_id)]
    return subjects


def _assessments(session: Session, offer_id: int) -> list[int]:
    from cbl.models import SuitabilityAssessment  # the final offer's assessment (cbl/services/final_offers.py)

    return list(session.exec(select(SuitabilityAssessment.id).where(SuitabilityAssessment.offer_id == offer_id)))


def involved(session: Session, review: Review) -> dict[int, str]:
    """The staff involved in the decision under review, each with what they did."""
    found: dict[int, str] = {}
    if review.original_decision_maker_id:
        found[review.original_decision_maker_id] = "made the original decision"
    for subject_type, subject_id in _subjects(session, review):
        events: Sequence[AuditEvent]
        if subject_type == "audit_event":
            event = session.get(AuditEvent, subject_id)
            events = [event] if event else []
        else:
            events = session.exec(select(AuditEvent).where(AuditEvent.subject_type == subject_type,
                                                           AuditEvent.subject_id == subject_id,
                                                           AuditEvent.actor_kind == ActorKind.STAFF)).all()
        for event in events:
            if event.actor_kind is ActorKind.STAFF and event.actor_id is not None:
                found.setdefault(event.actor_id, DID.get(event.action, f"is recorded in it ({event.action})"))
    for sat, did in _panel(session, review):
        found.setdefault(sat, did)
    offer_id = next((i for t, i in _subjects(session, review) if t == "offer"), None)
    if offer_id is not None:
        offer = session.get(Offer, offer_id)
        for staff_id, did in ((offer.made_by_id, "made the offer"), (offer.approved_by_id, "approved the offer")):
            if staff_id is not None:
                found.setdefault(staff_id, did)
    return found


def _panel(session: Session, review: Review) -> list[tuple[int, str]]:
    """Those who sat on the panel whose decision (or band award) is reviewed, and the officer who referred it."""
    from cbl.models import PanelDecision, PanelMember, PanelReferral  # cbl/services/panels.py

    column = {"panel_decision": PanelDecision.id, "band_assessment": PanelDecision.band_assessment_id}
    if review.subject_type not in column:
        return []
    referral = session.exec(select(PanelReferral).join(PanelDecision, PanelDecision.referral_id == PanelReferral.id)
                            .where(column[review.subject_type] == review.subject_id)).first()
    if referral is None:
        return []
    members = session.exec(select(PanelMember.staff_user_id).where(PanelMember.referral_id == referral.id))
    return [*((member, "sat on the panel") for member in members),
            (referral.referred_by_id, "referred the case to the panel")]


def decider_refusal(reviewer: StaffUser, maker: StaffUser | None, involvement: str | None = None) -> str | None:
    """Why this officer may not review the decision, or None if they may."""
    if reviewer.role not in (StaffRole.REVIEW_OFFICER, StaffRole.MANAGER):
        return f"{reviewer.name} is not a reviewing officer."
    if involvement is not None:
        return (f"{reviewer.name} {involvement}: the review must be by someone not involved in any part of the "
                "original decision.")
    if maker is None:
        return None
    if maker.id == reviewer.id:
        return f"{reviewer.name} made the original decision; the review must be by someone not involved in it."
    if reviewer.grade <= maker.grade:
        return (f"The reviewer must be senior to the officer who made the decision: {maker.name} is grade "
                f"{maker.grade} and {reviewer.name} is grade {reviewer.grade}.")
    return None


def refusal_for(session: Session, review: Review, reviewer: StaffUser) -> str | None:
    maker = session.get(StaffUser, review.original_decision_maker_id) if review.original_decision_maker_id else None
    return decider_refusal(reviewer, maker, involved(session, review).get(reviewer.id))


def check_decider(session: Session, review: Review, reviewer: StaffUser) -> None:
    """Refuse, naming why, a reviewer who was involved in the decision or is not senior to its maker."""
    refusal = refusal_for(session, review, reviewer)
    if refusal:
        raise NotAllowed(refusal)
