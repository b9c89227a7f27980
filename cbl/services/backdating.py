"""Back-dated registrations: a registration date earlier than the day the application was received puts the
household ahead of others who waited longer, so it is a decision, not a detail. An officer asks for it with
the reason when taking the application in (cbl/services/applications.py); a manager, not the one who asked,
approves it (the registration date changes) or turns it down with a reason. Both are in the audit trail."""

from datetime import datetime

from sqlmodel import Session

from cbl.models import RegistrationBackdating
from cbl.models.states import ApplicationStatus
from cbl.services.rights import Right

from .actors import Actor
from .audit import audit
from .approvals import decision_note, open_request
from .errors import Conflict
from .register import locked_application

def decide_backdating(session: Session, actor: Actor, request_id: int, approve: bool, note: str,
                      now: datetime) -> RegistrationBackdating:
    """A manager approves the earlier registration date (the application takes it) or turns it down."""
    actor.require(Right.REGISTRATION_BACKDATE)
    request = open_request(session, actor, RegistrationBackdating, request_id, "back-dating")
    note = decision_note(note, approve, "back-dating")
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
