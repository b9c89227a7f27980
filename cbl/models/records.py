"""The audit trail and the outbox of letters and e-mails."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .columns import empty_dict, state, UTCDateTime, utcnow
from .states import ActorKind, Channel, OutboxStatus


class AuditEvent(SQLModel, table=True):
    """Who did what, to what, when and why. Written in the same transaction as the change."""

    __tablename__ = "audit_event"
    __table_args__ = (
        # The audit trail's filters (cbl/queries/audit_trail.py): what one member of staff did, newest first; and
        # what was done to one record.
        sa.Index("ix_audit_event_actor", "actor_kind", "actor_id", "at"),
        sa.Index("ix_audit_event_subject", "subject_type", "subject_id"),
    )

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
    details: dict = Field(default_factory=empty_dict, sa_type=sa.JSON)


class OutboxMessage(SQLModel, table=True):
    """A message to a household, a provider or a member of staff, kept as sent (its text is fixed
    when it is made) with its delivery: the dispatcher claims it, hands it to a carrier once, and
    records what the carrier said."""

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),)

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
    # Where it goes: an e-mail address or a mobile number (letters go to the address they print).
    # Left empty by the service that made it, the dispatcher fills it in from the case when it sends.
    recipient: str | None = Field(default=None, max_length=320)
    # Values for the carrier's template (GOV.UK Notify personalisation), beyond subject and body.
    personalisation: dict = Field(default_factory=empty_dict, sa_type=sa.JSON)
    large_print: bool = False
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A claim for sending lasts until this instant; after it, another dispatcher checks with the
    # carrier whether the message went before sending it again.
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=64)
    carrier: str | None = Field(default=None, max_length=16)
    carrier_id: str | None = Field(default=None, max_length=64, index=True)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # What went wrong and what to do, shown to officers on the case.
    failure: str | None = Field(default=None, max_length=1000)


class ContactPreference(SQLModel, table=True):
    """How a household wants to hear from us, and the consent and confirmation behind it."""

    __tablename__ = "contact_preference"

    applicant_id: int = Field(foreign_key="applicant.id", primary_key=True)
    by_email: bool = False
    by_text: bool = False
    by_post: bool = True
    large_print: bool = False
    # Written notices may go by e-mail only with the household's recorded consent.
    email_consent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The mobile number the household confirmed (by answering a text), normalised to 44...
    confirmed_mobile: str | None = Field(default=None, max_length=20, index=True)
    mobile_confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    new_homes_alert: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReceivedText(SQLModel, table=True):
    """A text message a household sent to the council's Notify number, kept once (Notify may call
    again with the same one) with what was done about it."""

    __tablename__ = "received_text"

    notify_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    source_number: str = Field(max_length=20)
    applicant_id: int | None = Field(default=None, foreign_key="applicant.id", index=True)
    text: str = Field(max_length=160)
    outcome: str = Field(default="", max_length=300)
