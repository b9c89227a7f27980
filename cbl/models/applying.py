"""Applying online: the household's own account, its applications and changes of circumstances, and the
evidence it uploads."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .columns import empty_dict, state, unique_where, UTCDateTime, utcnow
from .states import OnlineKind, OnlineStatus


class HouseholdAccount(SQLModel, table=True):
    """A household's account on the public site, confirmed by a one-time code sent to its e-mail address or
    mobile number. Once its application is on the register it signs in as that application."""

    __tablename__ = "household_account"

    id: int | None = Field(default=None, primary_key=True)
    # One of the two, as written to compare (an e-mail lower-cased, a mobile as 447...).
    email: str | None = Field(default=None, max_length=254, unique=True)
    mobile: str | None = Field(default=None, max_length=20, unique=True)
    password_hash: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The one-time code last sent, as its hash; wrong tries are counted against it.
    code_hash: str | None = Field(default=None, max_length=128)
    code_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    code_tries: int = 0
    applicant_id: int | None = Field(default=None, foreign_key="applicant.id", unique=True)


class OnlineApplication(SQLModel, table=True):
    """An application (or a change of circumstances) as the household answered it, page by page, then as sent:
    its answers are kept as given, beside the case the officer builds from them."""

    __tablename__ = "online_application"
    __table_args__ = (
        unique_where("uq_online_application_account_draft", "account_id", "status = 'draft'"),
        unique_where("uq_online_application_applicant_draft", "applicant_id", "status = 'draft'"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: OnlineKind = Field(sa_type=state(OnlineKind))
    status: OnlineStatus = Field(default=OnlineStatus.DRAFT, sa_type=state(OnlineStatus), index=True)
    account_id: int | None = Field(default=None, foreign_key="household_account.id", index=True)
    applicant_id: int | None = Field(default=None, foreign_key="applicant.id", index=True)
    answers: dict = Field(default_factory=empty_dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # A draft is deleted the scheme's draft days after this, a warning sent first.
    saved_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    warned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    evidence_request: str | None = Field(default=None, max_length=2000)
    evidence_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="staff_user.id")


class EvidenceFile(SQLModel, table=True):
    """A file the household uploaded, kept outside the web root under a generated name. The name it had is kept
    to show, never used as a path."""

    __tablename__ = "evidence_file"

    id: int | None = Field(default=None, primary_key=True)
    online_application_id: int = Field(foreign_key="online_application.id", index=True)
    stored_name: str = Field(max_length=64, unique=True)
    original_name: str = Field(max_length=255)
    content_type: str = Field(max_length=64)
    size: int
    shows: str = Field(max_length=32)  # what it is evidence of (cbl/rules/application_questions.py EVIDENCE)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
