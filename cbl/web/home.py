"""The public site's front page."""

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from cbl.database import Database
from cbl.queries import cycles
from cbl.rules.scheme import Scheme
from cbl.rules.wording import day_and_time
from cbl.web.auth import now


@get("/", sync_to_thread=True)
def home(db: NamedDependency[Database], scheme: NamedDependency[Scheme], viewer: NamedDependency[object],
         request: Request) -> Template:
    with db.reading() as session:
        now_bidding = cycles.bidding(session, now())
    zone = request.app.state["settings"].time_zone
    next_opens = day_and_time(now_bidding.next_opens_at, zone) if now_bidding.next_opens_at else None
    return Template("home.html", context={"cycle": now_bidding.cycle, "live_adverts": now_bidding.live_adverts,
                                          "next_opens": next_opens, "scheme": scheme, "viewer": viewer})
