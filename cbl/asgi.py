"""The app for an ASGI server with several workers, e.g.

    CBL_EMBED_SCHEDULER=0 uvicorn --factory cbl.asgi:create --workers 4

with one `cbl scheduler` running beside it. Run `cbl db upgrade` before starting the workers.
"""

from litestar import Litestar

from cbl.app import create_app
from cbl.settings import load_settings


def create() -> Litestar:
    settings = load_settings()
    return create_app(settings, run_scheduler=settings.embed_scheduler)
