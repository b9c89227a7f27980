"""The Litestar application factory: public site, admin, provider portal and API in one app."""

from collections.abc import Callable
import gc
import logging
import threading
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import ResponseHeader, State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from jinja2 import ChoiceLoader, PrefixLoader
from jinja2.filters import do_indent
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from markupsafe import Markup

import admin
from admin.home import start_page
from admin.imports import upload_router
from admin.routes import admin_router
from cbl.queries import listings
from cbl.assets import govuk_assets, stylesheet
from cbl.database import Database, check_schema
from cbl.rules.scheme import Scheme, load_scheme
from cbl.rules.wording import money
from cbl.services import actors
from cbl.services.rights import Right
from cbl.settings import Settings, load_settings
from cbl.web import govuk_macros
from cbl.web import (
    account, adverts, application_pages, apply, contact, equality_pages, exchange_pages, letters, passwords, reviews,
    tokens,
)
from cbl.web.api import Site, api_router
from cbl.web.api_docs import SwaggerUIFromThisSite, api_docs_assets
from cbl.web.notify_callbacks import notify_router
from cbl.web.provider_api import provider_api_router
from cbl.web.auth import COOKIE, SignInRequired, Viewer, sign_in_required, viewer
from cbl.web.csrf import CSRF_COOKIE, SessionBoundCSRF
from cbl.web.headers import security_headers
from cbl.web.errors import EXCEPTION_HANDLERS
from cbl.web.health import health
from cbl.web.home import home

HERE = Path(__file__).parent
# Every form and API body is a few kilobytes; a bigger one is refused before it is read (413).
MAX_REQUEST_BYTES = 1_000_000
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

# The API's two kinds of credentials, both sent as 'Authorization: Bearer ...'.
OPENAPI_SECURITY = Components(security_schemes={
    "applicantToken": SecurityScheme(
        type="http", scheme="bearer",
        description="An applicant's API token, from POST /api/v1/tokens (reference and password)."),
    "providerKey": SecurityScheme(
        type="http", scheme="bearer",
        description="A registered provider's API key for /api/v1/provider, issued by the council "
                    "(`cbl provider-key CODE`)."),
})


def _freeze_long_lived_objects() -> None:
    """Leave what exists now out of the cyclic garbage collector's full collections (a serving worker).

    A worker's own objects (routes, templates, mappers, memos) last as long as it does; each full collection walked
    them all, a pause of 100-150 ms in whichever request it fell in (`tools.profile_page`, a shortlist viewed 30
    times: slowest 156 ms with the collector as it is, 23 ms without full collections; median 17-19 ms either way).
    """
    gc.freeze()


def _rank_live_places_in_background(db: Database, scheme: Scheme) -> None:
    """`bidding.rank_open_cycle` in a thread of its own: requests are answered meanwhile (a view arriving first
    ranks its adverts itself, as it would have anyway); a failure is logged and costs nothing but the head start."""
    from cbl.services import bidding

    def run() -> None:
        try:
            bidding.rank_open_cycle(db, scheme, datetime.now(timezone.utc))
        except Exception:  # noqa: BLE001 - a head start only: the views rank for themselves
            logging.getLogger(__name__).exception("ranking the open cycle's adverts ahead of views failed")
        _freeze_long_lived_objects()  # the memos just made last too

    threading.Thread(target=run, name="rank-live-places", daemon=True).start()


def create_app(settings: Settings | None = None, *, db: Database | None = None, scheme: Scheme | None = None,
               run_scheduler: bool = False, rank_live_places: bool = False) -> Litestar:
    """Build the app. Refuses (SchemaOutOfDate) on a database that has not been migrated. `rank_live_places`:
    once started, rank the open cycle's adverts for "My bids" in the background (a web worker of `cbl serve`)."""
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
            start_page=start_page,  # where the admin site's name takes a member of staff
        )
        # The GOV.UK Frontend macros (components/forms.html uses them), their imports hoisted out of the macros.
        engine.engine.globals[govuk_macros.GLOBAL] = govuk_macros.attributes
        own = engine.engine.loader
        assert own is not None  # litestar's loader for the template directories
        engine.engine.loader = ChoiceLoader([own, PrefixLoader(
            {"govuk_frontend_jinja": govuk_macros.GovukMacros()})])
        engine.engine.filters["local_datetime"] = lambda moment: local_datetime(moment, zone)
        engine.engine.filters["local_date_iso"] = lambda moment: moment.astimezone(zone).date().isoformat()
        engine.engine.filters["long_date"] = long_date
        engine.engine.filters["indent"] = indent
        engine.engine.filters["money"] = money
        # A template is read once a process: the GOV.UK macros import their parts inside every macro, so checking
        # each file's time on every import was ~850 stat calls on a household's case page.
        engine.engine.auto_reload = False

    api_site = Site(db, scheme)
    on_startup: list[Callable] = []
    on_shutdown: list[Callable] = []
    if run_scheduler:
        from scheduler import runner

        holder: dict[str, Any] = {}  # the running scheduler (APScheduler is untyped)
        on_startup.append(lambda: holder.update(scheduler=runner.start(db, scheme, settings)))
        on_shutdown.append(lambda: holder["scheduler"].shutdown(wait=False) if "scheduler" in holder else None)
    if rank_live_places:
        on_startup.append(_freeze_long_lived_objects)
        on_startup.append(lambda: _rank_live_places_in_background(db, scheme))
    on_shutdown.append(db.dispose)

    return Litestar(
        route_handlers=[
            Router("/", include_in_schema=False, route_handlers=[
                health, home, adverts.advert_list, adverts.advert_page, adverts.bid_for_advert, adverts.results,
                *account.ROUTES,
                *passwords.ROUTES,
                *tokens.ROUTES,
                *contact.ROUTES,
                *reviews.ROUTES,
                *letters.ROUTES,
                *apply.ROUTES,
                *application_pages.ROUTES,
                *equality_pages.ROUTES,
                *exchange_pages.ROUTES,
            ]),
            api_router,
            provider_api_router,
            notify_router,
            admin_router,
            upload_router(settings.import_max_bytes),
            api_docs_assets(),
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
            directory=[HERE / "templates", ADMIN_TEMPLATES], engine=JinjaTemplateEngine,
            engine_callback=configure_templates,
        ),
        # The pattern is searched for in the path: anchored, so only the API (tokens, not cookies) is exempt.
        csrf_config=CSRFConfig(secret=settings.secret_key, exclude=["^/api/"], cookie_name=CSRF_COOKIE,
                               cookie_samesite="lax", cookie_httponly=True, cookie_secure=settings.https),
        middleware=_middleware(settings),
        request_max_body_size=MAX_REQUEST_BYTES,
        # The docs page at /api/v1/schema loads Swagger UI from this site (cbl.web.api_docs), under
        # the same content-security policy as every page; the schema is /api/v1/schema/openapi.json.
        openapi_config=OpenAPIConfig(title="Choice-based lettings API", version="1.0.0", path="/api/v1/schema",
                                     components=OPENAPI_SECURITY, render_plugins=[SwaggerUIFromThisSite()]),
        exception_handlers={SignInRequired: sign_in_required, **EXCEPTION_HANDLERS},
        before_send=[security_headers([(h.name, h.value or "") for h in SECURITY_HEADERS], https=settings.https)],
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        state=State({"db": db, "scheme": scheme, "settings": settings}),
    )


def _middleware(settings: Settings) -> list[DefineMiddleware]:
    stack = [DefineMiddleware(SessionBoundCSRF, secret=settings.secret_key, session_cookie=COOKIE)]
    if settings.trusted_proxies:
        # The client's address and scheme from X-Forwarded-For/-Proto, only when a trusted proxy sent them.
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        # Plain ASGI, typed with uvicorn's own ASGI types rather than litestar's.
        stack.append(DefineMiddleware(ProxyHeadersMiddleware,  # type: ignore[arg-type]
                                      trusted_hosts=list(settings.trusted_proxies)))
    return stack


def navigation(viewer: Viewer | None) -> list[dict[str, str]]:
    """The service navigation's links for whoever is looking."""
    items = [{"href": "/adverts", "text": "Homes to bid for"}, {"href": "/results", "text": "Let results"}]
    if viewer is not None and viewer.kind == "applicant":
        items += [{"href": "/account/bids", "text": "My bids"},
                  {"href": "/account/homes", "text": "Homes I can bid for"},
                  {"href": "/account/offers", "text": "My offers"}, {"href": "/account/exchange", "text": "Exchange"},
                  {"href": "/account", "text": "My application"}]
    elif viewer is not None and viewer.kind == "household":
        items.append({"href": "/apply/application", "text": "Your application"})
    else:
        items += [{"href": "/apply", "text": "Apply"}, {"href": "/sign-in", "text": "Sign in"}]
    return items


def local_datetime(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    hour = local.strftime("%I:%M%p").lstrip("0").lower()
    return f"{hour} on {local:%A} {local.day} {local:%B %Y}"


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def indent(text: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    """Jinja's `indent`, the same text for the same arguments, without its cost on markup. The GOV.UK macros
    indent each component's HTML, nested several deep; on markup Jinja's filter makes and escapes every line
    again as markup (14,000 of them on a case page, a sixth of its CPU time). Markup is safe already, so it
    is indented as plain text and marked safe once."""
    if isinstance(text, Markup):
        return Markup(do_indent(str(text), width, first, blank))
    return do_indent(text, width, first, blank)
