"""Bidding: cycles, adverts, bids and the shortlists the engine ranks at close."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .columns import empty_list, JSONList, state, UTCDateTime, utcnow
from .states import AdvertStatus, BidPlacedBy, BidStatus, CycleStatus, ShortlistStatus


class Cycle(SQLModel, table=True):
    __table_args__ = (sa.CheckConstraint("closes_at > opens_at", name="closes_after_opening"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    opens_at: datetime = Field(sa_type=UTCDateTime, index=True)
    closes_at: datetime = Field(sa_type=UTCDateTime, index=True)
    status: CycleStatus = Field(default=CycleStatus.SCHEDULED, sa_type=state(CycleStatus))
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # What the engine reported at close: status, timings, quota shortfalls.
    close_report: dict | None = Field(default=None, sa_type=sa.JSON)


class Advert(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("cycle_id", "void_id"),
        sa.CheckConstraint(
            "min_bedroom_need IS NULL OR max_bedroom_need IS NULL OR min_bedroom_need <= max_bedroom_need",
            name="bedroom_need_range",
        ),
        sa.CheckConstraint(
            "min_household IS NULL OR max_household IS NULL OR min_household <= max_household",
            name="household_range",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=32, unique=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    void_id: int = Field(foreign_key="void.id", index=True)
    property_id: int = Field(foreign_key="property.id", index=True)
    status: AdvertStatus = Field(default=AdvertStatus.DRAFT, sa_type=state(AdvertStatus))
    description: str = Field(default="", max_length=4000)
    min_bedroom_need: int | None = None
    max_bedroom_need: int | None = None
    min_household: int | None = None
    max_household: int | None = None
    min_age: int | None = None
    step_free_only: bool = False
    wheelchair_only: bool = False
    transfer_only: bool = False
    # Ordered: "local:AREA", "group:NAME", "need:NAME" (see matching/README.md).
    preference_groups: list[str] = Field(default_factory=empty_list, sa_type=JSONList)
    agreement_id: int | None = Field(default=None, foreign_key="nomination_agreement.id")
    # Let by date of registration: bids ranked by registration date alone, whatever the band. Decided when
    # the advert is published (the scheme's share of each cycle's homes, cbl/services/stock.py: advertise),
    # so that the advert says so before anyone bids.
    by_registration_date: bool = False
    created_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The advert of the same void this one advertises again (kept, with its shortlist, for the record); an
    # advert is advertised again at most once, so the adverts of a void form one chain.
    previous_advert_id: int | None = Field(default=None, foreign_key="advert.id", unique=True)
    # A withdrawn advert: why, by whom and when; `unsuccessful` when it was withdrawn after its cycle closed
    # (shortlisted) without a let, so a cycle the home went through unlet (the scheme's direct-let rule counts them).
    withdrawal_reason: str | None = Field(default=None, max_length=500)
    withdrawn_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    unsuccessful: bool = False


class Bid(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("applicant_id", "advert_id"),
        # A household's bids in a cycle, counted on every bid: by this index, and not by
        # intersecting the household's bids over the years with the whole cycle's.
        sa.Index("ix_bid_applicant_id_cycle_id", "applicant_id", "cycle_id"),
        # The bids still standing on an advert, counted on every card and in the dashboard's cycles: read from
        # this index alone, not from each of an advert's hundreds of bids in the table.
        sa.Index("ix_bid_active_advert_id", "advert_id", postgresql_where=sa.text("status = 'active'"),
                 sqlite_where=sa.text("status = 'active'")),
        # What a shortlist entry's one foreign key refers to (migration 0036).
        sa.UniqueConstraint("id", "advert_id", "applicant_id", name="uq_bid_id_advert_id_applicant_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    advert_id: int = Field(foreign_key="advert.id", index=True)
    applicant_id: int = Field(foreign_key="applicant.id")  # indexed by both of the above
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    status: BidStatus = Field(default=BidStatus.ACTIVE, sa_type=state(BidStatus))
    # The applicant's own order of preference among their bids (1 = most wanted).
    preference: int = Field(ge=1)
    placed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    placed_by: BidPlacedBy = Field(default=BidPlacedBy.APPLICANT, sa_type=state(BidPlacedBy))
    placed_by_staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


WAITING = "proposed AND status = 'pending'"  # a proposed place no officer has worked yet


class ShortlistEntry(SQLModel, table=True):
    """An advert's bid as ranked at close, with the reasons for its place and what was done."""

    __tablename__ = "shortlist_entry"
    __table_args__ = (
        sa.UniqueConstraint("advert_id", "applicant_id"),
        # Let results list the latest lets by the household housed: one entry an advert among hundreds.
        sa.Index("ix_shortlist_entry_housed", "advert_id", postgresql_where=sa.text("status = 'housed'"),
                 sqlite_where=sa.text("status = 'housed'")),
        # The staff home page counts the places the engine proposed that wait for an officer: a handful among
        # every shortlist place of every cycle (130,000 a year on the bench register).
        sa.Index("ix_shortlist_entry_waiting", "advert_id", postgresql_where=sa.text(WAITING),
                 sqlite_where=sa.text(WAITING)),
        sa.ForeignKeyConstraint(["bid_id", "advert_id", "applicant_id"],
                                ["bid.id", "bid.advert_id", "bid.applicant_id"], name="fk_shortlist_entry_bid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # An advert's entries are found by the unique (advert_id, applicant_id) index: one more on advert_id
    # alone was another index insert for each of a close's hundreds of thousands of entries.
    # One foreign key to the bid ranked, advert and household included, rather than one to each (the bid's
    # own keys to the advert and the household stand for the entry's): PostgreSQL checks a foreign key
    # once for every entry a close writes, and three cost a close of 450,000 bids about 4 s more than one
    # (docs/decisions/0021-closing-a-cycle-in-bulk.md).
    advert_id: int
    applicant_id: int = Field(index=True)
    bid_id: int
    position: int | None = None
    eligible: bool
    reasons: list = Field(default_factory=empty_list, sa_type=JSONList)
    explanation: str = Field(default="", max_length=2000)
    proposed: bool = False  # the engine's cycle-wide proposal
    status: ShortlistStatus = Field(default=ShortlistStatus.PENDING, sa_type=state(ShortlistStatus))
    skip_reason: str | None = Field(default=None, max_length=64)
    skip_note: str | None = Field(default=None, max_length=2000)
    decided_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
