"""The housing register: households and the bedroom need derived from them."""

from datetime import date

from sqlmodel import Session, select

from cbl.bedrooms import Person, age_on, bedroom_need
from cbl.models import Applicant, HouseholdMember
from cbl.models.states import Relationship
from cbl.scheme import Scheme

_COUPLE = {Relationship.LEAD, Relationship.PARTNER}


def household_people(members: list[HouseholdMember], on: date) -> list[Person]:
    has_partner = any(m.relationship is Relationship.PARTNER for m in members)
    return [
        Person(
            age=age_on(m.date_of_birth, on),
            sex=m.sex.value if m.sex else None,
            couple="lead" if has_partner and m.relationship in _COUPLE else None,
            needs_own_room=m.needs_own_room,
        )
        for m in members
    ]


def derive_bedroom_need(members: list[HouseholdMember], scheme: Scheme, on: date) -> int:
    return bedroom_need(household_people(members, on), scheme.bedroom_need.rule)


def apply_household(applicant: Applicant, members: list[HouseholdMember], scheme: Scheme, on: date) -> None:
    """Store what the ranking needs from the household: its size, the lead's birth date, bedroom need."""
    lead = next((m for m in members if m.relationship is Relationship.LEAD), None)
    applicant.household_size = max(1, len(members))
    applicant.lead_date_of_birth = lead.date_of_birth if lead else None
    applicant.bedroom_need = derive_bedroom_need(members, scheme, on)


def refresh_household(session: Session, applicant: Applicant, scheme: Scheme, on: date) -> None:
    """Recompute the stored household facts; call after any change to the household."""
    members = list(session.exec(select(HouseholdMember).where(HouseholdMember.applicant_id == applicant.id)))
    apply_household(applicant, members, scheme, on)
    session.add(applicant)
