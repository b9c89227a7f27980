"""Equality monitoring answers: kept in a table of their own, apart from the case.

Only the household itself (its account pages), the managers' report (counts, small ones suppressed) and a subject
access export read them; no page about a case or a decision joins them (cbl/services/equality.py says who may
read and write them; tests/unit/test_equality_apart.py checks which modules name this table)."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .columns import UTCDateTime, utcnow


class EqualityAnswers(SQLModel, table=True):
    """One household's answers (the lead applicant's), each None when not answered or a code of
    cbl/rules/equality_categories.py ("prefer_not_to_say" included). Keyed to the household's account while it
    applies online, and to its application once that is on the register (or from the start, for a paper one)."""

    __tablename__ = "equality_answers"
    __table_args__ = (sa.CheckConstraint("account_id IS NOT NULL OR applicant_id IS NOT NULL", name="whose"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(default=None, foreign_key="household_account.id", unique=True)
    applicant_id: int | None = Field(default=None, foreign_key="applicant.id", unique=True)
    sex: str | None = Field(default=None, max_length=32)
    gender_identity: str | None = Field(default=None, max_length=32)
    sexual_orientation: str | None = Field(default=None, max_length=32)
    ethnic_group: str | None = Field(default=None, max_length=32)
    religion: str | None = Field(default=None, max_length=32)
    disability: str | None = Field(default=None, max_length=32)
    marriage: str | None = Field(default=None, max_length=32)
    pregnancy: str | None = Field(default=None, max_length=32)
    source: str = Field(max_length=16)  # "online" (the household's own) or "paper" (an officer typed them in)
    answered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
