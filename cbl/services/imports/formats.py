"""What every file format provides to the import: its columns, how a row is read and checked, what the file
as a whole must not repeat, how its rows are matched to the register, written, and exported again."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

from cbl.models import AuditEvent
from cbl.rules.scheme import Scheme
from cbl.services.actors import Actor
from cbl.rules.search_keys import same_name
from cbl.services.audit import Subject, event_rows

from .bulk import insert_rows

from .problems import CellError, Problem
from .staging import Staged, Staging

T = TypeVar("T")


@dataclass(frozen=True)
class Context:
    """What reading and writing rows needs beside the rows."""

    scheme: Scheme
    actor: Actor
    now: datetime
    today: date
    areas: frozenset[str]  # the areas the register's homes lie in: a household's local connection is to one
    landlords: dict[str, int]  # organisation code: id
    file: str


@dataclass
class Plan:
    """What one chunk of rows would do to the register."""

    adds: list[Staged] = field(default_factory=list)
    changes: list[tuple[Staged, Any, list[str]]] = field(default_factory=list)  # row, what is there, what differs
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)  # the register's ids of the references it names


class Cells:
    """One row's cells being read: each reader's problem is kept against its column."""

    def __init__(self, row: int, cells: dict[str, str]) -> None:
        self.row, self.cells = row, cells
        self.problems: list[Problem] = []
        self.failed: set[str] = set()

    def take(self, column: str, reader: Callable[[str], T]) -> T:
        try:
            return reader(self.cells[column])
        except CellError as error:
            self.failed.add(column)
            self.problems.append(Problem(self.row, column, error.message))
            return None  # type: ignore[return-value]  # the row is refused; its values are not used

    def fine(self, *columns: str) -> bool:
        return not self.failed.intersection(columns)

    def refuse(self, column: str, message: str) -> None:
        self.failed.add(column)
        self.problems.append(Problem(self.row, column, message))


def full_name(given: str, family: str) -> str:
    return " ".join(part for part in (given, family) if part)


def split_name(name: str) -> tuple[str, str]:
    """A full name as given and family names: the family name is the last word (the register keeps one
    full name, so "Anne de la Cruz" is exported as "Anne de la" and "Cruz", and reads back the same)."""
    given, _, family = " ".join(name.split()).rpartition(" ")
    return given, family


def person_key(name: str, born: date) -> str:
    """The same person, as duplicates are found on the register: name (case, accents, spaces and marks aside) and
    birth date."""
    return f"{same_name(name)}|{born.isoformat()}"


def same_text(stored: str | None, new: str | None) -> bool:
    """Equal but for runs of spaces, which the file's cells cannot keep."""
    return " ".join((stored or "").split()) == " ".join((new or "").split())


def record_events(connection: Connection, context: Context, events: list[tuple[str, Subject, dict[str, Any]]]) -> None:
    """One audit event for each row written, in bulk with the rows."""
    insert_rows(connection, AuditEvent.__table__, event_rows(context.actor, events))


class Format:
    """One kind of file. Subclasses fill in each step."""

    kind: str
    columns: tuple[str, ...]

    def parse(self, cells: Cells, context: Context) -> Staged | None:
        raise NotImplementedError

    def file_problems(self, staging: Staging) -> Iterator[Problem]:
        """What the rows break together: the same reference or person twice, a household not on the register."""
        raise NotImplementedError

    def plan(self, connection: Connection, chunk: list[Staged], context: Context) -> Plan:
        raise NotImplementedError

    def write(self, connection: Connection, plan: Plan, context: Context) -> None:
        raise NotImplementedError

    def finish(self, connection: Connection, staging: Staging, context: Context) -> None:
        """Anything to do once every chunk is written (nothing, unless a format says)."""

    def export(self, connection: Connection) -> Iterator[list[object]]:
        raise NotImplementedError
