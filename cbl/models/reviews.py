"""Statutory reviews of allocation and suitability decisions."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from .columns import UTCDateTime, state, utcnow
from .states import EnquiryKind, ReviewOutcome, ReviewStatus, ReviewType


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
    # The last day to ask, from the day the household was told (s202(3) for Part 7; the scheme for Part 6).
    request_by: date | None = None
    applicant_reasons: str = Field(default="", max_length=8000)
    late: bool = False  # asked for after the statutory period: decided only if an officer accepts it
    late_accepted_reason: str | None = Field(default=None, max_length=2000)
    acknowledged_on: date | None = None
    status: ReviewStatus = Field(default=ReviewStatus.REQUESTED, sa_type=state(ReviewStatus))
    decide_by: date
    extended_to: date | None = None
    extension_agreement: str | None = Field(default=None, max_length=2000)
    # Accommodation pending the review (s188(3) / s199(5)): asked for, and the decision with reasons.
    pending_accommodation_asked: bool = False
    pending_accommodation_granted: bool | None = None
    pending_accommodation_reasons: str | None = Field(default=None, max_length=4000)
    drafted_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    draft_outcome: ReviewOutcome | None = Field(default=None, sa_type=state(ReviewOutcome, "draft_outcome"))
    draft_reasons: str | None = Field(default=None, max_length=16000)
    # A deficiency or irregularity in the original decision: an adverse decision then needs a minded-to notice.
    deficiency_found: bool = False
    # What it is, in the reviewer's words: the minded-to notice states it (reg 7(2) of SI 2018/223).
    deficiency: str | None = Field(default=None, max_length=4000)
    reviewer_id: int | None = Field(default=None, foreign_key="staff_user.id")
    minded_to_sent_on: date | None = None
    representations_by: date | None = None
    representations: str | None = Field(default=None, max_length=16000)
    outcome: ReviewOutcome | None = Field(default=None, sa_type=state(ReviewOutcome))
    decision_reasons: str | None = Field(default=None, max_length=16000)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    effect: str | None = Field(default=None, max_length=2000)
    reminded_on: date | None = None
    # A withdrawal is the applicant's: how they asked (letter, email, online, phone), when, what they said,
    # and for a call, the officer who took it.
    withdrawal_channel: str | None = Field(default=None, max_length=16)
    withdrawal_requested_on: date | None = None
    withdrawal_request: str | None = Field(default=None, max_length=2000)
    withdrawal_taken_by: str | None = Field(default=None, max_length=200)
    logged_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Enquiry(SQLModel, table=True):
    """A councillor's enquiry or a complaint about an allocation, answered within the scheme's deadlines, in
    two stages: stage 1, and stage 2 when whoever raised it asks for it to be looked at again."""

    id: int | None = Field(default=None, primary_key=True)
    kind: EnquiryKind = Field(sa_type=state(EnquiryKind))
    applicant_id: int | None = Field(default=None, foreign_key="applicant.id", index=True)
    raised_by: str = Field(max_length=200)  # the councillor or the complainant
    received_on: date
    summary: str = Field(max_length=8000)
    acknowledge_by: date
    acknowledged_on: date | None = None
    answer_by: date
    answered_on: date | None = None
    answer: str | None = Field(default=None, max_length=16000)
    logged_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    answered_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    # Stage 2: who asked for it (in their words), the day they asked, why, and the officer who recorded it.
    escalation_asked_by: str | None = Field(default=None, max_length=200)
    escalated_on: date | None = None
    escalation_reason: str | None = Field(default=None, max_length=8000)
    escalated_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    stage_two_answer_by: date | None = None
    stage_two_answered_on: date | None = None
    stage_two_answer: str | None = Field(default=None, max_length=16000)
    stage_two_answered_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
