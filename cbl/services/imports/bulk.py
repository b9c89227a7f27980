"""Writing many rows at once with SQLAlchemy Core, never an ORM object per row. On PostgreSQL rows go in by
COPY (and changes through a temporary table and one UPDATE ... FROM), which is many times quicker than a
statement per row; on SQLite, where statements are cheap, by executemany. The search keys of the names,
addresses and contact details written go in with them (cbl/models/search_keys.py)."""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cbl.models.search_keys import keyed


def _postgresql(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def _copy(connection: Connection, table: sa.Table, columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """COPY the rows into the table, each value made ready by its column's own type (JSON, states, UTC times)."""
    quote = connection.dialect.identifier_preparer.quote
    processors = [table.c[name].type._cached_bind_processor(connection.dialect) for name in columns]
    names = ", ".join(quote(name) for name in columns)
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] if process is None else process(row[name])
                            for name, process in zip(columns, processors, strict=True)])


def insert_rows(connection: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows (all with the same keys)."""
    if not rows:
        return
    rows = keyed(table, rows)
    if _postgresql(connection):
        _copy(connection, table, list(rows[0]), rows)
    else:
        connection.execute(table.insert(), rows)


def insert_with_ids(connection: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows (all with the same keys) and give their new ids, in the rows' order."""
    if not rows:
        return []
    rows = keyed(table, rows)
    if not _postgresql(connection):
        return list(connection.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True),
                                       rows).scalars())
    ids = list(connection.execute(sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                                          "FROM generate_series(1, :n)"), {"table": table.name, "n": len(rows)})
               .scalars())
    _copy(connection, table, ["id", *rows[0]], [{"id": new, **row} for new, row in zip(ids, rows, strict=True)])
    return ids


def update_by_id(connection: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Change many rows, each given as the `_id` of the row and its new values: one statement for each set of
    columns changed."""
    alike: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        alike.setdefault(tuple(name for name in row if name != "_id"), []).append(row)
    for same in alike.values():
        same = keyed(table, same)
        columns = tuple(name for name in same[0] if name != "_id")
        if _postgresql(connection):
            _update_from_copy(connection, table, columns, same)
            continue
        statement = (sa.update(table).where(table.c.id == sa.bindparam("_id"))
                     .values({name: sa.bindparam(f"_{name}") for name in columns}))
        connection.execute(statement, [{"_id": row["_id"], **{f"_{name}": row[name] for name in columns}}
                                       for row in same])


def _update_from_copy(connection: Connection, table: sa.Table, columns: tuple[str, ...],
                      rows: list[dict[str, Any]]) -> None:
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    changes = sa.Table("cbl_import_changes", sa.MetaData(), sa.Column("id", sa.Integer),
                       *(sa.Column(name, table.c[name].type) for name in columns))
    connection.exec_driver_sql(f"CREATE TEMPORARY TABLE cbl_import_changes ON COMMIT DROP AS "
                               f"SELECT id, {names} FROM {quote(table.name)} WITH NO DATA")
    _copy(connection, changes, ["id", *columns], [{"id": row["_id"], **row} for row in rows])
    settings = ", ".join(f"{quote(name)} = changes.{quote(name)}" for name in columns)
    connection.exec_driver_sql(f"UPDATE {quote(table.name)} SET {settings} FROM cbl_import_changes AS changes "
                               f"WHERE {quote(table.name)}.id = changes.id")
    connection.exec_driver_sql("DROP TABLE cbl_import_changes")
