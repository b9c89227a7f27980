"""Final offers to households owed the main homelessness duty: the officer's suitability assessment that
must come first (Housing Act 1996 s193(7F)), and the check made when the offer is made."""

from datetime import datetime

from sqlmodel import Session, func, select

from cbl.models import Applicant, Assessment, PanelDecision, Property, SuitabilityAssessment, Void
from cbl.models.states import VoidStatus
from cbl.rules.final_offers import (
    LABELS, REQUIREMENTS, Factor, Finding, Home, Requirement, failed_needs, finding_problems,
)
from cbl.rules.panels import offer_requirements
from cbl.rules.working_days import local_date

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound
from cbl.services.rights import Right

FINDING_MAX = 2000
REASONS_MAX = 4000


def home_facts(home: Property) -> Home:
    return Home(home.bedrooms, home.floor, home.lift, home.step_free, home.wheelchair_adapted,
                home.weekly_rent_pence, home.weekly_charges_pence)


def requirements(session: Session, applicant: Applicant) -> list[Requirement]:
    """The access requirements recorded on the case: the application's needs and every recommendation."""
    found = [Requirement(code, "recorded on the application") for code in applicant.needs if code in REQUIREMENTS]
    for assessment in session.exec(select(Assessment).where(Assessment.applicant_id == applicant.id)
                                   .order_by(Assessment.recorded_at)):
        found += [Requirement(code, f"{assessment.kind.value.replace('_', ' ')} recommendation of "
                                    f"{local_date(assessment.recorded_at):%-d %B %Y}")
                  for code in assessment.requirements]
    panel = session.exec(select(PanelDecision).where(PanelDecision.applicant_id == applicant.id)
                         .order_by(PanelDecision.decided_at.desc(), PanelDecision.id.desc())).first()
    if panel is not None:  # the panel's decision in force (cbl/services/panels.py), not every one there has been
        found += [Requirement(code, f"panel decision of {panel.met_on:%-d %B %Y}")
                  for code in sorted(offer_requirements(panel.access))]
    return found


def _failures(session: Session, applicant: Applicant, home: Property, income: int | None) -> list[str]:
    failures = failed_needs(applicant.bedroom_need, requirements(session, applicant), home_facts(home), income)
    if home.area in applicant.area_restrictions:  # a panel's decision (cbl/services/panels.py)
        failures.append(f"A panel decided that the household should not be housed in {home.area}, where the home "
                        "is.")
    return failures


def _home_of_void(session: Session, void_id: int) -> tuple[Void, Property]:
    row = session.exec(select(Void, Property).join(Property, Property.id == Void.property_id)
                       .where(Void.id == void_id)).first()
    if row is None:
        raise NotFound("No such home.")
    return row


def assess_suitability(session: Session, actor: Actor, applicant_id: int, void_id: int,
                       findings: dict[str, tuple[bool, str]], reasonable_to_accept: bool, reasons: str,
                       now: datetime, *, weekly_income_pence: int | None = None) -> SuitabilityAssessment:
    """Record the officer's finding, with reasons, on each factor, and that accepting is reasonable.

    Refused, naming the need, where the home fails a need recorded on the case; refused where a factor is
    not addressed, is found unsuitable, or acceptance is not found reasonable."""
    actor.require(Right.OFFER_FINAL_ASSESS)
    applicant = session.get(Applicant, applicant_id)
    if applicant is None:
        raise NotFound("No such application.")
    if not applicant.homeless_duty:
        raise Conflict("Only a household owed the main homelessness duty can be made a final offer.")
    void, home = _home_of_void(session, void_id)
    failures = _failures(session, applicant, home, weekly_income_pence)
    if failures:
        raise Conflict("This home cannot be a final offer to this household. " + " ".join(failures))
    # Declared limits, refused rather than cut: a finding's reasons and the overall reasons are evidence.
    if any(len(text.strip()) > FINDING_MAX for _, text in findings.values()):
        raise InvalidInput(f"Each finding's reasons must be {FINDING_MAX:,} characters or fewer.", field="findings")
    if len(reasons.strip()) > REASONS_MAX:
        raise InvalidInput(f"The reasons must be {REASONS_MAX:,} characters or fewer.", field="reasons")
    try:
        parsed = [Finding(Factor(name), suitable, text.strip()) for name, (suitable, text) in findings.items()]
    except ValueError:
        raise InvalidInput("Record findings only on the factors listed.", field="findings") from None
    problems = finding_problems(parsed, reasonable_to_accept, reasons)
    if problems:
        raise InvalidInput(" ".join(problems), field="findings")
    assessment = SuitabilityAssessment(
        applicant_id=applicant.id, void_id=void.id, weekly_income_pence=weekly_income_pence,
        findings=[{"factor": f.factor.value, "label": LABELS[f.factor], "suitable": f.suitable, "reasons": f.reasons}
                  for f in parsed],
        reasonable_to_accept=True, reasons=reasons.strip(), assessed_by_id=actor.id, assessed_at=now)
    session.add(assessment)
    audit(session, actor, "suitability.assessed", assessment, {"void_id": void.id, "home": home.reference,
                                                               "findings": assessment.findings})
    return assessment


def assess_home(session: Session, actor: Actor, applicant_id: int, home_reference: str,
                findings: dict[str, tuple[bool, str]], reasonable_to_accept: bool, reasons: str, now: datetime, *,
                weekly_income_pence: int | None = None) -> SuitabilityAssessment:
    """`assess_suitability` of the home with this reference, as it stands empty now (its open void)."""
    void_id = session.exec(select(Void.id).join(Property, Property.id == Void.property_id).where(
        func.upper(Property.reference) == home_reference.strip().upper(), Void.status == VoidStatus.OPEN)).first()
    if void_id is None:
        raise InvalidInput("There is no empty home with that reference to assess.", field="home")
    return assess_suitability(session, actor, applicant_id, void_id, findings, reasonable_to_accept, reasons, now,
                              weekly_income_pence=weekly_income_pence)


def assessment_for_offer(session: Session, applicant: Applicant, void: Void, home: Property) -> SuitabilityAssessment:
    """The assessment a final offer of this home to this household rests on, checked again against the case
    as it is now (a need recorded since the assessment still refuses the offer)."""
    assessment = session.exec(select(SuitabilityAssessment).where(
        SuitabilityAssessment.applicant_id == applicant.id, SuitabilityAssessment.void_id == void.id,
        SuitabilityAssessment.offer_id.is_(None)).order_by(SuitabilityAssessment.id.desc())).first()
    if assessment is None:
        raise Conflict("A final offer needs an officer's suitability assessment of this home for this household "
                       "first (s193(7F)).")
    failures = _failures(session, applicant, home, assessment.weekly_income_pence)
    if failures:
        raise Conflict("This home cannot be a final offer to this household. " + " ".join(failures))
    return assessment
