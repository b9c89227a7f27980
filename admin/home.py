"""The admin start page: where the cycles stand and what is waiting."""

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from cbl.database import Database
from cbl.queries import cycles as latest_cycles

from .guards import current_staff
from cbl.services.rights import Right


@get("/", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def admin_home(db: NamedDependency[Database], request: Request) -> Template:
    with db.reading() as session:
        cycles, waiting = latest_cycles.latest(session), latest_cycles.places_waiting(session)
    return Template("admin/home.html", context={"staff": current_staff(request), "cycles": cycles,
                                                "waiting": waiting})
