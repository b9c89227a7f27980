"""Nomination agreements with registered providers, and the nominations sent under them."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .columns import empty_list, JSONList, state, unique_where, UTCDateTime, utcnow
from .states import NominationStatus


class NominationAgreement(SQLModel, table=True):
    __tablename__ = "nomination_agreement"
    __table_args__ = (
        sa.CheckConstraint("first_let_share BETWEEN 0 AND 100", name="first_let_share_pct"),
        sa.CheckConstraint("relet_share BETWEEN 0 AND 100", name="relet_share_pct"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    first_let_share: int = 100  # percent of first lets the council may nominate to
    relet_share: int = 75
    nominate_within_days: int = Field(default=5, ge=0)  # UK working days
    respond_within_days: int = Field(default=5, ge=0)  # UK working days
    decline_grounds: list[str] = Field(default_factory=empty_list, sa_type=JSONList)
    # What of a nominee's case the council may share with the provider (see services.nominations.SHAREABLE).
    shared_details: list[str] = Field(default_factory=lambda: ["household", "contact", "needs"], sa_type=JSONList)
    starts_on: date
    ends_on: date | None = None


class AgreementQuota(SQLModel, table=True):
    """A share of the agreement's lets promised to a group, e.g. 50% to homeless households."""

    __tablename__ = "agreement_quota"
    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "group"),
        sa.CheckConstraint("min_share_pct BETWEEN 1 AND 100", name="min_share_pct"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="nomination_agreement.id", index=True)
    group: str = Field(max_length=64)
    min_share_pct: int


class Nomination(SQLModel, table=True):
    __table_args__ = (
        # One nomination in play per advert at a time.
        unique_where("uq_nomination_live_advert", "advert_id", "status IN ('sent', 'viewing_arranged', 'accepted')"),
    )

    id: int | None = Field(default=None, primary_key=True)
    advert_id: int = Field(foreign_key="advert.id", index=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    agreement_id: int | None = Field(default=None, foreign_key="nomination_agreement.id")
    provider_id: int = Field(foreign_key="organisation.id", index=True)
    status: NominationStatus = Field(default=NominationStatus.SENT, sa_type=state(NominationStatus))
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    respond_by: date
    viewing_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    viewing_confirmed: bool = False
    viewing_outcome: str | None = Field(default=None, max_length=200)
    decline_ground: str | None = Field(default=None, max_length=64)
    decline_note: str | None = Field(default=None, max_length=2000)
    tenancy_start_date: date | None = None
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The last day a reminder of an overdue answer went out, so the scheduler sends one a day at most.
    reminded_on: date | None = None
