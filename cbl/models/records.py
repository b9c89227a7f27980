"""The audit trail and the outbox of letters and e-mails."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .columns import UTCDateTime, state, utcnow
from .states import ActorKind, Channel, OutboxStatus


class AuditEvent(SQLModel, table=True):
    """Who did what, to what, when and why. Written in the same transaction as the change."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_kind: ActorKind = Field(sa_type=state(ActorKind))
    actor_id: int | None = None
    actor_name: str = Field(max_length=200)
    action: str = Field(max_length=64, index=True)
    subject_type: str = Field(max_length=32)
    subject_id: int | None = None
    # The case it belongs to, so a case's timeline is one indexed query.
    applicant_id: int | None = Field(default=None, foreign_key="applicant.id", index=True)
    details: dict = Field(default_factory=dict, sa_type=sa.JSON)


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    channel: Channel = Field(sa_type=state(Channel))
    template: str = Field(max_length=64)
    applicant_id: int | None = Field(default=None, foreign_key="applicant.id", index=True)
    staff_user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    subject: str = Field(max_length=300)
    body: str
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=state(OutboxStatus))
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
