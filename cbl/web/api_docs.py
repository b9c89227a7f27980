"""The JSON API's documentation page, /api/v1/schema: Swagger UI from the installed `swagger-ui-py`
package and a start script of ours, all served by this site, so the page needs no CDN and keeps
the site's content-security policy (no inline script or style)."""

from html import escape
from pathlib import Path
from typing import Any

import swagger_ui
from litestar import Request, Router
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.static_files import create_static_files_router

ASSETS_PATH = "/static/api-docs"
SWAGGER_UI = Path(swagger_ui.__file__).parent / "static"
START_SCRIPT = Path(__file__).parents[1] / "static" / "api-docs"


class SwaggerUIFromThisSite(OpenAPIRenderPlugin):
    """Litestar's own plugins load Swagger UI from a CDN and start it with an inline script."""

    def __init__(self, path: str = "/") -> None:
        super().__init__(path=path, favicon="", style="")

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        title = escape(openapi_schema.get("info", {}).get("title", "API"))
        schema_url = escape(self.get_openapi_json_route(request))
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
</head>
<body>
<noscript>
<h1>{title}</h1>
<p>This page draws the API's documentation with JavaScript. Without it, read the schema itself:
<a href="{schema_url}">{schema_url}</a>.</p>
</noscript>
<div id="swagger-ui" data-schema-url="{schema_url}"></div>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="{ASSETS_PATH}/start-swagger-ui.js"></script>
</body>
</html>
""".encode()


def api_docs_assets() -> Router:
    return create_static_files_router(ASSETS_PATH, directories=[START_SCRIPT, SWAGGER_UI], name="api-docs",
                                      include_in_schema=False)
