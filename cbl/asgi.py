"""The app for any ASGI server: `CBL_EMBED_SCHEDULER=0 uvicorn --factory cbl.asgi:create --workers N`
(what `cbl serve --workers N` runs), with one `cbl scheduler` beside it. Run `cbl db upgrade` first.
"""

from litestar import Litestar

from cbl.app import create_app
from cbl.settings import load_settings


def create() -> Litestar:
    settings = load_settings()
    # A worker ranks the open cycle's adverts as it starts, so that the first views of "My bids" find them ranked.
    return create_app(settings, run_scheduler=settings.embed_scheduler, rank_live_places=True)
