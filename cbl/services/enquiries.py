"""Elected members' enquiries and complaints about allocations: logged, acknowledged and answered within
the scheme's UK working days."""

from datetime import date, datetime

from sqlmodel import Session, select

from cbl.rules.working_days import add_working_days, local_date
from cbl.models import Applicant, Enquiry
from cbl.models.states import EnquiryKind
from cbl.rules.scheme import Scheme

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound, within
from cbl.services.rights import Right


def log_enquiry(session: Session, actor: Actor, scheme: Scheme, kind: str, raised_by: str, summary: str,
                received_on: date, applicant_reference: str, now: datetime) -> Enquiry:
    actor.require(Right.REVIEW_LOG)
    try:
        kind_value = EnquiryKind(kind)
    except ValueError:
        raise InvalidInput("Choose whether this is a member's enquiry or a complaint.", field="kind") from None
    if not raised_by.strip():
        raise InvalidInput("Say who raised it.", field="raised_by")
    if not summary.strip():
        raise InvalidInput("Summarise the enquiry or complaint.", field="summary")
    raised_by = within(raised_by, 200, "raised_by", "Who raised it")
    summary = within(summary, 8000, "summary", "The summary")
    if received_on > local_date(now):
        raise InvalidInput("The date received cannot be in the future.", field="received_on")
    applicant_id = None
    if applicant_reference.strip():
        applicant_id = session.exec(select(Applicant.id).where(
            Applicant.reference == applicant_reference.strip().upper())).first()
        if applicant_id is None:
            raise InvalidInput(f"There is no application {applicant_reference.strip()}.", field="applicant")
    rules = scheme.enquiries
    answer_days = rules.member_answer_working_days if kind_value is EnquiryKind.MEMBER \
        else rules.complaint_answer_working_days
    enquiry = Enquiry(kind=kind_value, applicant_id=applicant_id, raised_by=raised_by,
                      received_on=received_on, summary=summary,
                      acknowledge_by=add_working_days(received_on, rules.acknowledge_working_days),
                      answer_by=add_working_days(received_on, answer_days), logged_by_id=actor.id, created_at=now)
    session.add(enquiry)
    session.flush()
    audit(session, actor, "enquiry.logged", enquiry, {"kind": kind_value, "answer_by": enquiry.answer_by})
    return enquiry


def _enquiry(session: Session, enquiry_id: int) -> Enquiry:
    enquiry = session.exec(select(Enquiry).where(Enquiry.id == enquiry_id).with_for_update()).first()
    if enquiry is None:
        raise NotFound("No such enquiry.")
    if enquiry.answered_on is not None:
        raise Conflict("This has been answered.")
    return enquiry


def acknowledge(session: Session, actor: Actor, enquiry_id: int, now: datetime) -> Enquiry:
    actor.require(Right.REVIEW_LOG)
    enquiry = _enquiry(session, enquiry_id)
    if enquiry.acknowledged_on is not None:
        raise Conflict("This has already been acknowledged.")
    enquiry.acknowledged_on = local_date(now)
    session.add(enquiry)
    audit(session, actor, "enquiry.acknowledged", enquiry)
    return enquiry


def answer(session: Session, actor: Actor, enquiry_id: int, text: str, now: datetime) -> Enquiry:
    actor.require(Right.REVIEW_LOG)
    enquiry = _enquiry(session, enquiry_id)
    if not text.strip():
        raise InvalidInput("Write the answer.", field="answer")
    text = within(text, 16000, "answer", "The answer")
    today = local_date(now)
    enquiry.acknowledged_on = enquiry.acknowledged_on or today
    enquiry.answered_on, enquiry.answer, enquiry.answered_by_id = today, text, actor.id
    session.add(enquiry)
    audit(session, actor, "enquiry.answered", enquiry, {"in_time": today <= enquiry.answer_by})
    return enquiry
