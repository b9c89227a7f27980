"""A manager's decision on another member of staff's request (a direct offer, a back-dated registration):
the same checks whatever is asked for, so that no request is decided twice or by the one who made it."""

from typing import Any, TypeVar

from sqlmodel import Session, select

from .actors import Actor
from .errors import Conflict, InvalidInput, NotAllowed, NotFound, within

R = TypeVar("R")
NOTE_LIMIT = 2000


def open_request(session: Session, actor: Actor, kind: type[R], request_id: int, what: str) -> R:
    """The request (`what`: "direct offer", "back-dating"), locked; refused if there is none, if it is
    decided already, or if `actor` asked for it."""
    model: Any = kind
    request = session.exec(select(model).where(model.id == request_id).with_for_update()).first()
    if request is None:
        raise NotFound(f"No such {what} request.")
    if request.decided_at is not None:
        raise Conflict(f"This {what} has already been decided.")
    if request.requested_by_id == actor.id:
        raise NotAllowed(f"You asked for this {what}; another manager must decide it.")
    return request


def decision_note(note: str, approve: bool, what: str) -> str:
    """The manager's note, needed when turning the request down (the officer who asked reads it)."""
    note = within(note, NOTE_LIMIT, "note", "The note")
    if not approve and not note:
        raise InvalidInput(f"Give the reason for turning the {what} down; the officer reads it.", field="note")
    return note
