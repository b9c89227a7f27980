"""The public site's front page."""

from litestar.di import NamedDependency
from litestar import get
from litestar.response import Template
from sqlmodel import func, select

from cbl.database import Database
from cbl.models import Advert, Cycle
from cbl.models.states import AdvertStatus, CycleStatus
from cbl.rules.scheme import Scheme


@get("/", sync_to_thread=True)
def home(db: NamedDependency[Database], scheme: NamedDependency[Scheme], viewer: NamedDependency[object]) -> Template:
    with db.reading() as session:
        cycle = session.exec(
            select(Cycle).where(Cycle.status == CycleStatus.OPEN).order_by(Cycle.opens_at.desc())
        ).first()
        live = session.exec(
            select(func.count()).select_from(Advert).where(Advert.status == AdvertStatus.LIVE)
        ).one()
    return Template("home.html", context={"cycle": cycle, "live_adverts": live, "scheme": scheme, "viewer": viewer})
