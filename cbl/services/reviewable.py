"""The decisions on a case that a household may ask us to review, read from the records that made them."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from cbl.models import AuditEvent, BandAssessment, Offer, PanelDecision, PanelReferral, Refusal
from cbl.models.states import ActorKind, ReviewType
from cbl.rules.working_days import local_date


@dataclass(frozen=True)
class Decision:
    """A decision on a case that the household may ask us to review."""

    decision_type: ReviewType
    subject_type: str
    subject_id: int
    description: str
    made_on: date
    maker_id: int | None

    @property
    def key(self) -> str:
        return f"{self.subject_type}:{self.subject_id}"


# Decisions recorded only as audit events: the action, its review type and its words.
CASE_EVENTS = {
    "application.suspended": (ReviewType.SUSPENSION, "Suspension"),
    "application.closed": (ReviewType.CLOSURE, "Closure of the application"),
    "application.not_eligible": (ReviewType.ELIGIBILITY, "Not eligible for an allocation"),
    "application.not_qualifying": (ReviewType.QUALIFICATION, "Not a qualifying person"),
    "shortlist.skipped": (ReviewType.SKIP, "Bid passed over"),
    "offer.withdrawn": (ReviewType.SKIP, "Offer withdrawn and bid passed over"),
    "offer.lapsed": (ReviewType.SKIP, "Offer lapsed and bid passed over"),
}


def _is_decision(event: AuditEvent) -> bool:
    """Whether the event is a decision the household was told it may ask us to review. A skip is one only
    where the scheme treats its reason as a decision; a withdrawn offer only where the reason passes the
    household over; a lapsed offer only where the lapse is not a refusal (a refusal is judged, and that
    judgement is the decision)."""
    details = event.details
    if event.action == "shortlist.skipped":
        return bool(details.get("decision"))
    if event.action == "offer.withdrawn":
        return details.get("place") == "passed_over"
    if event.action == "offer.lapsed":
        return details.get("counts_as_refusal") is False
    return True


def _reason(event: AuditEvent) -> str:
    if event.action == "offer.lapsed":
        return f"no answer by {date.fromisoformat(event.details['respond_by']):%-d %B %Y}"
    return event.details.get("reason") or ""


def _staff(event: AuditEvent) -> int | None:
    return event.actor_id if event.actor_kind is ActorKind.STAFF else None


def reviewable_decisions(session: Session, applicant_id: int) -> list[Decision]:
    """Every decision on the case open to review, newest first."""
    found: list[Decision] = []
    for offer in session.exec(select(Offer).where(Offer.applicant_id == applicant_id, Offer.final_offer)):
        found.append(Decision(ReviewType.SUITABILITY, "offer", offer.id, f"Final offer {offer.id}",
                              local_date(offer.made_at), offer.made_by_id))
    refusals = session.exec(select(Refusal, Offer).join(Offer, Offer.id == Refusal.offer_id)
                            .where(Offer.applicant_id == applicant_id, Refusal.judged_at.is_not(None)))
    for refusal, offer in refusals:
        if refusal.duty_ended:
            found.append(Decision(ReviewType.FINAL_OFFER_DUTY, "refusal", refusal.id,
                                  f"Duty ended after refusing offer {offer.id}", local_date(refusal.judged_at),
                                  refusal.judged_by_id))
        elif refusal.reasonable is False:
            found.append(Decision(ReviewType.REFUSAL, "refusal", refusal.id,
                                  f"Refusal of offer {offer.id} judged unreasonable", local_date(refusal.judged_at),
                                  refusal.judged_by_id))
    for band in session.exec(select(BandAssessment).where(BandAssessment.applicant_id == applicant_id)):
        found.append(Decision(ReviewType.BAND, "band_assessment", band.id, f"Band {band.band} from "
                              f"{band.effective_date:%-d %B %Y}", local_date(band.decided_at), band.decided_by_id))
    # A panel's decision as a whole (its access needs, a carer's bedroom, areas); a band it awarded is also a band
    # decision above, whose overturning restores the band before.
    for panel, kind in session.exec(select(PanelDecision, PanelReferral.kind)
                                    .join(PanelReferral, PanelReferral.id == PanelDecision.referral_id)
                                    .where(PanelDecision.applicant_id == applicant_id)):
        found.append(Decision(ReviewType.PANEL, "panel_decision", panel.id,
                              f"{kind.value.replace('_', ' ').capitalize()} panel's decision of "
                              f"{panel.met_on:%-d %B %Y}", local_date(panel.decided_at), panel.decided_by_id))
    for event in session.exec(select(AuditEvent).where(AuditEvent.applicant_id == applicant_id,
                                                       AuditEvent.action.in_(list(CASE_EVENTS)))):
        if not _is_decision(event):
            continue
        kind, words = CASE_EVENTS[event.action]
        found.append(Decision(kind, "audit_event", event.id, f"{words}: {_reason(event)}".strip(),
                              local_date(event.at), _staff(event)))
    bedrooms = session.exec(select(AuditEvent).where(AuditEvent.applicant_id == applicant_id,
                                                     AuditEvent.action.like("household.%"))
                            .order_by(AuditEvent.id.desc())).first()
    if bedrooms is not None and "bedroom_need" in bedrooms.details:
        found.append(Decision(ReviewType.BEDROOM_NEED, "audit_event", bedrooms.id,
                              f"Bedroom need of {bedrooms.details['bedroom_need']}", local_date(bedrooms.at),
                              _staff(bedrooms)))
    return sorted(found, key=lambda d: (d.made_on, d.subject_id), reverse=True)
