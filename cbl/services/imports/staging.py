"""The rows of a file being imported, held in temporary tables of the import's own transaction rather than
in memory: duplicates across the whole file are found by the database, and the rows are read back a chunk
at a time, so an import's memory does not grow with its file. The tables go with the transaction."""

import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .bulk import insert_rows
from .problems import Problem

CHUNK = 2000

_metadata = sa.MetaData()
ROWS = sa.Table(
    "cbl_import_rows", _metadata,
    sa.Column("row", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("ref", sa.String(64), nullable=False),
    sa.Column("person", sa.String(300)),  # the same person: name (case and spaces aside) and date of birth
    sa.Column("uprn", sa.String(16)),
    sa.Column("tag", sa.String(32)),  # a second key: a National Insurance number, a relationship
    sa.Column("born", sa.Date),  # a person's date of birth, to find them on the register
    # The row's checked values as the columns hold them, pickled: only this code writes the table, which no other
    # session can see and which goes with the transaction, so what is unpickled is what was pickled here (and it
    # is several times quicker than JSON, with dates and states kept as they are).
    sa.Column("data", sa.LargeBinary, nullable=False),
    prefixes=["TEMPORARY"], postgresql_on_commit="DROP",
)
PROBLEMS = sa.Table(
    "cbl_import_problems", _metadata,
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("row", sa.Integer, nullable=False),
    sa.Column("column", sa.String(200), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    prefixes=["TEMPORARY"], postgresql_on_commit="DROP",
)
PEOPLE = sa.Table(
    "cbl_import_people", _metadata,
    sa.Column("person", sa.String(300), nullable=False),
    sa.Column("ref", sa.String(64), nullable=False),
    prefixes=["TEMPORARY"], postgresql_on_commit="DROP",
)
_INDEXED = ("ref", "person", "uprn", "tag", "born")
_PAGE = 5000


@dataclass(frozen=True, slots=True)
class Staged:
    """One row of the file, checked: its keys and its values."""

    row: int
    ref: str
    data: dict[str, Any]
    person: str | None = None
    uprn: str | None = None
    tag: str | None = None
    born: date | None = None


class Staging:
    """The import's temporary tables on one connection, filled in batches."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._rows: list[dict[str, Any]] = []
        self._problems: list[dict[str, Any]] = []
        self.problem_count = 0

    def __enter__(self) -> "Staging":
        if self.connection.dialect.name == "sqlite":
            # SQLite keeps a temporary table for the connection's life, and connections are pooled.
            for table in (ROWS, PROBLEMS, PEOPLE):
                self.connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{table.name}")
        ROWS.create(self.connection)
        PROBLEMS.create(self.connection)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.connection.dialect.name == "sqlite" and not self.connection.closed:
            try:
                for table in (ROWS, PROBLEMS, PEOPLE):
                    self.connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{table.name}")
            except sa.exc.SQLAlchemyError:
                pass  # the transaction has failed; the next import drops them before starting

    def add(self, staged: Staged) -> None:
        self._rows.append({"row": staged.row, "ref": staged.ref, "person": staged.person, "uprn": staged.uprn,
                           "tag": staged.tag, "born": staged.born,
                           "data": pickle.dumps(staged.data, protocol=pickle.HIGHEST_PROTOCOL)})
        if len(self._rows) >= CHUNK:
            self._flush_rows()

    def problem(self, problem: Problem) -> None:
        self.problem_count += 1
        self._problems.append({"row": problem.row, "column": problem.column[:200], "message": problem.message})
        if len(self._problems) >= CHUNK:
            self._flush_problems()

    def _flush_rows(self) -> None:
        if self._rows:
            insert_rows(self.connection, ROWS, self._rows)
            self._rows = []

    def _flush_problems(self) -> None:
        if self._problems:
            insert_rows(self.connection, PROBLEMS, self._problems)
            self._problems = []

    def loaded(self) -> None:
        """Every row is in: index the keys the checks join on."""
        self._flush_rows()
        # Made once the rows are in (quicker than keeping them up to date row by row).
        for column in _INDEXED:
            self.connection.exec_driver_sql(f"CREATE INDEX {ROWS.name}_{column} ON {ROWS.name} ({column})")
        if self.connection.dialect.name == "postgresql":
            self.connection.exec_driver_sql(f"ANALYZE {ROWS.name}")

    def chunks(self) -> Iterator[list[Staged]]:
        """The staged rows in file order, a chunk at a time."""
        last = 0
        while True:
            found = self.connection.execute(
                sa.select(ROWS).where(ROWS.c.row > last).order_by(ROWS.c.row).limit(CHUNK)).all()
            if not found:
                return
            yield [Staged(r.row, r.ref, pickle.loads(r.data), r.person, r.uprn, r.tag, r.born)  # see the data column
                   for r in found]
            last = found[-1].row

    @staticmethod
    def within(chunk: list[Staged]) -> sa.ColumnElement[bool]:
        """The staged rows of a chunk, for a query that joins them to the register."""
        return ROWS.c.row.between(chunk[0].row, chunk[-1].row)

    def count(self) -> int:
        return self.connection.execute(sa.select(sa.func.count()).select_from(ROWS)).scalar_one()

    def problems(self) -> Iterator[Problem]:
        """Every problem found, in row order."""
        self._flush_problems()
        last: tuple[int, int] = (0, 0)
        while True:
            found = self.connection.execute(
                sa.select(PROBLEMS).where(sa.tuple_(PROBLEMS.c.row, PROBLEMS.c.seq) > sa.tuple_(*last))
                .order_by(PROBLEMS.c.row, PROBLEMS.c.seq).limit(CHUNK)).all()
            if not found:
                return
            yield from (Problem(p.row, p.column, p.message) for p in found)
            last = (found[-1].row, found[-1].seq)

    def repeats(self, key: str, *, differ: tuple[str, ...] = (),
                tag: str | None = None) -> Iterator[tuple[int, str, int, str]]:
        """Each row whose `key` an earlier row already has (with the columns in `differ` not equal, and both
        rows tagged `tag` if given), as (row, its ref, the first such earlier row, that row's ref)."""
        later, earlier = ROWS.alias("later"), ROWS.alias("earlier")
        joined = [earlier.c[key] == later.c[key], earlier.c.row < later.c.row, later.c[key].is_not(None)]
        joined += [earlier.c[name] != later.c[name] for name in differ]
        if tag is not None:
            joined += [later.c.tag == tag, earlier.c.tag == tag]
        first = (sa.select(later.c.row, sa.func.min(earlier.c.row).label("first"))
                 .join(earlier, sa.and_(*joined)).group_by(later.c.row)).subquery()
        this, origin = ROWS.alias("this"), ROWS.alias("origin")
        rows = self.connection.execute(
            sa.select(first.c.row, this.c.ref, first.c.first, origin.c.ref)
            .join(this, this.c.row == first.c.row).join(origin, origin.c.row == first.c.first)
            .order_by(first.c.row))
        for row, ref, first_row, first_ref in rows:
            yield row, ref, first_row, first_ref

    def on_the_register(self, people: sa.Select, key: Callable[[Any], str]) -> Iterator[tuple[int, str, str]]:
        """Each row whose person is someone on the register in another household, as (row, ref, that household's
        ref). `people` selects (id, name, date_of_birth, ref) of people born on a day some staged row's person
        was; `key` is the person's key, computed here in Python (names compare case and spaces aside, which
        no SQL function does the same way on every database), a page at a time."""
        PEOPLE.create(self.connection)
        last = 0
        while True:
            page = self.connection.execute(people.where(people.selected_columns[0] > last)
                                           .where(people.selected_columns[2].in_(sa.select(ROWS.c.born)))
                                           .order_by(people.selected_columns[0]).limit(_PAGE)).all()
            if not page:
                break
            insert_rows(self.connection, PEOPLE, [{"person": key(person), "ref": person[3]} for person in page])
            last = page[-1][0]
        self.connection.exec_driver_sql(f"CREATE INDEX {PEOPLE.name}_person ON {PEOPLE.name} (person)")
        rows = self.connection.execute(
            sa.select(ROWS.c.row, ROWS.c.ref, sa.func.min(PEOPLE.c.ref))
            .join(PEOPLE, sa.and_(PEOPLE.c.person == ROWS.c.person, PEOPLE.c.ref != ROWS.c.ref))
            .group_by(ROWS.c.row, ROWS.c.ref).order_by(ROWS.c.row))
        yield from ((row, ref, other) for row, ref, other in rows)

    def missing_from(self, table: sa.Table, column: str) -> Iterator[tuple[int, str]]:
        """Each row whose ref is not in `table`'s `column` (a household not on the register)."""
        target = table.c[column]
        rows = self.connection.execute(
            sa.select(ROWS.c.row, ROWS.c.ref).outerjoin(table, target == ROWS.c.ref)
            .where(target.is_(None)).order_by(ROWS.c.row))
        yield from ((row, ref) for row, ref in rows)

