"""Fixed-term suspensions from bidding end by themselves on their end date, with a letter.

A suspension "until" a date ends on that date: from then the household may bid again (as
cbl/services/bidding.py reads `suspended_until`). Run by the scheduler; safe to run again, since an
ended suspension no longer has an end date to find.
"""

from datetime import datetime

from sqlmodel import Session, select

from cbl.messages.letters import issue_letter
from cbl.models import Applicant
from cbl.models.states import ApplicationStatus
from cbl.rules.working_days import local_date

from .actors import Actor
from .audit import audit
from cbl.services.rights import Right


def end_due_suspensions(session: Session, actor: Actor, now: datetime) -> int:
    """End every fixed-term suspension whose end date has come; returns how many ended."""
    actor.require(Right.REGISTER_WRITE)
    today = local_date(now)
    due = session.exec(select(Applicant).where(Applicant.suspended_until.is_not(None),
                                               Applicant.suspended_until <= today).with_for_update()).all()
    for applicant in due:
        ended_on = applicant.suspended_until
        applicant.suspended_until = None
        if applicant.status is ApplicationStatus.SUSPENDED:
            applicant.status = ApplicationStatus.ACTIVE
        session.add(applicant)
        audit(session, actor, "application.suspension_ended", applicant, {"ended_on": ended_on})
        issue_letter(session, applicant.id, "suspension_ended", "You can bid for homes again", now,
                     ended_on=ended_on, reason=None)
    return len(due)
