"""Alembic environment: migrations run against the URL set by `cbl.database.alembic_config`."""

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
    context.configure(
        include_object=_ours,
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()


run_migrations()
