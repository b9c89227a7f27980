"""Engines, transactions and the schema version check.

Services never commit: `Database.run` (or `transaction`) is the one place a transaction is
opened and committed, so a service's change and its audit event land together or not at all.
"""

from collections import namedtuple
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

MIGRATIONS = Path(__file__).parent / "migrations"

P = ParamSpec("P")
T = TypeVar("T")


def _sqlite_pragmas(engine: Engine) -> None:
    # pysqlite's own transaction handling starts transactions late and cannot do
    # BEGIN IMMEDIATE; take it over so that a write transaction holds the write lock
    # from its first statement, which is what makes "count then insert" limits safe.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        mode = "DEFERRED" if connection.get_execution_options().get("read_only") else "IMMEDIATE"
        connection.exec_driver_sql(f"BEGIN {mode}")


def create_engine(url: str, **kwargs: Any) -> Engine:
    # Errors (and so logged tracebacks) name the statement but not its values: e-mails, references.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        _sqlite_pragmas(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_recycle", 1800)
    return sa.create_engine(url, **kwargs)


class Database:
    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = create_engine(url, **engine_kwargs)
        # Reads need no transaction of their own: on PostgreSQL each statement already sees only
        # committed data (as in READ COMMITTED), and autocommit saves a BEGIN and a COMMIT round
        # trip per request. On SQLite a read takes no write lock (BEGIN DEFERRED).
        self._reader = self.engine.execution_options(
            read_only=True, **({"isolation_level": "AUTOCOMMIT"} if self.dialect == "postgresql" else {}))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: committed if the block finishes, rolled back if it raises."""
        with Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session that never takes the write lock."""
        with Session(self._reader, expire_on_commit=False) as session:
            with session.begin():
                yield session

    def run(self, service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call a service in its own transaction and commit it."""
        with self.transaction() as session:
            return service(session, *args, **kwargs)

    def dispose(self) -> None:
        self.engine.dispose()


# --- locks ----------------------------------------------------------------------------------

CYCLE_LOCK_SPACE = 7301  # advisory lock namespace for bidding cycles
HOUSEHOLD_BIDS_LOCK_SPACE = 7302  # one household's bids are placed one at a time (PostgreSQL)


def guard_cycle(session: Session, cycle_id: int, *, exclusive: bool = False) -> None:
    """Hold the cycle for the rest of the transaction: shared by bids, exclusive for the close.

    On PostgreSQL an advisory lock: the close waits for bids in flight, and bids that come while
    it runs wait for it and then see the cycle closed. (A row lock shared by every bid would make
    PostgreSQL build a multixact per bid.) On SQLite a write transaction already holds the whole
    database, so there is nothing more to take.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    session.execute(sa.text(f"SELECT {function}(:space, :cycle)"), {"space": CYCLE_LOCK_SPACE, "cycle": cycle_id})


# --- schema version -------------------------------------------------------------------------

def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The schema this code needs (read once: the migration scripts do not change under us)."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


class SchemaOutOfDate(RuntimeError):
    pass


def check_schema(db: Database) -> None:
    """Refuse to run on a database whose schema is not the code's."""
    current, head = current_revision(db.engine), head_revision()
    if current != head:
        found = f"at revision {current}" if current else "empty (no tables)"
        raise SchemaOutOfDate(
            f"The database {db.engine.url.render_as_string(hide_password=True)} is {found}, "
            f"but this version of cbl needs revision {head}. Run: cbl db upgrade"
        )


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


# --- the few statements run many times a second ---------------------------------------------

class HotStatement:
    """A Core statement on the busiest path (placing a bid), run for the least CPU.

    On PostgreSQL it is compiled once and run on psycopg's own cursor, with the column types' own
    bind and result processors: SQLAlchemy's execution layer (cache lookup, execution context,
    result objects) cost more than three times what the driver does for the bid checks (0.24 ms
    of CPU against 0.07 ms). Elsewhere it runs through SQLAlchemy as usual. Either way the rows
    answer to the statement's column names, with the same Python values.
    """

    def __init__(self, statement: sa.sql.expression.Executable, *,
                 postgresql: sa.sql.expression.Executable | None = None) -> None:
        self.statement = statement
        self._postgresql = statement if postgresql is None else postgresql
        self._compiled: tuple | None = None

    @classmethod
    def with_list(cls, build: Callable[[Callable[[sa.ColumnElement, str], sa.ColumnElement]],
                                       sa.sql.expression.Executable]) -> "HotStatement":
        """A statement with a list parameter: `build(one_of)` makes it, writing "column is one of
        the list :name" as `one_of(column, name)`.

        On PostgreSQL that is `column = ANY(:name)`, a single array parameter, so the SQL is the
        same for every length of list and is prepared once; elsewhere an expanding IN.
        """
        return cls(build(lambda column, name: column.in_(sa.bindparam(name, expanding=True))),
                   postgresql=build(lambda column, name: column == sa.any_(
                       sa.bindparam(name, type_=sa.ARRAY(column.type)))))

    def first(self, connection: sa.Connection, parameters: dict[str, Any]) -> Any:
        """The first row (a named tuple of the statement's columns), or None."""
        if connection.dialect.name != "postgresql":
            return connection.execute(self.statement, parameters).first()
        row = self._run(connection, parameters).fetchone()
        return None if row is None else self._row(row)

    def all(self, connection: sa.Connection, parameters: dict[str, Any]) -> list[Any]:
        if connection.dialect.name != "postgresql":
            return connection.execute(self.statement, parameters).all()
        return [self._row(row) for row in self._run(connection, parameters).fetchall()]

    def execute(self, connection: sa.Connection, parameters: dict[str, Any]) -> int:
        """For a statement without rows: how many rows it changed."""
        if connection.dialect.name != "postgresql":
            return connection.execute(self.statement, parameters).rowcount
        return self._run(connection, parameters).rowcount

    def _run(self, connection: sa.Connection, parameters: dict[str, Any]) -> Any:  # a psycopg cursor
        sql, defaults, bind, _ = self._compile(connection.dialect)
        values = {**defaults, **parameters}
        for name, process in bind.items():
            values[name] = process(values[name])
        try:
            return connection.connection.driver_connection.cursor().execute(sql, values, prepare=True)
        except connection.dialect.loaded_dbapi.Error as error:
            # As SQLAlchemy would: a lost connection is not returned to the pool, and the error
            # arrives as SQLAlchemy's own class (OperationalError answers 503, and so on).
            if connection.dialect.is_disconnect(error, connection.connection.dbapi_connection, None):
                connection.invalidate(error)
            raise sa.exc.DBAPIError.instance(sql, values, error, connection.dialect.loaded_dbapi.Error) from error

    def _row(self, values: tuple) -> tuple:
        row_type, processors = self._compiled[3]
        return row_type._make(value if process is None else process(value) for value, process in zip(values, processors))

    def _compile(self, dialect: sa.Dialect) -> tuple:
        if self._compiled is None:
            compiled = self._postgresql.compile(dialect=dialect)
            bind = {name: process for name, parameter in compiled.binds.items()
                    if (process := parameter.type.dialect_impl(dialect).bind_processor(dialect)) is not None}
            defaults = {name: parameter.effective_value for name, parameter in compiled.binds.items()
                        if not parameter.required}  # the statement's own literals
            names, types = _result_columns(compiled.statement)
            processors = [kind.dialect_impl(dialect).result_processor(dialect, None) for kind in types]
            self._compiled = (str(compiled), defaults, bind, (namedtuple("Row", names, rename=True), processors))
        return self._compiled


def _result_columns(statement: sa.sql.expression.Executable) -> tuple[list[str], list[sa.types.TypeEngine]]:
    """The names and types of what a SELECT selects, or of what an INSERT or UPDATE returns."""
    if isinstance(statement, sa.Select):
        return [column.key for column in statement.selected_columns], [c.type for c in statement.selected_columns]
    returned = statement.returning_column_descriptions
    return [column["name"] for column in returned], [column["type"] for column in returned]
