"""The audit trail for auditors and managers: every event, filtered by who, what, which record, which case and
when (a GET form of GOV.UK fields), a page at a time, and the events chosen as a CSV file."""

from collections.abc import Iterator
from urllib.parse import urlencode

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Stream, Template
from sqlmodel import Session

from cbl.database import Database
from cbl.models.states import ActorKind
from cbl.queries import audit_trail
from cbl.queries.paging import page_number
from cbl.reports.csv_files import csv_chunks
from cbl.services.rights import Right
from cbl.web import forms
from cbl.web.auth import now

from .guards import current_staff

RECORD_ID_MAX = 2_147_483_647  # the largest id a table holds


class AuditFilters(forms.Form):
    """Each filter narrows the trail; none chosen shows all of it, newest first."""

    actor = forms.Choice("Who did it", required=None)
    action = forms.Choice("What they did", required=None)
    record_type = forms.Choice("Kind of record", required=None)
    record_id = forms.WholeNumber("Record's id", low=1, high=RECORD_ID_MAX,
                                  message="The record's id must be a whole number, like 1234")
    case = forms.Text("Application reference (the household's case)", limit=32)
    start = forms.Day("From", required=False)
    end = forms.Day("To", required=False)


FIELDS = ("actor", "action", "record_type", "record_id", "case", *(f"{day}-{part}" for day in ("start", "end")
                                                                     for part in forms.Day.PARTS))


def _read(session: Session, request: Request) -> tuple[AuditFilters, audit_trail.Filters | None]:
    """The filters as the page's query gives them, each list the trail's own; None for the filters when the form
    has mistakes (each shown beside its field)."""
    query = {name: request.query_params.getall(name) for name in FIELDS if name in request.query_params}
    actors = [("", "Anyone"), *((kind.value, text) for kind, text in audit_trail.ACTOR_KINDS.items()),
              *((f"staff:{staff_id}", text) for staff_id, text in audit_trail.staff_actors(session))]
    form = forms.read(AuditFilters, query, choices={
        "actor": actors, "action": [("", "Anything"), *((a, a) for a in audit_trail.actions(session))],
        "record_type": [("", "Any"), *((t, t.replace("_", " ")) for t in audit_trail.record_types(session))]})
    form.validate()  # then the checks across fields, so that every mistake is listed at once
    start, end = form.start.data, form.end.data
    if start and end and end < start:
        form.end.errors = ["The “to” date must be the same as or after the “from” date"]
    if form.record_id.data is not None and not form.record_type.data and not form.record_type.errors:
        form.record_type.errors = ["Choose the kind of record the id is of"]
    case = None
    if form.case.data and not form.case.errors:
        case = audit_trail.applicant_id(session, form.case.data)
        if case is None:
            form.case.errors = [f"There is no application {form.case.data}"]
    if form.summary:
        return form, None
    kind, _, who = (form.actor.data or "").partition(":")
    return form, audit_trail.Filters(
        actor_kind=ActorKind.STAFF if who else (ActorKind(kind) if kind else None), actor_id=int(who) if who else None,
        action=form.action.data or None, subject_type=form.record_type.data or None, subject_id=form.record_id.data,
        applicant_id=case, start=start, end=end)


def _query(request: Request, **more: str | int) -> str:
    """The filters of this page's address (and `more`) as a query string, for links to its pages and its CSV."""
    kept = [(name, value) for name in FIELDS for value in request.query_params.getall(name, [])]
    return urlencode(kept + list(more.items()))


def _page(request: Request, form: AuditFilters, found: audit_trail.Found | None = None) -> Template:
    return Template("admin/audit/trail.html", status_code=form.status, context={
        "staff": current_staff(request), "form": form, "found": found, "csv_max": audit_trail.CSV_MAX_ROWS,
        "counted": audit_trail.PAGE_COUNTED,
        "csv_query": _query(request), "page_link": lambda n: f"/admin/audit?{_query(request, page=n)}"})


@get("/audit", opt={"right": Right.AUDIT_READ}, sync_to_thread=True)
def audit_trail_page(db: NamedDependency[Database], request: Request) -> Template:
    """Everything the system and its users did, newest first, narrowed by the filters."""
    number = page_number(request.query_params.get("page"))
    with db.reading() as session:
        form, filters = _read(session, request)
        found = audit_trail.page(session, filters, number) if filters is not None else None
    return _page(request, form, found)


@get("/audit.csv", opt={"right": Right.AUDIT_READ}, sync_to_thread=True)
def audit_trail_csv(db: NamedDependency[Database], request: Request) -> Template | Stream:
    """The events the filters choose as CSV, written as they are read; more than CSV_MAX_ROWS are refused with a
    message on the page (narrow the filters), never cut short."""
    with db.reading() as session:
        form, filters = _read(session, request)
    if filters is None:
        return _page(request, form)
    snapshot = db.open_snapshot()
    try:
        events = audit_trail.csv_count(snapshot, filters)
    except BaseException:
        snapshot.close()
        raise
    if events > audit_trail.CSV_MAX_ROWS:
        snapshot.close()
        form.form_errors = [f"These filters choose more than {audit_trail.CSV_MAX_ROWS:,} events, more than one "
                            "file holds: narrow them (a shorter period, one person, one action) to download them"]
        form.refused_with = 422
        return _page(request, form)

    def lines() -> Iterator[str]:
        """The file's text, a chunk at a time; the snapshot closes however the download ends."""
        try:
            yield from csv_chunks([audit_trail.CSV_HEADINGS])
            yield from csv_chunks(audit_trail.csv_rows(snapshot, filters))
        finally:
            snapshot.close()

    name = f"audit-trail-{now().astimezone(audit_trail.LONDON):%Y-%m-%d-%H%M}.csv"
    return Stream(lines(), media_type="text/csv; charset=utf-8",
                  headers={"Content-Disposition": f'attachment; filename="{name}"'})
