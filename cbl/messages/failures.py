"""Messages that could not be sent, as officers see them on a household's case."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from cbl.models import OutboxMessage
from cbl.models.states import OutboxStatus

from .claims import advice


@dataclass(frozen=True)
class FailedMessage:
    id: int
    channel: str
    subject: str
    created_at: datetime
    reason: str
    advice: str


def failed_messages(session: Session, applicant_id: int) -> list[FailedMessage]:
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.applicant_id == applicant_id,
                                                    OutboxMessage.status == OutboxStatus.FAILED)
                        .order_by(OutboxMessage.id.desc())).all()
    return [FailedMessage(row.id, row.channel.value, row.subject, row.created_at, row.failure or "Not sent.",
                          advice(row.channel)) for row in rows]
