"""The audit trail: every state change writes an event in the same transaction as the change."""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from cbl.models import AuditEvent
from cbl.models.columns import utcnow

from .actors import Actor


_INSERT = sa.insert(AuditEvent)
_PLAIN = {str, int, float, bool, type(None)}


@dataclass(frozen=True, slots=True)
class Subject:
    """What an event is about, when the caller has no ORM object for it (hot paths use Core)."""

    table: str
    id: int | None
    applicant_id: int | None = None


def audit(
    session: Session,
    actor: Actor,
    action: str,
    subject: Any,
    details: dict[str, Any] | None = None,
    *,
    applicant_id: int | None = None,
) -> None:
    """Record that `actor` did `action` to `subject` (a table row or a Subject), in this transaction.

    Written at once with a Core insert: cheaper than an ORM object, and the event cannot be
    forgotten in the session if the caller's flush order changes.
    """
    if not isinstance(subject, Subject):
        subject = _subject_of(session, subject)
    if session.new:
        session.flush()  # rows added in this transaction exist before the event that names them
    session.connection().execute(_INSERT, _event_row(actor, action, subject, details, applicant_id))


def event_rows(actor: Actor, events: list[tuple[str, Subject, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Audit events (action, subject, details) as rows, for a caller that writes a batch of them in bulk
    along with the rows it changed (an import)."""
    return [_event_row(actor, action, subject, details, None) for action, subject, details in events]


def _event_row(actor: Actor, action: str, subject: Subject, details: dict[str, Any] | None,
               applicant_id: int | None) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "actor_kind": actor.kind,
        "actor_id": actor.id,
        "actor_name": actor.name,
        "action": action,
        "subject_type": subject.table,
        "subject_id": subject.id,
        "applicant_id": applicant_id if applicant_id is not None else subject.applicant_id,
        "details": _plain(details or {}),
    }


def _subject_of(session: Session, row: Any) -> Subject:
    identity = sa.inspect(row).identity
    if identity is None:
        session.flush()
        identity = sa.inspect(row).identity
    table = type(row).__tablename__
    row_id = identity[0] if len(identity) == 1 and isinstance(identity[0], int) else None
    case = row_id if table == "applicant" else getattr(row, "applicant_id", None)
    return Subject(table, row_id, case)


def _plain(value: Any) -> Any:
    """JSON-safe copy of the details: dates and enums as their text."""
    if type(value) in _PLAIN:  # most values, first: not a state's text (a subclass of str)
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value.value if hasattr(value, "value") else value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return str(value)
