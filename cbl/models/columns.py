"""Column types shared by the tables: UTC timestamps, constrained states, JSON lists."""

import enum
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timezone-aware instant, stored in UTC.

    SQLite keeps no zone, so values come back naive; this makes every value that
    leaves the database aware (UTC) and refuses naive values going in, which would
    otherwise be silently taken as local time somewhere.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def state(enum_cls: type[enum.Enum], name: str | None = None) -> sa.Enum:
    """A state column stored as its value with a CHECK constraint, on every database.

    A second column of the same kind in one table needs its own `name`: the constraint is named after it."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        name=name or enum_cls.__name__.lower(),
    )


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# Default factories for list and dict columns. Pydantic reads a default factory's signature each time a model
# is made; for the builtins `list` and `dict` that means parsing their text signatures (about half the cost of
# making an Applicant), for a function of our own it is cheap.
def empty_list() -> list:
    return []


def empty_dict() -> dict:
    return {}


JSONList = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def unique_where(name: str, column: str, condition: str) -> sa.Index:
    """A unique index over the rows that meet a condition (e.g. one live offer per household),
    written the same way for SQLite and PostgreSQL."""
    return sa.Index(name, column, unique=True, sqlite_where=sa.text(condition), postgresql_where=sa.text(condition))
