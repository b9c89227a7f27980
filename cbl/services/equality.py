"""Equality monitoring answers: given by the household (the online application's optional step, its own account
page) or typed in by an officer from a paper form; kept apart from the case and never shown to anyone deciding it.

Who reads them: the household itself, here (`own_answers`); the managers' report, as counts with small ones
suppressed (cbl/reports/equality.py); and a subject access export, which is the household's own data (UK GDPR
art 15). No member of staff reads one household's answers from a page: an officer typing in a paper form records
them and never sees them again. The law's reason: the condition that lets a council process such data for
equality monitoring (Data Protection Act 2018, Schedule 1, paragraph 8) does not cover using it for measures or
decisions about the person, and ends when the person gives written notice not to process it (`forget_own`).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from cbl.models import Applicant, EqualityAnswers
from cbl.models.states import ActorKind
from cbl.rules.equality_categories import KEYS, known_answer

from .actors import Actor
from .audit import audit
from .errors import InvalidInput, NotAllowed, NotFound
from .rights import Right

ONLINE, PAPER = "online", "paper"


@dataclass(frozen=True)
class Household:
    """Whose answers: an account applying online (its application not yet sent), or an application on the
    register."""

    account_id: int | None = None
    applicant_id: int | None = None

    def condition(self) -> Any:
        """The condition that picks this household's answers."""
        if self.applicant_id is not None:
            return EqualityAnswers.applicant_id == self.applicant_id
        return EqualityAnswers.account_id == self.account_id


def _checked(answers: dict[str, str | None]) -> dict[str, str | None]:
    """Each question's answer, None where not answered; an answer not on the question's list refused."""
    kept = {key: answers.get(key) or None for key in KEYS}
    for key, code in kept.items():
        if not known_answer(key, code):
            raise InvalidInput("Choose an answer from the list.", field=key)
    return kept


def _own(actor: Actor, household: Household) -> None:
    """Only the household itself: never a member of staff, the system or a provider."""
    if actor.kind is not ActorKind.APPLICANT or (household.applicant_id is not None
                                                 and actor.id != household.applicant_id):
        raise NotAllowed("Equality monitoring answers are shown only to the household that gave them.")


def _found(session: Session, household: Household) -> EqualityAnswers | None:
    return session.exec(select(EqualityAnswers).where(household.condition())).first()


def _save(session: Session, actor: Actor, household: Household, answers: dict[str, str | None], source: str,
          now: datetime) -> EqualityAnswers:
    kept = _checked(answers)
    row = _found(session, household) or EqualityAnswers(account_id=household.account_id,
                                                         applicant_id=household.applicant_id, source=source)
    for key, code in kept.items():
        setattr(row, key, code)
    row.source, row.answered_at = source, now
    session.add(row)
    session.flush()
    # What was answered stays out of the audit trail: the case's timeline shows its events.
    audit(session, actor, "equality.recorded", row, {"source": source})
    return row


def own_answers(session: Session, actor: Actor, household: Household) -> EqualityAnswers | None:
    """The household's own answers, for its own pages."""
    _own(actor, household)
    return _found(session, household)


def record_own(session: Session, actor: Actor, household: Household, answers: dict[str, str | None],
               now: datetime) -> EqualityAnswers:
    """The household's answers, as it gave them (each question optional), in place of any it gave before."""
    _own(actor, household)
    return _save(session, actor, household, answers, ONLINE, now)


def record_from_paper(session: Session, actor: Actor, applicant_id: int, answers: dict[str, str | None],
                      now: datetime) -> None:
    """An officer types in the answers a household gave on a paper form, in place of any held; nothing is
    returned, and no page shows them back."""
    actor.require(Right.EQUALITY_RECORD)
    _save(session, actor, Household(applicant_id=applicant_id), answers, PAPER, now)


@dataclass(frozen=True)
class PaperForm:
    """What the officers' page for a paper form knows: whose it is, and whether answers are held (not what)."""

    applicant_id: int
    reference: str
    held: bool


def paper_form(session: Session, actor: Actor, reference: str) -> PaperForm:
    actor.require(Right.EQUALITY_RECORD)
    found = session.exec(select(Applicant.id).where(Applicant.reference == reference)).first()
    if found is None:
        raise NotFound(f"There is no application {reference}.")
    held = session.exec(select(EqualityAnswers.id).where(EqualityAnswers.applicant_id == found)).first()
    return PaperForm(found, reference, held is not None)


def forget_own(session: Session, actor: Actor, household: Household, now: datetime) -> None:
    """The household asks that its answers be no longer kept: they are deleted."""
    _own(actor, household)
    found = _found(session, household)
    if found is None:
        raise NotFound("We hold no equality monitoring answers for you.")
    audit(session, actor, "equality.deleted", found, {"at_request_of": "household"})
    session.delete(found)
    session.flush()


def attach_to_application(session: Session, account_id: int, applicant_id: int) -> None:
    """The account's answers go with its application when it is sent (the account then signs in as it)."""
    session.execute(sa.update(EqualityAnswers).where(EqualityAnswers.account_id == account_id,
                                                     EqualityAnswers.applicant_id.is_(None))
                    .values(applicant_id=applicant_id))


def forget_unsent(session: Session, account_id: int) -> None:
    """An unsent application's answers, deleted with its draft (the draft's deletion is audited)."""
    session.execute(sa.delete(EqualityAnswers).where(EqualityAnswers.account_id == account_id,
                                                     EqualityAnswers.applicant_id.is_(None)))
