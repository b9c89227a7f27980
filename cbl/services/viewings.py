"""Viewings of a council home. While an offer waits for its answer the household may view the home once or
several times. A new build's home may instead be shown to several households from the top of its shortlist
at one time (a block viewing): the officer records who came and whether each wants the home, and the home is
then offered to the first of them, in shortlist order, who came and wants it; those before it are passed over
with the reason and the others are told. Each step is one transaction with its right, audit event and letters."""

from datetime import datetime

from sqlmodel import Session, select

from cbl.messages.letters import issue_letter
from cbl.models import (
    Advert, Applicant, Offer, Organisation, Property, ShortlistEntry, Viewing, ViewingInvitation, Void,
)
from cbl.models.states import AdvertStatus, OfferStatus, OrganisationKind
from cbl.rules.scheme import Scheme
from cbl.rules.working_days import LONDON

from .actors import Actor
from .audit import audit
from .errors import Conflict, DomainError, InvalidInput, NotFound, within
from .lettings import make_offer, open_block_viewing
from .shortlisting import OPEN, pass_over
from cbl.services.rights import Right

PLACE_MAX, CANCEL_MAX = 400, 500
BLOCK_MIN, BLOCK_MAX = 2, 20
# Places passed over when a block viewing ends, by what the officer recorded of the household there.
MISSED_VIEWING, DECLINED_AFTER_VIEWING = "missed_viewing", "declined_after_viewing"
VIEWING_LABELS = {MISSED_VIEWING: "Did not come to the viewing of the home",
                  DECLINED_AFTER_VIEWING: "Did not want the home after viewing it"}


def _home(session: Session, void_id: int) -> Property:
    return session.exec(select(Property).join(Void, Void.property_id == Property.id).where(Void.id == void_id)).one()


def _when(viewing: Viewing) -> datetime:
    return viewing.at.astimezone(LONDON)


def _future(at: datetime, now: datetime) -> None:
    if at <= now:
        raise InvalidInput("The viewing must be in the future.", field="viewing_at")


def arrange_viewing(session: Session, actor: Actor, offer_id: int, at: datetime, accompanied: bool, now: datetime,
                    *, place: str = "") -> Viewing:
    """A viewing of the home offered, at a date and time (and a place to meet, the home itself if none), with an
    officer or not. An offer may have several: each is a new viewing, and the household is written to each time."""
    actor.require(Right.OFFER_RECORD)
    place = within(place, PLACE_MAX, "place", "Where to meet")
    offer = session.exec(select(Offer).where(Offer.id == offer_id).with_for_update()
                         .execution_options(populate_existing=True)).first()
    if offer is None:
        raise NotFound("No such offer.")
    if offer.status is not OfferStatus.MADE:
        raise Conflict("A viewing can only be arranged while the offer waits for an answer.")
    _future(at, now)
    viewing = Viewing(void_id=offer.void_id, advert_id=offer.advert_id, at=at, place=place, accompanied=accompanied,
                      arranged_by_id=actor.id, arranged_at=now)
    session.add(viewing)
    session.flush()
    session.add(ViewingInvitation(viewing_id=viewing.id, applicant_id=offer.applicant_id, offer_id=offer.id))
    audit(session, actor, "viewing.arranged", offer, {"viewing_id": viewing.id, "at": at, "place": place,
                                                      "accompanied": accompanied})
    issue_letter(session, offer.applicant_id, "viewing", "Your viewing", now, home=_home(session, offer.void_id),
                 at_local=_when(viewing), accompanied=accompanied, place=place, block=None)
    return viewing


def arrange_block_viewing(session: Session, actor: Actor, reference: str, households: int, at: datetime, place: str,
                          accompanied: bool, now: datetime) -> Viewing:
    """Invite the first `households` eligible places still open on the advert's shortlist, in its order, to view
    the home at one time and place; each is written to with the date, time and place and what happens next."""
    actor.require(Right.SHORTLIST_WORK)
    if not BLOCK_MIN <= households <= BLOCK_MAX:
        raise InvalidInput(f"Invite from {BLOCK_MIN} to {BLOCK_MAX} households.", field="households")
    place = within(place, PLACE_MAX, "place", "Where to meet")
    _future(at, now)
    # The advert's row locked: as an offer from its shortlist does, so a block viewing and an offer queue.
    row = session.exec(select(Advert, Organisation).join(Property, Property.id == Advert.property_id)
                       .join(Organisation, Organisation.id == Property.landlord_id)
                       .where(Advert.reference == reference).with_for_update(of=Advert)).first()
    if row is None:
        raise NotFound(f"There is no advert {reference}.")
    advert, landlord = row
    if landlord.kind is not OrganisationKind.COUNCIL:
        raise Conflict(f"This home belongs to {landlord.name}, which arranges the viewings of its homes.")
    if advert.status is not AdvertStatus.SHORTLISTED:
        raise Conflict("Only a shortlisted home still to be let can have a block viewing.")
    already = open_block_viewing(session, advert.id)
    if already is not None:
        raise Conflict(f"A block viewing of this home is already arranged for {_when(already):%-d %B %Y at %H:%M}.")
    if session.exec(select(Offer.id).where(Offer.void_id == advert.void_id, Offer.status.in_(
            [OfferStatus.MADE, OfferStatus.ACCEPTED]))).first() is not None:
        raise Conflict("The home has an offer waiting for an answer or accepted: it cannot be shown to others now.")
    places = session.exec(select(ShortlistEntry)
                          .where(ShortlistEntry.advert_id == advert.id, ShortlistEntry.eligible,
                                 ShortlistEntry.position.is_not(None), ShortlistEntry.status.in_(list(OPEN)))
                          .order_by(ShortlistEntry.position).limit(households)).all()
    if not places:
        raise Conflict("No eligible household is left on the shortlist to invite.")
    viewing = Viewing(void_id=advert.void_id, advert_id=advert.id, at=at, place=place, accompanied=accompanied,
                      block=True, arranged_by_id=actor.id, arranged_at=now)
    session.add(viewing)
    session.flush()
    home = _home(session, advert.void_id)
    for entry in places:
        invitation = ViewingInvitation(viewing_id=viewing.id, applicant_id=entry.applicant_id, entry_id=entry.id,
                                       position=entry.position)
        session.add(invitation)
        audit(session, actor, "viewing.invited", invitation, {
            "viewing_id": viewing.id, "advert": advert.reference, "position": entry.position, "at": at,
            "place": place, "households": len(places)})
        issue_letter(session, entry.applicant_id, "viewing", f"View {home.address}", now, home=home,
                     at_local=_when(viewing), accompanied=accompanied, place=place,
                     block={"advert": advert.reference, "position": entry.position, "households": len(places)})
    return viewing


def _invitation(session: Session, invitation_id: int) -> tuple[ViewingInvitation, Viewing]:
    row = session.exec(select(ViewingInvitation, Viewing).join(Viewing, Viewing.id == ViewingInvitation.viewing_id)
                       .where(ViewingInvitation.id == invitation_id).with_for_update()
                       .execution_options(populate_existing=True)).first()
    if row is None:
        raise NotFound("No such viewing.")
    return row[0], row[1]


def _concluded(viewing: Viewing) -> Conflict:
    return Conflict("This block viewing was cancelled." if viewing.cancel_reason
                    else "This block viewing has ended and the home has been offered from it.")


def record_attendance(session: Session, actor: Actor, invitation_id: int, attended: bool, now: datetime, *,
                      wants_home: bool | None = None) -> ViewingInvitation:
    """Whether the household came to the viewing and, at a block viewing, whether it wants the home. It can be
    put right until a block viewing ends: the home is offered from what is recorded then."""
    actor.require(Right.OFFER_RECORD)
    invitation, viewing = _invitation(session, invitation_id)
    if viewing.concluded_at is not None:
        raise _concluded(viewing)
    if viewing.at > now:
        raise Conflict("The viewing has not happened yet.")
    if viewing.block and attended and wants_home is None:
        raise InvalidInput("Say whether the household wants the home.", field="wants_home")
    invitation.attended = attended
    invitation.wants_home = wants_home if attended and viewing.block else None
    invitation.recorded_by_id, invitation.recorded_at = actor.id, now
    session.add(invitation)
    audit(session, actor, "viewing.attended" if attended else "viewing.missed", invitation,
          {"viewing_id": viewing.id, "offer_id": invitation.offer_id, "wants_home": invitation.wants_home})
    return invitation


def _block(session: Session, viewing_id: int) -> Viewing:
    viewing = session.exec(select(Viewing).where(Viewing.id == viewing_id).with_for_update()
                           .execution_options(populate_existing=True)).first()
    if viewing is None or not viewing.block:
        raise NotFound("No such block viewing.")
    if viewing.concluded_at is not None:
        raise _concluded(viewing)
    return viewing


def offer_from_block_viewing(session: Session, actor: Actor, scheme: Scheme, viewing_id: int, now: datetime, *,
                             final_offer: bool = False) -> Offer | None:
    """End the block viewing: the home is offered to the first household invited, in shortlist order, that came
    and wants it (its checks passed, as for any offer); each open place before it is passed over, with the reason
    (did not come, or did not want the home) and its right to a review; the households after it are told. If no
    household came and wants it, every open place invited is passed over and no offer is made (None)."""
    actor.require(Right.OFFER_MAKE)
    viewing = _block(session, viewing_id)
    if viewing.at > now:
        raise Conflict("The viewing has not happened yet.")
    rows = session.exec(select(ViewingInvitation, ShortlistEntry, Applicant.reference)
                        .join(ShortlistEntry, ShortlistEntry.id == ViewingInvitation.entry_id)
                        .join(Applicant, Applicant.id == ViewingInvitation.applicant_id)
                        .where(ViewingInvitation.viewing_id == viewing.id)
                        .order_by(ViewingInvitation.position).with_for_update(of=ShortlistEntry)
                        .execution_options(populate_existing=True)).all()
    before: list[tuple[ViewingInvitation, ShortlistEntry, str]] = []
    chosen = None
    for invitation, entry, reference in rows:
        if entry.status not in OPEN:
            continue  # dealt with since the invitation (a check failed, or skipped with a reason)
        if invitation.attended is None:
            raise Conflict(f"Record whether {reference} (place {entry.position}) came to the viewing first.")
        if invitation.attended and invitation.wants_home:
            chosen = (invitation, entry, reference)
            break
        before.append((invitation, entry, reference))
    viewing.concluded_at, viewing.concluded_by_id = now, actor.id
    session.add(viewing)
    session.flush()  # concluded: the offer below is no longer held back by the viewing
    for invitation, entry, _ in before:
        code = DECLINED_AFTER_VIEWING if invitation.attended else MISSED_VIEWING
        pass_over(session, actor, scheme, entry, code, VIEWING_LABELS[code], "", now)
    offer = None
    if chosen is not None:
        invitation, entry, reference = chosen
        try:
            offer = make_offer(session, actor, scheme, entry.id, now, final_offer=final_offer)
        except DomainError as error:
            raise type(error)(f"{reference} (place {entry.position}) came and wants the home. {error.message}",
                              field=error.field) from None
        invitation.offer_id = viewing.offer_id = offer.id
        session.add_all([invitation, viewing])
    passed = {id(row[0]) for row in before}
    told = [(invitation, entry, reference) for invitation, entry, reference in rows
            if chosen is not None and invitation is not chosen[0] and id(invitation) not in passed
            and entry.status in OPEN]
    home = _home(session, viewing.void_id)
    for invitation, entry, _ in told:
        issue_letter(session, entry.applicant_id, "viewing_outcome", f"The home you viewed: {home.address}", now,
                     home=home, viewed_on=_when(viewing).date(), attended=bool(invitation.attended))
    audit(session, actor, "viewing.concluded", viewing, {
        "offered_to": chosen[2] if chosen else None, "offer_id": offer.id if offer else None,
        "passed_over": [reference for _, _, reference in before], "told": [reference for _, _, reference in told]})
    return offer


def cancel_block_viewing(session: Session, actor: Actor, viewing_id: int, reason: str, now: datetime) -> Viewing:
    """Call off a block viewing before the home is offered from it (the builder's handover delayed, say): the
    households invited keep their places and are told, with the reason."""
    actor.require(Right.SHORTLIST_WORK)
    reason = within(reason, CANCEL_MAX, "reason", "The reason")
    if not reason:
        raise InvalidInput("Give the reason for cancelling the viewing: it goes in the letters.", field="reason")
    viewing = _block(session, viewing_id)
    viewing.concluded_at, viewing.concluded_by_id, viewing.cancel_reason = now, actor.id, reason
    session.add(viewing)
    invited = session.exec(select(ViewingInvitation.applicant_id).where(ViewingInvitation.viewing_id == viewing.id)
                           .order_by(ViewingInvitation.position)).all()
    audit(session, actor, "viewing.cancelled", viewing, {"reason": reason, "households": len(invited)})
    home = _home(session, viewing.void_id)
    for applicant_id in invited:
        issue_letter(session, applicant_id, "viewing_cancelled", f"Viewing of {home.address} cancelled", now,
                     home=home, at_local=_when(viewing), reason=reason)
    return viewing
