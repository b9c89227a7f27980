"""The checks recorded on a shortlist place before its household is offered the home (the rule is
cbl/rules/pre_offer_checks.py): each passed or failed, with a note, by whom and when. A failed check passes
the place over, and the household is told why with its right to a review."""

from datetime import datetime

from sqlmodel import Session, select

from cbl.models import PreOfferCheck, ShortlistEntry, SuitabilityAssessment
from cbl.models.states import OfferCheckKind, ShortlistStatus
from cbl.rules.pre_offer_checks import FAILED, FAILED_CODES, missing
from cbl.rules.scheme import Scheme

from .actors import Actor
from .audit import audit
from .errors import InvalidInput, within
from .shortlisting import open_entry, pass_over, verify_entry
from cbl.services.rights import Right

NOTE_MAX = 2000


def record_check(session: Session, actor: Actor, scheme: Scheme, entry_id: int, kind: str, passed: bool, note: str,
                 now: datetime) -> ShortlistEntry:
    """Record a check on the place. Passed, it counts towards the offer (a passed verification verifies the
    place); failed, the place is passed over with the check's reason and the note, which go in the letter."""
    actor.require(Right.SHORTLIST_WORK)
    try:
        check = OfferCheckKind(kind)
    except ValueError:
        raise InvalidInput("Choose the check.", field="kind") from None
    note = within(note, NOTE_MAX, "note", "The note")
    if not passed and not note:
        raise InvalidInput("Say why the check was not passed: it goes in the letter to the household.", field="note")
    if passed and check is OfferCheckKind.VERIFICATION:
        return verify_entry(session, actor, entry_id, now, note)
    entry = open_entry(session, entry_id)
    session.add(PreOfferCheck(entry_id=entry.id, applicant_id=entry.applicant_id, kind=check, passed=passed,
                              note=note, recorded_by_id=actor.id, recorded_at=now))
    audit(session, actor, "offer_check.recorded", entry, {"advert_id": entry.advert_id, "position": entry.position,
                                                          "kind": check.value, "passed": passed, "note": note})
    if not passed:
        pass_over(session, actor, scheme, entry, FAILED_CODES[check], FAILED[check], note, now)
    return entry


def latest_checks(session: Session, entry_ids: list[int]) -> dict[int, dict[OfferCheckKind, PreOfferCheck]]:
    """The latest check of each kind on each place, by place."""
    found: dict[int, dict[OfferCheckKind, PreOfferCheck]] = {}
    if not entry_ids:
        return found
    for check in session.exec(select(PreOfferCheck).where(PreOfferCheck.entry_id.in_(entry_ids))
                              .order_by(PreOfferCheck.recorded_at, PreOfferCheck.id)):
        found.setdefault(check.entry_id, {})[check.kind] = check
    return found


def missing_checks(session: Session, scheme: Scheme, entry: ShortlistEntry, void_id: int, *,
                   final_offer: bool) -> list[str]:
    """The checks still to be recorded as passed before the place's household may be offered the home."""
    passed = {kind for kind, check in latest_checks(session, [entry.id]).get(entry.id, {}).items() if check.passed}
    # The verification is the place's own state: a place put back as verified after an offer withdrawn without
    # fault keeps it, and one not (or no longer) verified lacks it.
    if entry.status is ShortlistStatus.VERIFIED:
        passed.add(OfferCheckKind.VERIFICATION)
    else:
        passed.discard(OfferCheckKind.VERIFICATION)
    assessed = final_offer and session.exec(select(SuitabilityAssessment.id).where(
        SuitabilityAssessment.applicant_id == entry.applicant_id, SuitabilityAssessment.void_id == void_id,
        SuitabilityAssessment.offer_id.is_(None))).first() is not None
    return missing(scheme.offers.checks_before_offer, passed, final_offer=final_offer, assessed=assessed)
