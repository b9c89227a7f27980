"""Offers of council homes (from bidding or direct) and the refusals of them."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from .columns import empty_list, JSONList, state, unique_where, UTCDateTime, utcnow
from .states import AnswerChannel, OfferCheckKind, OfferKind, OfferStatus, TenancyType


class Offer(SQLModel, table=True):
    __table_args__ = (
        # One offer at a time, for a household and for a home.
        unique_where("uq_offer_live_applicant", "applicant_id", "status = 'made'"),
        unique_where("uq_offer_live_void", "void_id", "status IN ('made', 'accepted')"),
    )

    id: int | None = Field(default=None, primary_key=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    void_id: int = Field(foreign_key="void.id", index=True)
    advert_id: int | None = Field(default=None, foreign_key="advert.id")
    kind: OfferKind = Field(default=OfferKind.BIDDING, sa_type=state(OfferKind))
    status: OfferStatus = Field(default=OfferStatus.MADE, sa_type=state(OfferStatus))
    final_offer: bool = False  # to a homeless household: refusal may end the main duty
    direct_reason: str | None = Field(default=None, max_length=2000)
    approved_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    made_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    made_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    respond_by: date
    # When the household answered, how, and (for an answer given by phone, in person or by e-mail) who took it.
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answer_channel: AnswerChannel | None = Field(default=None, sa_type=state(AnswerChannel))
    answered_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    # A withdrawn offer: one of the scheme's reasons (cbl/schemes: offers.withdrawal_reasons), by whom, when.
    withdrawal_reason: str | None = Field(default=None, max_length=64)
    withdrawal_note: str | None = Field(default=None, max_length=2000)
    withdrawn_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lapsed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    tenancy_start_date: date | None = None
    # The sign-up: the tenancy signed for and the weekly rent it was let at (the home's rent may change later).
    tenancy_type: TenancyType | None = Field(default=None, sa_type=state(TenancyType))
    rent_at_let_pence: int | None = Field(default=None, ge=0)
    # The reminder a working day before the answer is due, sent once.
    reminder_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Refusal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="offer.id", unique=True)
    reason: str = Field(max_length=2000)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    reasonable: bool | None = None  # the officer's judgement; None until judged
    judged_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    judged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    judgement_note: str | None = Field(default=None, max_length=4000)
    duty_ended: bool = False  # a refused final offer ended the homelessness duty


class DirectOfferRequest(SQLModel, table=True):
    """A proposal to offer a home outside bidding (homeless household, decant, adapted home),
    made by an officer and approved or turned down by a manager before any offer is made."""

    __tablename__ = "direct_offer_request"
    __table_args__ = (
        unique_where("uq_direct_offer_pending_void", "void_id", "decided_at IS NULL"),
    )

    id: int | None = Field(default=None, primary_key=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    void_id: int = Field(foreign_key="void.id", index=True)
    reason_code: str = Field(max_length=32)
    reason: str = Field(max_length=2000)
    final_offer: bool = False
    requested_by_id: int = Field(foreign_key="staff_user.id")
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    approved: bool | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str | None = Field(default=None, max_length=2000)
    offer_id: int | None = Field(default=None, foreign_key="offer.id")


class SuitabilityAssessment(SQLModel, table=True):
    """An officer's assessment that a home is suitable for a household and reasonable for it to accept,
    recorded before a final offer may be made (Housing Act 1996 s193(7F))."""

    __tablename__ = "suitability_assessment"

    id: int | None = Field(default=None, primary_key=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    void_id: int = Field(foreign_key="void.id", index=True)
    offer_id: int | None = Field(default=None, foreign_key="offer.id", index=True)
    # One finding per factor: {"factor", "label", "suitable", "reasons"} (cbl/rules/final_offers.py).
    findings: list = Field(default_factory=empty_list, sa_type=JSONList)
    weekly_income_pence: int | None = Field(default=None, ge=0)
    reasonable_to_accept: bool
    reasons: str = Field(max_length=4000)
    assessed_by_id: int = Field(foreign_key="staff_user.id")
    assessed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PreOfferCheck(SQLModel, table=True):
    """A check made on a shortlist place before its household is offered the home (cbl/rules/pre_offer_checks.py):
    passed or failed, with a note, by whom and when. The latest of each kind on the place is the one that counts."""

    __tablename__ = "pre_offer_check"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="shortlist_entry.id", index=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    kind: OfferCheckKind = Field(sa_type=state(OfferCheckKind))
    passed: bool
    note: str = Field(default="", max_length=2000)
    recorded_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
