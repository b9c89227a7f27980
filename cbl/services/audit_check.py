"""Checking the audit trail: every let's case history must show each state change with its event.

The audit table is append-only (a database trigger refuses changes), so a gap means a change was made
outside the services, which is exactly what this check is for."""

from dataclasses import dataclass

from sqlmodel import Session, select

from cbl.models import Advert, AuditEvent, Nomination, Offer, Property, Refusal, ShortlistEntry, Void
from cbl.models.states import NominationStatus, OfferStatus, ShortlistStatus, VoidStatus

from .actors import Actor
from cbl.services.rights import Right

ENTRY_EVENTS = {ShortlistStatus.VERIFIED: "shortlist.verified", ShortlistStatus.SKIPPED: "shortlist.skipped"}


@dataclass(frozen=True)
class Gap:
    property: str
    void_id: int
    missing: str


def _expected(session: Session, void: Void) -> list[tuple[str, int | None, str, str]]:
    """(table, id, action, description) for every event the let's history must hold."""
    expected = [("void", void.id, "void.logged", "the void being logged")]
    adverts = session.exec(select(Advert).where(Advert.void_id == void.id)).all()
    for advert in adverts:
        expected += _advert_events(session, advert)
    for offer in session.exec(select(Offer).where(Offer.void_id == void.id)):
        expected += _offer_events(session, offer)
    return expected


def _advert_events(session: Session, advert: Advert) -> list[tuple[str, int | None, str, str]]:
    """The advert's creation, its shortlist's decisions and its nominations."""
    expected = [("advert", advert.id, "advert.created", f"advert {advert.reference} being created")]
    for entry in session.exec(select(ShortlistEntry).where(ShortlistEntry.advert_id == advert.id,
                                                           ShortlistEntry.decided_by_id.is_not(None))):
        if entry.status in ENTRY_EVENTS:
            expected.append(("shortlist_entry", entry.id, ENTRY_EVENTS[entry.status],
                             f"shortlist place {entry.position} being {entry.status.value}"))
    for nomination in session.exec(select(Nomination).where(Nomination.advert_id == advert.id)):
        expected.append(("nomination", nomination.id, "nomination.sent", f"nomination {nomination.id} being sent"))
        if nomination.status is NominationStatus.DECLINED:
            expected.append(("nomination", nomination.id, "nomination.declined",
                             f"nomination {nomination.id} being declined"))
        if nomination.status is NominationStatus.LET:
            expected.append(("nomination", nomination.id, "nomination.let",
                             f"nomination {nomination.id} ending in the let"))
    return expected


def _offer_events(session: Session, offer: Offer) -> list[tuple[str, int | None, str, str]]:
    """The offer's making, acceptance, refusal (and its judging) and tenancy."""
    expected = [("offer", offer.id, "offer.made", f"offer {offer.id} being made")]
    if offer.status in (OfferStatus.ACCEPTED, OfferStatus.LET):
        expected.append(("offer", offer.id, "offer.accepted", f"offer {offer.id} being accepted"))
    if offer.status is OfferStatus.LET:
        expected.append(("offer", offer.id, "tenancy.started", f"the tenancy of offer {offer.id} starting"))
    refusal = session.exec(select(Refusal).where(Refusal.offer_id == offer.id)).first()
    if refusal is not None:
        expected.append(("offer", offer.id, "offer.refused", f"offer {offer.id} being refused"))
        if refusal.judged_at is not None:
            expected.append(("refusal", refusal.id, "refusal.judged", f"the refusal of offer {offer.id} being judged"))
    return expected


def verify_lets(session: Session, actor: Actor) -> tuple[int, list[Gap]]:
    """How many lets were checked, and every missing event."""
    actor.require(Right.AUDIT_VERIFY)
    gaps: list[Gap] = []
    lets = session.exec(select(Void, Property.reference).join(Property, Property.id == Void.property_id)
                        .where(Void.status == VoidStatus.LET).order_by(Void.id)).all()
    for void, reference in lets:
        expected = _expected(session, void)
        recorded = set(session.exec(select(AuditEvent.subject_type, AuditEvent.subject_id, AuditEvent.action).where(
            AuditEvent.subject_id.in_({row_id for _, row_id, _, _ in expected}))).all())
        gaps += [Gap(reference, void.id, description) for table, row_id, action, description in expected
                 if (table, row_id, action) not in recorded]
    return len(lets), gaps
