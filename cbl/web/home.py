"""The public site's front page."""

from litestar.di import NamedDependency
from litestar import get
from litestar.response import Template

from cbl.database import Database
from cbl.queries import cycles
from cbl.rules.scheme import Scheme


@get("/", sync_to_thread=True)
def home(db: NamedDependency[Database], scheme: NamedDependency[Scheme], viewer: NamedDependency[object]) -> Template:
    with db.reading() as session:
        now_bidding = cycles.bidding(session)
    return Template("home.html", context={"cycle": now_bidding.cycle, "live_adverts": now_bidding.live_adverts,
                                          "scheme": scheme, "viewer": viewer})
