"""Writing many rows at once with SQLAlchemy Core: no ORM object per row."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def update_by_id(connection: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """One UPDATE run for each set of columns changed, each row's values by the `_id` of the row it changes."""
    alike: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        alike.setdefault(tuple(name for name in row if name != "_id"), []).append(row)
    for columns, same in alike.items():
        statement = (sa.update(table).where(table.c.id == sa.bindparam("_id"))
                     .values({name: sa.bindparam(f"_{name}") for name in columns}))
        connection.execute(statement, [{"_id": row["_id"], **{f"_{name}": row[name] for name in columns}}
                                       for row in same])
