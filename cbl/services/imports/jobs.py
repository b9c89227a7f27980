"""Checking and importing an uploaded file in the background, so that a manager's page does not wait on a
large file: the run's page shows how far it has got (in the process running it) and refreshes itself."""

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from cbl.database import Database
from cbl.reports.csv_files import csv_text
from cbl.rules.scheme import Scheme
from cbl.services.actors import Actor

from .importing import Outcome, import_file
from .problems import Problem
from .runs import SHOWN_PROBLEMS, record_outcome, stop_run

log = logging.getLogger(__name__)
FAULT = ("stopped on a fault, and nothing was written. Try again; if it happens again, the system administrator "
         "will find the cause in the log.")

# run id: (what it is doing, rows done, rows in all or None)
_progress: dict[int, tuple[str, int, int | None]] = {}
_lock = threading.Lock()


def progress_of(run_id: int) -> tuple[str, int, int | None] | None:
    with _lock:
        return _progress.get(run_id)


def problems_file(stored_as: str) -> Path:
    return Path(stored_as).with_suffix(".problems.csv")


class ProblemFile:
    """Every problem written to a CSV file (through the formula-safe writer), the first ones kept to show."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.first: list[dict[str, object]] = []
        self._out = path.open("w", encoding="utf-8", newline="")
        self._out.write(csv_text([["row", "column", "problem"]]))
        self._batch: list[list[object]] = []

    def __call__(self, problem: Problem) -> None:
        if len(self.first) < SHOWN_PROBLEMS:
            self.first.append({"row": problem.row, "column": problem.column, "message": problem.message})
        self._batch.append([problem.row, problem.column, problem.message])
        if len(self._batch) >= 2000:
            self._out.write(csv_text(self._batch))
            self._batch = []

    def close(self) -> None:
        self._out.write(csv_text(self._batch))
        self._out.close()


def start(db: Database, scheme: Scheme, actor: Actor, run_id: int, kind: str, stored_as: str, file_name: str, *,
          write: bool) -> threading.Thread:
    """Check (or, with `write`, import) the run's file in a thread of its own."""
    thread = threading.Thread(target=_work, args=(db, scheme, actor, run_id, kind, stored_as, file_name, write),
                              name=f"cbl-import-{run_id}", daemon=True)
    thread.start()
    return thread


def _work(db: Database, scheme: Scheme, actor: Actor, run_id: int, kind: str, stored_as: str, file_name: str,
          write: bool) -> None:
    def tell(what: str, done: int, total: int | None) -> None:
        with _lock:
            _progress[run_id] = (what, done, total)

    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)  # noqa: E731
    upload, report = Path(stored_as), ProblemFile(problems_file(stored_as))
    tell("reading", 0, None)
    try:
        try:
            outcome: Outcome = db.run_keeping(lambda done: done.written, import_file, actor, scheme, kind, upload,
                                              now(), write=write, report=report, file=file_name, progress=tell,
                                              run_id=run_id, writes=write)
        finally:
            report.close()
        db.run(record_outcome, actor, run_id, outcome, report.first, now())
        if outcome.problems or write:
            upload.unlink(missing_ok=True)  # it will not be imported (again): the register's data, not kept
    except Exception:
        log.exception("import %s of %s stopped", run_id, file_name)
        db.run(stop_run, actor, run_id, ("The import " if write else "The check ") + FAULT, now())
        upload.unlink(missing_ok=True)
    finally:
        with _lock:
            _progress.pop(run_id, None)
