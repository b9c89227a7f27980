"""Medical, welfare and occupational therapy panels: a case referred with its evidence, the panel arranged (its date
and members), and its decision applied to the case in one transaction: the band awarded from its date, the access
needs found (and so the adverts the engine finds the household eligible for), a bedroom for a carer (and so the
bedroom need), and the areas it may not be housed in (its bids there withdrawn, new ones refused). The household
is sent the decision, the reasons and its right to a review (s166A(9)). Who may sit: cbl/rules/panels.py."""

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from cbl.database import HOUSEHOLD_BIDS_LOCK_SPACE, guard_cycle
from cbl.messages.letters import issue_letter
from cbl.models import (
    Advert, Applicant, BandAssessment, Bid, Cycle, PanelDecision, PanelEvidence, PanelMember, PanelReferral, Property,
    StaffUser,
)
from cbl.models.states import (
    ApplicationStatus, BidStatus, CycleStatus, PanelKind, PanelStatus, ReviewType, StaffRole,
)
from cbl.rules import panels as rules
from cbl.rules.decision_types import review_rights
from cbl.rules.scheme import Scheme
from cbl.rules.working_days import add_working_days, local_date

from . import evidence, stored_files
from .actors import Actor
from .applications import known_areas
from .audit import Subject, audit
from .errors import Conflict, InvalidInput, NotAllowed, NotFound, within
from .register import locked_application, refresh_household
from .rights import Right

KIND_WORDS = {PanelKind.MEDICAL: "medical", PanelKind.WELFARE: "welfare",
              PanelKind.OCCUPATIONAL_THERAPY: "occupational therapy"}
# Staff who work cases sit on panels: not providers' staff, nor the system administrator, who opens no case.
SITTING_ROLES = (StaffRole.OFFICER, StaffRole.REVIEW_OFFICER, StaffRole.MANAGER)
MOST_FILES = 20  # before one panel
_OPEN_APPLICATION = (ApplicationStatus.PENDING, ApplicationStatus.ACTIVE, ApplicationStatus.SUSPENDED)


@dataclass(frozen=True)
class Recommendation:
    """What the panel decided, as the form gives it: each part optional but the reasons."""

    band: str | None = None
    band_effective: date | None = None
    points: int | None = None
    access: frozenset[str] = frozenset()
    carer_bedroom: bool = False
    area_restrictions: frozenset[str] = frozenset()


def may_sit(session: Session) -> list[StaffUser]:
    """The staff who may sit on a panel, by name."""
    return list(session.exec(select(StaffUser).where(StaffUser.active, StaffUser.role.in_(SITTING_ROLES))
                             .order_by(StaffUser.name, StaffUser.id)))


def _referral(session: Session, referral_id: int, *, open_only: bool = True) -> PanelReferral:
    found = session.exec(select(PanelReferral).where(PanelReferral.id == referral_id).with_for_update()).first()
    if found is None:
        raise NotFound("There is no such panel referral.")
    if open_only and found.status is not PanelStatus.REFERRED:
        raise Conflict("The panel has decided this referral already: refer the case again for another decision.")
    return found


def refer(session: Session, actor: Actor, scheme: Scheme, applicant_id: int, kind: str, reason: str,
          now: datetime) -> PanelReferral:
    """Refer the case to a medical, welfare or OT panel, which should decide within the scheme's working days."""
    actor.require(Right.PANEL_REFER)
    try:
        kind_value = PanelKind(kind)
    except ValueError:
        raise InvalidInput("Choose the panel to refer the case to.", field="kind") from None
    if not reason.strip():
        raise InvalidInput("Say why the case needs the panel and what it should decide.", field="reason")
    reason = within(reason, 2000, "reason", "The reason")
    applicant = locked_application(session, applicant_id)  # referrals of one household, one at a time
    if applicant.status not in _OPEN_APPLICATION:
        raise Conflict(f"This application is {applicant.status.value}: only an application on the register can be "
                       "referred to a panel.")
    waiting = session.exec(select(PanelReferral.id).where(PanelReferral.applicant_id == applicant.id,
                                                          PanelReferral.kind == kind_value,
                                                          PanelReferral.status == PanelStatus.REFERRED)).first()
    if waiting is not None:
        words = KIND_WORDS[kind_value]
        raise Conflict(f"This case is waiting for {'an' if words[0] in 'aeiou' else 'a'} {words} panel already "
                       f"(referral {waiting}): "
                       "add the evidence to that referral.", field="kind")
    today = local_date(now)
    referral = PanelReferral(applicant_id=applicant.id, kind=kind_value, reason=reason, referred_by_id=actor.id,
                             referred_at=now,
                             due_by=add_working_days(today, scheme.panels.decide_within_working_days))
    session.add(referral)
    audit(session, actor, "panel.referred", referral, {"kind": kind_value, "reason": reason[:200],
                                                      "due_by": referral.due_by})
    return referral


def add_evidence(session: Session, actor: Actor, uploads: Path, referral_id: int, name: str, content: bytes,
                 shows: str, now: datetime) -> PanelEvidence:
    """Put a file before the panel: checked and kept as households' evidence is (cbl/services/evidence.py)."""
    actor.require(Right.PANEL_REFER)
    kind = evidence.checked(content, shows)
    original = evidence.shown_name(name)
    referral = _referral(session, referral_id)
    count = session.exec(select(sa.func.count()).select_from(PanelEvidence)
                         .where(PanelEvidence.referral_id == referral.id)).one()
    if count >= MOST_FILES:
        raise Conflict(f"A panel can have up to {MOST_FILES} files before it.", field=evidence.FIELD)
    stored = secrets.token_hex(16)
    stored_files.write(session, uploads, stored, content)
    kept = PanelEvidence(referral_id=referral.id, stored_name=stored, original_name=original, content_type=kind,
                         size=len(content), shows=shows, uploaded_by_id=actor.id, uploaded_at=now)
    session.add(kept)
    audit(session, actor, "panel.evidence_added", kept,
          {"referral_id": referral.id, "shows": shows, "type": evidence.TYPES[kind], "size": len(content)},
          applicant_id=referral.applicant_id)
    return kept


def evidence_file(session: Session, actor: Actor, referral_id: int, file_id: int) -> PanelEvidence:
    actor.require(Right.REGISTER_READ)
    found = session.get(PanelEvidence, file_id)
    if found is None or found.referral_id != referral_id:
        raise NotFound("There is no such file.")
    return found


def arrange(session: Session, actor: Actor, referral_id: int, meets_on: date, members: Collection[int],
            now: datetime) -> PanelReferral:
    """The panel that hears the referral: the day it meets and its members (at least two members of staff, not
    the referring officer). Arranged again freely until it decides."""
    actor.require(Right.PANEL_REFER)
    referral = _referral(session, referral_id)
    if meets_on < local_date(referral.referred_at):
        raise InvalidInput("The panel cannot meet before the case was referred to it.", field="meets_on")
    sitting = {user.id: user.name for user in may_sit(session)}
    if problem := rules.membership_problem(members, referral.referred_by_id, set(sitting)):
        raise InvalidInput(problem + ".", field="members")
    session.execute(sa.delete(PanelMember).where(PanelMember.referral_id == referral.id))
    session.add_all([PanelMember(referral_id=referral.id, staff_user_id=member) for member in sorted(set(members))])
    referral.meets_on, referral.arranged_by_id, referral.arranged_at = meets_on, actor.id, now
    session.add(referral)
    audit(session, actor, "panel.arranged", referral,
          {"meets_on": meets_on, "members": [sitting[member] for member in sorted(set(members))]})
    return referral


def members_of(session: Session, referral_id: int) -> list[StaffUser]:
    return list(session.exec(select(StaffUser).join(PanelMember, PanelMember.staff_user_id == StaffUser.id)
                             .where(PanelMember.referral_id == referral_id).order_by(StaffUser.name)))


def decision_in_force(session: Session, applicant_id: int) -> PanelDecision | None:
    """The household's latest panel decision: its access findings are the ones a new decision replaces."""
    return session.exec(select(PanelDecision).where(PanelDecision.applicant_id == applicant_id)
                        .order_by(PanelDecision.decided_at.desc(), PanelDecision.id.desc())).first()


def _checked(session: Session, scheme: Scheme, applicant: Applicant, found: Recommendation, reasons: str,
             today: date) -> str:
    """The reasons, trimmed; refused, naming the field, where the recommendation cannot be applied."""
    problems = []
    if found.band is not None:
        if found.band not in scheme.bands.order:
            problems.append(InvalidInput(f"Band must be one of {', '.join(scheme.bands.order)}.", field="band"))
        if found.band_effective is None:
            problems.append(InvalidInput("Give the date the band takes effect from.", field="band_effective"))
        elif not applicant.registration_date <= found.band_effective <= today:
            problems.append(InvalidInput("The band's date must be between registration and today.",
                                         field="band_effective"))
        if scheme.bands.uses_points and found.points is None:
            problems.append(InvalidInput("This scheme ranks by points: give the points.", field="points"))
    if set(found.access) - set(rules.ACCESS):
        problems.append(InvalidInput("Choose the access needs from the list.", field="access"))
    if set(found.area_restrictions) - known_areas(session):
        problems.append(InvalidInput("Choose the areas from the list of the council's areas.",
                                     field="area_restrictions"))
    if not reasons.strip():
        problems.append(InvalidInput("Give the panel's reasons; they go in the decision letter.", field="reasons"))
    if problems:
        raise problems[0]
    return within(reasons, 4000, "reasons", "The reasons")


def _guard_bids(session: Session, applicant_id: int) -> list[int]:
    """Hold the open cycles and the household's bids, as placing a bid does and in its order (cycle, household), so
    that no bid is placed in an area while the decision restricting it is made; the open cycles."""
    cycles = [cycle for cycle in session.exec(select(Cycle.id).where(Cycle.status == CycleStatus.OPEN)
                                              .order_by(Cycle.id)) if cycle is not None]
    for cycle_id in cycles:
        guard_cycle(session, cycle_id)
    if session.get_bind().dialect.name == "postgresql":  # SQLite: the write transaction holds the database
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(HOUSEHOLD_BIDS_LOCK_SPACE, applicant_id)))
    return cycles


def _withdraw_bids_in(session: Session, actor: Actor, applicant_id: int, areas: Collection[str], cycles: list[int],
                      now: datetime) -> list[str]:
    """Withdraw the household's live bids for homes in the areas it may not be housed in; their adverts."""
    if not areas or not cycles:
        return []
    rows = session.exec(select(Bid.id, Advert.reference).join(Advert, Advert.id == Bid.advert_id)
                        .join(Property, Property.id == Advert.property_id)
                        .where(Bid.applicant_id == applicant_id, Bid.status == BidStatus.ACTIVE,
                               Bid.cycle_id.in_(cycles), Property.area.in_(sorted(areas)))
                        .order_by(Advert.reference)).all()
    if rows:
        session.execute(sa.update(Bid).where(Bid.id.in_([bid for bid, _ in rows]))
                        .values(status=BidStatus.WITHDRAWN, withdrawn_at=now))
    for bid, advert in rows:
        audit(session, actor, "bid.withdrawn", Subject("bid", bid, applicant_id),
              {"advert": advert, "reason": "The home is in an area a panel decided the household may not be housed in"})
    return [advert for _, advert in rows]


def decide(session: Session, actor: Actor, scheme: Scheme, referral_id: int, found: Recommendation, reasons: str,
           now: datetime) -> PanelDecision:
    """Record the panel's decision and apply it to the case: the band from its date, the access needs, a bedroom
    for a carer and the bedroom need, the areas it may not be housed in; the household gets the letter."""
    actor.require(Right.PANEL_DECIDE)
    today = local_date(now)
    referral = _referral(session, referral_id)
    if referral.meets_on is None:
        raise Conflict("Arrange the panel first: the day it meets and its members.")
    if referral.meets_on > today:
        raise Conflict(f"The panel meets on {referral.meets_on:%-d %B %Y}: record its decision once it has met.")
    members = members_of(session, referral.id)
    if actor.id not in {member.id for member in members}:
        raise NotAllowed("Only a member of the panel can record its decision.")
    cycles = _guard_bids(session, referral.applicant_id)
    applicant = locked_application(session, referral.applicant_id)
    if applicant.status not in _OPEN_APPLICATION:
        raise Conflict(f"This application is {applicant.status.value}: a panel's decision is applied only to an "
                       "application on the register.")
    reasons = _checked(session, scheme, applicant, found, reasons, today)
    earlier = decision_in_force(session, applicant.id)
    before = {"band": applicant.band, "band_date": applicant.band_date, "needs": list(applicant.needs),
              "bedroom_need": applicant.bedroom_need, "carer_bedroom": applicant.carer_bedroom,
              "area_restrictions": list(applicant.area_restrictions)}
    decision = PanelDecision(referral_id=referral.id, applicant_id=applicant.id, met_on=referral.meets_on,
                             access=sorted(found.access), carer_bedroom=found.carer_bedroom,
                             area_restrictions=sorted(found.area_restrictions), reasons=reasons,
                             decided_by_id=actor.id, decided_at=now)
    panel = f"{KIND_WORDS[referral.kind]} panel"
    if found.band is not None and found.band_effective is not None:
        band = BandAssessment(applicant_id=applicant.id, band=found.band, effective_date=found.band_effective,
                              points=found.points, reason=f"Awarded by the {panel} of {referral.meets_on:%-d %B %Y}",
                              decided_by_id=actor.id, decided_at=now)
        session.add(band)
        # Recorded as every band decision is, so that a review that overturns it restores the band before.
        audit(session, actor, Right.BAND_SET, band, {"band": found.band, "effective": found.band_effective,
                                                     "reason": band.reason, "previous_band": applicant.band,
                                                     "previous_date": applicant.band_date})
        decision.band, decision.band_effective, decision.points = found.band, found.band_effective, found.points
        decision.band_assessment_id = band.id
        applicant.band, applicant.band_date, applicant.points = found.band, found.band_effective, found.points
        if applicant.status is ApplicationStatus.PENDING:
            applicant.status = ApplicationStatus.ACTIVE
    applicant.needs = rules.needs_after(applicant.needs, earlier.access if earlier else (), found.access)
    applicant.carer_bedroom = found.carer_bedroom
    applicant.area_restrictions = sorted(found.area_restrictions)
    session.flush()
    refresh_household(session, applicant, scheme, today)  # the bedroom need, with a carer's room or without
    withdrawn = _withdraw_bids_in(session, actor, applicant.id, found.area_restrictions, cycles, now)
    referral.status = PanelStatus.DECIDED
    session.add_all([decision, referral, applicant])
    after = {"band": applicant.band, "band_date": applicant.band_date, "needs": list(applicant.needs),
             "bedroom_need": applicant.bedroom_need, "carer_bedroom": applicant.carer_bedroom,
             "area_restrictions": list(applicant.area_restrictions)}
    audit(session, actor, "panel.decided", decision, {
        "referral_id": referral.id, "kind": referral.kind, "met_on": referral.meets_on,
        "members": [member.name for member in members], "access": decision.access, "reason": reasons[:200],
        "before": before, "after": after, "bids_withdrawn": withdrawn})
    issue_letter(session, applicant.id, "panel_decision", f"The {panel}'s decision on your application", now,
                 panel=panel, met_on=referral.meets_on, members=len(members), reasons=reasons,
                 band=decision.band, band_label=scheme.bands.label(decision.band) if decision.band else "",
                 band_effective=decision.band_effective, previous_band=before["band"], current_band=applicant.band,
                 access=[rules.ACCESS[code] for code in decision.access],
                 carer_bedroom=decision.carer_bedroom, bedroom_need=applicant.bedroom_need,
                 previous_bedroom_need=before["bedroom_need"], areas=decision.area_restrictions, withdrawn=withdrawn,
                 rights=review_rights(ReviewType.PANEL, scheme.reviews, today))
    return decision
