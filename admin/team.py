"""The team's work, for managers: every queue counted by officer, the queues of one officer (or of no one, or of
everyone), and that officer's cases a page at a time, ticked to move them to another officer at once."""

from typing import Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from wtforms.validators import ValidationError

from cbl.database import Database
from cbl.models import StaffUser
from cbl.queries import work_queues
from cbl.queries.paging import page_number
from cbl.rules.scheme import Scheme
from cbl.services.case_officers import allocate_cases, holders
from cbl.services.errors import InvalidInput
from cbl.services.rights import Right
from cbl.web import forms
from cbl.web.auth import now

from .acting import submit
from .guards import current_staff

NO_ONE = "none"  # the filter's value for the tasks and cases no officer holds
MOVE = "-move"  # the move form's ids: its officer list is not the filter's


class TeamFilter(forms.Form):
    officer = forms.Choice("Whose work", required=None)


class Cases(forms.Many):
    """The cases ticked: only those listed on the page the manager saw."""

    def pre_validate(self, form: forms.Form) -> None:
        known = {str(value) for value, _ in self.options()}
        if any(v not in known for v in self.data or []):
            raise ValidationError("Some of the cases you ticked have moved since the page was shown: tick them again")


class Reassignment(forms.Form):
    cases = Cases("Cases to move", required="Tick at least one case to move")
    officer = forms.Choice("New case officer", required="Choose who should hold the cases")


def _filter_choices(team: list[StaffUser]) -> list[tuple[str, str]]:
    return [("", "Everyone"), (NO_ONE, "No one: not allocated"),
            *((str(user.id), user.name + ("" if user.active else " (account disabled)")) for user in team)]


def _scope(chosen: str) -> work_queues.Scope:
    if chosen == NO_ONE:
        return work_queues.NO_ONE
    return work_queues.Scope(officer_id=int(chosen)) if chosen else work_queues.EVERYONE


def _page(db: Database, scheme: Scheme, request: Request, officer: str, page: str) -> Template:
    """The team's page for the officer chosen (`officer`: "" for everyone, "none", or an id)."""
    today = work_queues.Today(now(), scheme)
    with db.reading() as session:
        team = work_queues.queue_holders(session)
        chosen = forms.read(TeamFilter, {"officer": officer}, choices={"officer": _filter_choices(team)})
        valid = chosen.validate()
        scope = _scope(chosen.officer.data or "") if valid else work_queues.EVERYONE
        number = page_number(page)
        counts = work_queues.team_counts(session, today)
        queues = work_queues.queues(session, scope, today)
        # The team's counts have just counted the scope's open cases, in this transaction.
        cases = (work_queues.cases(session, scope, number, total=counts.of(scope.officer_id, "cases").total)
                 if scope != work_queues.EVERYONE else None)
        officers = holders(session)
    choices = {"officer": [(NO_ONE, "No one: take them off the officer who holds them"),
                           *((str(user.id), user.name) for user in officers)],
               "cases": [(str(case.applicant_id), case.reference) for case in cases.rows] if cases else []}
    moving = forms.read(Reassignment, None, id_suffix=MOVE, choices=choices)
    shown = chosen.officer.data if valid else ""
    return Template("admin/team.html", status_code=chosen.status, context={
        "staff": current_staff(request), "filter": chosen, "shown": shown, "team": team, "counts": counts,
        "queues": queues, "cases": cases, "moving": moving, "today": today.day, "keys": work_queues.QUEUES,
        "names": {user.id: user.name for user in team}, "ticked": set(moving.cases.data or []),
        "rows": [(None, "No one: not allocated", NO_ONE),
                 *((user.id, user.name + ("" if user.active else " (account disabled)"), str(user.id))
                   for user in team)],
        "cases_page": lambda n: "/admin/team?" + urlencode({"officer": shown, "page": n}) + "#cases"})


@get("/team", opt={"right": Right.CASE_ALLOCATE}, sync_to_thread=True)
def team_page(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
              officer: FromQuery[str | None] = None, page: FromQuery[str | None] = None) -> Template:
    """The team's work (?officer=ID or ?officer=none for one officer's, or no one's; &page=2 for more cases)."""
    return _page(db, scheme, request, officer or "", page or "")


def _ids(data: Any) -> list[int]:
    return [int(value) for value in data if str(value).isdigit() and len(str(value)) < 10]


@post("/team/reassignment", opt={"right": Right.CASE_ALLOCATE}, sync_to_thread=True)
def reassignment(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                 data: forms.Body) -> Template | Redirect:
    """Move the ticked cases to an officer (or to no one), then back to the same list."""
    shown, page = str(data.get("shown") or ""), str(data.get("page") or "1")
    listed = _page(db, scheme, request, shown, page)
    if listed.context["cases"] is None:  # no list was shown (everyone's work): nothing could be ticked on it
        raise InvalidInput("Choose an officer, or no one, to see their cases and move them.", field="officer")
    form = forms.read(Reassignment, data, id_suffix=MOVE, choices={
        "officer": listed.context["moving"].officer.choices, "cases": listed.context["moving"].cases.choices})
    back = "/admin/team?" + urlencode({"officer": listed.context["shown"], "page": page}) + "#cases"
    def again(refused: forms.Form) -> Template:  # the same list, read once, with the form as it was sent
        listed.context.update(moving=refused, ticked=set(refused.cases.data or []))
        listed.status_code = refused.status
        return listed

    return submit(db, request, form, lambda s, actor, f: allocate_cases(
        s, actor, _ids(f.cases.data), None if f.officer.data == NO_ONE else int(f.officer.data or 0), now()),
        again, back)
