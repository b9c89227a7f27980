"""The housing register: households, the bedroom need derived from them, and officers' decisions on a case."""

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, select

from cbl.rules.final_offers import REQUIREMENTS
from cbl.rules.bedroom_need import Person, age_on, bedroom_need
from cbl.rules.working_days import local_date
from cbl.messages.letters import issue_letter
from cbl.models import Applicant, Assessment, BandAssessment, CaseCheck, CaseNote, HouseholdMember, Offer
from cbl.models.states import ApplicationStatus, AssessmentKind, CheckKind, OfferStatus, Relationship, ReviewType
from cbl.rules.decision_types import review_rights
from cbl.rules.scheme import Scheme

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound, within
from cbl.services.rights import Right

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


def derive_bedroom_need(members: list[HouseholdMember], scheme: Scheme, on: date, *, carer: bool = False) -> int:
    """The household's bedroom need by the scheme's rule, with a bedroom for an overnight carer where a panel found
    one is needed (`carer`: the application's carer_bedroom)."""
    return bedroom_need(household_people(members, on), scheme.bedroom_need.rule, overnight_carer=carer)


def household_facts(members: list[HouseholdMember], scheme: Scheme, on: date, *,
                    carer: bool = False) -> tuple[int, date | None, int]:
    """What the ranking needs from the household: its size, the lead's birth date and its bedroom need.
    (Members may be any rows with a member's relationship, date_of_birth, sex and needs_own_room.)"""
    lead = next((m for m in members if m.relationship is Relationship.LEAD), None)
    return (max(1, len(members)), lead.date_of_birth if lead else None,
            derive_bedroom_need(members, scheme, on, carer=carer))


def apply_household(applicant: Applicant, members: list[HouseholdMember], scheme: Scheme, on: date) -> None:
    """Store what the ranking needs from the household: its size, the lead's birth date, bedroom need."""
    applicant.household_size, applicant.lead_date_of_birth, applicant.bedroom_need = household_facts(
        members, scheme, on, carer=applicant.carer_bedroom)


def refresh_household(session: Session, applicant: Applicant, scheme: Scheme, on: date) -> None:
    """Recompute the stored household facts; call after any change to the household."""
    members = list(session.exec(select(HouseholdMember).where(HouseholdMember.applicant_id == applicant.id)))
    apply_household(applicant, members, scheme, on)
    session.add(applicant)


# --- decisions on a case -----------------------------------------------------------------------


def locked_application(session: Session, applicant_id: int) -> Applicant:
    """The application, locked for the change about to be made to it."""
    applicant = session.exec(select(Applicant).where(Applicant.id == applicant_id).with_for_update()).first()
    if applicant is None:
        raise NotFound("No such application.")
    return applicant


def record_band(session: Session, actor: Actor, applicant: Applicant, band: str, effective: date, reason: str,
                now: datetime) -> BandAssessment:
    """A band given by another decision (a downsizing mark, a decant, a review that restores one): its row in the
    band history and the application's band and band date. The deciding service checks the right and audits it."""
    assessment = BandAssessment(applicant_id=applicant.id, band=band, effective_date=effective, reason=reason,
                                decided_by_id=actor.id, decided_at=now)
    session.add(assessment)
    applicant.band, applicant.band_date = band, effective
    session.add(applicant)
    return assessment


def set_band(session: Session, actor: Actor, scheme: Scheme, applicant_id: int, band: str, effective: date,
             reason: str, now: datetime, points: int | None = None) -> BandAssessment:
    """A new band with its effective date and reason. History is kept: earlier bands are never changed."""
    actor.require(Right.BAND_SET)
    if band not in scheme.bands.order:
        raise InvalidInput(f"Band must be one of {', '.join(scheme.bands.order)}.", field="band")
    if scheme.bands.uses_points and points is None:
        raise InvalidInput("This scheme ranks by points: give the points.", field="points")
    if not reason.strip():
        raise InvalidInput("Give the reason for the band; it goes in the decision letter.", field="reason")
    reason = within(reason, 2000, "reason", "The reason")
    applicant = locked_application(session, applicant_id)
    if effective > local_date(now) or effective < applicant.registration_date:
        raise InvalidInput("The effective date must be between registration and today.", field="effective")
    assessment = BandAssessment(applicant_id=applicant.id, band=band, effective_date=effective, points=points,
                                reason=reason, decided_by_id=actor.id, decided_at=now)
    session.add(assessment)
    previous = (applicant.band, applicant.band_date)
    applicant.band, applicant.band_date, applicant.points = band, effective, points
    if applicant.status is ApplicationStatus.PENDING:
        applicant.status = ApplicationStatus.ACTIVE
    session.add(applicant)
    audit(session, actor, Right.BAND_SET, assessment, {"band": band, "effective": effective, "reason": reason,
                                                   "previous_band": previous[0], "previous_date": previous[1]})
    issue_letter(session, applicant.id, "band_decision", "Your housing band", now, band=band,
                 label=scheme.bands.label(band), effective=effective, reasons=reason, previous=previous[0],
                 rights=review_rights(ReviewType.BAND, scheme.reviews, local_date(now)))
    return assessment


# Decisions that a household cannot be allocated housing at all. s160ZA(9) of the Housing Act 1996: the
# household is told in writing of the decision and its grounds; s166A(9)(c) gives it the right to ask for a
# review; s160ZA(11) lets it apply again if it thinks it should no longer be treated so. Each: its review type,
# the audit action the case's reviewable decisions read (cbl/services/reviewable.py), and its words.
NOT_ALLOCATABLE: dict[str, tuple[ReviewType, str, str]] = {
    # s160ZA(2), (4): persons from abroad subject to immigration control, and others prescribed.
    "not_eligible": (ReviewType.ELIGIBILITY, "application.not_eligible", "Not eligible for an allocation"),
    # s160ZA(7): not a qualifying person under the council's own criteria.
    "not_qualifying": (ReviewType.QUALIFICATION, "application.not_qualifying", "Not a qualifying person"),
}
_DECIDABLE = (ApplicationStatus.PENDING, ApplicationStatus.ACTIVE, ApplicationStatus.SUSPENDED)


def decide_not_allocatable(session: Session, actor: Actor, scheme: Scheme, applicant_id: int, decision: str,
                           grounds: str, now: datetime) -> Applicant:
    """Decide that the household is not eligible for an allocation, or not a qualifying person: the application
    is closed (a review that overturns the decision reopens it with its dates) and the household is sent the
    decision, its grounds, the right to a review with the last day to ask, and the route after the review."""
    actor.require(Right.ELIGIBILITY_DECIDE)
    if decision not in NOT_ALLOCATABLE:
        raise InvalidInput("Choose the decision: not eligible, or not a qualifying person.", field="decision")
    if not grounds.strip():
        raise InvalidInput("Give the grounds for the decision; they go in the letter.", field="grounds")
    grounds = within(grounds, 4000, "grounds", "The grounds")
    review_type, action, words = NOT_ALLOCATABLE[decision]
    applicant = locked_application(session, applicant_id)
    if applicant.status not in _DECIDABLE:
        raise Conflict(f"This application is {applicant.status.value}: only an application on the register can be "
                       "decided not eligible or not qualifying.")
    open_offer = session.exec(select(Offer.id).where(Offer.applicant_id == applicant.id, Offer.status.in_(
        [OfferStatus.MADE, OfferStatus.ACCEPTED]))).first()
    if open_offer is not None:
        raise Conflict(f"Offer {open_offer} to this household is open: withdraw it before deciding that the "
                       "household cannot be allocated housing.")
    today = local_date(now)
    applicant.closed_from, applicant.status = applicant.status, ApplicationStatus.CLOSED
    applicant.closed_on, applicant.closed_reason = today, words
    applicant.review_letter_on = applicant.review_answer_by = None
    session.add(applicant)
    audit(session, actor, action, applicant, {"reason": grounds})
    issue_letter(session, applicant.id, "eligibility_decision",
                 "Your housing application: " + ("you are not eligible for an allocation" if decision == "not_eligible"
                                                 else "you do not qualify for an allocation"), now,
                 not_eligible=decision == "not_eligible", grounds=grounds,
                 rights=review_rights(review_type, scheme.reviews, today))
    return applicant


def record_verification(session: Session, actor: Actor, applicant_id: int, documents: str, now: datetime) -> Applicant:
    """Documents seen: identity, residence, household, income. An offer needs a verified household."""
    actor.require(Right.REGISTER_WRITE)
    if not documents.strip():
        raise InvalidInput("List the documents you have seen.", field="documents")
    documents = within(documents, 2000, "documents", "The documents seen")
    applicant = locked_application(session, applicant_id)
    applicant.verified, applicant.verified_at, applicant.verified_by_id = True, now, actor.id
    session.add(applicant)
    audit(session, actor, "application.verified", applicant, {"documents": documents})
    return applicant


def suspend(session: Session, actor: Actor, scheme: Scheme, applicant_id: int, until: date | None, reason: str,
            now: datetime) -> Applicant:
    actor.require(Right.REGISTER_WRITE)
    if not reason.strip():
        raise InvalidInput("Give the reason for the suspension; it goes in the letter.", field="reason")
    reason = within(reason, 2000, "reason", "The reason")
    if until is not None and until <= local_date(now):
        raise InvalidInput("A suspension must end after today, or be left open.", field="until")
    applicant = locked_application(session, applicant_id)
    if applicant.status is not ApplicationStatus.ACTIVE:
        raise Conflict("Only an active application can be suspended.")
    applicant.status, applicant.suspended_until = ApplicationStatus.SUSPENDED, until
    session.add(applicant)
    audit(session, actor, "application.suspended", applicant, {"until": until, "reason": reason})
    issue_letter(session, applicant.id, "suspension", "Your application is suspended from bidding", now,
                 until=until, reason=reason,
                 rights=review_rights(ReviewType.SUSPENSION, scheme.reviews, local_date(now)))
    return applicant


def reinstate(session: Session, actor: Actor, applicant_id: int, reason: str, now: datetime) -> Applicant:
    """Back to bidding, with the original dates kept."""
    actor.require(Right.REGISTER_WRITE)
    if not reason.strip():
        raise InvalidInput("Give the reason for reinstating the application.", field="reason")
    reason = within(reason, 2000, "reason", "The reason")
    applicant = locked_application(session, applicant_id)
    if applicant.status is not ApplicationStatus.SUSPENDED and not applicant.suspended_until:
        raise Conflict("This application is not suspended.")
    applicant.status, applicant.suspended_until = ApplicationStatus.ACTIVE, None
    session.add(applicant)
    audit(session, actor, "application.reinstated", applicant, {"reason": reason})
    issue_letter(session, applicant.id, "suspension_ended", "You can bid for homes again", now,
                 ended_on=local_date(now), reason=reason)
    return applicant


def add_note(session: Session, actor: Actor, applicant_id: int, text: str, now: datetime) -> CaseNote:
    actor.require(Right.REGISTER_WRITE)
    if not text.strip():
        raise InvalidInput("Write the note.", field="note")
    text = within(text, 8000, "note", "The note")
    applicant = locked_application(session, applicant_id)
    note = CaseNote(applicant_id=applicant.id, text=text, written_by_id=actor.id, written_at=now)
    session.add(note)
    audit(session, actor, "note.added", note, {"text": text[:200]})
    return note


def record_assessment(session: Session, actor: Actor, applicant_id: int, kind: str, recommendation: str,
                      effect: str, now: datetime, requirements: Sequence[str] = ()) -> Assessment:
    """A medical adviser's, occupational therapist's or panel's recommendation and what it changes, with the
    access requirements it sets (which any final offer must then meet)."""
    actor.require(Right.REGISTER_WRITE)
    try:
        kind_value = AssessmentKind(kind)
    except ValueError:
        raise InvalidInput("Choose who made the assessment.", field="kind") from None
    if not recommendation.strip():
        raise InvalidInput("Write the recommendation.", field="recommendation")
    if set(requirements) - set(REQUIREMENTS):
        raise InvalidInput("Choose the access requirements from the list.", field="requirements")
    applicant = locked_application(session, applicant_id)
    assessment = Assessment(applicant_id=applicant.id, kind=kind_value,
                            recommendation=within(recommendation, 4000, "recommendation", "The recommendation"),
                            effect=within(effect, 400, "effect", "The effect"), requirements=sorted(set(requirements)),
                            recorded_by_id=actor.id, recorded_at=now)
    session.add(assessment)
    audit(session, actor, "assessment.recorded", assessment,
          {"kind": kind_value, "recommendation": recommendation.strip()[:200], "effect": effect.strip(),
           "requirements": sorted(set(requirements))})
    return assessment


def record_check(session: Session, actor: Actor, applicant_id: int, kind: str, passed: bool, note: str,
                 now: datetime) -> CaseCheck:
    """A housing-debt, affordability or fraud check and its result; a failed debt check flags the case."""
    actor.require(Right.REGISTER_WRITE)
    try:
        kind_value = CheckKind(kind)
    except ValueError:
        raise InvalidInput("Choose the kind of check.", field="kind") from None
    applicant = locked_application(session, applicant_id)
    check = CaseCheck(applicant_id=applicant.id, kind=kind_value, passed=passed,
                      note=within(note, 4000, "note", "The note"),
                      recorded_by_id=actor.id, recorded_at=now)
    session.add(check)
    if kind_value is CheckKind.HOUSING_DEBT:
        applicant.housing_debt = not passed
        session.add(applicant)
    audit(session, actor, "check.recorded", check, {"kind": kind_value, "passed": passed, "note": note.strip()[:200]})
    return check
