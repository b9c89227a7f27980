"""Statutory reviews of allocation and suitability decisions."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from .columns import UTCDateTime, state, utcnow
from .states import ReviewOutcome, ReviewStatus, ReviewType


class Review(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    decision_type: ReviewType = Field(sa_type=state(ReviewType))
    # The decision under review, e.g. ("refusal", 12) or ("band_assessment", 40).
    subject_type: str = Field(max_length=32)
    subject_id: int
    original_decision_maker_id: int | None = Field(default=None, foreign_key="staff_user.id")
    notified_on: date  # when the applicant was told of the decision
    requested_on: date
    applicant_reasons: str = Field(default="", max_length=8000)
    late_accepted_reason: str | None = Field(default=None, max_length=2000)
    status: ReviewStatus = Field(default=ReviewStatus.REQUESTED, sa_type=state(ReviewStatus))
    decide_by: date
    extended_to: date | None = None
    extension_agreement: str | None = Field(default=None, max_length=2000)
    drafted_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    reviewer_id: int | None = Field(default=None, foreign_key="staff_user.id")
    minded_to_sent_on: date | None = None
    representations_by: date | None = None
    outcome: ReviewOutcome | None = Field(default=None, sa_type=state(ReviewOutcome))
    decision_reasons: str | None = Field(default=None, max_length=16000)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    logged_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
