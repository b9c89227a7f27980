"""What the CORE lettings return reads: each let in a period as the national bulk-upload row, from what
the system holds and the sign-up answers officers recorded, read for all the period's lets at once."""

from collections import defaultdict
from datetime import date

from sqlmodel import Session, select

from cbl.models import (
    Advert, Applicant, CoreLog, HouseholdMember, Nomination, Offer, Organisation, Property, Void,
)
from cbl.models.states import NominationStatus, OfferKind, OfferStatus, OrganisationKind, VoidStatus
from cbl.reports.core_export import (
    CoreExport, LetRecord, Occupant, answer_choices, export, field_specs, unanswered, with_answers,
)
from cbl.rules.bedroom_need import age_on
from cbl.services.actors import Actor
from cbl.services.errors import InvalidInput, NotFound
from cbl.services.rights import Right


def let_records(session: Session, voids: list[Void]) -> dict[int, LetRecord]:
    """The return's row for each let void (by void id); a let outside the system (a provider's own
    allocation) has none: it is not the council's to return."""
    ids = [void.id for void in voids]
    if not ids:
        return {}
    homes = {void_id: (home, landlord) for void_id, home, landlord in session.exec(
        select(Void.id, Property, Organisation).join(Property, Property.id == Void.property_id)
        .join(Organisation, Organisation.id == Property.landlord_id).where(Void.id.in_(ids)))}
    offers = {offer.void_id: offer for offer in session.exec(
        select(Offer).where(Offer.void_id.in_(ids), Offer.status == OfferStatus.LET))}
    nominations = {void_id: nomination for nomination, void_id in session.exec(
        select(Nomination, Advert.void_id).join(Advert, Advert.id == Nomination.advert_id)
        .where(Advert.void_id.in_(ids), Nomination.status == NominationStatus.LET))}
    housed = {void_id: (offers[void_id].applicant_id if void_id in offers else nominations[void_id].applicant_id)
              for void_id in ids if void_id in offers or void_id in nominations}
    applicants = {a.id: a for a in session.exec(select(Applicant).where(Applicant.id.in_(set(housed.values()))))}
    members: dict[int, list[HouseholdMember]] = defaultdict(list)
    for member in session.exec(select(HouseholdMember).where(HouseholdMember.applicant_id.in_(set(housed.values())))
                               .order_by(HouseholdMember.relationship != "lead", HouseholdMember.date_of_birth)):
        members[member.applicant_id].append(member)
    answers = {log.void_id: log.answers for log in session.exec(select(CoreLog).where(CoreLog.void_id.in_(ids)))}
    return {void.id: _record(void, *homes[void.id], offers.get(void.id), nominations.get(void.id),
                             applicants[housed[void.id]], members[housed[void.id]], answers.get(void.id, {}))
            for void in voids if void.id in housed}


def _record(void: Void, home: Property, landlord: Organisation, offer: Offer | None, nomination: Nomination | None,
            applicant: Applicant, members: list[HouseholdMember], answers: dict) -> LetRecord:
    household = tuple(Occupant(age=age_on(m.date_of_birth, void.tenancy_start_date), relationship=m.relationship.value,
                               sex=m.sex.value if m.sex else None) for m in members)
    lines = [part.strip() for part in home.address.split(",") if part.strip()]
    organisation = landlord.core_id or landlord.code
    record = LetRecord(
        let_reference=f"{home.reference}/{void.id}", owning_organisation=organisation,
        managing_organisation=organisation, owner_is_local_authority=landlord.kind is OrganisationKind.COUNCIL,
        tenancy_start=void.tenancy_start_date, postcode=home.postcode, property_type=home.property_type.value,
        bedrooms=home.bedrooms, first_let=void.first_let, void_date=void.tenancy_end_date,
        weekly_rent_pence=home.weekly_rent_pence, weekly_service_charge_pence=home.weekly_charges_pence,
        household=household, uprn=home.uprn, address_line1=lines[0] if lines else None,
        town_or_city=lines[-1] if len(lines) > 1 else None, property_reference=home.reference,
        wheelchair_adapted=home.wheelchair_adapted, registration_date=applicant.registration_date,
        homeless_duty=applicant.homeless_duty, transfer_tenant=applicant.transfer_tenant,
        cbl=(offer is None or offer.kind is OfferKind.BIDDING),
        direct_offer=offer is not None and offer.kind is OfferKind.DIRECT,
        nominated_by_council=nomination is not None,
    )
    return with_answers(record, {int(k): str(v) for k, v in answers.items()})


def lets_between(session: Session, start: date, end: date) -> list[tuple[Void, LetRecord]]:
    if end < start:
        raise InvalidInput("The end of the period must not be before its start.", field="end")
    voids = session.exec(select(Void).where(Void.status == VoidStatus.LET, Void.tenancy_start_date >= start,
                                            Void.tenancy_start_date <= end).order_by(Void.tenancy_start_date)).all()
    records = let_records(session, list(voids))
    return [(void, records[void.id]) for void in voids if void.id in records]


def core_return(session: Session, actor: Actor, start: date, end: date) -> tuple[CoreExport, dict[str, int]]:
    """The return for the period, and each let's void id by its reference (for links to finish it)."""
    actor.require(Right.REPORTS_EXPORT)
    lets = lets_between(session, start, end)
    return export(record for _, record in lets), {record.let_reference: void.id for void, record in lets}


def questions_for(session: Session, void_id: int) -> tuple[LetRecord, list[dict]]:
    """The let, and the questions it still needs answering: number, question and answer choices."""
    void = session.get(Void, void_id)
    record = let_records(session, [void]).get(void_id) if void is not None and void.status is VoidStatus.LET else None
    if record is None:
        raise NotFound("No such let in the system.")
    specs = field_specs()
    return record, [{"number": n, "question": specs[n].question, "values": specs[n].values,
                     "choices": answer_choices(n)} for n in unanswered(record)]
