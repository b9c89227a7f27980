"""Delivery receipts from GOV.UK Notify: the outbox message's status follows what Notify says."""

from datetime import datetime

from sqlmodel import Session

from cbl.models import OutboxMessage
from cbl.models.states import OutboxStatus
from cbl.services.actors import SYSTEM
from cbl.services.audit import audit

DELIVERED = {"delivered", "received", "accepted"}  # letters: accepted (printing), received (posted)
# Notify's words for each failure, and what they mean for the household.
FAILED = {
    "permanent-failure": "The provider says the address or number does not exist or refuses our messages.",
    "temporary-failure": "The provider could not deliver it for several days (for example a full inbox or a "
                         "phone switched off).",
    "technical-failure": "Notify could not send it because of a technical problem.",
    "validation-failed": "Notify could not print the letter: the address or the layout was not accepted.",
    "cancelled": "The letter was cancelled before it was printed.",
}
T = OutboxMessage.__table__


def record_receipt(session: Session, reference: str, notify_id: str, status: str, now: datetime) -> bool:
    """Apply one receipt; False if it names no message of ours (or another notification than ours)."""
    if not reference.isdigit() or (status not in DELIVERED and status not in FAILED):
        return False
    message = session.get(OutboxMessage, int(reference))
    if message is None or (message.carrier_id is not None and message.carrier_id != notify_id):
        return False
    if status in DELIVERED:
        if message.status in {OutboxStatus.SENDING, OutboxStatus.SENT}:
            session.execute(T.update().where(T.c.id == message.id).values(
                status=OutboxStatus.DELIVERED.value, delivered_at=now, carrier_id=notify_id))
        return True
    if message.status is not OutboxStatus.FAILED:
        reason = FAILED[status]
        session.execute(T.update().where(T.c.id == message.id).values(
            status=OutboxStatus.FAILED.value, carrier_id=notify_id, failure=reason, claimed_until=None))
        audit(session, SYSTEM, "message.failed", message,
              {"channel": message.channel.value, "subject": message.subject, "reason": reason},
              applicant_id=message.applicant_id)
    return True
