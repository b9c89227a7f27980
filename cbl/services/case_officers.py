"""Who holds each case: an officer takes a case no one holds; a manager gives cases to an officer, moves them to
another or takes them off everyone. Each change is audited on the case's timeline, from whom to whom."""

from datetime import datetime

from sqlmodel import Session, select

from cbl.models import Applicant, StaffUser
from cbl.models.states import StaffRole

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound
from .rights import Right

# The most cases moved at once: a page of the team's list is 25; a manager ticks some of one page at a time.
MOST_AT_ONCE = 100
# Who may hold a case: the role that works cases (its right to take one is the mark of it).
HOLDERS = (StaffRole.OFFICER,)


def holders(session: Session) -> list[StaffUser]:
    """The officers a case may be given to: active, by name."""
    return list(session.exec(select(StaffUser).where(StaffUser.role.in_(HOLDERS), StaffUser.active)
                             .order_by(StaffUser.name, StaffUser.id)).all())


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    return dict(session.exec(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(ids))).all()) if ids else {}


def _move(session: Session, actor: Actor, applicant: Applicant, officer_id: int | None, names: dict[int, str],
          action: str) -> bool:
    """Give the case to `officer_id` (None: to no one); False when it already is."""
    before = applicant.case_officer_id
    if before == officer_id:
        return False
    applicant.case_officer_id = officer_id
    session.add(applicant)
    audit(session, actor, action, applicant, {
        "from": names.get(before, "no one") if before is not None else "no one", "from_id": before,
        "to": names.get(officer_id, "no one") if officer_id is not None else "no one", "to_id": officer_id})
    return True


def take_case(session: Session, actor: Actor, applicant_id: int, now: datetime) -> Applicant:
    """The acting officer takes a case that no officer holds; taking one's own case again changes nothing."""
    actor.require(Right.CASE_TAKE)
    applicant = session.exec(select(Applicant).where(Applicant.id == applicant_id).with_for_update()).first()
    if applicant is None:
        raise NotFound("No such application.")
    if applicant.case_officer_id not in (None, actor.id):
        holder = _names(session, {applicant.case_officer_id}).get(applicant.case_officer_id, "another officer")
        raise Conflict(f"{holder} holds this case: a manager can move it to you.")
    if actor.id is not None:
        _move(session, actor, applicant, actor.id, {actor.id: actor.name}, "case.taken")
    return applicant


def allocate_cases(session: Session, actor: Actor, applicant_ids: list[int], officer_id: int | None,
                   now: datetime) -> int:
    """Give the cases to an active officer (None: take them off whoever holds them); how many changed hands.
    Cases already with that officer are left as they are."""
    actor.require(Right.CASE_ALLOCATE)
    wanted = sorted(set(applicant_ids))
    if not wanted:
        raise InvalidInput("Choose at least one case to move.", field="cases")
    if len(wanted) > MOST_AT_ONCE:
        raise InvalidInput(f"Move up to {MOST_AT_ONCE} cases at a time.", field="cases")
    if officer_id is not None:
        officer = session.get(StaffUser, officer_id)
        if officer is None or officer.role not in HOLDERS or not officer.active:
            raise InvalidInput("Choose an officer whose account is active.", field="officer")
    # Locked in id order, so two managers moving overlapping cases queue rather than deadlock; each event
    # records who held the case at that moment.
    cases = session.exec(select(Applicant).where(Applicant.id.in_(wanted)).order_by(Applicant.id)
                         .with_for_update().execution_options(populate_existing=True)).all()
    if len(cases) != len(wanted):
        raise NotFound("Some of the cases chosen are not on the register.")
    names = _names(session, {c.case_officer_id for c in cases if c.case_officer_id} | {officer_id or 0})
    return sum(_move(session, actor, applicant, officer_id, names, "case.allocated") for applicant in cases)
