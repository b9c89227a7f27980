"""Applying online, the household's side: a draft answered page by page and saved each time, sent with a
declaration into the officers' queue; a change of circumstances the same way; drafts not saved for the scheme's
draft days deleted, a warning sent first.

A draft belongs to its owner (an account, or an application on the register for a change) and is found through
it, never by an id from the browser: no household can reach another's."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from cbl.messages.routing import tell_household, text_to_number
from cbl.models import Applicant, ContactPreference, EvidenceFile, HouseholdAccount, OnlineApplication, OutboxMessage
from cbl.models.states import Channel, OnlineKind, OnlineStatus
from cbl.rules.application_questions import pages_for, unanswered
from cbl.rules.scheme import Scheme

from .actors import SYSTEM, Actor, applicant as applicant_actor, household
from .applications import Circumstances, ContactDetails, MemberDetails, register_online
from .audit import audit
from .equality import Household, attach_to_application, forget_unsent, record_own
from .errors import Conflict, InvalidInput, NotFound

OPEN = (OnlineStatus.SUBMITTED, OnlineStatus.EVIDENCE_REQUESTED)
MOST_PEOPLE = 15  # people in one household on an application (a bigger one is told to call)


@dataclass(frozen=True)
class Owner:
    """Whose drafts: a household's account (its application) or an application on the register (its changes)."""

    account_id: int | None = None
    applicant_id: int | None = None

    @property
    def kind(self) -> OnlineKind:
        return OnlineKind.APPLICATION if self.account_id is not None else OnlineKind.CHANGE

    def owns(self) -> Any:
        """The condition that picks this owner's online applications."""
        if self.account_id is not None:
            return OnlineApplication.account_id == self.account_id
        # An application has its applicant only once sent, so an applicant's draft is always a change.
        return OnlineApplication.applicant_id == self.applicant_id

    def actor(self, session: Session) -> Actor:
        if self.account_id is not None:
            return household(session.get_one(HouseholdAccount, self.account_id))
        return applicant_actor(session.get_one(Applicant, self.applicant_id))


def draft(session: Session, owner: Owner) -> OnlineApplication | None:
    return session.exec(select(OnlineApplication).where(owner.owns(), OnlineApplication.status == OnlineStatus.DRAFT)
                        ).first()


def latest(session: Session, owner: Owner) -> OnlineApplication | None:
    """The owner's most recent online application, whatever its state."""
    return session.exec(select(OnlineApplication).where(owner.owns())
                        .order_by(OnlineApplication.created_at.desc(), OnlineApplication.id.desc())).first()


def _draft_to_change(session: Session, owner: Owner, now: datetime) -> OnlineApplication:
    """The owner's draft, begun if there is none. An account applies once: after that it reports changes."""
    found = draft(session, owner)
    if found is not None:
        return found
    if owner.kind is OnlineKind.APPLICATION and latest(session, owner) is not None:
        raise Conflict("You have already sent your application. Sign in again to see it.")
    made = OnlineApplication(kind=owner.kind, account_id=owner.account_id, applicant_id=owner.applicant_id,
                             created_at=now, saved_at=now)
    session.add(made)
    session.flush()
    audit(session, owner.actor(session), "online.draft_started", made, {"kind": owner.kind})
    return made


def _saved(session: Session, owner: Owner, found: OnlineApplication, answers: dict, what: str,
           now: datetime) -> OnlineApplication:
    found.answers = answers  # a new dict, so that the JSON column is written
    found.saved_at, found.warned_at = now, None
    session.add(found)
    audit(session, owner.actor(session), "online.answer_saved", found, {"page": what})
    return found


def save_answer(session: Session, owner: Owner, key: str, value: Any, now: datetime) -> OnlineApplication:
    """Keep one page's answer in the owner's draft (begun if need be): saved each time, to come back to."""
    found = _draft_to_change(session, owner, now)
    return _saved(session, owner, found, {**found.answers, key: value}, key, now)


def add_person(session: Session, owner: Owner, person: dict, now: datetime) -> OnlineApplication:
    found = _draft_to_change(session, owner, now)
    people = list(found.answers.get("people") or [])
    if len(people) >= MOST_PEOPLE:
        raise InvalidInput(f"You can add up to {MOST_PEOPLE} people here. Call us to tell us about a bigger "
                           "household.", field="name")
    if person.get("relationship") == "partner" and (
            any(p.get("relationship") == "partner" for p in people)
            or (found.answers.get("joint") or {}).get("relationship") == "partner"):
        raise InvalidInput("You have already told us about your partner.", field="relationship")
    answers = {key: value for key, value in found.answers.items() if key != "members"}  # to be asked again
    return _saved(session, owner, found, {**answers, "people": [*people, person]}, "members", now)


def remove_person(session: Session, owner: Owner, index: int, now: datetime) -> OnlineApplication:
    found = draft(session, owner)
    people = list((found.answers if found else {}).get("people") or [])
    if found is None or not 0 <= index < len(people):
        raise NotFound("There is no such person on your application.")
    del people[index]
    return _saved(session, owner, found, {**found.answers, "people": people}, "members", now)


def pass_equality_questions(session: Session, owner: Owner, answers: dict[str, str | None] | None,
                            now: datetime) -> OnlineApplication:
    """The optional equality monitoring step, answered (`answers`) or skipped (None): the answers are kept apart
    from the draft (cbl/services/equality.py); the draft notes only that the household has been past the step."""
    if answers is not None:
        record_own(session, owner.actor(session), Household(account_id=owner.account_id), answers, now)
    return save_answer(session, owner, "equality", {"seen": True}, now)


def pages(scheme: Scheme, kind: OnlineKind, answers: dict) -> list[str]:
    rules = scheme.application
    return pages_for(kind.value, answers, financial_test=rules.financial_test, priorities=tuple(rules.priorities))


def still_to_answer(scheme: Scheme, found: OnlineApplication) -> list[str]:
    return unanswered(pages(scheme, found.kind, found.answers), found.answers)


def _ready(scheme: Scheme, found: OnlineApplication | None, declared: bool) -> OnlineApplication:
    if found is None:
        raise NotFound("There is nothing to send: your answers may have been deleted after 90 days unsaved.")
    if still_to_answer(scheme, found):
        raise InvalidInput("Answer every question before you send it.", field="declaration")
    if not declared:
        raise InvalidInput("Confirm that the information you have given is true and complete.", field="declaration")
    return found


def _person(answer: dict, relationship: str) -> MemberDetails:
    return MemberDetails(answer.get("name", ""), date.fromisoformat(answer["date_of_birth"]), relationship,
                         answer.get("sex", ""), national_insurance_number=answer.get("national_insurance_number") or "")


def household_people(answers: dict) -> list[MemberDetails]:
    """Everyone the application names, the lead first."""
    people = [_person(answers["lead"], "lead")]
    joint = answers.get("joint") or {}
    if joint.get("joint") == "yes":
        people.append(_person(joint, joint.get("relationship") or "partner"))
    return people + [_person(person, person["relationship"]) for person in answers.get("people") or []]


def change_date(answers: dict) -> date | None:
    """The day the household says its circumstances changed (asked on a change's first page), if it gave one."""
    try:
        return date.fromisoformat((answers.get("change") or {}).get("on") or "")
    except (TypeError, ValueError):
        return None


def submit_application(session: Session, scheme: Scheme, account_id: int, declared: bool,
                       now: datetime) -> Applicant:
    """Send the account's application: it joins the register as a pending application, registered today, in
    the officers' queue with its answers and evidence; the household is told it was received."""
    owner = Owner(account_id=account_id)
    found = _ready(scheme, draft(session, owner), declared)
    account = session.get_one(HouseholdAccount, account_id)
    answers = found.answers
    contact = answers.get("contact") or {}
    email = account.email or contact.get("email") or ""
    address = answers["address"]
    needs = tuple((answers.get("medical") or {}).get("needs") or ())
    applicant = register_online(
        session, household(account), scheme, household_people(answers),
        ContactDetails(address["address"], address["postcode"], email, contact.get("phone") or account.mobile or ""),
        Circumstances(transfer_tenant=(answers.get("tenure") or {}).get("tenure") == "social_tenant", needs=needs),
        now)
    account.applicant_id = found.applicant_id = applicant.id
    found.status, found.submitted_at = OnlineStatus.SUBMITTED, now
    session.add_all([account, found])
    attach_to_application(session, account_id, applicant.id)  # kept apart from the case, as before
    _contact_choices(session, account, applicant, contact, now)
    audit(session, applicant_actor(applicant), "online.submitted", found, {"reference": applicant.reference})
    tell_household(session, applicant.id, "application_received", f"We have your application {applicant.reference}",
                   f"Thank you: we have your housing application. Its reference is {applicant.reference}. An officer "
                   "will check it and tell you what we decide; we may ask you for more evidence first. Sign in to "
                   "see where it is.", now,
                   text=f"We have your housing application {applicant.reference}. Sign in to see where it is.")
    return applicant


def _contact_choices(session: Session, account: HouseholdAccount, applicant: Applicant, contact: dict,
                     now: datetime) -> None:
    """The household's choices from its answers. Decisions go by post as well: consent to notices by e-mail
    alone is given on the account's contact page. The account's own mobile is confirmed by its code."""
    from cbl.messages import phones

    mobile = phones.mobile(contact.get("phone")) or account.mobile
    ways = set(contact.get("ways") or [])
    chosen = ContactPreference(applicant_id=applicant.id, by_email="by_email" in ways and bool(applicant.email),
                               by_text="by_text" in ways and mobile is not None, by_post=True,
                               large_print=bool(contact.get("large_print")), updated_at=now)
    if chosen.by_text and mobile == account.mobile:
        chosen.confirmed_mobile, chosen.mobile_confirmed_at = mobile, account.confirmed_at
    elif chosen.by_text and mobile is not None:
        chosen.confirmed_mobile = mobile  # confirmed when the household answers this text from that phone
        text_to_number(session, mobile, "mobile_confirmation",
                       "Reply YES to this message to get texts about your housing application on this number.", now,
                       applicant_id=applicant.id)
    session.add(chosen)
    session.flush()


def submit_change(session: Session, scheme: Scheme, applicant_id: int, declared: bool,
                  now: datetime) -> OnlineApplication:
    """Send a change of circumstances into the officers' queue, to be assessed and the band set again."""
    owner = Owner(applicant_id=applicant_id)
    found = _ready(scheme, draft(session, owner), declared)
    found.status, found.submitted_at = OnlineStatus.SUBMITTED, now
    session.add(found)
    audit(session, owner.actor(session), "online.submitted", found, {"change": found.answers["change"]["what"]})
    tell_household(session, applicant_id, "change_received", "We have your change of circumstances",
                   "Thank you for telling us about a change. An officer will look at it and write to you with your "
                   "band: it may stay the same or change.", now,
                   text="We have your change of circumstances. We will write to you about your band.")
    return found


# --- drafts not saved for a long time ---------------------------------------------------------------------


@dataclass
class Expiry:
    warned: int = 0
    deleted: int = 0
    files: list[str] = field(default_factory=list)  # stored names to remove from the disk once committed


def expire_drafts(session: Session, scheme: Scheme, now: datetime) -> Expiry:
    """Warn the owners of drafts not saved for (draft days - warning days), once; delete the drafts not saved for
    the draft days whose warning went at least the warning days ago, with their files. Running it again changes
    nothing more; saving a draft again starts its time afresh."""
    rules, done = scheme.application, Expiry()
    warning = timedelta(days=rules.draft_warning_days)
    to_warn = session.exec(select(OnlineApplication).where(
        OnlineApplication.status == OnlineStatus.DRAFT, OnlineApplication.warned_at.is_(None),
        OnlineApplication.saved_at <= now - timedelta(days=rules.draft_days) + warning).with_for_update()).all()
    for found in to_warn:
        _warn(session, found, (max(found.saved_at + timedelta(days=rules.draft_days), now + warning)), now)
        done.warned += 1
    to_delete = session.exec(select(OnlineApplication).where(
        OnlineApplication.status == OnlineStatus.DRAFT, OnlineApplication.warned_at <= now - warning,
        OnlineApplication.saved_at <= now - timedelta(days=rules.draft_days)).with_for_update()).all()
    for found in to_delete:
        files = session.exec(select(EvidenceFile).where(EvidenceFile.online_application_id == found.id)).all()
        audit(session, SYSTEM, "online.draft_deleted", found, {"kind": found.kind, "saved_at": found.saved_at,
                                                               "files": len(files)})
        for evidence in files:
            done.files.append(evidence.stored_name)
            session.delete(evidence)
        session.flush()
        if found.account_id is not None and found.kind is OnlineKind.APPLICATION:
            forget_unsent(session, found.account_id)  # its equality monitoring answers go with it
        session.delete(found)
        done.deleted += 1
    return done


def _warn(session: Session, found: OnlineApplication, deleted_on: datetime, now: datetime) -> None:
    from cbl.rules.working_days import local_date

    what = "application" if found.kind is OnlineKind.APPLICATION else "change of circumstances"
    day = f"{local_date(deleted_on):%-d %B %Y}"
    subject = f"Your unfinished housing {what} will be deleted on {day}"
    body = (f"You started a housing {what} but have not finished it. We keep unfinished answers for a limited time: "
            f"unless you sign in and save or send it, we will delete it, and any files you uploaded, on {day}.")
    if found.account_id is not None:
        account = session.get_one(HouseholdAccount, found.account_id)
        session.add(OutboxMessage(channel=Channel.EMAIL if account.email else Channel.SMS, template="draft_expiring",
                                  recipient=account.email or account.mobile, subject=subject, body=body,
                                  created_at=now))
    elif found.applicant_id is not None:
        tell_household(session, found.applicant_id, "draft_expiring", subject, body, now, text=body)
    found.warned_at = now
    session.add(found)
    audit(session, SYSTEM, "online.draft_warned", found, {"deleted_on": local_date(deleted_on)})
