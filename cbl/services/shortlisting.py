"""Working a shortlist: verify the household at the top, or skip it with one of the scheme's reasons."""

from datetime import datetime

from sqlmodel import Session, select

from cbl.messages.letters import issue_letter
from cbl.models import Advert, Property, ShortlistEntry
from cbl.models.states import ReviewType, ShortlistStatus
from cbl.rules.decision_types import review_rights
from cbl.rules.working_days import local_date
from cbl.rules.scheme import Scheme

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound, within
from cbl.services.rights import Right

OPEN = (ShortlistStatus.PENDING, ShortlistStatus.VERIFIED)


def _open_entry(session: Session, entry_id: int) -> ShortlistEntry:
    entry = session.exec(select(ShortlistEntry).where(ShortlistEntry.id == entry_id).with_for_update()).first()
    if entry is None:
        raise NotFound("No such shortlist entry.")
    if entry.status not in OPEN:
        raise Conflict(f"This household has already been {entry.status.value} for this home.")
    if not entry.eligible:
        raise Conflict("This bid is not eligible for the home; it cannot be worked.")
    return entry


def verify_entry(session: Session, actor: Actor, entry_id: int, now: datetime) -> ShortlistEntry:
    """The officer has checked the household's circumstances against the advert."""
    actor.require(Right.SHORTLIST_WORK)
    entry = _open_entry(session, entry_id)
    entry.status, entry.decided_by_id, entry.decided_at = ShortlistStatus.VERIFIED, actor.id, now
    session.add(entry)
    audit(session, actor, "shortlist.verified", entry, {"advert_id": entry.advert_id, "position": entry.position})
    return entry


def skip_entry(session: Session, actor: Actor, scheme: Scheme, entry_id: int, reason: str, note: str,
               now: datetime) -> ShortlistEntry:
    """Pass over a household, with a reason from the scheme's list that it can later challenge."""
    actor.require(Right.SHORTLIST_WORK)
    reasons = {item.code: item.label for item in scheme.shortlisting.skip_reasons}
    if reason not in reasons:
        raise InvalidInput("Choose the reason for skipping this household.", field="reason")
    note = within(note, 2000, "note", "The note")
    entry = _open_entry(session, entry_id)
    entry.status, entry.skip_reason, entry.skip_note = ShortlistStatus.SKIPPED, reason, note or None
    entry.decided_by_id, entry.decided_at = actor.id, now
    session.add(entry)
    decision = reason in scheme.shortlisting.decision_reasons
    audit(session, actor, "shortlist.skipped", entry,
          {"advert_id": entry.advert_id, "position": entry.position, "reason": reasons[reason], "note": note,
           "decision": decision})
    if decision:
        advert, home = session.exec(select(Advert, Property).join(Property, Property.id == Advert.property_id)
                                    .where(Advert.id == entry.advert_id)).one()
        issue_letter(session, entry.applicant_id, "skip_decision", f"Your bid for {home.address}", now,
                     home=home.address, advert=advert.reference, reason=reasons[reason], note=note,
                     rights=review_rights(ReviewType.SKIP, scheme.reviews, local_date(now)))
    return entry
