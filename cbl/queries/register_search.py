"""The register search: households found by any of their reference, a member's name, date of birth or National
Insurance number, their e-mail address, phone number, postcode, address, status and band (all that are given must
hold; a name, date of birth and number together must be one person's), a page at a time, each with why it was
found."""

from dataclasses import dataclass, fields
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, func, select

from cbl.models import Applicant, HouseholdMember
from cbl.models.states import Relationship
from cbl.queries.paging import Page
from cbl.queries.search_terms import Holding, ids_holding, postcode_holding, reference_terms, word_terms
from cbl.rules.search_keys import email_key, phone_key

PER_PAGE = 25
PERSONAL = ("reference", "name", "date_of_birth", "national_insurance_number", "email", "phone", "postcode",
            "address")


@dataclass(frozen=True)
class RegisterSearch:
    """What an officer looks for: every field optional, those given all to hold."""

    reference: str = ""
    name: str = ""
    date_of_birth: date | None = None
    national_insurance_number: str = ""  # as held (cbl/rules/national_insurance.py)
    email: str = ""
    phone: str = ""
    postcode: str = ""
    address: str = ""
    status: str = ""
    band: str = ""
    page: int = 1

    @property
    def about_a_person(self) -> bool:
        return bool(self.name or self.date_of_birth or self.national_insurance_number)

    @property
    def personal(self) -> bool:
        """Whether it holds anything about a person (kept out of addresses and logs: it is searched by POST)."""
        return any(getattr(self, name) for name in PERSONAL)

    def given(self) -> dict[str, object]:
        """The fields given (the page shows them again, and carries them to the next page)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "page" and getattr(self, f.name)}


@dataclass(frozen=True)
class Found:
    """A household found, with its lead's name and why it was found: the people on it whose name, date of birth or
    number was looked for, and the household's details that were, as held."""

    applicant: Applicant
    lead: str | None
    people: list[HouseholdMember]
    details: list[tuple[str, str]]  # (what, as held): ("Postcode", "AT1 2BC")
    person_fields: str = ""  # what of each person was looked for: "name and date of birth"

    @property
    def reasons(self) -> list[str]:
        """Why it was found, a line each: "Mary Smith (partner): name and date of birth", "Postcode: AT1 2BC"."""
        return ([f"{person.name} ({person.relationship.value.replace('_', ' ')}): {self.person_fields}"
                 for person in self.people] + [f"{what}: {held}" for what, held in self.details])


def search(session: Session, wanted: RegisterSearch) -> Page[Found]:
    """Page `wanted.page` of the households found, by reference; how many there are in all. Three statements at most
    whatever the register's size: the count, the page, and the people on the page who were looked for."""
    conditions = _conditions(session, wanted)
    total = session.exec(select(func.count()).select_from(Applicant).where(*conditions)).one()
    lead = (select(HouseholdMember.name)
            .where(HouseholdMember.applicant_id == Applicant.id, HouseholdMember.relationship == Relationship.LEAD)
            .limit(1).correlate(Applicant).scalar_subquery())  # read for the page's rows only
    rows = session.exec(select(Applicant, lead).where(*conditions).order_by(Applicant.reference)
                        .offset((wanted.page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    people: dict[int, list[HouseholdMember]] = {}
    if wanted.about_a_person and rows:
        for member in session.exec(select(HouseholdMember).where(
                HouseholdMember.applicant_id.in_([applicant.id for applicant, _ in rows]),
                *_person(session, wanted)).order_by(HouseholdMember.date_of_birth, HouseholdMember.id)):
            people.setdefault(member.applicant_id, []).append(member)
    looked_for = [what for what, given in (("name", wanted.name), ("date of birth", wanted.date_of_birth),
                                           ("National Insurance number", wanted.national_insurance_number)) if given]
    person_fields = " and ".join(filter(None, [", ".join(looked_for[:-1]), *looked_for[-1:]]))
    found = [Found(applicant, name, people.get(applicant.id, []), _details(applicant, wanted), person_fields)
             for applicant, name in rows]
    return Page(found, wanted.page, PER_PAGE, total)


def _conditions(session: Session, wanted: RegisterSearch) -> list[sa.ColumnElement[bool]]:
    household = Applicant.__table__
    conditions: list[sa.ColumnElement[bool]] = []
    holding = [Holding(column, terms) for column, terms in (
        ("reference", reference_terms(wanted.reference)), ("address_key", word_terms(wanted.address))) if terms]
    postcode = postcode_holding(wanted.postcode)
    if postcode:
        holding.append(postcode)
    if holding:
        conditions.append(Applicant.id.in_(ids_holding(session, household, *holding)))
    if wanted.email:
        conditions.append(Applicant.email_key == email_key(wanted.email))
    if wanted.phone:
        conditions.append(Applicant.phone_key == phone_key(wanted.phone))
    if wanted.status:
        conditions.append(Applicant.status == wanted.status)
    if wanted.band:
        conditions.append(Applicant.band == wanted.band)
    if wanted.about_a_person:
        conditions.append(Applicant.id.in_(select(HouseholdMember.applicant_id).where(*_person(session, wanted))))
    return conditions


def _person(session: Session, wanted: RegisterSearch) -> list[sa.ColumnElement[bool]]:
    """One member of the household with the name, date of birth and number looked for."""
    conditions: list[sa.ColumnElement[bool]] = []
    if wanted.name:
        conditions.append(HouseholdMember.id.in_(ids_holding(session, HouseholdMember.__table__,
                                                             Holding("name_key", word_terms(wanted.name)))))
    if wanted.date_of_birth:
        conditions.append(HouseholdMember.date_of_birth == wanted.date_of_birth)
    if wanted.national_insurance_number:
        conditions.append(HouseholdMember.national_insurance_number == wanted.national_insurance_number)
    return conditions


def _details(applicant: Applicant, wanted: RegisterSearch) -> list[tuple[str, str]]:
    shown = (("reference", "Reference", applicant.reference), ("address", "Address", applicant.address),
             ("postcode", "Postcode", applicant.postcode), ("email", "E-mail", applicant.email or ""),
             ("phone", "Phone", applicant.phone or ""))
    return [(what, held) for name, what, held in shown if getattr(wanted, name)]
