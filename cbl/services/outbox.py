"""Officers' actions on the outbox: sending again a message that could not be delivered."""

from datetime import datetime

from sqlmodel import Session

from cbl.messages.config import SECRET_TEMPLATES
from cbl.models import OutboxMessage
from cbl.models.states import OutboxStatus
from cbl.services.actors import Actor
from cbl.services.audit import audit
from cbl.services.errors import Conflict, NotFound
from cbl.services.rights import Right


def send_again(session: Session, actor: Actor, message_id: int, now: datetime) -> OutboxMessage:
    """Put a failed message back in the outbox, to the address or number now on the case."""
    actor.require(Right.LETTERS_ISSUE)
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("No such message.")
    if message.status is not OutboxStatus.FAILED:
        raise Conflict(f"This message is {message.status.value}: only one that failed can be sent again.")
    if message.template in SECRET_TEMPLATES:
        # Sent to an address changed on the case, its code or link would reach whoever changed it.
        raise Conflict("This message carried a one-time code or a link to set a password: it cannot be sent again. "
                       "The person can ask for a new one.")
    previous = {"recipient": message.recipient, "failure": message.failure}
    message.status, message.failure, message.attempts = OutboxStatus.PENDING, None, 0
    message.next_attempt_at = message.claimed_until = message.claimed_by = message.carrier_id = None
    if message.template != "text_reply":
        message.recipient = None  # the dispatcher reads the corrected address from the case
    session.add(message)
    audit(session, actor, "message.sent_again", message, previous, applicant_id=message.applicant_id)
    return message
