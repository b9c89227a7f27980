"""What the panels' pages read: the referrals waiting for a panel, a household's referrals, and one referral with its
evidence, its panel and its decision."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from cbl.models import Applicant, PanelDecision, PanelEvidence, PanelReferral, StaffUser
from cbl.models.states import PanelKind, PanelStatus
from cbl.rules.working_days import local_date
from cbl.services.applications import known_areas
from cbl.services.errors import NotFound
from cbl.services.panels import decision_in_force, may_sit, members_of


@dataclass(frozen=True)
class Waiting:
    """A referral waiting for its panel."""

    referral_id: int
    reference: str  # the household's application
    kind: PanelKind
    referred_on: date
    due_by: date  # the scheme's day for the panel to have decided by
    meets_on: date | None  # the day its panel is arranged for, if it is

    def overdue(self, today: date) -> bool:
        return today > self.due_by


def panels_to_hold(session: Session, limit: int | None = None) -> list[Waiting]:
    """The referrals waiting for a panel, the most pressing (the earliest day due) first: one statement."""
    rows = session.exec(select(PanelReferral, Applicant.reference)
                        .join(Applicant, Applicant.id == PanelReferral.applicant_id)
                        .where(PanelReferral.status == PanelStatus.REFERRED)
                        .order_by(PanelReferral.due_by, PanelReferral.id).limit(limit)).all()
    return [Waiting(referral.id, reference, referral.kind, local_date(referral.referred_at), referral.due_by,
                    referral.meets_on) for referral, reference in rows]


@dataclass(frozen=True)
class Referred:
    referral: PanelReferral
    referred_by: str
    decision: PanelDecision | None


def household_panels(session: Session, reference: str) -> tuple[Applicant, list[Referred]]:
    """The household and its referrals, newest first, each with its decision if made."""
    applicant = session.exec(select(Applicant).where(Applicant.reference == reference)).first()
    if applicant is None:
        raise NotFound(f"There is no application {reference}.")
    rows = session.exec(select(PanelReferral, StaffUser.name, PanelDecision)
                        .join(StaffUser, StaffUser.id == PanelReferral.referred_by_id)
                        .outerjoin(PanelDecision, PanelDecision.referral_id == PanelReferral.id)
                        .where(PanelReferral.applicant_id == applicant.id)
                        .order_by(PanelReferral.referred_at.desc(), PanelReferral.id.desc())).all()
    return applicant, [Referred(referral, name, decision) for referral, name, decision in rows]


@dataclass(frozen=True)
class ReferralPage:
    referral: PanelReferral
    applicant: Applicant
    referred_by: str
    files: list[PanelEvidence]
    members: list[StaffUser]
    may_sit: list[StaffUser]
    decision: PanelDecision | None
    decided_by: str | None
    in_force: PanelDecision | None  # the household's latest decision, which a new one replaces
    areas: list[str]


def referral_page(session: Session, referral_id: int) -> ReferralPage:
    referrer, decider = aliased(StaffUser), aliased(StaffUser)
    row = session.exec(select(PanelReferral, Applicant, referrer.name, PanelDecision, decider.name)
                       .join(Applicant, Applicant.id == PanelReferral.applicant_id)
                       .join(referrer, referrer.id == PanelReferral.referred_by_id)
                       .outerjoin(PanelDecision, PanelDecision.referral_id == PanelReferral.id)
                       .outerjoin(decider, decider.id == PanelDecision.decided_by_id)
                       .where(PanelReferral.id == referral_id)).first()
    if row is None:
        raise NotFound("There is no such panel referral.")
    referral, applicant, referred_by, decision, decided_by = row
    files = list(session.exec(select(PanelEvidence).where(PanelEvidence.referral_id == referral.id)
                              .order_by(PanelEvidence.uploaded_at, PanelEvidence.id)))
    return ReferralPage(referral, applicant, referred_by, files, members_of(session, referral.id), may_sit(session),
                        decision, decided_by, decision_in_force(session, applicant.id), sorted(known_areas(session)))
