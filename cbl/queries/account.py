"""What the applicant's own pages read: their application, bids with their places in the queue, the homes
they can bid for, their bidding preferences, offers, letters and reviews."""

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, func, select

from cbl.models import (
    Advert, Applicant, BandAssessment, BiddingPreference, Cycle, HouseholdMember, Offer, OutboxMessage, Property,
    Review, ShortlistEntry, Void,
)
from cbl.models.states import AdvertStatus, Channel, CycleStatus, OfferStatus, ShortlistStatus
from cbl.queries import listings
from cbl.queries.shortlists import PASS_OVER_LABELS
from cbl.rules.scheme import Scheme
from cbl.rules.wording import ordinal
from cbl.rules.working_days import LONDON, add_months, local_date
from cbl.services.errors import InvalidInput
from cbl.services.bidding import LiveBid, bid_options, live_bids


@dataclass(frozen=True)
class Application:
    members: list[HouseholdMember]
    bands: list[BandAssessment]


def application(session: Session, applicant_id: int) -> Application:
    """The household's members, youngest last, and its band history, newest first."""
    members = session.exec(select(HouseholdMember).where(HouseholdMember.applicant_id == applicant_id)
                           .order_by(HouseholdMember.date_of_birth)).all()
    bands = session.exec(select(BandAssessment).where(BandAssessment.applicant_id == applicant_id)
                         .order_by(BandAssessment.decided_at.desc())).all()
    return Application(list(members), list(bands))


def bids(session: Session, scheme: Scheme, applicant: Applicant, at: datetime
         ) -> list[tuple[LiveBid, listings.AdvertCard, object]]:
    """The household's live bids, each with its advert's card and its place in the queue."""
    live = live_bids(session, scheme, applicant, at)
    cards = listings.advert_cards(session, [bid.advert_id for bid in live])
    return [(bid, cards[bid.advert_id], bid.position) for bid in live]


PAST_BIDS_PER_PAGE = 20
PAST_BIDS_MONTHS = 12  # how far back the household's closed bids are shown (the page says so)
PAGE_MAX = 10_000


def page_number(text: str | None) -> int:
    """A page of a list from the query string: a whole number, 1 when not given."""
    text = (text or "").strip()
    if not text:
        return 1
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= PAGE_MAX:
        raise InvalidInput(f"Page must be a whole number from 1 to {PAGE_MAX}.", field="page")
    return int(text)


class Outcome(StrEnum):
    """What became of the home a household bid for, as far as it may know (the words are PastBid.result)."""

    LET_TO_YOU = "let_to_you"
    LET = "let"  # to another household, published as Let results publish it
    OFFERED = "offered"  # offered to this household: waiting for its answer
    ACCEPTED = "accepted"
    REFUSED = "refused"
    OFFER_WITHDRAWN = "offer_withdrawn"
    OFFER_LAPSED = "offer_lapsed"
    NOMINATED = "nominated"  # its details sent to the landlord
    ADVERT_WITHDRAWN = "advert_withdrawn"
    NOT_LET_YET = "not_let_yet"


@dataclass(frozen=True)
class PastBid:
    """A bid of a closed cycle: where the household came on the shortlist, and what became of the home."""

    reference: str
    title: str
    cycle_closed: datetime
    place: str  # "You came 3rd of 12 eligible bids", or why it was not eligible
    skipped: str | None  # the words for why the household's place was passed over
    result: str  # what became of the home, as far as the household may know
    position: int | None  # its place on the shortlist recorded at close (None: not eligible)
    eligible_bids: int  # the eligible bids on that shortlist
    outcome: Outcome


@dataclass(frozen=True)
class PastBids:
    bids: list[PastBid]
    total: int
    page: int
    pages: int
    since: date  # the first day of the period shown


def past_bids(session: Session, scheme: Scheme, applicant_id: int, now: datetime, page: int = 1) -> PastBids:
    """The household's bids in cycles closed in the last PAST_BIDS_MONTHS months, newest first, a page at a
    time: each as the shortlist recorded it at close (not ranked again), with the home's result.

    Five statements whatever the page (one when there is nothing to show): the count, the page, the eligible
    bids of its adverts, the household's own offers of them, and the lets of them already started.
    """
    today = local_date(now)
    since = add_months(today, -PAST_BIDS_MONTHS)
    mine = (select(ShortlistEntry, Advert, Property, Cycle)
            .join(Advert, Advert.id == ShortlistEntry.advert_id)
            .join(Property, Property.id == Advert.property_id)
            .join(Cycle, Cycle.id == Advert.cycle_id)
            .where(ShortlistEntry.applicant_id == applicant_id, Cycle.status == CycleStatus.CLOSED,
                   Cycle.closes_at >= datetime.combine(since, time(), LONDON)))
    total = session.exec(select(func.count()).select_from(mine.subquery())).one()
    pages = max(1, -(-total // PAST_BIDS_PER_PAGE))
    rows = session.exec(mine.order_by(Cycle.closes_at.desc(), Advert.reference)
                        .offset((page - 1) * PAST_BIDS_PER_PAGE).limit(PAST_BIDS_PER_PAGE)).all() if total else []
    if not rows:  # (a household new to the register: one statement, not five)
        return PastBids([], total, page, pages, since)
    advert_ids = [advert.id for _, advert, _, _ in rows]
    eligible = dict(session.exec(select(ShortlistEntry.advert_id, func.count()).where(
        ShortlistEntry.advert_id.in_(advert_ids), ShortlistEntry.eligible).group_by(ShortlistEntry.advert_id)).all())
    # The household's own offers of these homes, latest last (an advert offered twice keeps both).
    offered = dict(session.exec(select(Offer.advert_id, Offer).where(
        Offer.applicant_id == applicant_id, Offer.advert_id.in_(advert_ids)).order_by(Offer.made_at)).all())
    # Published as Let results publish them: once the tenancy has started, the band and band date only.
    lets = {advert_id: (starts, band, band_date) for advert_id, starts, band, band_date in session.connection().execute(
        sa.select(Advert.id, Void.tenancy_start_date, Applicant.band, Applicant.band_date)
        .join(Void, Void.id == Advert.void_id)
        .join(ShortlistEntry, sa.and_(ShortlistEntry.advert_id == Advert.id,
                                      ShortlistEntry.status == ShortlistStatus.HOUSED))
        .join(Applicant, Applicant.id == ShortlistEntry.applicant_id)
        .where(Advert.id.in_(advert_ids), Advert.status == AdvertStatus.LET, Void.tenancy_start_date <= today)
    ).all()}
    skip_words = {reason.code: reason.label for reason in scheme.shortlisting.skip_reasons} | PASS_OVER_LABELS
    bids = []
    for entry, advert, home, cycle in rows:
        size = "Studio" if home.bedrooms == 0 else f"{home.bedrooms} bedroom"
        skipped = (skip_words.get(entry.skip_reason or "", "Passed over")
                   if entry.status is ShortlistStatus.SKIPPED else None)
        outcome, result = _result(advert, entry, offered.get(advert.id), lets.get(advert.id))
        bids.append(PastBid(advert.reference, f"{size} {home.property_type.value} in {home.area}",
                            cycle.closes_at, _place(entry, eligible.get(advert.id, 0)), skipped, result,
                            entry.position if entry.eligible else None, eligible.get(advert.id, 0), outcome))
    return PastBids(bids, total, page, pages, since)


def _place(entry: ShortlistEntry, eligible: int) -> str:
    if not entry.eligible or entry.position is None:
        return "Not eligible: " + " ".join(reason["message"] for reason in entry.reasons)
    return f"You came {ordinal(entry.position)} of {eligible} eligible bid{'s' * (eligible != 1)}"


OFFER_WORDS = {
    OfferStatus.MADE: (Outcome.OFFERED, "Offered to you: your answer is awaited."),
    OfferStatus.ACCEPTED: (Outcome.ACCEPTED, "Offered to you, and you accepted."),
    OfferStatus.REFUSED: (Outcome.REFUSED, "Offered to you, and you refused."),
    OfferStatus.WITHDRAWN: (Outcome.OFFER_WITHDRAWN, "Offered to you; the offer was withdrawn."),
    OfferStatus.LAPSED: (Outcome.OFFER_LAPSED, "Offered to you; the offer lapsed without an answer."),
}


def _result(advert: Advert, entry: ShortlistEntry, offer: Offer | None,
            let: tuple[date | None, str | None, date | None] | None) -> tuple[Outcome, str]:
    """What became of the home: the household's own offer and let first, then another household's let
    as Let results publish it (band and band date, once the tenancy has started)."""
    if entry.status is ShortlistStatus.HOUSED or (offer is not None and offer.status is OfferStatus.LET):
        # Its own let, tenancy started or not (a nomination's let has no offer: its start, once started).
        starts = offer.tenancy_start_date if offer is not None else let[0] if let is not None else None
        return Outcome.LET_TO_YOU, f"Let to you, from {starts.day} {starts:%B %Y}." if starts else "Let to you."
    if let is not None:
        starts, band, band_date = let
        words = f"Let on {starts.day} {starts:%B %Y} to a household in band {band}" if starts else "Let"
        return Outcome.LET, words + (f" with a band date of {band_date.day} {band_date:%B %Y}." if band_date else ".")
    if offer is not None:
        return OFFER_WORDS.get(offer.status, (Outcome.OFFERED, "Offered to you."))
    if entry.status is ShortlistStatus.NOMINATED:
        return Outcome.NOMINATED, "Your details were sent to the landlord, who will contact you."
    if advert.status is AdvertStatus.WITHDRAWN:
        return Outcome.ADVERT_WITHDRAWN, "The advert was withdrawn: the home was not let from it."
    return Outcome.NOT_LET_YET, "Not let yet."


@dataclass(frozen=True)
class HomeOption:
    card: listings.AdvertCard
    bid: bool
    barrier: str | None


def homes_to_bid_for(session: Session, scheme: Scheme, applicant: Applicant, at: datetime) -> list[HomeOption]:
    """Every live advert in the open cycle with whether the household can bid for it, and why not."""
    options = bid_options(session, scheme, applicant, at)
    cards = listings.advert_cards(session, [option.advert.id for option in options])
    return [HomeOption(cards[option.advert.id], option.bid, option.barrier) for option in options]


def property_areas(session: Session) -> list[str]:
    """The areas the council's and providers' homes are in, for choosing where to live."""
    return sorted(session.exec(select(Property.area).distinct()).all())


def bidding_preference(session: Session, applicant_id: int) -> BiddingPreference:
    return session.get(BiddingPreference, applicant_id) or BiddingPreference(applicant_id=applicant_id)


def offers(session: Session, applicant_id: int) -> list[tuple[Offer, Property]]:
    """The offers made to the household, newest first, each with its home."""
    return list(session.exec(
        select(Offer, Property).join(Void, Void.id == Offer.void_id).join(Property, Property.id == Void.property_id)
        .where(Offer.applicant_id == applicant_id).order_by(Offer.made_at.desc())
    ).all())


def letters(session: Session, applicant_id: int) -> list[OutboxMessage]:
    """The letters sent to the household, newest first."""
    return list(session.exec(select(OutboxMessage).where(
        OutboxMessage.applicant_id == applicant_id, OutboxMessage.channel == Channel.LETTER)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())).all())


def own_reviews(session: Session, applicant_id: int) -> list[Review]:
    """The reviews the household has asked for, newest first (the decisions it may ask about are the form's:
    `services.reviews.reviewable_decisions`, read once for the page)."""
    return list(session.exec(select(Review).where(Review.applicant_id == applicant_id)
                             .order_by(Review.requested_on.desc())).all())
