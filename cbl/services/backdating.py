"""Back-dated registrations: a registration date earlier than the day the application was received puts the
household ahead of others who waited longer, so it is a decision, not a detail. An officer asks for it with
the reason when taking the application in (cbl/services/applications.py); a manager, not the one who asked,
approves it (the registration date changes) or turns it down with a reason. Both are in the audit trail."""

from datetime import datetime

from sqlmodel import Session, select

from cbl.models import RegistrationBackdating
from cbl.models.states import ApplicationStatus
from cbl.services.rights import Right

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotAllowed, NotFound, within
from .register import locked_application

def decide_backdating(session: Session, actor: Actor, request_id: int, approve: bool, note: str,
                      now: datetime) -> RegistrationBackdating:
    """A manager approves the earlier registration date (the application takes it) or turns it down."""
    actor.require(Right.REGISTRATION_BACKDATE)
    request = session.exec(select(RegistrationBackdating).where(RegistrationBackdating.id == request_id)
                           .with_for_update()).first()
    if request is None:
        raise NotFound("No such request to back-date a registration.")
    if request.decided_at is not None:
        raise Conflict("This request has already been decided.")
    if request.requested_by_id == actor.id:
        raise NotAllowed("You asked for this back-dating; another manager must decide it.")
    note = within(note, 2000, "note", "The note")
    if not approve and not note:
        raise InvalidInput("Give the reason for turning the back-dating down; the officer reads it.", field="note")
    applicant = locked_application(session, request.applicant_id)
    if approve and applicant.status in (ApplicationStatus.HOUSED, ApplicationStatus.CLOSED):
        raise Conflict(f"Application {applicant.reference} is {applicant.status.value}; its registration date "
                       "can no longer be changed. Turn the request down instead.")
    request.approved, request.decided_by_id, request.decided_at = approve, actor.id, now
    request.decision_note = note or None
    session.add(request)
    was = applicant.registration_date
    if approve:
        applicant.registration_date = request.registered_on
        session.add(applicant)
    audit(session, actor, "registration.backdated" if approve else "registration.backdating_turned_down", applicant,
          {"request_id": request.id, "registered_on": request.registered_on, "was": was,
           "reason": request.reason, "asked_by_id": request.requested_by_id, "note": note})
    return request
