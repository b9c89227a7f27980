"""An import a manager runs on the admin site: uploaded, checked (nothing written), confirmed, then run; each
step recorded on the run and in the audit trail."""

from datetime import datetime

from sqlmodel import Session, select

from cbl.models import ImportRun
from cbl.models.states import ImportStatus
from cbl.services.actors import Actor
from cbl.services.audit import audit
from cbl.services.errors import Conflict, InvalidInput, NotFound
from cbl.services.rights import Right

from .importing import KINDS, Outcome

SHOWN_PROBLEMS = 100  # the first problems shown on the page; the whole list is a CSV file
RECENT = 20


def start_run(session: Session, actor: Actor, kind: str, file_name: str, stored_as: str, size: int,
              now: datetime) -> ImportRun:
    """A file uploaded to be checked."""
    actor.require(Right.REGISTER_IMPORT)
    if kind not in KINDS:
        raise InvalidInput("Choose what the file holds.", field="kind")
    run = ImportRun(kind=kind, file_name=file_name, stored_as=stored_as, size_bytes=size,
                    status=ImportStatus.CHECKING, uploaded_by_id=actor.id, uploaded_at=now)
    session.add(run)
    session.flush()
    audit(session, actor, "import.uploaded", run, {"kind": kind, "file": file_name, "bytes": size})
    return run


def _run(session: Session, run_id: int) -> ImportRun:
    run = session.exec(select(ImportRun).where(ImportRun.id == run_id).with_for_update()).first()
    if run is None:
        raise NotFound("No such import.")
    return run


def record_outcome(session: Session, actor: Actor, run_id: int, outcome: Outcome, first_problems: list[dict],
                   now: datetime) -> ImportRun:
    """What the check (or the import) found: a checked file waits for a manager to confirm it; one with
    problems cannot be imported; an import done is done."""
    actor.require(Right.REGISTER_IMPORT)
    run = _run(session, run_id)
    importing = run.status is ImportStatus.IMPORTING
    if outcome.problems:
        run.status = ImportStatus.FAILED if importing else ImportStatus.REFUSED
    else:
        run.status = ImportStatus.DONE if importing else ImportStatus.CHECKED
    run.rows, run.added, run.changed, run.unchanged = outcome.rows, outcome.added, outcome.changed, outcome.unchanged
    run.problem_count, run.first_problems = outcome.problems, first_problems[:SHOWN_PROBLEMS]
    if run.status is not ImportStatus.CHECKED:
        run.finished_at = now
    session.add(run)
    audit(session, actor, f"import.{run.status.value}", run, {"rows": outcome.rows, "problems": outcome.problems,
                                                             "added": outcome.added, "changed": outcome.changed})
    return run


def confirm_run(session: Session, actor: Actor, run_id: int, now: datetime) -> ImportRun:
    """A manager confirms a checked file: it is imported (checked again as it goes, all or nothing)."""
    actor.require(Right.REGISTER_IMPORT)
    run = _run(session, run_id)
    if run.status is not ImportStatus.CHECKED:
        raise Conflict(f"This import is {run.status.value}: only a checked file can be imported.")
    run.status, run.confirmed_by_id, run.confirmed_at = ImportStatus.IMPORTING, actor.id, now
    session.add(run)
    audit(session, actor, "import.confirmed", run, {"kind": run.kind, "file": run.file_name})
    return run


def stop_run(session: Session, actor: Actor, run_id: int, failure: str, now: datetime) -> ImportRun:
    """The check or the import stopped on a fault: nothing was written."""
    actor.require(Right.REGISTER_IMPORT)
    run = _run(session, run_id)
    run.status, run.failure, run.finished_at = ImportStatus.FAILED, failure[:400], now
    session.add(run)
    audit(session, actor, "import.failed", run, {"failure": failure[:400]})
    return run


def recent_runs(session: Session, actor: Actor) -> list[ImportRun]:
    actor.require(Right.REGISTER_IMPORT)
    return list(session.exec(select(ImportRun).order_by(ImportRun.id.desc()).limit(RECENT)))


def run_of(session: Session, actor: Actor, run_id: int) -> ImportRun:
    actor.require(Right.REGISTER_IMPORT)
    run = session.get(ImportRun, run_id)
    if run is None:
        raise NotFound("No such import.")
    return run
