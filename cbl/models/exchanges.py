"""Mutual exchanges: social tenants' listings of their homes and what they want, the matches the matcher proposes
(who moves into whose home) and, for each household in a match, its application for its landlord's consent
(Housing Act 1985 s92; cbl/rules/exchange_consent.py)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .columns import JSONList, UTCDateTime, empty_list, state, unique_where, utcnow
from .states import ConsentDecision, ExchangeMatchStatus, ExchangeTenancy, ListingStatus, PropertyType

REASON_LIMIT = 500  # a household's reason for not being interested
PARTICULARS_LIMIT = 2000  # a landlord's particulars of a refusal's grounds, or of a consent's conditions


class ExchangeListing(SQLModel, table=True):
    """A household's home offered for exchange, and the homes it would take."""

    __tablename__ = "exchange_listing"
    __table_args__ = (
        # One listing in play per household: a second is an edit of the first.
        unique_where("uq_exchange_listing_live", "applicant_id", "status IN ('active', 'matched')"),
        sa.CheckConstraint("want_min_bedrooms <= want_max_bedrooms", name="wanted_bedrooms_in_order"),
    )

    id: int | None = Field(default=None, primary_key=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    landlord_id: int = Field(foreign_key="organisation.id", index=True)
    tenancy: ExchangeTenancy = Field(sa_type=state(ExchangeTenancy))
    address: str = Field(max_length=400)
    postcode: str = Field(max_length=10)
    area: str = Field(max_length=100)
    bedrooms: int = Field(ge=0)
    property_type: PropertyType = Field(sa_type=state(PropertyType))
    weekly_rent_pence: int = Field(ge=0)
    want_areas: list[str] = Field(default_factory=empty_list, sa_type=JSONList)
    want_min_bedrooms: int = Field(ge=0)
    want_max_bedrooms: int = Field(ge=0)
    want_types: list[str] = Field(default_factory=empty_list, sa_type=JSONList)
    status: ListingStatus = Field(default=ListingStatus.ACTIVE, sa_type=state(ListingStatus), index=True)
    listed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ExchangeMatch(SQLModel, table=True):
    """A two- or three-way exchange the matcher proposed."""

    __tablename__ = "exchange_match"

    id: int | None = Field(default=None, primary_key=True)
    status: ExchangeMatchStatus = Field(default=ExchangeMatchStatus.PROPOSED, sa_type=state(ExchangeMatchStatus),
                                        index=True)
    proposed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The day every household was interested: each one's application for its landlord's consent is dated it.
    applied_on: date | None = None
    agreed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_why: str | None = Field(default=None, max_length=400)
    completed_on: date | None = None  # the day the assignments took effect


class ExchangeMember(SQLModel, table=True):
    """One household in a match: whose home it moves into, whether it is interested, and its landlord's answer
    to its application for consent."""

    __tablename__ = "exchange_member"
    __table_args__ = (sa.UniqueConstraint("match_id", "listing_id"),)

    id: int | None = Field(default=None, primary_key=True)
    match_id: int = Field(foreign_key="exchange_match.id", index=True)
    listing_id: int = Field(foreign_key="exchange_listing.id", index=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    landlord_id: int = Field(foreign_key="organisation.id", index=True)
    moves_into_id: int = Field(foreign_key="exchange_listing.id")  # the listing whose home it moves into
    position: int = Field(ge=0)  # its place in the ring
    interested: bool | None = None
    not_interested_why: str | None = Field(default=None, max_length=REASON_LIMIT)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The application for consent: dated when every household was interested; the 42 days run from it.
    consent_by: date | None = None  # the last day a refusal notice may be served (s92(4))
    decision: ConsentDecision = Field(default=ConsentDecision.PENDING, sa_type=state(ConsentDecision), index=True)
    grounds: list[str] = Field(default_factory=empty_list, sa_type=JSONList)  # Schedule 3 grounds of a refusal
    conditions: list[str] = Field(default_factory=empty_list, sa_type=JSONList)  # s92(5) conditions of a consent
    particulars: str | None = Field(default=None, max_length=PARTICULARS_LIMIT)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, max_length=200)
