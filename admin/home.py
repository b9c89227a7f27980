"""The admin start page: where the cycles stand and what is waiting."""

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from cbl.database import Database
from cbl.models import StaffUser
from cbl.models.states import StaffRole
from cbl.queries import cycles as latest_cycles
from cbl.services import actors

from .guards import current_staff
from cbl.services.rights import Right


@get("/", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def admin_home(db: NamedDependency[Database], request: Request) -> Template:
    with db.reading() as session:
        cycles, waiting = latest_cycles.latest(session), latest_cycles.places_waiting(session)
    return Template("admin/home.html", context={"staff": current_staff(request), "cycles": cycles,
                                                "waiting": waiting})


def start_page(user: StaffUser) -> str:
    """Where a member of staff starts: providers in their portal, a system administrator (who sees no
    cases, so not the cycles and places page) with the staff accounts, an auditor with the audit trail, everyone
    else here."""
    if user.role is StaffRole.PROVIDER:
        return "/admin/provider"
    actor = actors.staff(user)
    if not actor.may(Right.REGISTER_READ) and actor.may(Right.STAFF_MANAGE):
        return "/admin/staff"
    if not actor.may(Right.REGISTER_READ) and actor.may(Right.AUDIT_READ):
        return "/admin/audit"
    return "/admin"
