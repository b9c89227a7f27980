"""The annual review of the register: households due are written to, those who answer stay on with
their dates, and those who do not are closed with notice, and may be reinstated within the scheme's
period with their original dates."""

from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from cbl.rules.working_days import add_months, local_date, on_or_after_working_day
from cbl.messages.letters import issue_letter
from cbl.models import Applicant
from cbl.models.states import ApplicationStatus, ReviewType
from cbl.rules.decision_types import review_rights
from cbl.rules.scheme import Scheme

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, within
from .register import NOT_ALLOCATABLE, locked_application
from cbl.services.rights import Right

ON_REGISTER = (ApplicationStatus.PENDING, ApplicationStatus.ACTIVE, ApplicationStatus.SUSPENDED)
NO_ANSWER = "You did not answer the annual review of the housing register."
LEFT = "You told us you no longer want to be on the housing register."
REVIEW_EVERY_MONTHS = 12


def due_for_review(session: Session, on: date, limit: int = 500) -> list[Applicant]:
    """Applications on the register whose review date has come and that have not yet been written to."""
    return list(session.exec(
        select(Applicant).where(Applicant.status.in_(ON_REGISTER), Applicant.review_due <= on,
                                Applicant.review_letter_on.is_(None))
        .order_by(Applicant.review_due, Applicant.reference).limit(limit)))


def awaiting_answer(session: Session, limit: int = 500) -> list[Applicant]:
    return list(session.exec(
        select(Applicant).where(Applicant.status.in_(ON_REGISTER), Applicant.review_answer_by.is_not(None))
        .order_by(Applicant.review_answer_by, Applicant.reference).limit(limit)))


def send_review_letters(session: Session, actor: Actor, scheme: Scheme, applicant_ids: list[int],
                        now: datetime) -> int:
    """Write to each household chosen that is due; returns how many letters were issued."""
    actor.require(Right.REGISTER_WRITE)
    if not scheme.housing_register.annual_review:
        raise Conflict("The allocation scheme has no annual review of the register.")
    today = local_date(now)
    answer_by = on_or_after_working_day(today + timedelta(days=scheme.housing_register.review_response_days))
    chosen = session.exec(select(Applicant).where(Applicant.id.in_(applicant_ids)).with_for_update()).all()
    sent = 0
    for applicant in chosen:
        # Checked again under the lock: a second officer's click, or a case closed since, sends nothing.
        if applicant.status not in ON_REGISTER or applicant.review_letter_on is not None \
                or applicant.review_due is None or applicant.review_due > today:
            continue
        applicant.review_letter_on, applicant.review_answer_by = today, answer_by
        session.add(applicant)
        issue_letter(session, applicant.id, "register_review", "The annual review of your housing application",
                     now, answer_by=answer_by, reinstate_days=scheme.housing_register.reinstate_within_days)
        audit(session, actor, "register_review.sent", applicant, {"answer_by": answer_by})
        sent += 1
    return sent


def record_review_answer(session: Session, actor: Actor, scheme: Scheme, applicant_id: int, stays: bool,
                         note: str, now: datetime) -> Applicant:
    """The household answered: it stays on with its dates until next year's review, or it leaves."""
    actor.require(Right.REGISTER_WRITE)
    note = within(note, 500, "note", "The note")  # kept only in the audit event: refused over its limit, not cut
    applicant = locked_application(session, applicant_id)
    if applicant.review_letter_on is None:
        raise Conflict("This household has not been sent a review letter.")
    if applicant.status not in ON_REGISTER:
        raise Conflict(f"This application is {applicant.status.value}.")
    today = local_date(now)
    applicant.review_letter_on = applicant.review_answer_by = None
    if not stays:
        _close(session, actor, scheme, applicant, LEFT, now)
        return applicant
    applicant.review_due = add_months(today, REVIEW_EVERY_MONTHS)
    session.add(applicant)
    audit(session, actor, "register_review.answered", applicant,
          {"stays": True, "next_review": applicant.review_due, "note": note})
    return applicant


def _close(session: Session, actor: Actor, scheme: Scheme, applicant: Applicant, reason: str, now: datetime) -> None:
    today = local_date(now)
    applicant.closed_from, applicant.status = applicant.status, ApplicationStatus.CLOSED
    applicant.closed_on, applicant.closed_reason = today, reason
    applicant.review_letter_on = applicant.review_answer_by = None
    session.add(applicant)
    reinstate_by = today + timedelta(days=scheme.housing_register.reinstate_within_days)
    audit(session, actor, "application.closed", applicant, {"reason": reason, "reinstate_by": reinstate_by})
    issue_letter(session, applicant.id, "application_closed", "We have closed your housing application", now,
                 reason=reason, reinstate_by=reinstate_by if scheme.housing_register.reinstate_within_days else None,
                 rights=review_rights(ReviewType.CLOSURE, scheme.reviews, today))


def close_unanswered(session: Session, actor: Actor, scheme: Scheme, now: datetime) -> int:
    """Close, with a letter, every application whose review answer is overdue. Run daily by the scheduler;
    running it twice closes nothing twice."""
    actor.require(Right.REGISTER_WRITE)
    today = local_date(now)
    overdue = session.exec(select(Applicant).where(Applicant.status.in_(ON_REGISTER),
                                                   Applicant.review_answer_by < today).with_for_update()).all()
    for applicant in overdue:
        _close(session, actor, scheme, applicant, NO_ANSWER, now)
    return len(overdue)


def reinstate_closed(session: Session, actor: Actor, scheme: Scheme, applicant_id: int, reason: str,
                     now: datetime) -> Applicant:
    """Reopen a closed application within the scheme's period, keeping its registration and band dates."""
    actor.require(Right.REGISTER_WRITE)
    if not reason.strip():
        raise InvalidInput("Say why the application is being reinstated.", field="reason")
    reason = within(reason, 2000, "reason", "The reason")
    applicant = locked_application(session, applicant_id)
    if applicant.status is not ApplicationStatus.CLOSED or applicant.closed_on is None:
        raise Conflict("This application is not closed.")
    if applicant.closed_reason in {words for _, _, words in NOT_ALLOCATABLE.values()}:
        # A decision under s160ZA(9) is undone by a review that overturns it, or by a fresh application
        # (s160ZA(11)); not by putting the application back.
        raise Conflict(f"This application was closed by a decision: {applicant.closed_reason}. Only a review of that "
                       "decision, or a new application, can put the household back on the register.")
    today = local_date(now)
    last_day = applicant.closed_on + timedelta(days=scheme.housing_register.reinstate_within_days)
    if today > last_day:
        raise Conflict(f"The application closed on {applicant.closed_on:%-d %B %Y}; it could be reinstated until "
                       f"{last_day:%-d %B %Y}. The household must apply again.")
    applicant.status = applicant.closed_from or ApplicationStatus.PENDING
    applicant.closed_on = applicant.closed_reason = applicant.closed_from = None
    applicant.review_due = add_months(today, REVIEW_EVERY_MONTHS)
    session.add(applicant)
    audit(session, actor, "application.reinstated", applicant,
          {"reason": reason, "registration_date": applicant.registration_date, "band_date": applicant.band_date})
    return applicant
