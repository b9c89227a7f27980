"""Homes and the voids between their tenancies."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from cbl.rules import search_keys as keys

from .columns import UTCDateTime, state, unique_where, utcnow
from .search_keys import derived
from .states import PropertyType, VoidStatus


class Property(SQLModel, table=True):
    # Homes by the start of their postcode, paged by reference from the index alone (migration 0034).
    __table_args__ = (sa.Index("ix_property_postcode_key_reference", "postcode_key", "reference"),)

    id: int | None = Field(default=None, primary_key=True)
    landlord_id: int = Field(foreign_key="organisation.id", index=True)
    reference: str = Field(max_length=32, unique=True)
    uprn: str | None = Field(default=None, max_length=12, index=True)
    address: str = Field(max_length=400)
    postcode: str = Field(max_length=10)
    # The address and postcode as the homes search compares them (cbl/rules/search_keys.py), kept in step by
    # cbl/models/search_keys.py; indexed for search (migration 0034).
    address_key: str | None = Field(default=None, max_length=800,
                                    sa_column_kwargs={"default": derived("address", keys.search_text, 800)})
    postcode_key: str | None = Field(default=None, max_length=16,
                                     sa_column_kwargs={"default": derived("postcode", keys.postcode_key, 16)})
    area: str = Field(max_length=100, index=True)
    property_type: PropertyType = Field(sa_type=state(PropertyType))
    bedrooms: int = Field(ge=0, le=10)
    floor: int = Field(default=0, ge=-1, le=60)
    lift: bool = False
    step_free: bool = False
    wheelchair_adapted: bool = False
    garden: bool = False
    sheltered: bool = False
    # Money is kept in pence so that sums are exact.
    weekly_rent_pence: int = Field(ge=0)
    weekly_charges_pence: int = Field(default=0, ge=0)


class Void(SQLModel, table=True):
    """A property between tenancies, with the milestones of its re-let.

    The void clock runs from tenancy end (or keys returned) to the new tenancy start.
    """

    __table_args__ = (
        sa.CheckConstraint(
            "tenancy_start_date IS NULL OR tenancy_start_date >= tenancy_end_date",
            name="tenancy_starts_after_end",
        ),
        # One open void per property: a home cannot fall empty twice at once.
        unique_where("uq_void_open_property", "property_id", "status = 'open'"),
    )

    id: int | None = Field(default=None, primary_key=True)
    property_id: int = Field(foreign_key="property.id", index=True)
    status: VoidStatus = Field(default=VoidStatus.OPEN, sa_type=state(VoidStatus))
    first_let: bool = False
    reason: str = Field(default="", max_length=200)
    tenancy_end_date: date
    keys_returned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    works_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    works_ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ready_to_let_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    advertised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    shortlisted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    offered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    tenancy_start_date: date | None = None
    keys_given_on: date | None = None  # to the new tenant, at sign-up
    logged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
