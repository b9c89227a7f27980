"""The app for any ASGI server, e.g. `CBL_EMBED_SCHEDULER=0 uvicorn --factory cbl.asgi:create`,
with one `cbl scheduler` running beside it (`cbl serve --workers N` is the tested way to run several
workers). Run `cbl db upgrade` before starting the workers.
"""

from litestar import Litestar

from cbl.app import create_app, freeze_start_up_objects
from cbl.settings import load_settings


def create() -> Litestar:
    settings = load_settings()
    app = create_app(settings, run_scheduler=settings.embed_scheduler)
    freeze_start_up_objects()
    return app
