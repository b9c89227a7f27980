"""The audit trail: every state change writes an event in the same transaction as the change."""

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from cbl.models import AuditEvent

from .actors import Actor


def audit(
    session: Session,
    actor: Actor,
    action: str,
    subject: Any,
    details: dict[str, Any] | None = None,
    *,
    applicant_id: int | None = None,
) -> AuditEvent:
    """Record that `actor` did `action` to `subject` (a table row, flushed so it has its id)."""
    identity = sa.inspect(subject).identity
    if identity is None:
        session.flush()
        identity = sa.inspect(subject).identity
    if applicant_id is None:
        applicant_id = _case_of(subject)
    event = AuditEvent(
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_name=actor.name,
        action=action,
        subject_type=type(subject).__tablename__,
        subject_id=identity[0] if len(identity) == 1 and isinstance(identity[0], int) else None,
        applicant_id=applicant_id,
        details=_plain(details or {}),
    )
    session.add(event)
    return event


def _case_of(subject: Any) -> int | None:
    if type(subject).__tablename__ == "applicant":
        return subject.id
    return getattr(subject, "applicant_id", None)


def _plain(value: Any) -> Any:
    """JSON-safe copy of the details: dates and enums as their text."""
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
