"""The Litestar application factory: public site, admin, provider portal and API in one app."""

import gc
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import ResponseHeader
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

import admin
from admin.routes import admin_router
from cbl.queries import listings
from cbl.assets import govuk_assets, stylesheet
from cbl.database import Database, check_schema
from cbl.rules.scheme import Scheme, load_scheme
from cbl.services import actors
from cbl.services.rights import Right
from cbl.settings import Settings, load_settings
from cbl.web import account, adverts, contact, letters, reviews
from cbl.web.api import Site, api_router
from cbl.web.notify_callbacks import notify_router
from cbl.web.provider_api import provider_api_router
from cbl.web.cache import TimedCache
from cbl.web.auth import SignInRequired, sign_in_required, viewer
from cbl.web.errors import EXCEPTION_HANDLERS
from cbl.web.health import health
from cbl.web.home import home

HERE = Path(__file__).parent
ADMIN_TEMPLATES = Path(admin.__file__).parent / "templates"

SECURITY_HEADERS = [
    # No inline scripts or styles anywhere, so the policy can be strict.
    ResponseHeader(name="Content-Security-Policy", value=(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")),
    ResponseHeader(name="X-Frame-Options", value="DENY"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Permissions-Policy", value="camera=(), microphone=(), geolocation=()"),
]


def create_app(settings: Settings | None = None, *, db: Database | None = None, scheme: Scheme | None = None,
               run_scheduler: bool = False) -> Litestar:
    """Build the app. Refuses (SchemaOutOfDate) on a database that has not been migrated."""
    settings = settings or load_settings()
    scheme = scheme or load_scheme(settings.scheme_path)
    db = db or Database(settings.database_url)
    check_schema(db)

    def configure_templates(engine: JinjaTemplateEngine) -> None:
        zone = settings.time_zone
        engine.engine.globals.update(
            service_name="Find a home", council_name="Anytown Council", scheme_name=scheme.name,
            page_link=listings.page_link, navigation=navigation, Right=Right,
            delivery_warning=settings.delivery.warning(),
            # Whether a member of staff may do any of these: pages offer only the actions the rules allow.
            may=lambda user, *rights: any(actors.staff(user).may(right) for right in rights),
        )
        engine.engine.filters["local_datetime"] = lambda moment: local_datetime(moment, zone)
        engine.engine.filters["local_date_iso"] = lambda moment: moment.astimezone(zone).date().isoformat()
        engine.engine.filters["long_date"] = long_date

    # The API's adverts list, the same for everyone, is answered from memory briefly.
    api_site = Site(db, scheme, TimedCache(seconds=2.0))
    on_startup: list[Callable] = [lambda: _limit_threads(settings.threads)]
    on_shutdown: list[Callable] = []
    if run_scheduler:
        from scheduler import runner

        holder = {}
        on_startup.append(lambda: holder.update(scheduler=runner.start(db, scheme, settings)))
        on_shutdown.append(lambda: holder["scheduler"].shutdown(wait=False) if "scheduler" in holder else None)
    on_shutdown.append(db.dispose)

    return Litestar(
        route_handlers=[
            Router("/", include_in_schema=False, route_handlers=[
                health, home, adverts.advert_list, adverts.advert_page, adverts.bid_for_advert, adverts.results,
                *account.ROUTES,
                *contact.ROUTES,
                *reviews.ROUTES,
                *letters.ROUTES,
            ]),
            api_router,
            provider_api_router,
            notify_router,
            admin_router,
            create_static_files_router("/static/govuk/assets", directories=[govuk_assets()], name="govuk"),
            create_static_files_router("/static/build", directories=[stylesheet().parent], name="build"),
        ],
        dependencies={
            "db": Provide(lambda: db, use_cache=True, sync_to_thread=False),
            "scheme": Provide(lambda: scheme, use_cache=True, sync_to_thread=False),
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
            "viewer": Provide(viewer, sync_to_thread=True),
            # The API's handlers take this one instead of db and scheme (see web.api.Site).
            "site": Provide(lambda: api_site, use_cache=True, sync_to_thread=False),
        },
        template_config=TemplateConfig(
            directory=[HERE / "templates", ADMIN_TEMPLATES], engine=JinjaTemplateEngine, engine_callback=configure_templates,
        ),
        csrf_config=CSRFConfig(secret=settings.secret_key, exclude=["/api/"], cookie_samesite="lax",
                               cookie_httponly=True),
        openapi_config=OpenAPIConfig(title="Choice-based lettings API", version="1.0.0", path="/api/v1/schema"),
        exception_handlers={SignInRequired: sign_in_required, **EXCEPTION_HANDLERS},
        response_headers=SECURITY_HEADERS,
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        state={"db": db, "scheme": scheme, "settings": settings},
    )


def _limit_threads(threads: int) -> None:
    # Handlers are sync and mostly CPU (the database answers in well under a millisecond here):
    # a few threads per worker do more than many fighting over the GIL. Under the bidding bench,
    # 4 threads gave p99 174-192 ms where 6 gave 197-210 and 9 gave 219-228, for the same
    # throughput. Litestar runs sync handlers on the event loop's default executor; anyio's pool
    # runs the rest.
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import anyio.to_thread

    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(threads, thread_name_prefix="cbl-handler"))
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads


def freeze_start_up_objects() -> None:
    """For a server process, once its app is built.

    What start-up made (the app, the schema's metadata, templates, the scheme) lives as long as
    the process. Left in the collector's reach, every full collection walks all of it: 70-90 ms
    pauses of a worker under load, every request in it waiting. Frozen, a full pass takes ~4 ms.
    """
    gc.collect()
    gc.freeze()


def navigation(viewer) -> list[dict[str, str]]:  # noqa: ANN001 - a web.auth.Viewer or None
    """The service navigation's links for whoever is looking."""
    items = [{"href": "/adverts", "text": "Homes to bid for"}, {"href": "/results", "text": "Let results"}]
    if viewer is not None and viewer.kind == "applicant":
        items += [{"href": "/account/bids", "text": "My bids"}, {"href": "/account/homes", "text": "Homes I can bid for"},
                  {"href": "/account/offers", "text": "My offers"}, {"href": "/account", "text": "My application"}]
    else:
        items.append({"href": "/sign-in", "text": "Sign in"})
    return items


def local_datetime(moment: datetime, zone) -> str:  # noqa: ANN001
    local = moment.astimezone(zone)
    hour = local.strftime("%I:%M%p").lstrip("0").lower()
    return f"{hour} on {local:%A} {local.day} {local:%B %Y}"


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
