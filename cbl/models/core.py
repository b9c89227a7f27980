"""Answers for the national CORE lettings return that the rest of the system does not hold."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .columns import empty_dict, UTCDateTime, utcnow


class CoreLog(SQLModel, table=True):
    """One let's CORE answers by field number (as text, e.g. {"36": "2"}), given at sign-up."""

    __tablename__ = "core_log"

    id: int | None = Field(default=None, primary_key=True)
    void_id: int = Field(foreign_key="void.id", unique=True)
    answers: dict = Field(default_factory=empty_dict, sa_type=sa.JSON)
    updated_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
