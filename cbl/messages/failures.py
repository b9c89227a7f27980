"""Messages that could not be sent, as officers see them on a household's case."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from cbl.models import OutboxMessage
from cbl.models.states import OutboxStatus

from .claims import advice
from .config import SECRET_TEMPLATES


SECRET_ADVICE = ("It carried a one-time link to set a password, which cannot be sent again. Check the e-mail "
                 "address or mobile number with the household and correct it on the case; they can then ask for a "
                 "new link on the \"Forgotten your password\" page, or you can give them a sign-in link.")


@dataclass(frozen=True)
class FailedMessage:
    id: int
    channel: str
    subject: str
    created_at: datetime
    reason: str
    advice: str
    can_send_again: bool  # not a one-time code or password link: the person asks for a new one


def failed_messages(session: Session, applicant_id: int) -> list[FailedMessage]:
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.applicant_id == applicant_id,
                                                    OutboxMessage.status == OutboxStatus.FAILED)
                        .order_by(OutboxMessage.id.desc())).all()
    return [FailedMessage(row.id, row.channel.value, row.subject, row.created_at, row.failure or "Not sent.",
                          SECRET_ADVICE if row.template in SECRET_TEMPLATES else advice(row.channel),
                          row.template not in SECRET_TEMPLATES) for row in rows]
