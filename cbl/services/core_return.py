"""The CORE lettings return's sign-up answers: what officers record for what the system does not hold
(the return itself is read by cbl.queries.core_lets)."""

from datetime import datetime

from sqlmodel import Session, select

from cbl.reports.core_export import field_specs
from cbl.models import CoreLog, Property, Void
from cbl.models.states import VoidStatus

from .actors import Actor
from .audit import audit
from .errors import InvalidInput, NotFound, within
from cbl.services.rights import Right

ANSWER_LIMIT = 100  # longer than any answer CORE accepts


def record_answers(session: Session, actor: Actor, void_id: int, answers: dict[int, str], now: datetime) -> CoreLog:
    """Sign-up answers for the return, each checked against CORE's allowed answers."""
    if not (actor.may(Right.OFFER_RECORD) or actor.may(Right.PROVIDER_NOMINATIONS)):
        actor.require(Right.OFFER_RECORD)
    void = session.get(Void, void_id)
    if void is None or void.status is not VoidStatus.LET:
        raise NotFound("No such let.")
    if actor.provider_id is not None and session.get(Property, void.property_id).landlord_id != actor.provider_id:
        raise NotFound("No such let.")
    specs = field_specs()
    given = {number: within(value, ANSWER_LIMIT, f"field-{number}", f"Field {number}")
             for number, value in answers.items() if value.strip()}
    for number, value in given.items():
        if number not in specs:
            raise InvalidInput(f"There is no field {number} in the CORE return.", field=f"field-{number}")
        if not specs[number].accepts(value):
            raise InvalidInput(f"Field {number}: “{value}” is not an answer CORE accepts ({specs[number].values}).",
                               field=f"field-{number}")
    log = session.exec(select(CoreLog).where(CoreLog.void_id == void_id)).first() or CoreLog(void_id=void_id)
    log.answers = {**log.answers, **{str(n): v for n, v in given.items()}}
    log.updated_by_id, log.updated_at = actor.id, now
    session.add(log)
    audit(session, actor, "core.answered", void, {"fields": sorted(given)})
    return log
