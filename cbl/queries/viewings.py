"""What the viewing pages read: one viewing with the households invited and what was recorded of each; an
advert's viewings; the viewings of some offers; and one shortlist place's checks before an offer."""

from dataclasses import dataclass

from sqlmodel import Session, select

from cbl.models import (
    Advert, Applicant, PreOfferCheck, Property, ShortlistEntry, StaffUser, SuitabilityAssessment, Viewing,
    ViewingInvitation, Void,
)
from cbl.models.states import ShortlistStatus
from cbl.rules.scheme import Scheme
from cbl.services.errors import NotFound
from cbl.services.pre_offer_checks import missing_checks

VIEWINGS_SHOWN = 50


@dataclass(frozen=True)
class Invited:
    invitation: ViewingInvitation
    reference: str  # the household's
    place: ShortlistStatus | None  # a block viewing's place as it is now
    recorded_by: str | None


@dataclass(frozen=True)
class ViewingCase:
    viewing: Viewing
    home: Property
    advert: str | None  # the advert's reference
    invited: list[Invited]  # in shortlist order
    names: dict[int, str]  # staff id -> name: who arranged and who concluded it


def viewing_case(session: Session, viewing_id: int) -> ViewingCase:
    row = session.exec(select(Viewing, Property, Advert.reference)
                       .join(Void, Void.id == Viewing.void_id).join(Property, Property.id == Void.property_id)
                       .outerjoin(Advert, Advert.id == Viewing.advert_id).where(Viewing.id == viewing_id)).first()
    if row is None:
        raise NotFound("No such viewing.")
    viewing, home, advert = row
    invited = [Invited(invitation, reference, place, recorded_by) for invitation, reference, place, recorded_by in
               session.exec(select(ViewingInvitation, Applicant.reference, ShortlistEntry.status, StaffUser.name)
                            .join(Applicant, Applicant.id == ViewingInvitation.applicant_id)
                            .outerjoin(ShortlistEntry, ShortlistEntry.id == ViewingInvitation.entry_id)
                            .outerjoin(StaffUser, StaffUser.id == ViewingInvitation.recorded_by_id)
                            .where(ViewingInvitation.viewing_id == viewing.id)
                            .order_by(ViewingInvitation.position, ViewingInvitation.id))]
    names = dict(session.exec(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(
        [i for i in (viewing.arranged_by_id, viewing.concluded_by_id) if i]))).all())
    return ViewingCase(viewing, home, advert, invited, names)


def advert_viewings(session: Session, advert_id: int) -> list[Viewing]:
    """The viewings of the advert's home, latest first."""
    return list(session.exec(select(Viewing).where(Viewing.advert_id == advert_id)
                             .order_by(Viewing.at.desc()).limit(VIEWINGS_SHOWN)).all())


def offer_viewings(session: Session, offer_ids: list[int]) -> dict[int, list[tuple[Viewing, ViewingInvitation]]]:
    """Each offer's viewings, earliest first."""
    found: dict[int, list[tuple[Viewing, ViewingInvitation]]] = {}
    if not offer_ids:
        return found
    for viewing, invitation in session.exec(
            select(Viewing, ViewingInvitation).join(ViewingInvitation, ViewingInvitation.viewing_id == Viewing.id)
            .where(ViewingInvitation.offer_id.in_(offer_ids)).order_by(Viewing.at)):
        found.setdefault(invitation.offer_id or 0, []).append((viewing, invitation))
    return found


@dataclass(frozen=True)
class PlaceChecks:
    """A shortlist place and the checks recorded on it before an offer."""

    entry: ShortlistEntry
    advert: Advert
    reference: str  # the household's
    homeless_duty: bool  # a final offer may be made to it, after a suitability assessment
    home: Property
    checks: list[tuple[PreOfferCheck, str | None]]  # latest first, with who recorded each
    missing: list[str]  # what still stops an offer (a final offer's assessment included, for a homeless household)
    assessed: bool  # a suitability assessment of this home for this household is on record


def place_checks(session: Session, scheme: Scheme, reference: str, entry_id: int) -> PlaceChecks:
    row = session.exec(select(ShortlistEntry, Advert, Applicant.reference, Applicant.homeless_duty, Property)
                       .join(Advert, Advert.id == ShortlistEntry.advert_id)
                       .join(Applicant, Applicant.id == ShortlistEntry.applicant_id)
                       .join(Property, Property.id == Advert.property_id)
                       .where(ShortlistEntry.id == entry_id, Advert.reference == reference)).first()
    if row is None:
        raise NotFound("No such shortlist place.")
    entry, advert, applicant_reference, homeless_duty, home = row
    checks = session.exec(select(PreOfferCheck, StaffUser.name)
                          .outerjoin(StaffUser, StaffUser.id == PreOfferCheck.recorded_by_id)
                          .where(PreOfferCheck.entry_id == entry.id)
                          .order_by(PreOfferCheck.recorded_at.desc(), PreOfferCheck.id.desc())).all()
    assessed = session.exec(select(SuitabilityAssessment.id).where(
        SuitabilityAssessment.applicant_id == entry.applicant_id, SuitabilityAssessment.void_id == advert.void_id,
        SuitabilityAssessment.offer_id.is_(None))).first() is not None
    return PlaceChecks(entry, advert, applicant_reference, homeless_duty, home, list(checks),
                       missing_checks(session, scheme, entry, advert.void_id, final_offer=False), assessed)
