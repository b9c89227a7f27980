"""The outbox's delivery states, written so that each message is handed to a carrier once.

A dispatcher claims due messages (status `sending`, a lease and its name) in one short
transaction: on PostgreSQL `FOR UPDATE SKIP LOCKED`, so two dispatchers claim different rows; on
SQLite the write transaction already holds the database. It then sends each and confirms it in a
transaction of its own, only while the claim is still its own. A claim whose lease ran out (the
dispatcher died, or lost its connection) is claimed again and, because the message may have gone,
the carrier is asked about its reference before anything is sent.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from cbl.models import OutboxMessage
from cbl.models.states import Channel, OutboxStatus

T = OutboxMessage.__table__
MAX_ATTEMPTS = 12  # with the backoff below, about a day and a half of trying


@dataclass(frozen=True)
class Claim:
    message_id: int
    # Handed to a carrier before (the earlier attempt may have arrived): ask the carrier first.
    ask_first: bool


def claim(session: Session, channels: frozenset[str], worker: str, now: datetime, lease: timedelta,
          limit: int) -> list[Claim]:
    """Claim up to `limit` due messages on these channels for `worker`, oldest first."""
    if not channels:
        return []
    due = sa.or_(
        sa.and_(T.c.status == OutboxStatus.PENDING.value,
                sa.or_(T.c.next_attempt_at.is_(None), T.c.next_attempt_at <= now)),
        sa.and_(T.c.status == OutboxStatus.SENDING.value, T.c.claimed_until < now),
    )
    query = (sa.select(T.c.id, T.c.attempts, T.c.status).where(due, T.c.channel.in_(sorted(channels)))
             .order_by(T.c.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = session.execute(query).all()
    if rows:
        session.execute(T.update().where(T.c.id.in_([row.id for row in rows]))
                        .values(status=OutboxStatus.SENDING.value, claimed_until=now + lease, claimed_by=worker))
    return [Claim(row.id, row.attempts > 0 or row.status == OutboxStatus.SENDING.value) for row in rows]


def _mine(message_id: int, worker: str) -> sa.ColumnElement[bool]:
    return sa.and_(T.c.id == message_id, T.c.claimed_by == worker, T.c.status == OutboxStatus.SENDING.value)


def confirm(session: Session, message_id: int, worker: str, carrier: str, carrier_id: str, recipient: str | None,
            now: datetime) -> bool:
    """The carrier has the message. False if the claim was no longer this worker's.

    The carrier's receipt may have come first (it names the same carrier id): it keeps its status."""
    receipt_first = sa.and_(T.c.id == message_id, T.c.carrier_id == carrier_id,
                            T.c.status.in_([OutboxStatus.DELIVERED.value, OutboxStatus.FAILED.value]))
    return session.execute(T.update().where(sa.or_(_mine(message_id, worker), receipt_first)).values(
        status=sa.case((T.c.status == OutboxStatus.SENDING.value, OutboxStatus.SENT.value), else_=T.c.status),
        carrier=carrier, carrier_id=carrier_id, recipient=recipient, sent_at=now,
        attempts=T.c.attempts + 1, claimed_until=None,
        failure=sa.case((T.c.status == OutboxStatus.FAILED.value, T.c.failure), else_=None))).rowcount == 1


def retry_later(session: Session, message_id: int, worker: str, reason: str, now: datetime,
                *, counts: bool = True, after: float | None = None) -> bool:
    """Back to pending until the next attempt (doubling from a minute, at most six hours apart);
    failed for good after MAX_ATTEMPTS. `counts=False`: not tried (the carrier refused everything)."""
    attempts = session.execute(sa.select(T.c.attempts).where(T.c.id == message_id)).scalar_one() + int(counts)
    if attempts >= MAX_ATTEMPTS:
        return fail(session, message_id, worker, f"Still not sent after {attempts} tries: {reason}", now)
    wait = after if after is not None else min(60 * 2 ** max(attempts - 1, 0), 6 * 3600)
    return session.execute(T.update().where(_mine(message_id, worker)).values(
        status=OutboxStatus.PENDING.value, attempts=attempts, next_attempt_at=now + timedelta(seconds=wait),
        claimed_until=None, claimed_by=None, failure=reason)).rowcount == 1


def fail(session: Session, message_id: int, worker: str, reason: str, now: datetime) -> bool:
    return session.execute(T.update().where(_mine(message_id, worker)).values(
        status=OutboxStatus.FAILED.value, attempts=T.c.attempts + 1, claimed_until=None,
        failure=reason[:1000])).rowcount == 1


def release(session: Session, message_ids: list[int], worker: str, wait_seconds: float, now: datetime) -> None:
    """Give back claims not tried, to be tried after `wait_seconds` (no attempt counted)."""
    if message_ids:
        session.execute(T.update().where(T.c.id.in_(message_ids), T.c.claimed_by == worker,
                                         T.c.status == OutboxStatus.SENDING.value)
                        .values(status=OutboxStatus.PENDING.value, claimed_until=None, claimed_by=None,
                                next_attempt_at=now + timedelta(seconds=wait_seconds)))


def advice(channel: Channel | str) -> str:
    """What an officer should do about a message that cannot be sent."""
    return {
        "email": "Check the e-mail address with the household, correct it on the case, then send the message "
                 "again from the case (or send the letter by post).",
        "sms": "Check the mobile number with the household, correct it on the case, then send the message again "
               "from the case.",
        "letter": "Check the postal address with the household, correct it on the case, then send the letter "
                  "again from the case.",
    }[Channel(channel).value]
