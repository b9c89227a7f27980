"""Alembic environment: migrations run against the URL set by `cbl.database.alembic_config`."""

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.schema import SchemaItem

import cbl.models
from cbl.database import create_engine
from cbl.models.search_keys import declared

config = context.config
target_metadata = cbl.models.metadata


def run_migrations() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _migrate(connectable)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            _migrate(connection)
    finally:
        engine.dispose()


def _ours(obj: SchemaItem, name: str | None, type_: str, reflected: bool, compare_to: SchemaItem | None) -> bool:
    # APScheduler keeps its job store in the same database and manages that table itself; the search's
    # full-text tables and trigram indexes are the migrations' alone.
    return not (type_ == "table" and name == "apscheduler_jobs") and declared(name)


def _migrate(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite changes a table by copying it (batch_alter_table), and dropping the old copy of a table other
        # rows refer to fails their foreign keys; so, as SQLite's own procedure for altering tables says, the
        # keys are off while migrating and checked after. Set on the driver's connection: a no-op inside a
        # transaction, and the first statement through SQLAlchemy would begin one (cbl.database).
        _driver(connection).execute("PRAGMA foreign_keys = OFF")
    context.configure(
        include_object=_ours,
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"The migrations left {len(broken)} rows whose foreign keys refer to nothing, "
                               f"the first in table {broken[0][0]}")
    if connection.in_transaction():
        connection.commit()
    if sqlite:
        _driver(connection).execute("PRAGMA foreign_keys = ON")


def _driver(connection: Connection) -> Any:
    return connection.connection.driver_connection


run_migrations()
