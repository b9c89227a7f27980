"""Applications to the register: taking one in, correcting its details, and keeping its household
(from which the bedroom need is always derived, never typed)."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, or_, select

from cbl.rules.bedroom_need import age_on
from cbl.rules.national_insurance import national_insurance_number
from cbl.rules.search_keys import same_name
from cbl.rules.working_days import local_date
from cbl.models import Applicant, HouseholdMember, OutboxMessage, Property, RegistrationBackdating, StaffUser
from cbl.messages.letters import issue_letter
from cbl.models.states import ApplicationStatus, Channel, Relationship, ReviewType, Sex, StaffRole
from cbl.rules.decision_types import review_rights
from cbl.rules.scheme import Scheme

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound, within
from .register import locked_application, refresh_household
from cbl.services.rights import Right

NEEDS = {"step_free": "Needs a home without steps", "wheelchair": "Uses a wheelchair at home"}
OLDEST_BIRTH = date(1900, 1, 1)
CONTACT_FIELDS = ("address", "postcode", "email", "phone")


@dataclass(frozen=True)
class MemberDetails:
    """One person in the household as an officer records them."""

    name: str
    date_of_birth: date
    relationship: str
    sex: str = ""
    needs_own_room: bool = False
    national_insurance_number: str = ""


@dataclass(frozen=True)
class ContactDetails:
    address: str
    postcode: str
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Circumstances:
    """The facts of a case that decide which homes and preference groups it fits."""

    homeless_duty: bool = False
    transfer_tenant: bool = False
    local_connection: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


def _checked_member(details: MemberDetails, today: date) -> dict:
    name = details.name.strip()
    if not name:
        raise InvalidInput("Enter the person's full name.", field="name")
    if len(name) > 200:
        raise InvalidInput("A name must be 200 characters or fewer.", field="name")
    if not OLDEST_BIRTH <= details.date_of_birth <= today:
        raise InvalidInput("The date of birth must be a real date in the past.", field="date_of_birth")
    try:
        relationship = Relationship(details.relationship)
    except ValueError:
        raise InvalidInput("Choose how the person is related to the lead applicant.", field="relationship") from None
    try:
        sex = Sex(details.sex) if details.sex else None
    except ValueError:
        raise InvalidInput("Choose female or male, or leave it blank.", field="sex") from None
    number = None
    if details.national_insurance_number.strip():
        number = national_insurance_number(details.national_insurance_number)
        if number is None:
            raise InvalidInput("Enter a National Insurance number in the right format, like JG 10 37 59 A, or leave "
                               "it empty.", field="national_insurance_number")
    return {"name": name, "date_of_birth": details.date_of_birth, "relationship": relationship, "sex": sex,
            "needs_own_room": details.needs_own_room, "national_insurance_number": number}


def _checked_contact(contact: ContactDetails) -> dict:
    address, postcode = contact.address.strip(), " ".join(contact.postcode.upper().split())
    if not address:
        raise InvalidInput("Enter the household's current address.", field="address")
    if not 5 <= len(postcode) <= 8 or not postcode[0].isalpha():
        raise InvalidInput("Enter a real postcode, like AT1 2BC.", field="postcode")
    email = contact.email.strip()
    if email and ("@" not in email or len(email) > 254):
        raise InvalidInput("Enter an e-mail address in the right format, like name@example.com.", field="email")
    return {"address": within(address, 400, "address", "The address"), "postcode": postcode, "email": email or None,
            "phone": within(contact.phone, 32, "phone", "The phone number") or None}


def _checked_circumstances(circumstances: Circumstances, areas: set[str]) -> dict:
    unknown = sorted(set(circumstances.local_connection) - areas)
    if unknown:
        raise InvalidInput(f"Unknown area: {', '.join(unknown)}.", field="local_connection")
    unknown = sorted(set(circumstances.needs) - set(NEEDS))
    if unknown:
        raise InvalidInput(f"Unknown access need: {', '.join(unknown)}.", field="needs")
    return {"homeless_duty": circumstances.homeless_duty, "transfer_tenant": circumstances.transfer_tenant,
            "local_connection": sorted(set(circumstances.local_connection)), "needs": sorted(set(circumstances.needs))}


def known_areas(session: Session) -> set[str]:
    """The areas a household can have a local connection to: those the council's stock lies in."""
    return set(session.exec(select(Property.area).distinct()).all())


def _next_reference(session: Session) -> str:
    highest = session.exec(select(func.max(Applicant.id))).one() or 0
    return f"HR{highest + 1:06d}"


@dataclass(frozen=True)
class PossibleDuplicate:
    """A person already on the register with the same name and date of birth as the one being registered, or
    the same National Insurance number."""

    reference: str  # the application they are on
    name: str
    relationship: Relationship
    status: ApplicationStatus
    same: str = "name and date of birth"  # what matched


class PossibleDuplicates(Conflict):
    """The person being registered may already be on the register: the officer confirms it is another
    household, or uses the application that exists."""

    def __init__(self, matches: list[PossibleDuplicate]) -> None:
        references = ", ".join(match.reference for match in matches)
        super().__init__(f"This person may already be on the register ({references}): check the application, "
                         "or confirm this is a different household.", field="different_household")
        self.matches = matches


def possible_duplicates(session: Session, name: str, date_of_birth: date,
                        national_insurance: str | None = None) -> list[PossibleDuplicate]:
    """Everyone on the register, on any application and whatever its state, with this name (case, accents, spaces
    and marks aside: cbl/rules/search_keys.py) and date of birth, or with this National Insurance number (as held:
    cbl/rules/national_insurance.py)."""
    wanted = same_name(name)
    same_person = [HouseholdMember.date_of_birth == date_of_birth]
    if national_insurance:
        same_person.append(HouseholdMember.national_insurance_number == national_insurance)
    rows = session.exec(select(HouseholdMember.name, HouseholdMember.date_of_birth,
                               HouseholdMember.national_insurance_number, HouseholdMember.relationship,
                               Applicant.reference, Applicant.status)
                        .join(Applicant, Applicant.id == HouseholdMember.applicant_id)
                        .where(or_(*same_person)).order_by(Applicant.reference)).all()
    found = []
    for found_name, born, number, relationship, reference, status in rows:
        if national_insurance and number == national_insurance:
            found.append(PossibleDuplicate(reference, found_name, relationship, status, "National Insurance number"))
        elif born == date_of_birth and same_name(found_name) == wanted:
            found.append(PossibleDuplicate(reference, found_name, relationship, status))
    return found


def create_application(session: Session, actor: Actor, scheme: Scheme, lead: MemberDetails, contact: ContactDetails,
                       circumstances: Circumstances, areas: set[str], registered_on: date | None,
                       now: datetime, *, backdating_reason: str = "", different_household: bool = False) -> Applicant:
    """Take in an application: pending until an officer sets its band. It is registered on the day it is received
    (today); an earlier date is back-dating, a decision that moves the household up the queue: it is asked for
    with the reason and takes effect only when a manager approves it (cbl/services/backdating.py). A lead who
    may already be on the register is refused until the officer confirms this is a different household."""
    actor.require(Right.REGISTER_WRITE)
    today = local_date(now)
    registered_on = registered_on or today
    if registered_on > today:
        raise InvalidInput("The registration date cannot be in the future.", field="registration_date")
    reason = within(backdating_reason, BACKDATING_REASON_LIMIT, "backdating_reason", "The reason for the earlier date")
    if registered_on < today and not reason:
        raise InvalidInput(BACKDATING_REASON_NEEDED, field="backdating_reason")
    person = _checked_member(MemberDetails(lead.name, lead.date_of_birth, Relationship.LEAD.value, lead.sex,
                                           lead.needs_own_room, lead.national_insurance_number), today)
    if age_on(lead.date_of_birth, today) < 16:
        raise InvalidInput("The lead applicant must be 16 or over.", field="date_of_birth")
    fields = {**_checked_contact(contact), **_checked_circumstances(circumstances, areas)}
    duplicates = possible_duplicates(session, person["name"], person["date_of_birth"],
                                     person["national_insurance_number"])
    if duplicates and not different_household:
        raise PossibleDuplicates(duplicates)
    applicant = _pending_application(session, fields, today, now)
    session.add(HouseholdMember(applicant_id=applicant.id, **person))
    session.flush()
    refresh_household(session, applicant, scheme, today)
    seen = {"possible_duplicates": [d.reference for d in duplicates], "different_household_confirmed": True}
    audit(session, actor, "application.created", applicant, {"registered_on": today, "lead": person["name"],
                                                             **(seen if duplicates else {})})
    if registered_on < today:
        _ask_to_backdate(session, actor, applicant, registered_on, today, reason, now)
    return applicant


def _pending_application(session: Session, fields: dict, today: date, now: datetime) -> Applicant:
    """A new pending application with the next free reference, registered today."""
    for _ in range(5):
        applicant = Applicant(reference=_next_reference(session), registration_date=today,
                              status=ApplicationStatus.PENDING, created_at=now, **fields)
        try:
            with session.begin_nested():
                session.add(applicant)
                session.flush()
            return applicant
        except IntegrityError:  # another officer (or household) took the same reference a moment ago
            continue
    raise Conflict("Could not give the application a reference; please try again.")


def register_online(session: Session, actor: Actor, scheme: Scheme, people: list[MemberDetails],
                    contact: ContactDetails, circumstances: Circumstances, now: datetime) -> Applicant:
    """An application a household sent online: pending until an officer assesses it, registered on the day it
    was sent. The lead comes first in `people`. A person who may already be on the register does not stop it:
    the officer who assesses it sees the possible duplicates (cbl/queries/applying.py) and decides."""
    today = local_date(now)
    if not people or people[0].relationship != Relationship.LEAD.value:
        raise InvalidInput("Tell us about the lead applicant.", field="lead")
    checked = [_checked_member(person, today) for person in people]
    if age_on(people[0].date_of_birth, today) < 16:
        raise InvalidInput("The lead applicant must be 16 or over.", field="lead")
    if sum(person["relationship"] is Relationship.PARTNER for person in checked) > 1:
        raise InvalidInput("A household has one partner of the lead applicant at most.", field="members")
    fields = {**_checked_contact(contact), **_checked_circumstances(circumstances, known_areas(session))}
    applicant = _pending_application(session, fields, today, now)
    session.add_all([HouseholdMember(applicant_id=applicant.id, **person) for person in checked])
    session.flush()
    refresh_household(session, applicant, scheme, today)
    audit(session, actor, "application.created", applicant, {"registered_on": today, "online": True})
    return applicant


BACKDATING_REASON_LIMIT = 2000
BACKDATING_REASON_NEEDED = "Give the reason for registering from an earlier date: a manager decides it."


def _ask_to_backdate(session: Session, actor: Actor, applicant: Applicant, registered_on: date, today: date,
                     reason: str, now: datetime) -> None:
    """Ask the managers to approve an earlier registration date; until one does, the application keeps today's."""
    request = RegistrationBackdating(applicant_id=applicant.id, registered_on=registered_on, received_on=today,
                                     reason=reason, requested_by_id=actor.id, requested_at=now)
    session.add(request)
    session.flush()
    audit(session, actor, "registration.backdating_asked", applicant,
          {"request_id": request.id, "registered_on": registered_on, "received_on": today, "reason": reason})
    for manager_id in session.exec(select(StaffUser.id).where(StaffUser.role == StaffRole.MANAGER,
                                                               StaffUser.active)).all():
        session.add(OutboxMessage(channel=Channel.EMAIL, template="registration_backdating", staff_user_id=manager_id,
                                  subject=f"Back-dating {applicant.reference}'s registration needs your decision",
                                  body=f"{actor.name} asks to register {applicant.reference} from "
                                       f"{registered_on:%-d %B %Y} rather than {today:%-d %B %Y}, the day the "
                                       "application was received. Decide it in the admin site, under Back-dated "
                                       "registrations."))


def _open_application(session: Session, applicant_id: int) -> Applicant:
    applicant = locked_application(session, applicant_id)
    if applicant.status in (ApplicationStatus.HOUSED, ApplicationStatus.CLOSED):
        raise Conflict(f"This application is {applicant.status.value}; it can no longer be changed.")
    return applicant


def update_details(session: Session, actor: Actor, applicant_id: int, contact: ContactDetails,
                   circumstances: Circumstances, areas: set[str], now: datetime) -> Applicant:
    """Correct the contact details and circumstances; the changes are kept in the timeline."""
    actor.require(Right.REGISTER_WRITE)
    applicant = _open_application(session, applicant_id)
    fields = {**_checked_contact(contact), **_checked_circumstances(circumstances, areas)}
    changes = {name: value for name, value in fields.items() if getattr(applicant, name) != value}
    for name, value in changes.items():
        setattr(applicant, name, value)
    session.add(applicant)
    # Contact details are personal data: the timeline says they changed, not what to.
    shown = {name: value for name, value in changes.items() if name not in CONTACT_FIELDS}
    audit(session, actor, "application.updated", applicant, {"changed": sorted(changes), **shown})
    return applicant


def _member_of_open_application(session: Session, member_id: int) -> tuple[HouseholdMember, Applicant]:
    member = session.get(HouseholdMember, member_id)
    if member is None:
        raise NotFound("No such household member.")
    return member, _open_application(session, member.applicant_id)


def _member_change(session: Session, scheme: Scheme, applicant: Applicant, today: date, now: datetime,
                   change: str) -> dict:
    """Recompute the household's facts; a changed bedroom need is a decision the household is told of, with
    its right to a review (s166A(9))."""
    before = applicant.bedroom_need
    session.flush()
    refresh_household(session, applicant, scheme, today)
    if applicant.bedroom_need != before:
        issue_letter(session, applicant.id, "bedroom_need", "The number of bedrooms your household needs", now,
                     need=applicant.bedroom_need, previous=before, change=change,
                     rights=review_rights(ReviewType.BEDROOM_NEED, scheme.reviews, today))
    return {"bedroom_need": applicant.bedroom_need, "previous_bedroom_need": before,
            "household_size": applicant.household_size}


def _no_second(session: Session, applicant_id: int, relationship: Relationship, member_id: int | None) -> None:
    if relationship not in (Relationship.LEAD, Relationship.PARTNER):
        return
    query = select(HouseholdMember.id).where(HouseholdMember.applicant_id == applicant_id,
                                             HouseholdMember.relationship == relationship)
    if member_id is not None:
        query = query.where(HouseholdMember.id != member_id)
    if session.exec(query).first() is not None:
        raise InvalidInput(f"The household already has a {relationship.value.replace('_', ' ')}.",
                           field="relationship")


def add_member(session: Session, actor: Actor, scheme: Scheme, applicant_id: int, details: MemberDetails,
               now: datetime) -> HouseholdMember:
    actor.require(Right.REGISTER_WRITE)
    today = local_date(now)
    applicant = _open_application(session, applicant_id)
    person = _checked_member(details, today)
    _no_second(session, applicant.id, person["relationship"], None)
    member = HouseholdMember(applicant_id=applicant.id, **person)
    session.add(member)
    effect = _member_change(session, scheme, applicant, today, now, "someone has joined it")
    audit(session, actor, "household.member_added", applicant,
          {"relationship": person["relationship"], **effect})
    return member


def update_member(session: Session, actor: Actor, scheme: Scheme, member_id: int, details: MemberDetails,
                  now: datetime) -> HouseholdMember:
    actor.require(Right.REGISTER_WRITE)
    today = local_date(now)
    member, applicant = _member_of_open_application(session, member_id)
    person = _checked_member(details, today)
    if (member.relationship is Relationship.LEAD) != (person["relationship"] is Relationship.LEAD):
        raise InvalidInput("The lead applicant stays the lead; record a new application to change who leads.",
                           field="relationship")
    _no_second(session, applicant.id, person["relationship"], member.id)
    for name, value in person.items():
        setattr(member, name, value)
    session.add(member)
    effect = _member_change(session, scheme, applicant, today, now, "a member's details have changed")
    audit(session, actor, "household.member_changed", applicant,
          {"member_id": member.id, "relationship": person["relationship"], **effect})
    return member


def remove_member(session: Session, actor: Actor, scheme: Scheme, member_id: int, reason: str,
                  now: datetime) -> Applicant:
    actor.require(Right.REGISTER_WRITE)
    today = local_date(now)
    member, applicant = _member_of_open_application(session, member_id)
    if member.relationship is Relationship.LEAD:
        raise Conflict("The lead applicant cannot be removed from their own application.")
    if not reason.strip():
        raise InvalidInput("Say why the person has left the household.", field="reason")
    reason = within(reason, 500, "reason", "The reason")
    session.delete(member)
    effect = _member_change(session, scheme, applicant, today, now, "someone has left it")
    audit(session, actor, "household.member_removed", applicant,
          {"member_id": member_id, "relationship": member.relationship, "reason": reason, **effect})
    return applicant
