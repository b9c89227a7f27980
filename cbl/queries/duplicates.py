"""The people on a household's case who may be on another application too: someone elsewhere on the register with
the same name and date of birth (case, accents, spaces and marks aside) or the same National Insurance number,
and other households with the same e-mail address or phone number (as compared: cbl/rules/search_keys.py)."""

from dataclasses import dataclass

from sqlmodel import Session, and_, func, or_, select

from cbl.models import Applicant, HouseholdMember
from cbl.models.states import ApplicationStatus, Relationship
from cbl.rules.search_keys import same_name

SHOWN = 50  # other applications shown at most (a shared switchboard number could match hundreds)


@dataclass(frozen=True)
class Elsewhere:
    """Someone on another application who may be one of this household's, or share its contact details."""

    reference: str  # the other application
    status: ApplicationStatus
    name: str  # the person there (for a shared e-mail or phone, its lead applicant)
    relationship: Relationship | None
    same: str  # what is the same: "name and date of birth", "National Insurance number", "e-mail address" ...
    here: str  # who on this case it matches: a member's name, or the household's contact detail


def elsewhere(session: Session, applicant: Applicant, members: list[HouseholdMember]) -> list[Elsewhere]:
    """Possible duplicates of this household's members and contact details on other applications, by reference.
    Two statements at most, each answered by an index (date of birth, number, e-mail and phone keys)."""
    found = _same_people(session, applicant, members)
    if applicant.email_key or applicant.phone_key:
        found += _same_contact(session, applicant)
    return sorted(found, key=lambda match: (match.reference, match.same, match.name))[:SHOWN]


def _same_people(session: Session, applicant: Applicant, members: list[HouseholdMember]) -> list[Elsewhere]:
    names = [(member, same_name(member.name)) for member in members]
    # The name compared is the key without its spaces: same_name() of the name as typed (cbl/rules/search_keys.py).
    same_person = [and_(HouseholdMember.date_of_birth == member.date_of_birth,
                        func.replace(HouseholdMember.name_key, " ", "") == name) for member, name in names]
    numbers = {member.national_insurance_number for member in members if member.national_insurance_number}
    if numbers:
        same_person.append(HouseholdMember.national_insurance_number.in_(numbers))
    rows = session.exec(select(HouseholdMember, Applicant.reference, Applicant.status)
                        .join(Applicant, Applicant.id == HouseholdMember.applicant_id)
                        .where(HouseholdMember.applicant_id != applicant.id, or_(*same_person))
                        .order_by(Applicant.reference).limit(SHOWN)).all()
    found = []
    for other, reference, status in rows:
        for member, name in names:
            if member.national_insurance_number and other.national_insurance_number == member.national_insurance_number:
                same = "National Insurance number"
            elif other.date_of_birth == member.date_of_birth and same_name(other.name) == name:
                same = "name and date of birth"
            else:
                continue
            found.append(Elsewhere(reference, status, other.name, other.relationship, same, member.name))
            break
    return found


def _same_contact(session: Session, applicant: Applicant) -> list[Elsewhere]:
    lead = (select(HouseholdMember.name)
            .where(HouseholdMember.applicant_id == Applicant.id, HouseholdMember.relationship == Relationship.LEAD)
            .limit(1).correlate(Applicant).scalar_subquery())
    shared = []
    if applicant.email_key:
        shared.append(Applicant.email_key == applicant.email_key)
    if applicant.phone_key:
        shared.append(Applicant.phone_key == applicant.phone_key)
    rows = session.exec(select(Applicant.reference, Applicant.status, Applicant.email_key, Applicant.phone_key, lead)
                        .where(Applicant.id != applicant.id, or_(*shared))
                        .order_by(Applicant.reference).limit(SHOWN)).all()
    found = []
    for reference, status, email, phone, name in rows:
        if applicant.email_key and email == applicant.email_key:
            found.append(Elsewhere(reference, status, name or "", Relationship.LEAD, "e-mail address",
                                   applicant.email or ""))
        if applicant.phone_key and phone == applicant.phone_key:
            found.append(Elsewhere(reference, status, name or "", Relationship.LEAD, "phone number",
                                   applicant.phone or ""))
    return found
