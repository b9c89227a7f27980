"""What the pages about online applications read: the officers' queue and one application in it, and what a
household sees of its own."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from cbl.models import Applicant, EvidenceFile, HouseholdMember, OnlineApplication
from cbl.models.states import OnlineKind, OnlineStatus, Relationship
from cbl.rules.qualification import Eligibility, Qualification, eligibility, qualification
from cbl.rules.scheme import Scheme
from cbl.services.applying import OPEN
from cbl.services.assessment import duplicates
from cbl.services.errors import NotFound
from cbl.services.evidence import evidence_files


@dataclass(frozen=True)
class QueueRow:
    online: OnlineApplication
    reference: str
    lead: str
    files: int


def queue(session: Session) -> list[QueueRow]:
    """Applications and changes waiting for an officer, the longest waiting first."""
    files = (select(EvidenceFile.online_application_id, func.count().label("files"))
             .group_by(EvidenceFile.online_application_id).subquery())
    rows = session.exec(
        select(OnlineApplication, Applicant.reference, HouseholdMember.name, func.coalesce(files.c.files, 0))
        .join(Applicant, Applicant.id == OnlineApplication.applicant_id)
        .join(HouseholdMember, (HouseholdMember.applicant_id == Applicant.id)
              & (HouseholdMember.relationship == Relationship.LEAD))
        .outerjoin(files, files.c.online_application_id == OnlineApplication.id)
        .where(OnlineApplication.status.in_(OPEN))
        .order_by(OnlineApplication.submitted_at, OnlineApplication.id)).all()
    return [QueueRow(online, reference, lead, count) for online, reference, lead, count in rows]


@dataclass(frozen=True)
class Assessment:
    online: OnlineApplication
    applicant: Applicant
    files: list[EvidenceFile]
    duplicates: list
    eligibility: Eligibility | None
    qualification: Qualification | None


def assessment(session: Session, scheme: Scheme, online_id: int) -> Assessment:
    """One application or change as sent, with its evidence, the people on the register it may duplicate, and
    what the rules indicate (the officer decides)."""
    online = session.get(OnlineApplication, online_id)
    if online is None or online.applicant_id is None:
        raise NotFound("No such application in the queue.")
    applicant = session.get_one(Applicant, online.applicant_id)
    rules = scheme.application
    is_application = online.kind is OnlineKind.APPLICATION
    return Assessment(
        online, applicant, evidence_files(session, online.id), duplicates(session, online),
        eligibility(online.answers) if is_application else None,
        qualification(online.answers, area=rules.area_name, residence_years=rules.residence_years,
                      residence_exemptions=tuple(rules.residence_exemptions), income_limit=rules.income_limit,
                      savings_limit=rules.savings_limit, financial_exemptions=tuple(rules.financial_exemptions))
        if is_application else None)


@dataclass(frozen=True)
class Sent:
    """An application or change the household sent, as it stands, with what it is waiting for."""

    online: OnlineApplication
    waiting_for: str

    @property
    def submitted_at(self) -> datetime | None:
        return self.online.submitted_at


WAITING = {
    OnlineStatus.SUBMITTED: "An officer to check it and decide.",
    OnlineStatus.EVIDENCE_REQUESTED: "You to send the evidence we asked for.",
    OnlineStatus.ACCEPTED: "Nothing: it has been decided. Our letter says what we decided and why.",
    OnlineStatus.REFUSED: "Nothing: it has been decided. Our letter says why and how to ask for a review.",
}


def sent_by(session: Session, applicant_id: int, limit: int = 10) -> list[Sent]:
    """What the household has sent online, newest first."""
    found = session.exec(select(OnlineApplication).where(OnlineApplication.applicant_id == applicant_id,
                                                         OnlineApplication.status != OnlineStatus.DRAFT)
                         .order_by(OnlineApplication.submitted_at.desc(), OnlineApplication.id.desc())
                         .limit(limit)).all()
    return [Sent(online, WAITING[online.status]) for online in found]
