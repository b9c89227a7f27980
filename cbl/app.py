"""The Litestar application factory: public site, admin, provider portal and API in one app."""

from datetime import datetime
from pathlib import Path

from litestar import Litestar
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.di import Provide
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from cbl.assets import govuk_assets, stylesheet
from cbl.database import Database, check_schema
from cbl.scheme import Scheme, load_scheme
from cbl.settings import Settings, load_settings
from cbl.web.errors import EXCEPTION_HANDLERS
from cbl.web.health import health
from cbl.web.home import home

HERE = Path(__file__).parent


def create_app(settings: Settings | None = None, *, db: Database | None = None,
               scheme: Scheme | None = None) -> Litestar:
    """Build the app. Refuses (SchemaOutOfDate) on a database that has not been migrated."""
    settings = settings or load_settings()
    scheme = scheme or load_scheme(settings.scheme_path)
    db = db or Database(settings.database_url)
    check_schema(db)

    def configure_templates(engine: JinjaTemplateEngine) -> None:
        zone = settings.time_zone
        engine.engine.globals.update(
            service_name="Find a home", council_name="Anytown Council", scheme_name=scheme.name,
        )
        engine.engine.filters["local_datetime"] = lambda moment: _local_datetime(moment, zone)

    return Litestar(
        route_handlers=[
            health,
            home,
            create_static_files_router("/static/govuk/assets", directories=[govuk_assets()], name="govuk"),
            create_static_files_router("/static/build", directories=[stylesheet().parent], name="build"),
        ],
        dependencies={
            "db": Provide(lambda: db, use_cache=True, sync_to_thread=False),
            "scheme": Provide(lambda: scheme, use_cache=True, sync_to_thread=False),
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
        },
        template_config=TemplateConfig(
            directory=[HERE / "templates"], engine=JinjaTemplateEngine, engine_callback=configure_templates,
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        on_shutdown=[db.dispose],
        state={"db": db, "scheme": scheme, "settings": settings},
    )


def _local_datetime(moment: datetime, zone) -> str:  # noqa: ANN001
    local = moment.astimezone(zone)
    hour = local.strftime("%I:%M%p").lstrip("0").lower()
    return f"{hour} on {local:%A} {local.day} {local:%B %Y}"
