"""What the applicant's own pages read: their application, bids with their places in the queue, the homes
they can bid for, their bidding preferences, offers, letters and reviews."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from cbl.models import (
    Applicant, BandAssessment, BiddingPreference, HouseholdMember, Offer, OutboxMessage, Property, Review, Void,
)
from cbl.models.states import Channel
from cbl.queries import listings
from cbl.rules.scheme import Scheme
from cbl.services import reviews
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


@dataclass(frozen=True)
class Reviews:
    decisions: list[reviews.Decision]  # the decisions the household may ask to have reviewed
    own: list[Review]  # the reviews it has asked for, newest first


def own_reviews(session: Session, applicant_id: int) -> Reviews:
    own = session.exec(select(Review).where(Review.applicant_id == applicant_id)
                       .order_by(Review.requested_on.desc())).all()
    return Reviews(reviews.reviewable_decisions(session, applicant_id), list(own))
