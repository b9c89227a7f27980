"""Imports for managers: upload a file of households, members or homes; read the check's report (nothing is
written by the check); confirm; watch it run. The work runs in the background (cbl/services/imports/jobs.py)."""

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio
from litestar import Request, Router, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import File, Redirect, Template

from cbl.database import Database
from cbl.models import ImportRun
from cbl.models.states import ImportStatus
from cbl.rules.scheme import Scheme
from cbl.services.actors import staff as staff_actor
from cbl.services.errors import DomainError, NotFound
from cbl.services.imports import jobs
from cbl.services.imports.runs import confirm_run, recent_runs, run_of, start_run
from cbl.services.rights import Right
from cbl.settings import Settings
from cbl.web import forms
from cbl.web.auth import now

from .guards import current_staff, staff_guard

PAGE = "/admin/imports"
# The form around the file (its boundaries, the kind, the CSRF token): the body may be this much over the limit.
FORM_ROOM = 64 * 1024
KINDS = [("households", "Households and their lead applicants (households.csv)"),
         ("members", "The other members of households on the register (members.csv)"),
         ("homes", "Homes (homes.csv)")]
_COPY = 1024 * 1024
STOPPED_AFTER = timedelta(hours=2)


class ImportUpload(forms.Form):
    kind = forms.Choice("What the file holds", required="Choose what the file holds")
    file = forms.Upload("The file (CSV, UTF-8)")


def _form(body: dict[str, Any] | None = None) -> ImportUpload:
    return forms.read(ImportUpload, body, choices={"kind": KINDS})


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _list_page(db: Database, request: Request, settings: Settings, form: ImportUpload) -> Template:
    with db.reading() as session:
        runs = recent_runs(session, staff_actor(current_staff(request)))
    return Template("admin/imports/list.html", status_code=form.status, context={
        "staff": current_staff(request), "form": form, "runs": runs, "limit": _megabytes(settings.import_max_bytes)})


@get("/imports", opt={"right": Right.REGISTER_IMPORT}, sync_to_thread=True)
def imports(db: NamedDependency[Database], settings: NamedDependency[Settings], request: Request) -> Template:
    return _list_page(db, request, settings, _form())


@post("/imports/upload", opt={"right": Right.REGISTER_IMPORT})
async def upload(db: NamedDependency[Database], scheme: NamedDependency[Scheme], settings: NamedDependency[Settings],
                 request: Request) -> Template | Redirect:
    submitted = await request.form()  # read already, as the CSRF check needed its token: the file is on disk
    kind, chosen = submitted.get("kind"), submitted.get("file")
    return await anyio.to_thread.run_sync(_receive, db, scheme, settings, request, kind,
                                          chosen if isinstance(chosen, UploadFile) else None)


def _receive(db: Database, scheme: Scheme, settings: Settings, request: Request, kind: object,
             chosen: UploadFile | None) -> Template | Redirect:
    form = _form({"kind": kind} if isinstance(kind, str) else {})
    form.validate()
    name = Path(chosen.filename or "").name if chosen is not None else ""
    if chosen is None or not name:
        form.file.errors.append("Choose the CSV file to import")
        return _list_page(db, request, settings, form)
    if len(name) > 200:
        form.file.errors.append(f"The file's name must be 200 characters or fewer (it has {len(name)}): rename it")
        return _list_page(db, request, settings, form)
    stored, size = _store(settings, chosen)
    if size > settings.import_max_bytes:
        stored.unlink(missing_ok=True)
        form.refused_with = 413
        form.file.errors.append(f"The file is larger than {_megabytes(settings.import_max_bytes)}: split it into "
                                "smaller files (each with the header row) and import them one after another")
        return _list_page(db, request, settings, form)
    if form.summary:
        stored.unlink(missing_ok=True)
        return _list_page(db, request, settings, form)
    actor = staff_actor(current_staff(request))
    try:
        run = db.run(start_run, actor, form.kind.data, name, str(stored), size, now())
    except DomainError as error:
        stored.unlink(missing_ok=True)
        form.refuse(error)
        return _list_page(db, request, settings, form)
    jobs.start(db, scheme, actor, run.id, run.kind, run.stored_as, run.file_name, write=False)
    return Redirect(f"{PAGE}/{run.id}", status_code=303)


def _store(settings: Settings, chosen: UploadFile) -> tuple[Path, int]:
    """Copy the upload where the import reads it, a megabyte at a time, stopping once it is over the limit."""
    settings.import_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stored = settings.import_dir / f"{secrets.token_hex(16)}.csv"
    size = 0
    chosen.file.seek(0)
    with stored.open("wb") as out:
        while size <= settings.import_max_bytes and (block := chosen.file.read(_COPY)):
            out.write(block)
            size += len(block)
    return stored, size


@get("/imports/{run_id:int}", opt={"right": Right.REGISTER_IMPORT}, sync_to_thread=True)
def import_page(db: NamedDependency[Database], request: Request, run_id: FromPath[int]) -> Template:
    return _run_page(db, request, run_id)


def _run_page(db: Database, request: Request, run_id: int, refused: DomainError | None = None) -> Template:
    with db.reading() as session:
        run = run_of(session, staff_actor(current_staff(request)), run_id)
    working = run.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)
    progress = jobs.progress_of(run.id) if working else None
    # Work is in the process that started it: one that has heard nothing of it for long was stopped with it.
    stopped = working and progress is None and now() - (run.confirmed_at or run.uploaded_at) > STOPPED_AFTER
    return Template("admin/imports/run.html", status_code=refused.status_code if refused else 200, context={
        "staff": current_staff(request), "run": run, "working": working and not stopped, "stopped": stopped,
        "refused": refused, "progress": progress})


@post("/imports/{run_id:int}/confirm", opt={"right": Right.REGISTER_IMPORT}, sync_to_thread=True)
def confirm(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
            run_id: FromPath[int]) -> Template | Redirect:
    actor = staff_actor(current_staff(request))
    try:
        run: ImportRun = db.run(confirm_run, actor, run_id, now())
    except DomainError as error:
        if error.status_code == 404:
            raise
        return _run_page(db, request, run_id, error)
    jobs.start(db, scheme, actor, run.id, run.kind, run.stored_as, run.file_name, write=True)
    return Redirect(f"{PAGE}/{run.id}", status_code=303)


@get("/imports/{run_id:int}/problems.csv", opt={"right": Right.REGISTER_IMPORT}, sync_to_thread=True)
def problems_download(db: NamedDependency[Database], request: Request, run_id: FromPath[int]) -> File:
    with db.reading() as session:
        run = run_of(session, staff_actor(current_staff(request)), run_id)
    path = jobs.problems_file(run.stored_as)
    if not run.problem_count or not path.exists():
        raise NotFound("This import has no list of problems.")
    return File(path, filename=f"problems-{run.id}-{Path(run.file_name).stem}.csv",
                media_type="text/csv; charset=utf-8")


def upload_router(limit: int) -> Router:
    """The upload on its own, with a body limit of its own: the configured file size and the form around it.
    (Every other request is held to the app's much smaller limit.)"""
    return Router(path="/admin", guards=[staff_guard], include_in_schema=False,
                  request_max_body_size=limit + FORM_ROOM, route_handlers=[upload])
