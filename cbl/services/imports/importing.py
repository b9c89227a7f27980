"""An import from start to end: read and check every row, then write them all, or nothing.

Every row is read and checked first, and the file as a whole (nothing given twice, every household known);
each chunk of rows is matched to the register, and written only while no problem has been found anywhere.
The caller's transaction holds it all: it commits only an import that `Outcome.written` says was written,
so a file with a problem in any row leaves the register as it was. A dry run checks and writes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from cbl.models import Organisation
from cbl.rules.scheme import Scheme
from cbl.rules.working_days import local_date
from cbl.services.actors import Actor
from cbl.services.applications import known_areas
from cbl.services.audit import Subject, audit
from cbl.services.errors import InvalidInput
from cbl.services.rights import Right

from .formats import Cells, Context, Format
from .homes import Homes
from .households import Households
from .members import Members
from .problems import Problem
from .reading import records
from .staging import Staging

FORMATS: dict[str, Format] = {fmt.kind: fmt for fmt in (Households(), Members(), Homes())}
KINDS = tuple(FORMATS)
# What the import is doing and how far it has got: (what, rows done, rows in all or None while not known).
Progress = Callable[[str, int, int | None], None]


@dataclass
class Outcome:
    kind: str
    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: int = 0
    written: bool = False

    def summary(self, file: str, *, dry_run: bool) -> str:
        if self.problems:
            return (f"{self.problems:,} problem{'s' if self.problems != 1 else ''} in {file}: nothing was written. "
                    "Put them right and run the import again.")
        counts = f"{self.added:,} added, {self.changed:,} changed, {self.unchanged:,} unchanged"
        if dry_run:
            return f"{file} would import: {self.rows:,} rows, {counts} (a dry run: nothing was written)."
        return f"Imported {file}: {self.rows:,} rows, {counts}."


def format_of(kind: str) -> Format:
    if kind not in FORMATS:
        raise InvalidInput(f"There is no import of {kind}: choose {', '.join(KINDS)}.", field="kind")
    return FORMATS[kind]


def import_file(session: Session, actor: Actor, scheme: Scheme, kind: str, path: Path, now: datetime, *,
                write: bool, report: Callable[[Problem], None], file: str | None = None,
                progress: Progress | None = None, run_id: int | None = None) -> Outcome:
    """Check `path` as a file of `kind` and, if `write` and it has no problem, import it. Each problem goes to
    `report`, in row order, before this returns."""
    actor.require(Right.REGISTER_IMPORT)
    fmt = format_of(kind)
    tell = progress or (lambda what, done, total: None)
    connection = session.connection()
    landlords: dict[str, int] = dict(connection.execute(sa.select(Organisation.code, Organisation.id)).all())
    context = Context(scheme=scheme, actor=actor, now=now, today=local_date(now),
                      areas=frozenset(known_areas(session)), landlords=landlords, file=file or path.name)
    outcome = Outcome(kind)
    if write and connection.dialect.name == "postgresql":
        # The register's search indexes (trigrams of references, postcodes and names: GIN) take the new entries
        # in their pending list for the rest of the transaction, to be merged in later by autovacuum, rather than
        # merging every 4 MB while the import waits.
        connection.exec_driver_sql("SET LOCAL gin_pending_list_limit = '256MB'")
    with Staging(connection) as staging:
        outcome.rows = _read(fmt, path, context, staging, tell)
        for problem in fmt.file_problems(staging):
            staging.problem(problem)
        done = 0
        for chunk in staging.chunks():
            plan = fmt.plan(connection, chunk, context)
            for problem in plan.problems:
                staging.problem(problem)
            outcome.added += len(plan.adds)
            outcome.changed += len(plan.changes)
            outcome.unchanged += plan.unchanged
            if write and not staging.problem_count:
                fmt.write(connection, plan, context)
            done += len(chunk)
            tell("writing" if write else "checking", done, outcome.rows)
        if write and not staging.problem_count:
            fmt.finish(connection, staging, context)
        outcome.problems = staging.problem_count
        for problem in staging.problems():
            report(problem)
    outcome.written = write and not outcome.problems
    if outcome.written:
        audit(session, actor, "import.completed", Subject("import_run", run_id),
              {"kind": kind, "file": context.file, "rows": outcome.rows, "added": outcome.added,
               "changed": outcome.changed, "unchanged": outcome.unchanged})
    return outcome


def _read(fmt: Format, path: Path, context: Context, staging: Staging, tell: Progress) -> int:
    """Read and check every row, staging the good ones and noting the problems of the others. How many rows."""
    rows = 0
    for record in records(path, fmt.columns, fmt.kind):
        if isinstance(record, Problem):
            staging.problem(record)
            continue
        rows += 1
        cells = Cells(*record)
        staged = fmt.parse(cells, context)
        for problem in cells.problems:
            staging.problem(problem)
        if staged is not None:
            staging.add(staged)
        if rows % 5000 == 0:
            tell("reading", rows, None)
    staging.loaded()
    tell("reading", rows, rows)
    return rows
