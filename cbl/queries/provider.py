"""What a registered provider sees, in the portal and through its API: its own homes and voids, and the
council's nominations to it with the nominee's details its agreement lets the council share."""

from dataclasses import dataclass

from sqlmodel import Session, func, select

from cbl.models import (
    Advert, Applicant, HouseholdMember, Nomination, NominationAgreement, Organisation, Property, Void,
)
from cbl.models.states import VoidStatus
from cbl.queries.paging import Page
from cbl.services.actors import Actor
from cbl.services.errors import NotFound
from cbl.services.nominations import OPEN, nomination_for

HOMES_PER_PAGE, NOMINATIONS_SHOWN = 25, 200


@dataclass(frozen=True)
class Portal:
    organisation: Organisation
    homes: Page[tuple[Property, Void | None]]  # a page of the homes, each with its open void, empty ones first
    nominations: list[tuple[Nomination, str]]  # each with its advert's reference, open ones first


def portal(session: Session, provider_id: int, page: int = 1) -> Portal:
    """The provider's nominations and a page of its homes (a provider has a thousand or more: decision 0012)."""
    total = session.exec(select(func.count()).select_from(Property).where(Property.landlord_id == provider_id)).one()
    # Empty homes first, the longest empty first (a home with no open void sorts after them on both databases).
    homes = session.exec(select(Property, Void).outerjoin(
        Void, (Void.property_id == Property.id) & (Void.status == VoidStatus.OPEN))
        .where(Property.landlord_id == provider_id)
        .order_by(Void.id.is_(None), Void.tenancy_end_date, Property.reference)
        .offset((page - 1) * HOMES_PER_PAGE).limit(HOMES_PER_PAGE)).all()
    nominations = session.exec(select(Nomination, Advert.reference).join(Advert, Advert.id == Nomination.advert_id)
                               .where(Nomination.provider_id == provider_id)
                               .order_by(Nomination.status.in_(OPEN).desc(), Nomination.respond_by.desc())
                               .limit(NOMINATIONS_SHOWN)).all()
    return Portal(session.get(Organisation, provider_id), Page(list(homes), page, HOMES_PER_PAGE, total),
                  list(nominations))


def own_home(session: Session, provider_id: int, reference: str) -> Property:
    """One of the provider's own homes; another's is not found."""
    home = session.exec(select(Property).where(Property.reference == reference,
                                               Property.landlord_id == provider_id)).first()
    if home is None:
        raise NotFound(f"There is no property {reference} of yours.")
    return home


def home_voids(session: Session, home_id: int) -> list[Void]:
    """A home's voids, the latest first."""
    return list(session.exec(select(Void).where(Void.property_id == home_id)
                             .order_by(Void.tenancy_end_date.desc())).all())


@dataclass(frozen=True)
class NominationCase:
    nomination: Nomination
    advert: Advert
    home: Property
    void: Void
    agreement: NominationAgreement | None
    details: dict  # what the agreement lets the council share about the nominee


def nomination_case(session: Session, actor: Actor, nomination_id: int) -> NominationCase:
    """One of the actor's nominations (another provider's is not found), with its home and nominee."""
    nomination = nomination_for(session, actor, nomination_id)
    advert, home, void = session.exec(
        select(Advert, Property, Void).join(Property, Property.id == Advert.property_id)
        .join(Void, Void.id == Advert.void_id).where(Advert.id == nomination.advert_id)).one()
    agreement = session.get(NominationAgreement, nomination.agreement_id) if nomination.agreement_id else None
    return NominationCase(nomination, advert, home, void, agreement,
                          shared_details(session, [nomination])[nomination.id])


def nominations(session: Session, provider_id: int, limit: int = 500
                ) -> list[tuple[Nomination, str, str, dict]]:
    """The provider's nominations, newest first: each with its advert's and home's references and the
    nominee's shared details."""
    rows = session.exec(select(Nomination, Advert.reference, Property.reference)
                        .join(Advert, Advert.id == Nomination.advert_id)
                        .join(Property, Property.id == Advert.property_id)
                        .where(Nomination.provider_id == provider_id)
                        .order_by(Nomination.sent_at.desc()).limit(limit)).all()
    details = shared_details(session, [nomination for nomination, _, _ in rows])
    return [(nomination, advert, home, details[nomination.id]) for nomination, advert, home in rows]


def nomination_references(session: Session, nomination: Nomination) -> tuple[str, str]:
    """The references of a nomination's advert and home."""
    return session.exec(select(Advert.reference, Property.reference).join(Property, Property.id == Advert.property_id)
                        .where(Advert.id == nomination.advert_id)).one()


def shared_details(session: Session, nominations: list[Nomination]) -> dict[int, dict]:
    """For each nomination (by id), the nominee's details its agreement lets the council share, and
    nothing more."""
    if not nominations:
        return {}
    agreements = {a.id: a for a in session.exec(select(NominationAgreement).where(
        NominationAgreement.id.in_({n.agreement_id for n in nominations if n.agreement_id})))}
    applicant_ids = {n.applicant_id for n in nominations}
    applicants = {a.id: a for a in session.exec(select(Applicant).where(Applicant.id.in_(applicant_ids)))}
    members: dict[int, list[HouseholdMember]] = {}
    for member in session.exec(select(HouseholdMember).where(HouseholdMember.applicant_id.in_(applicant_ids))
                               .order_by(HouseholdMember.date_of_birth, HouseholdMember.id)):
        members.setdefault(member.applicant_id, []).append(member)
    return {n.id: _details(agreements.get(n.agreement_id), applicants[n.applicant_id], members.get(n.applicant_id, []))
            for n in nominations}


def _details(agreement: NominationAgreement | None, applicant: Applicant, members: list[HouseholdMember]) -> dict:
    allowed = set(agreement.shared_details if agreement else ())
    details: dict = {"reference": applicant.reference}
    if "household" in allowed:
        details["household"] = [{"name": m.name, "born": m.date_of_birth, "relationship": m.relationship.value}
                                for m in members]
    if "contact" in allowed:
        details["contact"] = {"address": f"{applicant.address} {applicant.postcode}".strip(),
                              "phone": applicant.phone, "email": applicant.email}
    if "needs" in allowed:
        details["needs"] = {"access": applicant.needs, "bedroom_need": applicant.bedroom_need}
    if "band" in allowed:
        details["band"] = {"band": applicant.band, "since": applicant.band_date}
    return details
