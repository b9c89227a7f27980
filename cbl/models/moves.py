"""Downsizing and decants: a household's social home, its mark as downsizing, regeneration schemes and their
households, and the payments made to households that move (cbl/rules/moves.py, cbl/services/moves.py)."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .columns import UTCDateTime, state, unique_where, utcnow


class PaymentKind(StrEnum):
    DOWNSIZING_INCENTIVE = "downsizing_incentive"
    REMOVAL_COSTS = "removal_costs"
    HOME_LOSS = "home_loss"
    DISTURBANCE = "disturbance"


class SocialTenancy(SQLModel, table=True):
    """The social home a household on the register lives in now (a transfer tenant's), as far as moving it needs:
    whose it is, its bedrooms and when the tenancy began (the home loss payment's year of occupation counts from it)."""

    __tablename__ = "social_tenancy"

    applicant_id: int = Field(foreign_key="applicant.id", primary_key=True)
    landlord: str = Field(max_length=200)
    address: str = Field(default="", max_length=400)
    bedrooms: int = Field(ge=0)
    tenancy_start: date
    recorded_by_id: int = Field(foreign_key="staff_user.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DownsizingMark(SQLModel, table=True):
    """A household marked as downsizing: who marked it and when, the bedrooms it had over its need, and the band it
    was given (none where it kept a better one); ended with who, when and why."""

    __tablename__ = "downsizing_mark"
    __table_args__ = (unique_where("uq_downsizing_mark_open", "applicant_id", "ended_at IS NULL"),)

    id: int | None = Field(default=None, primary_key=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    bedrooms: int
    bedroom_need: int
    band_given: str | None = Field(default=None, max_length=16)
    band_before: str | None = Field(default=None, max_length=16)
    band_date_before: date | None = None
    marked_by_id: int = Field(foreign_key="staff_user.id")
    marked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_reason: str | None = Field(default=None, max_length=2000)


class RegenerationScheme(SQLModel, table=True):
    """Homes to be emptied for redevelopment or improvement: the households living in them are decanted."""

    __tablename__ = "regeneration_scheme"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    area: str = Field(max_length=2000)  # the homes, addresses or area it covers, as the council describes them
    decant_date: date
    created_by_id: int = Field(foreign_key="staff_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DecantHousehold(SQLModel, table=True):
    """A household of a regeneration scheme, with the band it was given on being added (none where it kept a better)."""

    __tablename__ = "decant_household"
    __table_args__ = (sa.UniqueConstraint("scheme_id", "applicant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    scheme_id: int = Field(foreign_key="regeneration_scheme.id")
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    band_given: str | None = Field(default=None, max_length=16)
    added_by_id: int = Field(foreign_key="staff_user.id")
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MovePayment(SQLModel, table=True):
    """A payment to a household that moves: asked for by an officer with how it was worked out, approved (with any
    rent arrears offset) or refused by a manager who did not ask for it, and recorded as paid."""

    __tablename__ = "move_payment"
    __table_args__ = (sa.Index("ix_move_payment_decided_at_paid_on", "decided_at", "paid_on"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: PaymentKind = Field(sa_type=state(PaymentKind, "payment_kind"))
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    regeneration_scheme_id: int | None = Field(default=None, foreign_key="regeneration_scheme.id", index=True)
    claimed_pence: int = Field(ge=0)
    worked_out: str = Field(max_length=2000)  # how the amount was worked out, as the letters say it
    displaced_on: date | None = None  # home loss and disturbance: the date of displacement
    approved_pence: int | None = None
    arrears_offset_pence: int = 0
    arrears_note: str | None = Field(default=None, max_length=2000)
    requested_by_id: int = Field(foreign_key="staff_user.id")
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    approved: bool | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str | None = Field(default=None, max_length=2000)
    paid_on: date | None = None
    paid_recorded_by_id: int | None = Field(default=None, foreign_key="staff_user.id")

    @property
    def to_pay_pence(self) -> int:
        return (self.approved_pence or 0) - self.arrears_offset_pence


class PaymentReceipt(SQLModel, table=True):
    """A receipt for a claim, kept as households' evidence is: outside the web root under a generated name."""

    __tablename__ = "payment_receipt"

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="move_payment.id", index=True)
    stored_name: str = Field(max_length=64, unique=True)
    original_name: str = Field(max_length=255)
    content_type: str = Field(max_length=64)
    size: int
    uploaded_by_id: int = Field(foreign_key="staff_user.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
