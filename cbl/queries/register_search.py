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
from cbl.queries.id_lists import among_any_number
from cbl.queries.paging import Page
from cbl.queries.search_terms import Holding, holding, postcode_starting, reference_terms, word_terms
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
    """Page `wanted.page` of the households found, by reference; how many there are in all. Four statements at most
    whatever the register's size: the households whose words or people were looked for (the full-text or trigram
    indexes asked once), how many of those meet the rest, the page, and the members of the page's households (to
    say who was found)."""
    conditions = _conditions(wanted)
    chosen_ids = _found_by_words_or_people(session, wanted)
    if chosen_ids is not None:
        conditions.append(among_any_number(session, Applicant.id, chosen_ids))
    if chosen_ids is not None and len(conditions) == 1:
        total = len(chosen_ids)  # nothing else to meet
    else:
        total = session.exec(select(func.count()).select_from(Applicant).where(*conditions)).one()
    lead = (select(HouseholdMember.name)
            .where(HouseholdMember.applicant_id == Applicant.id, HouseholdMember.relationship == Relationship.LEAD)
            .limit(1).correlate(Applicant).scalar_subquery())  # read for the page's rows only
    # The page's households chosen by their ids and references alone (from indexes), then read whole: sorting
    # thousands of whole rows to keep 25 cost more than all the rest.
    chosen = (select(Applicant.id).where(*conditions).order_by(Applicant.reference)
              .offset((wanted.page - 1) * PER_PAGE).limit(PER_PAGE))
    rows = session.exec(select(Applicant, lead).where(Applicant.id.in_(chosen)).order_by(Applicant.reference)).all()
    people: dict[int, list[HouseholdMember]] = {}
    if wanted.about_a_person and rows:
        # Who on the page's households was looked for: their members read by household id, checked here as the
        # search checked them (not the name's index again).
        terms = word_terms(wanted.name)
        for member in session.exec(select(HouseholdMember).where(
                HouseholdMember.applicant_id.in_([applicant.id for applicant, _ in rows]))
                .order_by(HouseholdMember.date_of_birth, HouseholdMember.id)):
            if _is_looked_for(member, wanted, terms):
                people.setdefault(member.applicant_id, []).append(member)
    looked_for = [what for what, given in (("name", wanted.name), ("date of birth", wanted.date_of_birth),
                                           ("National Insurance number", wanted.national_insurance_number)) if given]
    person_fields = " and ".join(filter(None, [", ".join(looked_for[:-1]), *looked_for[-1:]]))
    found = [Found(applicant, name, people.get(applicant.id, []), _details(applicant, wanted), person_fields)
             for applicant, name in rows]
    return Page(found, wanted.page, PER_PAGE, total)


def _conditions(wanted: RegisterSearch) -> list[sa.ColumnElement[bool]]:
    """What the households found must meet, besides their words and people (_found_by_words_or_people)."""
    conditions = postcode_starting(Applicant.postcode_key, wanted.postcode)
    if wanted.email:
        conditions.append(Applicant.email_key == email_key(wanted.email))
    if wanted.phone:
        conditions.append(Applicant.phone_key == phone_key(wanted.phone))
    if wanted.status:
        conditions.append(Applicant.status == wanted.status)
    if wanted.band:
        conditions.append(Applicant.band == wanted.band)
    return conditions


def _found_by_words_or_people(session: Session, wanted: RegisterSearch) -> list[int] | None:
    """The ids of the households whose reference or address holds what was typed and that have the person looked
    for; None when neither was. Read once, then counted and paged by id: the full-text query (SQLite) costs more
    than the rest, and would otherwise run for the count and again for the page."""
    found = []
    held = [Holding(column, terms) for column, terms in (
        ("reference", reference_terms(wanted.reference)), ("address_key", word_terms(wanted.address))) if terms]
    if held:
        found.append(select(Applicant.id).where(*holding(session, Applicant.__table__, *held)))
    if wanted.about_a_person:
        found.append(select(HouseholdMember.applicant_id).distinct().where(*_person(session, wanted)))
    if not found:
        return None
    return list(session.execute(found[0] if len(found) == 1 else sa.intersect(*found)).scalars())


def _person(session: Session, wanted: RegisterSearch) -> list[sa.ColumnElement[bool]]:
    """One member of the household with the name, date of birth and number looked for."""
    conditions: list[sa.ColumnElement[bool]] = []
    if wanted.name:
        conditions += holding(session, HouseholdMember.__table__, Holding("name_key", word_terms(wanted.name)))
    if wanted.date_of_birth:
        conditions.append(HouseholdMember.date_of_birth == wanted.date_of_birth)
    if wanted.national_insurance_number:
        conditions.append(HouseholdMember.national_insurance_number == wanted.national_insurance_number)
    return conditions


def _is_looked_for(member: HouseholdMember, wanted: RegisterSearch, terms: list[str]) -> bool:
    """Whether the member is the person looked for, as _person() finds them (a term in the name's key: LIKE)."""
    return (all(term in (member.name_key or "") for term in terms)
            and wanted.date_of_birth in (None, member.date_of_birth)
            and wanted.national_insurance_number in ("", member.national_insurance_number))


def _details(applicant: Applicant, wanted: RegisterSearch) -> list[tuple[str, str]]:
    shown = (("reference", "Reference", applicant.reference), ("address", "Address", applicant.address),
             ("postcode", "Postcode", applicant.postcode), ("email", "E-mail", applicant.email or ""),
             ("phone", "Phone", applicant.phone or ""))
    return [(what, held) for name, what, held in shown if getattr(wanted, name)]
