"""What the CORE lettings return reads: each let in a period as the national bulk-upload row, from what
the system holds and the sign-up answers officers recorded, read for all the period's lets at once."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from cbl.models import (
    Advert, Applicant, CoreLog, HouseholdMember, Nomination, Offer, Organisation, Property, Void,
)
from cbl.queries.id_lists import among
from cbl.queries.paging import Page
from cbl.models.states import NominationStatus, OfferKind, OfferStatus, OrganisationKind, TenancyType, VoidStatus
from cbl.reports.core_export import TenancyType as CoreTenancyType
from cbl.reports.core_export import (
    CoreExport, LetRecord, Occupant, answer_choices, export, field_specs, problems, unanswered, with_answers,
)
from cbl.rules.bedroom_need import age_on
from cbl.services.actors import Actor
from cbl.services.errors import InvalidInput, NotFound
from cbl.services.rights import Right


def let_records(session: Session, voids: list[Void]) -> dict[int, LetRecord]:
    """The return's row for each let void (by void id); a let outside the system (a provider's own
    allocation) has none: it is not the council's to return."""
    if not voids:
        return {}
    return _records(session, Void.id.in_([void.id for void in voids]))


# Only the columns a record is made of, read as plain rows: a year's lets are thousands of rows in
# each table, and ORM objects for them took longer to make than the whole return to check.
_LET = (Void.id, Void.tenancy_start_date, Void.tenancy_end_date, Void.first_let, Property.reference, Property.address,
        Property.postcode, Property.property_type, Property.bedrooms, Property.weekly_rent_pence,
        Property.weekly_charges_pence, Property.uprn, Property.wheelchair_adapted, Organisation.core_id,
        Organisation.code, Organisation.kind)
_MEMBER = (HouseholdMember.applicant_id, HouseholdMember.date_of_birth, HouseholdMember.relationship,
           HouseholdMember.sex)


def _records(session: Session, chosen: sa.ColumnElement[bool]) -> dict[int, LetRecord]:
    """The records of the let voids the condition `chosen` picks (by void id, in the order their tenancies
    started): for a period's lets, the period itself rather than a list of thousands of ids. The households
    housed are read by their ids (`among`): a year's lets are a hundredth of the register."""
    lets = session.exec(select(*_LET).join(Property, Property.id == Void.property_id)
                        .join(Organisation, Organisation.id == Property.landlord_id).where(chosen)
                        .order_by(Void.tenancy_start_date, Void.id)).all()
    offers = {row.void_id: row for row in session.exec(
        select(Offer.void_id, Offer.applicant_id, Offer.kind, Offer.tenancy_type, Offer.rent_at_let_pence)
        .join(Void, Void.id == Offer.void_id)
        .where(chosen, Offer.status == OfferStatus.LET))}
    nominations = {row.void_id: row.applicant_id for row in session.exec(
        select(Advert.void_id, Nomination.applicant_id).join(Advert, Advert.id == Nomination.advert_id)
        .join(Void, Void.id == Advert.void_id).where(chosen, Nomination.status == NominationStatus.LET))}
    housed = {let.id: offers[let.id].applicant_id if let.id in offers else nominations[let.id]
              for let in lets if let.id in offers or let.id in nominations}
    households = set(housed.values())
    applicants = {row.id: row for row in session.exec(
        select(Applicant.id, Applicant.registration_date, Applicant.homeless_duty, Applicant.transfer_tenant)
        .where(among(session, Applicant.id, households)))}
    members: dict[int, list[sa.Row]] = defaultdict(list)
    for member in session.exec(select(*_MEMBER).where(among(session, HouseholdMember.applicant_id, households))
                               .order_by(HouseholdMember.relationship != "lead", HouseholdMember.date_of_birth)):
        members[member.applicant_id].append(member)
    answers = dict(session.exec(select(CoreLog.void_id, CoreLog.answers).join(Void, Void.id == CoreLog.void_id)
                                .where(chosen)).all())
    return {let.id: _record(let, offers.get(let.id), let.id in nominations, applicants[housed[let.id]],
                            members[housed[let.id]], answers.get(let.id, {}))
            for let in lets if let.id in housed}


def _record(let: sa.Row, offer: sa.Row | None, nominated: bool, applicant: sa.Row, members: list[sa.Row],
            answers: dict) -> LetRecord:
    """One let's record from its void, home and landlord (`_LET`), the offer that let it (if not a
    nomination), the household housed and its members (`_MEMBER`), and the answers recorded."""
    household = tuple(Occupant(age=age_on(m.date_of_birth, let.tenancy_start_date), relationship=m.relationship.value,
                               sex=m.sex.value if m.sex else None) for m in members)
    lines = [part.strip() for part in let.address.split(",") if part.strip()]
    organisation = let.core_id or let.code
    record = LetRecord(
        let_reference=f"{let.reference}/{let.id}", owning_organisation=organisation,
        managing_organisation=organisation, owner_is_local_authority=let.kind is OrganisationKind.COUNCIL,
        tenancy_start=let.tenancy_start_date, postcode=let.postcode, property_type=let.property_type.value,
        bedrooms=let.bedrooms, first_let=let.first_let, void_date=let.tenancy_end_date,
        weekly_rent_pence=offer.rent_at_let_pence if offer is not None and offer.rent_at_let_pence else
        let.weekly_rent_pence, weekly_service_charge_pence=let.weekly_charges_pence,
        household=household, uprn=let.uprn, address_line1=lines[0] if lines else None,
        town_or_city=lines[-1] if len(lines) > 1 else None, property_reference=let.reference,
        wheelchair_adapted=let.wheelchair_adapted, registration_date=applicant.registration_date,
        homeless_duty=applicant.homeless_duty, transfer_tenant=applicant.transfer_tenant,
        cbl=(offer is None or offer.kind is OfferKind.BIDDING),
        direct_offer=offer is not None and offer.kind is OfferKind.DIRECT,
        nominated_by_council=nominated, **_sign_up(offer),
    )
    return with_answers(record, {int(k): str(v) for k, v in answers.items()})


# The tenancy signed for, as CORE's "type of tenancy" (the main tenancy after any starter or introductory
# period). An introductory or starter tenancy says only that there is a trial period: what follows it (secure
# or flexible; assured or fixed-term) is the officer's answer to the return's question. A flexible tenancy is
# a secure fixed-term one; a social landlord's assured shorthold tenancy is CORE's fixed-term AST.
CORE_TENANCY_TYPES = {
    TenancyType.SECURE: CoreTenancyType.SECURE_LIFETIME, TenancyType.FLEXIBLE: CoreTenancyType.SECURE_FIXED_TERM,
    TenancyType.ASSURED: CoreTenancyType.ASSURED_LIFETIME,
    TenancyType.ASSURED_SHORTHOLD: CoreTenancyType.ASSURED_SHORTHOLD_FIXED_TERM,
}
TRIAL_TENANCIES = (TenancyType.INTRODUCTORY, TenancyType.STARTER)


def _sign_up(offer: sa.Row | None) -> dict:
    """What the sign-up recorded, in the record's terms: nothing for a let recorded without one."""
    if offer is None or offer.tenancy_type is None:
        return {}
    return {"tenancy_type": CORE_TENANCY_TYPES.get(offer.tenancy_type),
            "starter_tenancy": offer.tenancy_type in TRIAL_TENANCIES}


def _in_period(start: date, end: date) -> sa.ColumnElement[bool]:
    """The let voids whose tenancy started in the period (UK dates, both included)."""
    if end < start:
        raise InvalidInput("The end of the period must not be before its start.", field="end")
    return sa.and_(Void.status == VoidStatus.LET, Void.tenancy_start_date >= start, Void.tenancy_start_date <= end)


def _returned(start: date, end: date) -> sa.ColumnElement[bool]:
    """The period's lets that are the council's to return: those an offer or a nomination let (as `_records`
    makes a record for), so that a count of them and a page of them agree with the whole return."""
    let_by_offer = sa.exists().where(Offer.void_id == Void.id, Offer.status == OfferStatus.LET)
    let_by_nomination = sa.exists().where(Advert.void_id == Void.id, Nomination.advert_id == Advert.id,
                                          Nomination.status == NominationStatus.LET)
    return sa.and_(_in_period(start, end), sa.or_(let_by_offer, let_by_nomination))


def lets_between(session: Session, start: date, end: date) -> dict[int, LetRecord]:
    """The record of each let whose tenancy started in the period, by void id, in the order they started."""
    return _records(session, _in_period(start, end))


LETS_PER_PAGE = 25  # the period's lets, shown a page at a time


@dataclass(frozen=True)
class LetState:
    """One let of the return as its page lists it: ready to upload, or why it cannot be written yet."""

    let_reference: str
    void_id: int  # to link to its questions
    reasons: tuple[str, ...]  # empty: ready to upload


@dataclass(frozen=True)
class ReturnPage:
    """The return's page: how many lets the period holds and how many have sign-up answers recorded (counted by
    the database), and a page of the lets, each checked as the page is shown."""

    lets: Page[LetState]
    answered: int


def return_page(session: Session, actor: Actor, start: date, end: date, page: int) -> ReturnPage:
    """The return for the period as its page shows it. Only the page's lets are read and checked (a let is ready
    or not only once its record is built, and a year of lets is thousands): the whole return is checked when
    its file is downloaded (`core_return`)."""
    actor.require(Right.REPORTS_EXPORT)
    returned = _returned(start, end)
    total = session.exec(select(sa.func.count()).select_from(Void).where(returned)).one()
    answered = session.exec(select(sa.func.count()).select_from(Void).join(CoreLog, CoreLog.void_id == Void.id)
                            .where(returned)).one()
    ids = list(session.exec(select(Void.id).where(returned).order_by(Void.tenancy_start_date, Void.id)
                            .offset((page - 1) * LETS_PER_PAGE).limit(LETS_PER_PAGE)).all())
    records = _records(session, Void.id.in_(ids)) if ids else {}
    shown = [LetState(record.let_reference, void_id, problems(record)) for void_id, record in records.items()]
    return ReturnPage(Page(shown, page, LETS_PER_PAGE, total), answered)


def core_return(session: Session, actor: Actor, start: date, end: date) -> CoreExport:
    """The return for the period: every let checked, the ready ones written."""
    actor.require(Right.REPORTS_EXPORT)
    return export(lets_between(session, start, end).values())


def questions_for(session: Session, void_id: int) -> tuple[LetRecord, list[dict]]:
    """The let, and the questions it still needs answering: number, question and answer choices."""
    void = session.get(Void, void_id)
    record = let_records(session, [void]).get(void_id) if void is not None and void.status is VoidStatus.LET else None
    if record is None:
        raise NotFound("No such let in the system.")
    specs = field_specs()
    return record, [{"number": n, "question": specs[n].question, "values": specs[n].values,
                     "choices": answer_choices(n)} for n in unanswered(record)]
