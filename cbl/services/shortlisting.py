"""Working a shortlist: verify the household at the top, or skip it with one of the scheme's reasons; pass a
place over for another recorded reason (a check failed, a viewing missed) with its letter."""

from datetime import datetime

from sqlmodel import Session, select

from cbl.messages.letters import issue_letter
from cbl.models import Advert, Applicant, Nomination, Offer, PreOfferCheck, Property, ShortlistEntry
from cbl.models.states import OfferCheckKind, ReviewType, ShortlistStatus
from cbl.rules.allocation_order import Place, holding_up
from cbl.rules.decision_types import review_rights
from cbl.rules.working_days import local_date
from cbl.rules.scheme import Scheme

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound, within
from cbl.services.rights import Right

OPEN = (ShortlistStatus.PENDING, ShortlistStatus.VERIFIED)


def open_entry(session: Session, entry_id: int) -> ShortlistEntry:
    """The place, locked, while it may still be checked, verified or skipped."""
    entry = session.exec(select(ShortlistEntry).where(ShortlistEntry.id == entry_id).with_for_update()).first()
    if entry is None:
        raise NotFound("No such shortlist entry.")
    if entry.status not in OPEN:
        raise Conflict(f"This household has already been {entry.status.value} for this home.")
    if not entry.eligible:
        raise Conflict("This bid is not eligible for the home; it cannot be worked.")
    return entry


def verify_entry(session: Session, actor: Actor, entry_id: int, now: datetime, note: str = "") -> ShortlistEntry:
    """The officer has checked the household's circumstances against the advert: the verification check passed."""
    actor.require(Right.SHORTLIST_WORK)
    note = within(note, 2000, "note", "The note")
    entry = open_entry(session, entry_id)
    entry.status, entry.decided_by_id, entry.decided_at = ShortlistStatus.VERIFIED, actor.id, now
    session.add_all([entry, PreOfferCheck(entry_id=entry.id, applicant_id=entry.applicant_id,
                                          kind=OfferCheckKind.VERIFICATION, passed=True, note=note,
                                          recorded_by_id=actor.id, recorded_at=now)])
    audit(session, actor, "shortlist.verified", entry, {"advert_id": entry.advert_id, "position": entry.position,
                                                        "note": note})
    return entry


def skip_entry(session: Session, actor: Actor, scheme: Scheme, entry_id: int, reason: str, note: str,
               now: datetime) -> ShortlistEntry:
    """Pass over a household, with a reason from the scheme's list that it can later challenge."""
    actor.require(Right.SHORTLIST_WORK)
    reasons = {item.code: item.label for item in scheme.shortlisting.skip_reasons}
    if reason not in reasons:
        raise InvalidInput("Choose the reason for skipping this household.", field="reason")
    note = within(note, 2000, "note", "The note")
    entry = open_entry(session, entry_id)
    pass_over(session, actor, scheme, entry, reason, reasons[reason], note, now,
              decision=reason in scheme.shortlisting.decision_reasons)
    return entry


def pass_over(session: Session, actor: Actor, scheme: Scheme, entry: ShortlistEntry, code: str, label: str,
              note: str, now: datetime, *, decision: bool = True) -> None:
    """Skip the (locked, open) place with a recorded reason. A decision on the household is told to it by
    letter with its right to a review (s166A(9)), and is listed among the decisions it may ask to have reviewed."""
    entry.status, entry.skip_reason, entry.skip_note = ShortlistStatus.SKIPPED, code, note or None
    entry.decided_by_id, entry.decided_at = actor.id, now
    session.add(entry)
    audit(session, actor, "shortlist.skipped", entry,
          {"advert_id": entry.advert_id, "position": entry.position, "reason": label, "note": note,
           "decision": decision})
    if decision:
        advert, home = session.exec(select(Advert, Property).join(Property, Property.id == Advert.property_id)
                                    .where(Advert.id == entry.advert_id)).one()
        issue_letter(session, entry.applicant_id, "skip_decision", f"Your bid for {home.address}", now,
                     home=home.address, advert=advert.reference, reason=label, note=note,
                     rights=review_rights(ReviewType.SKIP, scheme.reviews, local_date(now)))


def places(session: Session, advert_id: int, *, lock: bool = False) -> list[Place]:
    """The advert's eligible places as the order rule reads them, each keyed by its applicant's reference.
    With `lock`, the advert's row is locked first, so that two officers working one shortlist at once act
    one after the other and each sees what the other did (SQLite's BEGIN IMMEDIATE does the same)."""
    if lock:
        session.exec(select(Advert.id).where(Advert.id == advert_id).with_for_update()).first()
    entries = session.exec(select(ShortlistEntry, Applicant.reference)
                           .join(Applicant, Applicant.id == ShortlistEntry.applicant_id)
                           .where(ShortlistEntry.advert_id == advert_id, ShortlistEntry.eligible)).all()
    answers: dict[int, object] = {}  # by applicant: the latest offer's or nomination's status
    for applicant_id, status in session.exec(select(Offer.applicant_id, Offer.status)
                                             .where(Offer.advert_id == advert_id).order_by(Offer.made_at, Offer.id)):
        answers[applicant_id] = status
    for applicant_id, status in session.exec(select(Nomination.applicant_id, Nomination.status)
                                             .where(Nomination.advert_id == advert_id)
                                             .order_by(Nomination.sent_at, Nomination.id)):
        answers[applicant_id] = status
    return [Place(entry.position, entry.eligible, entry.status, entry.skip_reason,
                  answers.get(entry.applicant_id), reference)
            for entry, reference in entries]


def require_its_turn(session: Session, entry: ShortlistEntry, *, nomination: bool = False) -> None:
    """Refuse an offer or a nomination for a place while an eligible place above it is still to be dealt
    with: the scheme's order is the law's (Housing Act 1996 s167(8); the rule is cbl/rules/allocation_order.py)."""
    above = holding_up(places(session, entry.advert_id, lock=True), entry.position)
    if above is None:
        return
    act, answer = ("nominate", "the provider's answer") if nomination else ("offer the home to", "its answer")
    if above.status in (ShortlistStatus.OFFERED, ShortlistStatus.NOMINATED):
        raise Conflict(f"Place {above.position} ({above.key}) comes before place {entry.position} under the "
                       f"allocation scheme, and is still waiting for {answer}: place {entry.position} can be "
                       "worked once it is answered.")
    raise Conflict(f"Place {above.position} ({above.key}) comes before place {entry.position} under the allocation "
                   f"scheme: {act} place {above.position} and have {answer}, or skip it with a reason, first.")
