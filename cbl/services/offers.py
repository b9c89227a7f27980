"""Offers answered, withdrawn or lapsed: the household's own answer online; the answer it gave staff by phone,
in person or by e-mail; the council's withdrawal with one of the scheme's reasons; and the lapse of an offer
not answered by its deadline. Each is one transaction with its audit event, and the household is written to.

One offer has one outcome: every path locks the offer's row (SELECT ... FOR UPDATE on PostgreSQL; SQLite
takes the write lock at BEGIN IMMEDIATE) and changes it only while it is still waiting for an answer, so two
members of staff, a scheduler and the household acting at once end with exactly one of them having acted."""

from datetime import datetime

from sqlmodel import Session, select

from cbl.messages import notices
from cbl.messages.letters import issue_letter
from cbl.models import Advert, Offer, Property, Refusal, ShortlistEntry, StaffUser, Void
from cbl.models.states import (
    ActorKind, AdvertStatus, AnswerChannel, OfferStatus, ReviewType, ShortlistStatus, VoidStatus,
)
from cbl.rules.decision_types import review_rights
from cbl.rules.scheme import Scheme
from cbl.rules.working_days import local_date

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound, within
from .lettings import open_block_viewing
from cbl.services.rights import Right

# How staff may have taken an answer (online is the household's own).
STAFF_CHANNELS = {AnswerChannel.PHONE: "by phone", AnswerChannel.IN_PERSON: "in person",
                  AnswerChannel.EMAIL: "by e-mail"}
# Shortlist places passed over by the offer's end rather than by an officer's choice of the scheme's skip reasons.
LAPSED_PLACE, WITHDRAWN_PLACE = "offer_lapsed", "offer_withdrawn"
PLACE_LABELS = {LAPSED_PLACE: "Did not answer the offer in time", WITHDRAWN_PLACE: "The offer was withdrawn"}
# Still to be answered, or accepted but not yet let: the offers a withdrawal may end.
WITHDRAWABLE = (OfferStatus.MADE, OfferStatus.ACCEPTED)


def _locked(session: Session, offer_id: int) -> Offer | None:
    # populate_existing: the row as it is now, once locked, not as this session may have read it before.
    return session.exec(select(Offer).where(Offer.id == offer_id).with_for_update()
                        .execution_options(populate_existing=True)).first()


def _ended(offer: Offer) -> Conflict:
    return Conflict(f"This offer has already been {offer.status.value}.")


def _own_open_offer(session: Session, actor: Actor, offer_id: int, now: datetime) -> Offer:
    offer = _locked(session, offer_id)
    if offer is None or not (actor.kind is ActorKind.APPLICANT and actor.id == offer.applicant_id
                             or actor.may(Right.OFFER_RECORD)):
        raise NotFound("No such offer.")
    if offer.status is not OfferStatus.MADE:
        raise _ended(offer)
    if local_date(now) > offer.respond_by:
        raise Conflict(f"The time to answer this offer ended on {offer.respond_by:%-d %B %Y}. "
                       "Contact your housing officer.")
    return offer


def _channel_of(actor: Actor) -> AnswerChannel | None:
    return AnswerChannel.ONLINE if actor.kind is ActorKind.APPLICANT else None


def accept_offer(session: Session, actor: Actor, offer_id: int, now: datetime) -> Offer:
    """The household accepts online (or its own app through the API)."""
    offer = _own_open_offer(session, actor, offer_id, now)
    _accept(session, actor, offer, now, _channel_of(actor), None)
    return offer


def _accept(session: Session, actor: Actor, offer: Offer, answered_at: datetime, channel: AnswerChannel | None,
            taken_by: int | None) -> None:
    offer.status, offer.answered_at, offer.answer_channel, offer.answered_by_id = (
        OfferStatus.ACCEPTED, answered_at, channel, taken_by)
    void = session.get(Void, offer.void_id)
    void.accepted_at = answered_at
    session.add_all([offer, void])
    audit(session, actor, "offer.accepted", offer, {"channel": channel, "answered_at": answered_at})


def _refusal_reason(scheme: Scheme, reason: str, detail: str) -> str:
    if reason not in scheme.refusals.reasons:
        raise InvalidInput("Choose the main reason you are refusing this home.", field="reason")
    detail = within(detail, 1500, "detail", "Your reason")
    if reason == "Other" and not detail:
        raise InvalidInput("Tell us why you are refusing this home.", field="detail")
    return f"{reason}: {detail}" if detail else reason


def refuse_offer(session: Session, actor: Actor, scheme: Scheme, offer_id: int, reason: str, detail: str,
                 now: datetime) -> Refusal:
    """The household refuses online, with one of the scheme's reasons."""
    offer = _own_open_offer(session, actor, offer_id, now)  # someone else's offer is not found, whatever is sent
    return _refuse(session, actor, offer, _refusal_reason(scheme, reason, detail), now, _channel_of(actor), None)


def _refuse(session: Session, actor: Actor, offer: Offer, reason: str, answered_at: datetime,
            channel: AnswerChannel | None, taken_by: int | None) -> Refusal:
    offer.status, offer.answered_at, offer.answer_channel, offer.answered_by_id = (
        OfferStatus.REFUSED, answered_at, channel, taken_by)
    refusal = Refusal(offer_id=offer.id, reason=reason, recorded_at=answered_at)
    session.add_all([offer, refusal])
    audit(session, actor, "offer.refused", offer, {"reason": reason, "channel": channel, "answered_at": answered_at})
    return refusal


def record_answer(session: Session, actor: Actor, scheme: Scheme, offer_id: int, *, accepted: bool, reason: str,
                  detail: str, channel: AnswerChannel, answered_at: datetime, now: datetime) -> Offer:
    """Staff record the answer a household gave them by phone, in person or by e-mail, with when it was given.
    The household is written to with the answer as recorded, so that a mistake comes to light.

    An answer given in time may be recorded after the offer lapsed (the household phoned on its last day, and
    the lapse job ran before the officer typed it in): the lapse is undone, as long as the home has not moved on
    (see _undo_lapse)."""
    actor.require(Right.OFFER_RECORD)
    if channel not in STAFF_CHANNELS:
        raise InvalidInput("Say how the household gave its answer.", field="channel")
    if answered_at > now:
        raise InvalidInput("The answer cannot have been given in the future.", field="answered_on")
    refusal_reason = None if accepted else _refusal_reason(scheme, reason, detail)
    offer = _locked(session, offer_id)
    if offer is None:
        raise NotFound("No such offer.")
    lapsed_at = offer.lapsed_at if offer.status is OfferStatus.LAPSED else None
    if offer.status is not OfferStatus.MADE and lapsed_at is None:
        raise _ended(offer)
    if answered_at < offer.made_at.replace(second=0, microsecond=0):  # staff type the time to the minute
        raise InvalidInput("The answer cannot have been given before the offer was made.", field="answered_on")
    if local_date(answered_at) > offer.respond_by or (lapsed_at is not None and answered_at >= lapsed_at):
        raise Conflict(f"The time to answer this offer ended on {offer.respond_by:%-d %B %Y}; an answer given "
                       "later cannot be recorded. Withdraw the offer instead, or let it lapse."
                       if lapsed_at is None else
                       f"The offer lapsed on {local_date(lapsed_at):%-d %B %Y}, its time to answer having ended on "
                       f"{offer.respond_by:%-d %B %Y}; only an answer given by then can be recorded.")
    if lapsed_at is not None:
        _undo_lapse(session, actor, offer, answered_at)
    if accepted:
        _accept(session, actor, offer, answered_at, channel, actor.id)
    else:
        _refuse(session, actor, offer, refusal_reason, answered_at, channel, actor.id)
    taker = session.get(StaffUser, actor.id) if actor.id else None
    issue_letter(session, offer.applicant_id, "offer_answer",
                 f"Your {'acceptance' if accepted else 'refusal'} of our offer", now, home=_home_of(session, offer),
                 accepted=accepted, reason=refusal_reason, how=STAFF_CHANNELS[channel],
                 taken_by=taker.name if taker else actor.name, answered_on=local_date(answered_at),
                 final_offer=offer.final_offer, lapsed_on=local_date(lapsed_at) if lapsed_at else None)
    return offer


def _undo_lapse(session: Session, actor: Actor, offer: Offer, answered_at: datetime) -> None:
    """Put a lapsed offer back as waiting for the answer given in time, or refuse to. Refused once the home has
    moved on: another offer of it made or other households invited to view it, its advert withdrawn or let, the
    household's place changed since the lapse, the lapse judged as a refusal, or the household offered another
    home since."""
    # The advert's row locked first, as an offer from its shortlist locks it: the next offer and this queue.
    if offer.advert_id is not None:
        session.exec(select(Advert.id).where(Advert.id == offer.advert_id).with_for_update()).first()
    later = session.exec(select(Offer.id).where(Offer.void_id == offer.void_id, Offer.id != offer.id,
                                                Offer.made_at >= offer.made_at)).first()
    moved_on = "; it cannot be undone: record what the household said as a note on the case instead."
    if later is not None:
        raise Conflict(f"The home has been offered again since this offer lapsed (offer {later})" + moved_on)
    elsewhere = session.exec(select(Offer.id).where(Offer.applicant_id == offer.applicant_id, Offer.id != offer.id,
                                                    Offer.status.in_(WITHDRAWABLE))).first()
    if elsewhere is not None:
        raise Conflict(f"The household has been offered another home since this offer lapsed (offer {elsewhere})"
                       + moved_on)
    void = session.get(Void, offer.void_id)
    advert = session.get(Advert, offer.advert_id) if offer.advert_id else None
    if void.status is not VoidStatus.OPEN or advert is not None and advert.status is not AdvertStatus.SHORTLISTED:
        raise Conflict("The home is no longer being let from this offer (its advert was withdrawn or the home let)"
                       + moved_on)
    if advert is not None and open_block_viewing(session, advert.id) is not None:
        raise Conflict("Other households have been invited to view the home since this offer lapsed" + moved_on)
    refusal = session.exec(select(Refusal).where(Refusal.offer_id == offer.id).with_for_update()).first()
    if refusal is not None and refusal.judged_at is not None:
        raise Conflict(f"The lapse was judged as a refusal on {local_date(refusal.judged_at):%-d %B %Y}; it cannot be "
                       "undone: the household may ask for a review of that decision.")
    entry = _place(session, offer)
    if entry is not None:
        lapsed_place = entry.status is ShortlistStatus.SKIPPED and entry.skip_reason == LAPSED_PLACE
        if not (lapsed_place or refusal is not None and entry.status is ShortlistStatus.OFFERED):
            raise Conflict("The household's place on the shortlist has been dealt with since the offer lapsed"
                           + moved_on)
        entry.status, entry.skip_reason, entry.skip_note = ShortlistStatus.OFFERED, None, None
        session.add(entry)
    if refusal is not None:  # the lapse's own refusal: the household's real answer replaces it
        session.delete(refusal)
        session.flush()
    audit(session, actor, "offer.lapse_undone", offer, {"lapsed_at": offer.lapsed_at, "answered_at": answered_at,
                                                        "counted_as_refusal": refusal is not None})
    offer.status, offer.lapsed_at = OfferStatus.MADE, None
    session.add(offer)


def withdraw_offer(session: Session, actor: Actor, scheme: Scheme, offer_id: int, reason: str, note: str,
                   now: datetime) -> Offer:
    """Withdraw an offer not yet let, with one of the scheme's reasons. The household's shortlist place is kept
    (verified again) or passed over, as the reason says; either way the next place can be offered."""
    actor.require(Right.OFFER_MAKE)
    why = scheme.offers.withdrawal_reason(reason)
    if why is None:
        raise InvalidInput("Choose the reason for withdrawing the offer.", field="reason")
    note = within(note, 2000, "note", "The note")
    if why.note_required and not note:
        raise InvalidInput("Say why the offer is being withdrawn: it goes in the letter.", field="note")
    offer = _locked(session, offer_id)
    if offer is None:
        raise NotFound("No such offer.")
    if offer.status not in WITHDRAWABLE:
        raise _ended(offer)
    was = offer.status
    offer.status, offer.withdrawal_reason, offer.withdrawal_note = OfferStatus.WITHDRAWN, why.code, note or None
    offer.withdrawn_by_id, offer.withdrawn_at = actor.id, now
    session.add(offer)
    if was is OfferStatus.ACCEPTED:  # the void clock's acceptance was this household's, now undone
        void = session.get(Void, offer.void_id)
        void.accepted_at = None
        session.add(void)
    passed_over = why.place == "passed_over"
    entry = _place(session, offer)
    if entry is not None:
        if passed_over:
            entry.status, entry.skip_reason, entry.skip_note = ShortlistStatus.SKIPPED, WITHDRAWN_PLACE, why.label
        else:
            entry.status, entry.skip_reason, entry.skip_note = ShortlistStatus.VERIFIED, None, None
        entry.decided_by_id, entry.decided_at = actor.id, now
        session.add(entry)
    audit(session, actor, "offer.withdrawn", offer, {"reason": why.label, "note": note, "was": was,
                                                     "place": why.place})
    home = _home_of(session, offer)
    notices.offer_ended(session, offer, home.address, now)
    issue_letter(session, offer.applicant_id, "offer_withdrawn", "We have withdrawn our offer", now,
                 home=home, reason=why.label, note=note, passed_over=passed_over,
                 on_shortlist=entry is not None,
                 rights=review_rights(ReviewType.SKIP, scheme.reviews, local_date(now)) if passed_over else None)
    return offer


def lapse_overdue_offers(session: Session, actor: Actor, scheme: Scheme, now: datetime) -> list[int]:
    """Lapse every offer whose last day to answer has ended; the ids of those lapsed. Run again, or by a second
    scheduler at once, it lapses nothing more: the rows are locked and re-read, and only offers still waiting
    for an answer lapse (an answer that got in first stands)."""
    actor.require(Right.OFFER_RECORD)
    today = local_date(now)
    # Locked in id order, so two schedulers queue on the first row rather than deadlocking. On PostgreSQL a
    # row changed while waiting for its lock is checked against the condition again, and drops out.
    due = session.exec(select(Offer).where(Offer.status == OfferStatus.MADE, Offer.respond_by < today)
                       .order_by(Offer.id).with_for_update().execution_options(populate_existing=True)).all()
    lapsed: list[int] = []
    for offer in due:
        if offer.status is not OfferStatus.MADE or offer.id is None:
            continue
        _lapse(session, actor, scheme, offer, now)
        lapsed.append(offer.id)
    return lapsed


def _lapse(session: Session, actor: Actor, scheme: Scheme, offer: Offer, now: datetime) -> None:
    counts = scheme.offers.lapse_counts_as_refusal
    offer.status, offer.lapsed_at = OfferStatus.LAPSED, now
    session.add(offer)
    if counts:
        # A refusal like any other: the officer judges it, and only an unreasonable one counts to the penalty.
        session.add(Refusal(offer_id=offer.id, reason=f"No answer by {offer.respond_by:%-d %B %Y} (the offer lapsed)",
                            recorded_at=now))
    else:
        entry = _place(session, offer)
        if entry is not None:
            entry.status, entry.skip_reason, entry.skip_note = ShortlistStatus.SKIPPED, LAPSED_PLACE, None
            entry.decided_at = now
            session.add(entry)
    audit(session, actor, "offer.lapsed", offer, {"respond_by": offer.respond_by, "counts_as_refusal": counts})
    home = _home_of(session, offer)
    notices.offer_ended(session, offer, home.address, now)
    issue_letter(session, offer.applicant_id, "offer_lapsed", "Our offer has lapsed", now,
                 home=home, respond_by=offer.respond_by, counts_as_refusal=counts,
                 final_offer=offer.final_offer,
                 rights=None if counts else review_rights(ReviewType.SKIP, scheme.reviews, local_date(now)))


def _place(session: Session, offer: Offer) -> ShortlistEntry | None:
    """The household's place on the shortlist the offer was made from (none for a direct offer)."""
    if offer.advert_id is None:
        return None
    return session.exec(select(ShortlistEntry).where(ShortlistEntry.advert_id == offer.advert_id,
                                                     ShortlistEntry.applicant_id == offer.applicant_id)
                        .with_for_update()).first()


def _home_of(session: Session, offer: Offer) -> Property:
    return session.exec(select(Property).join(Void, Void.property_id == Property.id)
                        .where(Void.id == offer.void_id)).one()
