"""UK calendar days in SQL, written alike for PostgreSQL and SQLite, so that reports over thousands of rows
(the dashboard's void days and rent lost) are summed by the database rather than row by row in Python.

- `local_day(moment)`: the UK date (Europe/London) of a UTC timestamp column. PostgreSQL converts it itself;
  SQLite keeps timestamps as naive UTC text and has no time zones, so each connection is given the function
  `cbl_local_day` (`register_sqlite_functions`, called on connect by `cbl.database`).
- `days_between(later, earlier)`: calendar days from one date to another, as an integer.
- `latest_day(...)` / `earliest_day(...)`: the latest / earliest of several dates (none may be NULL: SQLite's
  max() and min() give NULL if any is, where PostgreSQL's greatest() and least() skip it).
"""

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from cbl.rules.working_days import LONDON


class local_day(FunctionElement):  # noqa: N801 - an SQL function, named as one
    type = sa.Date()
    inherit_cache = True
    name = "local_day"


class days_between(FunctionElement):  # noqa: N801
    type = sa.Integer()
    inherit_cache = True
    name = "days_between"


class latest_day(FunctionElement):  # noqa: N801
    type = sa.Date()
    inherit_cache = True
    name = "latest_day"


class earliest_day(FunctionElement):  # noqa: N801
    type = sa.Date()
    inherit_cache = True
    name = "earliest_day"


def _arguments(element: FunctionElement, compiler: Any, **kw: Any) -> list[str]:
    return [compiler.process(argument, **kw) for argument in element.clauses]


@compiles(local_day, "postgresql")
def _local_day_postgresql(element: local_day, compiler: Any, **kw: Any) -> str:
    return f"CAST(timezone('{LONDON.key}', {_arguments(element, compiler, **kw)[0]}) AS DATE)"


@compiles(local_day, "sqlite")
def _local_day_sqlite(element: local_day, compiler: Any, **kw: Any) -> str:
    return f"cbl_local_day({_arguments(element, compiler, **kw)[0]})"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = _arguments(element, compiler, **kw)
    return f"({later} - {earlier})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = _arguments(element, compiler, **kw)
    return f"CAST(ROUND(julianday({later}) - julianday({earlier})) AS INTEGER)"


@compiles(latest_day, "postgresql")
def _latest_postgresql(element: latest_day, compiler: Any, **kw: Any) -> str:
    return f"greatest({', '.join(_arguments(element, compiler, **kw))})"


@compiles(latest_day, "sqlite")
def _latest_sqlite(element: latest_day, compiler: Any, **kw: Any) -> str:
    return f"max({', '.join(_arguments(element, compiler, **kw))})"


@compiles(earliest_day, "postgresql")
def _earliest_postgresql(element: earliest_day, compiler: Any, **kw: Any) -> str:
    return f"least({', '.join(_arguments(element, compiler, **kw))})"


@compiles(earliest_day, "sqlite")
def _earliest_sqlite(element: earliest_day, compiler: Any, **kw: Any) -> str:
    return f"min({', '.join(_arguments(element, compiler, **kw))})"


def _sqlite_local_day(stored: str | None) -> str | None:
    """A timestamp as SQLite holds it (naive UTC text) to its UK date, as SQLite holds dates (ISO text)."""
    if stored is None:
        return None
    return datetime.fromisoformat(stored).replace(tzinfo=timezone.utc).astimezone(LONDON).date().isoformat()


def register_sqlite_functions(dbapi_connection: Any) -> None:
    dbapi_connection.create_function("cbl_local_day", 1, _sqlite_local_day, deterministic=True)
