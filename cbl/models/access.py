"""Signed-in sessions, API tokens and sign-in throttling, kept in the database so every worker shares them."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .columns import UTCDateTime, utcnow


class WebSession(SQLModel, table=True):
    __tablename__ = "web_session"

    key: str = Field(primary_key=True, max_length=128)
    data: bytes = Field(sa_type=sa.LargeBinary)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # Whose session it is ("staff:12", "applicant:7"), so that all of one account's sessions can be
    # ended at once (an account disabled, a password set); empty for sessions older than the column.
    account: str | None = Field(default=None, max_length=64, index=True)

    @staticmethod
    def account_of(kind: str, account_id: int) -> str:
        return f"{kind}:{account_id}"


class ApiToken(SQLModel, table=True):
    """A bearer token for the applicant API; only its hash is kept."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    token_hash: str = Field(max_length=128, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Throttle(SQLModel, table=True):
    """Attempts counted per key (e.g. sign-ins per account and per address) in a fixed window."""

    key: str = Field(primary_key=True, max_length=200)
    count: int = 0
    window_ends_at: datetime = Field(sa_type=UTCDateTime)


class StaffInvitation(SQLModel, table=True):
    """A one-time link with which a member of staff sets their password; only its hash is kept."""

    __tablename__ = "staff_invitation"

    id: int | None = Field(default=None, primary_key=True)
    staff_user_id: int = Field(foreign_key="staff_user.id", index=True)
    token_hash: str = Field(max_length=128, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Ended before use: a newer invitation was sent, or the account was disabled.
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    issued_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
