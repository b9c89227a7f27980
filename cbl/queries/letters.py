"""What the letter pages read: a letter as sent, with the reference of the household it went to."""

from sqlmodel import Session, select

from cbl.messages.letters import find_letter
from cbl.models import Applicant, OutboxMessage
from cbl.services.errors import NotFound


def letter(session: Session, letter_id: int, applicant_id: int | None = None) -> tuple[OutboxMessage, str]:
    """The letter and its household's reference; with `applicant_id`, only one sent to that household
    (another's does not exist, as far as the household can tell)."""
    found = find_letter(session, letter_id, applicant_id)
    if found is None:
        raise NotFound("No such letter.")
    return found, session.exec(select(Applicant.reference).where(Applicant.id == found.applicant_id)).one()
