"""Elected members' enquiries and complaints about allocations: logged, acknowledged and answered within
the scheme's UK working days, in two stages.

Stage 1 is answered within the scheme's working days from the day it was received. Whoever raised it may
then ask for it to be looked at again: stage 2, answered within the scheme's stage-2 working days from the
day they asked, by someone other than the officer who answered stage 1. Each answer goes to the household
as a letter (where the enquiry is about an application on the register); the stage-2 letter is the
council's final answer and gives the route onward, the Local Government and Social Care Ombudsman
(cbl/rules/challenge_routes.py)."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from cbl.messages.letters import issue_letter
from cbl.rules.challenge_routes import route_after_complaint
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


def _locked(session: Session, enquiry_id: int) -> Enquiry:
    enquiry = session.exec(select(Enquiry).where(Enquiry.id == enquiry_id).with_for_update()).first()
    if enquiry is None:
        raise NotFound("No such enquiry.")
    return enquiry


def _enquiry(session: Session, enquiry_id: int) -> Enquiry:
    enquiry = _locked(session, enquiry_id)
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


def answer(session: Session, actor: Actor, scheme: Scheme, enquiry_id: int, text: str, now: datetime) -> Enquiry:
    """The stage 1 answer; the household is sent it, with how to ask for stage 2."""
    actor.require(Right.REVIEW_LOG)
    enquiry = _enquiry(session, enquiry_id)
    if not text.strip():
        raise InvalidInput("Write the answer.", field="answer")
    text = within(text, 16000, "answer", "The answer")
    today = local_date(now)
    enquiry.acknowledged_on = enquiry.acknowledged_on or today
    enquiry.answered_on, enquiry.answer, enquiry.answered_by_id = today, text, actor.id
    session.add(enquiry)
    audit(session, actor, "enquiry.answered", enquiry, {"stage": 1, "in_time": today <= enquiry.answer_by})
    _letter(session, enquiry, 1, text, now, stage_two_days=scheme.enquiries.stage_two_answer_working_days)
    return enquiry


def escalate(session: Session, actor: Actor, scheme: Scheme, enquiry_id: int, asked_by: str, asked_on: date,
             reason: str, now: datetime) -> Enquiry:
    """Stage 2: whoever raised it asks for it to be looked at again after the stage 1 answer. Recorded with
    who asked, the day they asked (stage 2 is due that many working days on) and why."""
    actor.require(Right.REVIEW_LOG)
    if not asked_by.strip():
        raise InvalidInput("Say who asked for stage 2.", field="asked_by")
    if not reason.strip():
        raise InvalidInput("Say why they are not satisfied with the stage 1 answer.", field="reason")
    asked_by = within(asked_by, 200, "asked_by", "Who asked")
    reason = within(reason, 8000, "reason", "Why")
    enquiry = _locked(session, enquiry_id)
    if enquiry.answered_on is None:
        raise Conflict("Answer it at stage 1 first: stage 2 looks again at the stage 1 answer.")
    if enquiry.escalated_on is not None:
        raise Conflict(f"This went to stage 2 on {enquiry.escalated_on:%-d %B %Y}.")
    if asked_on > local_date(now):
        raise InvalidInput("The date they asked cannot be in the future.", field="asked_on")
    if asked_on < enquiry.answered_on:
        raise InvalidInput(f"The date they asked cannot be before the stage 1 answer "
                           f"({enquiry.answered_on:%-d %B %Y}).", field="asked_on")
    enquiry.escalation_asked_by, enquiry.escalated_on, enquiry.escalation_reason = asked_by, asked_on, reason
    enquiry.escalated_by_id = actor.id
    enquiry.stage_two_answer_by = add_working_days(asked_on, scheme.enquiries.stage_two_answer_working_days)
    session.add(enquiry)
    audit(session, actor, "enquiry.escalated", enquiry, {"asked_by": asked_by, "asked_on": asked_on,
                                                         "answer_by": enquiry.stage_two_answer_by})
    return enquiry


def answer_stage_two(session: Session, actor: Actor, enquiry_id: int, text: str, now: datetime) -> Enquiry:
    """The council's final answer. Someone other than the stage 1 answerer gives it: stage 2 is a second look.
    The household is sent it, with the route to the Ombudsman."""
    actor.require(Right.REVIEW_LOG)
    if not text.strip():
        raise InvalidInput("Write the stage 2 answer.", field="answer")
    text = within(text, 16000, "answer", "The answer")
    enquiry = _locked(session, enquiry_id)
    if enquiry.escalated_on is None:
        raise Conflict("This has not gone to stage 2.")
    if enquiry.stage_two_answered_on is not None:
        raise Conflict("Stage 2 has been answered: the complaints procedure has ended.")
    if enquiry.answered_by_id is not None and enquiry.answered_by_id == actor.id:
        raise Conflict("You answered stage 1: someone else must look at it again at stage 2.")
    today = local_date(now)
    enquiry.stage_two_answered_on, enquiry.stage_two_answer, enquiry.stage_two_answered_by_id = today, text, actor.id
    session.add(enquiry)
    audit(session, actor, "enquiry.answered", enquiry, {"stage": 2, "in_time": today <= enquiry.stage_two_answer_by})
    _letter(session, enquiry, 2, text, now)
    return enquiry


def _letter(session: Session, enquiry: Enquiry, stage: int, text: str, now: datetime, **context: object) -> None:
    """The answer, to the household it is about. An enquiry about no application on the register has no
    household to write to: the officer answers whoever raised it themselves."""
    if enquiry.applicant_id is None:
        return
    subject = "Our answer to your complaint" if enquiry.kind is EnquiryKind.COMPLAINT \
        else "Our answer to your councillor's enquiry"
    issue_letter(session, enquiry.applicant_id, "enquiry_answer" if stage == 1 else "enquiry_final_answer",
                 f"{subject}{'' if stage == 1 else ': stage 2'}", now, enquiry=enquiry,
                 complaint=enquiry.kind is EnquiryKind.COMPLAINT, answer=text, route=route_after_complaint(), **context)


@dataclass(frozen=True)
class Stage:
    """One stage of an enquiry as the page shows it: when it is due, and whether it is late."""

    number: int
    due: date
    answered_on: date | None

    def overdue(self, today: date) -> bool:
        return self.answered_on is None and self.due < today


def stages(enquiry: Enquiry) -> list[Stage]:
    """Stage 1, and stage 2 once asked for."""
    found = [Stage(1, enquiry.answer_by, enquiry.answered_on)]
    if enquiry.escalated_on is not None and enquiry.stage_two_answer_by is not None:
        found.append(Stage(2, enquiry.stage_two_answer_by, enquiry.stage_two_answered_on))
    return found
