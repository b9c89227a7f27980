"""The admin start page: "My work". The tasks on the cases an officer holds and the reviews they are given, soonest
due first; the whole team's homes empty past the target; applications no officer holds yet, to take; the officer's
cases a page at a time; and where the cycles stand."""

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from cbl.database import Database
from cbl.models import StaffUser
from cbl.models.states import StaffRole
from cbl.queries import cycles as latest_cycles
from cbl.queries import work_queues
from cbl.queries.paging import page_number
from cbl.rules.scheme import Scheme
from cbl.services import actors
from cbl.services.rights import Right
from cbl.web.auth import now

from .guards import current_staff


@get("/", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def admin_home(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
               page: FromQuery[str | None] = None) -> Template:
    """My work (?page=2 for the next page of my cases)."""
    user = current_staff(request)
    actor = actors.staff(user)
    today = work_queues.Today(now(), scheme)
    mine = work_queues.Scope(officer_id=user.id)
    keys = work_queues.keys_for(actor.may)
    holds_cases = actor.may(Right.CASE_TAKE)
    with db.reading() as session:
        own = work_queues.queues(session, mine, today, [k for k in keys if not work_queues.BY_KEY[k].team])
        team = work_queues.queues(session, work_queues.EVERYONE, today,
                                  [k for k in keys if work_queues.BY_KEY[k].team])
        unheld = work_queues.queue(session, "applications", work_queues.NO_ONE, today) if holds_cases else None
        cases = work_queues.cases(session, mine, page_number(page)) if holds_cases else None
        cycles, waiting = latest_cycles.latest(session), latest_cycles.places_waiting(session)
    return Template("admin/home.html", context={
        "staff": user, "queues": own, "team": team, "unheld": unheld, "cases": cases, "today": today.day,
        "cycles": cycles, "waiting": waiting, "cases_page": lambda number: f"/admin?page={number}#cases"})


def start_page(user: StaffUser) -> str:
    """Where a member of staff starts: providers in their portal, a system administrator (who sees no
    cases, so not the cycles and places page) with the staff accounts, an auditor with the audit trail, a manager
    with the team's work, everyone else with their own."""
    if user.role is StaffRole.PROVIDER:
        return "/admin/provider"
    actor = actors.staff(user)
    if not actor.may(Right.REGISTER_READ) and actor.may(Right.STAFF_MANAGE):
        return "/admin/staff"
    if not actor.may(Right.REGISTER_READ) and actor.may(Right.AUDIT_READ):
        return "/admin/audit"
    if actor.may(Right.CASE_ALLOCATE):
        return "/admin/team"
    return "/admin"
