"""Signed-in sessions, API tokens, one-time password links and sign-in throttling, kept in the database so
every worker shares them."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .columns import UTCDateTime, state, utcnow
from .states import PasswordLinkPurpose


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
    # What its owner called it when asking for it ("phone app"), so they can tell their tokens apart.
    label: str = Field(default="", max_length=100)
    # Written at most every few minutes (services.sign_in.LAST_USE_PRECISION), not on every request.
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Throttle(SQLModel, table=True):
    """Attempts counted per key (e.g. sign-ins per account and per address) in a fixed window."""

    key: str = Field(primary_key=True, max_length=200)
    count: int = 0
    window_ends_at: datetime = Field(sa_type=UTCDateTime)


# Exactly one of a link's accounts is named (written so that SQLite and PostgreSQL both read it).
ONE_ACCOUNT = ("(CASE WHEN applicant_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN staff_user_id IS NULL THEN 0 ELSE 1 "
               "END) + (CASE WHEN household_account_id IS NULL THEN 0 ELSE 1 END) = 1")


class PasswordLink(SQLModel, table=True):
    """A one-time link with which someone sets their password: a member of staff's invitation, a link an
    officer gives a household, or one asked for on a forgotten-password page. Only its hash is kept."""

    __tablename__ = "password_link"
    __table_args__ = (sa.CheckConstraint(ONE_ACCOUNT, name="one_account"),)

    id: int | None = Field(default=None, primary_key=True)
    # Whose password it sets: an application's, a member of staff's (a council's or a provider's), or a
    # household's own account for applying online (signed in to with its e-mail address or mobile number).
    applicant_id: int | None = Field(default=None, foreign_key="applicant.id", index=True)
    staff_user_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True)
    household_account_id: int | None = Field(default=None, foreign_key="household_account.id", index=True)
    purpose: PasswordLinkPurpose = Field(sa_type=state(PasswordLinkPurpose))
    token_hash: str = Field(max_length=128, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Ended before use: a newer link was sent, the password was set another way, or the account was disabled.
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The member of staff who issued it; none for a link someone asked for themselves.
    issued_by_id: int | None = Field(default=None, foreign_key="staff_user.id")


class StaffSecondFactor(SQLModel, table=True):
    """A member of staff's authenticator app (a TOTP secret), from the sign-in at which it was first shown.

    Until `enrolled_at` is set the secret is only being set up: it is shown (as a QR code and as text)
    until a code from it is confirmed.
    """

    __tablename__ = "staff_second_factor"

    staff_user_id: int = Field(foreign_key="staff_user.id", primary_key=True)
    # Encrypted under a key derived from the site's secret key (services.second_factor.seal).
    secret: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    enrolled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The last 30-second step whose code was accepted: no code of that step or an earlier one is accepted again.
    last_step: int | None = None


class StaffRecoveryCode(SQLModel, table=True):
    """A one-time code that stands in for the authenticator app; only its hash is kept."""

    __tablename__ = "staff_recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    staff_user_id: int = Field(foreign_key="staff_user.id", index=True)
    code_hash: str = Field(max_length=128)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
