"""What the suitability assessment page reads: the home (by its void), the household and whether an
assessment of that home for it is already on record."""

from dataclasses import dataclass

from sqlmodel import Session, select

from cbl.models import Applicant, Property, SuitabilityAssessment, Void
from cbl.services.errors import NotFound


@dataclass(frozen=True)
class Assessing:
    void: Void
    home: Property
    household: Applicant | None  # None until a reference is given (or when it names no application)
    assessed: bool


def assessing(session: Session, void_id: int, reference: str | None) -> Assessing:
    row = session.exec(select(Void, Property).join(Property, Property.id == Void.property_id)
                       .where(Void.id == void_id)).first()
    if row is None:
        raise NotFound("No such home.")
    void, home = row
    household = (session.exec(select(Applicant).where(Applicant.reference == reference.strip().upper())).first()
                 if reference and reference.strip() else None)
    assessed = household is not None and session.exec(select(SuitabilityAssessment.id).where(
        SuitabilityAssessment.applicant_id == household.id, SuitabilityAssessment.void_id == void.id,
        SuitabilityAssessment.offer_id.is_(None))).first() is not None
    return Assessing(void, home, household, assessed)
