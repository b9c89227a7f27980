"""The CORE lettings return: each let in a period as the national bulk-upload row, from what the system
holds and the sign-up answers officers record for what it does not."""

from datetime import date, datetime

from sqlmodel import Session, select

from cbl.rules.bedroom_need import age_on
from cbl.reports.core_export import (
    CoreExport, LetRecord, Occupant, answer_choices, export, field_specs, unanswered, with_answers,
)
from cbl.models import (
    Advert, Applicant, CoreLog, HouseholdMember, Nomination, Offer, Organisation, Property, Void,
)
from cbl.models.states import NominationStatus, OfferKind, OfferStatus, OrganisationKind, VoidStatus

from .actors import Actor
from .audit import audit
from .errors import InvalidInput, NotFound
from cbl.services.rights import Right


def _let_record(session: Session, void: Void) -> LetRecord | None:
    home = session.get(Property, void.property_id)
    landlord = session.get(Organisation, home.landlord_id)
    offer = session.exec(select(Offer).where(Offer.void_id == void.id, Offer.status == OfferStatus.LET)).first()
    nomination = session.exec(select(Nomination).join(Advert, Advert.id == Nomination.advert_id).where(
        Advert.void_id == void.id, Nomination.status == NominationStatus.LET)).first()
    if offer is None and nomination is None:
        return None  # let outside the system (a provider's own allocation): not the council's to return
    applicant = session.get(Applicant, offer.applicant_id if offer else nomination.applicant_id)
    members = session.exec(select(HouseholdMember).where(HouseholdMember.applicant_id == applicant.id)
                           .order_by(HouseholdMember.relationship != "lead", HouseholdMember.date_of_birth)).all()
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
        cbl=(offer is None or offer.kind is OfferKind.BIDDING), direct_offer=offer is not None and offer.kind is OfferKind.DIRECT,
        nominated_by_council=nomination is not None,
    )
    log = session.exec(select(CoreLog).where(CoreLog.void_id == void.id)).first()
    return with_answers(record, {int(k): str(v) for k, v in (log.answers if log else {}).items()})


def lets_between(session: Session, start: date, end: date) -> list[tuple[Void, LetRecord]]:
    if end < start:
        raise InvalidInput("The end of the period must not be before its start.", field="end")
    voids = session.exec(select(Void).where(Void.status == VoidStatus.LET, Void.tenancy_start_date >= start,
                                            Void.tenancy_start_date <= end).order_by(Void.tenancy_start_date)).all()
    return [(void, record) for void in voids if (record := _let_record(session, void)) is not None]


def core_return(session: Session, actor: Actor, start: date, end: date) -> tuple[CoreExport, dict[str, int]]:
    """The return for the period, and each let's void id by its reference (for links to finish it)."""
    actor.require(Right.REPORTS_EXPORT)
    lets = lets_between(session, start, end)
    return export(record for _, record in lets), {record.let_reference: void.id for void, record in lets}


def questions_for(session: Session, void_id: int) -> tuple[LetRecord, list[dict]]:
    """The let, and the questions it still needs answering: number, question and answer choices."""
    void = session.get(Void, void_id)
    record = _let_record(session, void) if void is not None and void.status is VoidStatus.LET else None
    if record is None:
        raise NotFound("No such let in the system.")
    specs = field_specs()
    return record, [{"number": n, "question": specs[n].question, "values": specs[n].values,
                     "choices": answer_choices(n)} for n in unanswered(record)]


def record_answers(session: Session, actor: Actor, void_id: int, answers: dict[int, str], now: datetime) -> CoreLog:
    """Sign-up answers for the return, each checked against CORE's allowed answers."""
    if not (actor.may(Right.OFFER_RECORD) or actor.may(Right.PROVIDER_NOMINATIONS)):
        actor.require(Right.OFFER_RECORD)
    void = session.get(Void, void_id)
    if void is None or void.status is not VoidStatus.LET:
        raise NotFound("No such let.")
    if actor.provider_id is not None and session.get(Property, void.property_id).landlord_id != actor.provider_id:
        raise NotFound("No such let.")
    specs = field_specs()
    given = {number: value.strip() for number, value in answers.items() if value.strip()}
    for number, value in given.items():
        if number not in specs or not specs[number].accepts(value):
            raise InvalidInput(f"Field {number}: “{value}” is not an answer CORE accepts ({specs[number].values}).",
                               field=f"field-{number}")
    log = session.exec(select(CoreLog).where(CoreLog.void_id == void_id)).first() or CoreLog(void_id=void_id)
    log.answers = {**log.answers, **{str(n): v for n, v in given.items()}}
    log.updated_by_id, log.updated_at = actor.id, now
    session.add(log)
    audit(session, actor, "core.answered", void, {"fields": sorted(given)})
    return log
