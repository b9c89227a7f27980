"""A column matched against ids a page read earlier: hundreds or thousands of them."""

import json
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session


def among(session: Session, column: Any, ids: Collection[int]) -> sa.ColumnElement[bool]:
    """`column IN ids`. On PostgreSQL `column = ANY(:ids)` with the ids as one array: the planner reads the rows
    through the column's index, where an IN over a subquery (or a join) of a year's ~1,900 lets made it read
    all 150,000 households (70-100 ms), and one array costs less to send than thousands of bound values.
    SQLite has no arrays: there it is an IN list."""
    if session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, list(ids), type_=postgresql.ARRAY(sa.Integer)))
    return column.in_(list(ids))


def among_any_number(session: Session, column: Any, ids: Collection[int]) -> sa.ColumnElement[bool]:
    """`column IN ids` for a list of any length, as one value: an array on PostgreSQL (as `among`), a JSON list
    on SQLite, read by json_each (an IN list of bound values stops at SQLite's 32,766 variables)."""
    if session.get_bind().dialect.name == "postgresql":
        return among(session, column, ids)
    listed = sa.func.json_each(sa.bindparam(None, json.dumps(list(ids))))
    return column.in_(sa.select(sa.column("value")).select_from(listed))
