"""The officers' side of applying online: an application or change sent by a household is checked, more evidence
asked for if need be (the household is told and can upload it), and decided. An application is refused as not
eligible or not qualifying (cbl/services/register.py decide_not_allocatable: closed, with its letter and review
rights), or accepted onto the register with a band (set_band: active, with its letter); a change is applied to
the case and the band set again, the household told by the band letter."""

from datetime import date, datetime

from sqlmodel import Session, select

from cbl.messages.letters import issue_letter
from cbl.messages.routing import tell_household
from cbl.models import Applicant, OnlineApplication
from cbl.models.states import OnlineKind, OnlineStatus
from cbl.rules.scheme import Scheme

from .actors import Actor
from .applications import (
    Circumstances, ContactDetails, MemberDetails, PossibleDuplicates, add_member, known_areas, possible_duplicates,
    update_details,
)
from .applying import OPEN, household_people
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound, within
from .register import decide_not_allocatable, set_band
from .rights import Right


def _open(session: Session, online_id: int, kind: OnlineKind | None = None) -> OnlineApplication:
    found = session.exec(select(OnlineApplication).where(OnlineApplication.id == online_id).with_for_update()).first()
    if found is None or found.status is OnlineStatus.DRAFT or found.applicant_id is None:
        raise NotFound("No such application in the queue.")
    if found.status not in OPEN:
        raise Conflict(f"This has been decided already ({found.status.value.replace('_', ' ')}).")
    if kind is not None and found.kind is not kind:
        raise Conflict("This is a change of circumstances: assess it, rather than deciding an application."
                       if found.kind is OnlineKind.CHANGE else "This is an application, not a change.")
    return found


def _decided(session: Session, actor: Actor, found: OnlineApplication, status: OnlineStatus, now: datetime,
             details: dict) -> None:
    found.status, found.decided_at, found.decided_by_id = status, now, actor.id
    session.add(found)
    audit(session, actor, f"online.{status.value}", found, details)


def request_evidence(session: Session, actor: Actor, online_id: int, wanted: str, now: datetime) -> OnlineApplication:
    """Ask the household for more evidence: it is told what (by e-mail or text as it chose, else by letter) and
    can upload it from its account; the application waits for it."""
    actor.require(Right.REGISTER_WRITE)
    if not wanted.strip():
        raise InvalidInput("Say what evidence the household must send.", field="request")
    wanted = within(wanted, 2000, "request", "What the household must send")
    found = _open(session, online_id)
    found.status, found.evidence_request, found.evidence_requested_at = OnlineStatus.EVIDENCE_REQUESTED, wanted, now
    session.add(found)
    audit(session, actor, "online.evidence_requested", found, {"request": wanted})
    what = "application" if found.kind is OnlineKind.APPLICATION else "change of circumstances"
    told = tell_household(session, found.applicant_id, "evidence_requested", f"We need more evidence for your {what}",
                          f"Before we can decide your {what}, we need more evidence from you:\n\n{wanted}\n\n"
                          "Sign in to your account and upload it from the page about your application.", now,
                          text=f"We need more evidence for your housing {what}. Sign in to see what, and upload it.")
    if not told:  # the household hears of it by post when it chose no e-mail or text
        issue_letter(session, found.applicant_id, "evidence_request", f"We need more evidence for your {what}", now,
                     request=wanted, application=found.kind is OnlineKind.APPLICATION)
    return found


def duplicates(session: Session, found: OnlineApplication) -> list:
    """Everyone on the register, on another application, with the name and date of birth of someone this one
    names: the officer checks them before accepting it."""
    if found.kind is not OnlineKind.APPLICATION:
        return []
    own = session.get_one(Applicant, found.applicant_id).reference
    seen = [match for person in household_people(found.answers)
            for match in possible_duplicates(session, person.name, person.date_of_birth) if match.reference != own]
    return list({(match.reference, match.name): match for match in seen}.values())


def refuse_application(session: Session, actor: Actor, scheme: Scheme, online_id: int, decision: str, grounds: str,
                       now: datetime) -> OnlineApplication:
    """Not eligible, or not a qualifying person: the application closes and the household gets the letter with
    the grounds and its right to a review (s160ZA(9), s166A(9))."""
    found = _open(session, online_id, OnlineKind.APPLICATION)
    decide_not_allocatable(session, actor, scheme, found.applicant_id, decision, grounds, now)
    _decided(session, actor, found, OnlineStatus.REFUSED, now, {"decision": decision})
    return found


def accept_application(session: Session, actor: Actor, scheme: Scheme, online_id: int, band: str, effective: date,
                       reason: str, now: datetime, *, points: int | None = None,
                       different_household: bool = False) -> OnlineApplication:
    """Onto the register with its band: active, the band letter sent. Its bedroom need was derived from the
    household when it was sent. Someone who may already be on the register stops it until the officer confirms
    this is a different household."""
    found = _open(session, online_id, OnlineKind.APPLICATION)
    matches = duplicates(session, found)
    if matches and not different_household:
        raise PossibleDuplicates(matches)
    set_band(session, actor, scheme, found.applicant_id, band, effective, reason, now, points=points)
    _decided(session, actor, found, OnlineStatus.ACCEPTED, now,
             {"band": band, "possible_duplicates": sorted({m.reference for m in matches})})
    return found


def assess_change(session: Session, actor: Actor, scheme: Scheme, online_id: int, band: str, effective: date,
                  reason: str, now: datetime, *, points: int | None = None) -> OnlineApplication:
    """Apply the change to the case (someone joins: the bedroom need is derived again and the household told if
    it changes; a new address; a new access need) and set the band again, with its letter."""
    actor.require(Right.REGISTER_WRITE)
    found = _open(session, online_id, OnlineKind.CHANGE)
    applicant = session.get_one(Applicant, found.applicant_id)
    answers, what = found.answers, found.answers["change"]["what"]
    if what == "new_member":
        person = answers["change_member"]
        joining = MemberDetails(person["name"], date.fromisoformat(person["date_of_birth"]), person["relationship"],
                                person.get("sex") or "")
        add_member(session, actor, scheme, applicant.id, joining, now)
    elif what in ("new_address", "medical"):
        moved = answers.get("change_address") or {"address": applicant.address, "postcode": applicant.postcode}
        needs = set(applicant.needs) | set((answers.get("change_medical") or {}).get("needs") or [])
        contact = ContactDetails(moved["address"], moved["postcode"], applicant.email or "", applicant.phone or "")
        update_details(session, actor, applicant.id, contact,
                       Circumstances(applicant.homeless_duty, applicant.transfer_tenant,
                                     tuple(applicant.local_connection), tuple(sorted(needs))),
                       known_areas(session), now)
    set_band(session, actor, scheme, applicant.id, band, effective, reason, now, points=points)
    _decided(session, actor, found, OnlineStatus.ACCEPTED, now, {"change": what, "band": band})
    return found
