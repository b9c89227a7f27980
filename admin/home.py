"""The admin start page: where the cycles stand and what is waiting."""

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlmodel import func, select

from cbl.database import Database
from cbl.models import Cycle, ShortlistEntry
from cbl.models.states import ShortlistStatus

from .guards import current_staff
from cbl.services.rights import Right


@get("/", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def admin_home(db: NamedDependency[Database], request: Request) -> Template:
    with db.reading() as session:
        cycles = session.exec(select(Cycle).order_by(Cycle.opens_at.desc()).limit(4)).all()
        waiting = session.exec(select(func.count()).select_from(ShortlistEntry).where(
            ShortlistEntry.proposed, ShortlistEntry.status == ShortlistStatus.PENDING)).one()
    return Template("admin/home.html", context={"staff": current_staff(request), "cycles": cycles,
                                                "waiting": waiting})
