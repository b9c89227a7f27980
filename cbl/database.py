"""Engines, transactions and the schema version check.

Services never commit: `Database.run` (or `transaction`) is the one place a transaction is
opened and committed, so a service's change and its audit event land together or not at all.
"""

import json
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import msgspec
import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cbl.logs import keep_values_out_of_logs
from cbl.models.day_sql import register_sqlite_functions

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
        register_sqlite_functions(dbapi_connection)  # UK dates of timestamps, for reports summed in SQL

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        mode = "DEFERRED" if connection.get_execution_options().get("read_only") else "IMMEDIATE"
        connection.exec_driver_sql(f"BEGIN {mode}")


def read_json(text: str | bytes) -> Any:
    """A JSON column's value, read by msgspec: a live ranking reads two JSON lists for each of thousands
    of households, and json.loads was a third of its time. The values are json.loads's own (integers of
    any size stay exact, where orjson makes floats of those past 64 bits); what msgspec refuses and
    json.dumps can write (NaN, Infinity, lone surrogates) is read by json.loads."""
    try:
        return msgspec.json.decode(text)
    except msgspec.DecodeError:
        return json.loads(text)


def insert_rows(connection: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                *, json_columns: Collection[str] = ()) -> None:
    """Insert many rows in the connection's transaction with no ORM object or statement per row: by COPY on
    PostgreSQL (on the same connection, so the rows commit or roll back with the rest of the transaction),
    by one executemany on SQLite. Each row holds the columns' values in their order, as they are stored:
    states as their values, times aware, and the `json_columns` as JSON text (so that a value that many rows
    share is written once)."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        quote = connection.dialect.identifier_preparer.quote
        names = ", ".join(quote(name) for name in columns)
        with connection.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
            with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    # One executemany of the driver's own: each value through its column type's processing where it has
    # one (a UTC time is stored naive), except the JSON, given as text already.
    dialect = connection.dialect
    processors = [None if name in json_columns else table.c[name].type._cached_bind_processor(dialect)
                  for name in columns]
    if any(processors):
        rows = [tuple(value if process is None else process(value)
                      for value, process in zip(row, processors, strict=True)) for row in rows]
    quote = dialect.identifier_preparer.quote
    connection.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in columns)}) "
                               f"VALUES ({', '.join('?' * len(columns))})", list(rows))


def create_engine(url: str, **kwargs: Any) -> Engine:
    # Errors (and so logged tracebacks) name the statement but not its values: e-mails, references; and
    # tracebacks leave out the database's own message, which repeats the value at fault (cbl/logs.py).
    kwargs.setdefault("hide_parameters", True)
    keep_values_out_of_logs()
    kwargs.setdefault("json_deserializer", read_json)
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

    def open_snapshot(self) -> sa.Connection:
        """A read-only connection whose statements all see the database as it was at the first of them
        (REPEATABLE READ on PostgreSQL; on SQLite a deferred transaction, a snapshot in WAL mode): a count and
        the rows then read agree. Its transaction is open; the caller closes the connection (a download reads
        it while the response is sent, after the handler has returned)."""
        options: dict[str, Any] = {"read_only": True}
        if self.dialect == "postgresql":
            options["isolation_level"] = "REPEATABLE READ"
        connection = self.engine.execution_options(**options).connect()
        connection.begin()
        return connection

    def run(self, service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call a service in its own transaction and commit it."""
        with self.transaction() as session:
            return service(session, *args, **kwargs)

    def run_keeping(self, keep: Callable[[T], bool], service: Callable[..., T], *args: Any, writes: bool = True,
                    **kwargs: Any) -> T:
        """Call a service in its own transaction and commit it only if `keep(result)`, else roll it all back
        (an import that found problems, or a dry run). Without `writes` it takes no write lock on SQLite."""
        engine = self.engine if writes else self.engine.execution_options(read_only=True)
        with Session(engine, expire_on_commit=False) as session:
            session.begin()
            try:
                result = service(session, *args, **kwargs)
            except BaseException:
                session.rollback()
                raise
            if keep(result):
                session.commit()
            else:
                session.rollback()
            return result

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
