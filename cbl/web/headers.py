"""Headers on every answer: pages, errors, redirects and static files alike.

A `before_send` hook sees every response the app sends, including those no route handler made
(a 404 for an unknown path, a 405), which route-level response headers miss.
"""

from collections.abc import Awaitable, Callable, Iterable

from litestar.types import Message, Scope

HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
NO_STORE = (b"cache-control", b"no-store")


def security_headers(headers: Iterable[tuple[str, str]], *,
                     https: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """A hook adding `headers` to every response that lacks them; `Cache-Control: no-store` to every
    response but static files (pages show personal data, downloads hold it); HSTS over https."""
    always = [(name.lower().encode(), value.encode()) for name, value in headers]

    async def add(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        sent = list(message.get("headers") or [])
        present = {bytes(name).lower() for name, _ in sent}
        extra = [header for header in always if header[0] not in present]
        if NO_STORE[0] not in present and not scope.get("path", "").startswith("/static/"):
            extra.append(NO_STORE)
        if (https or scope.get("scheme") == "https") and HSTS[0] not in present:
            extra.append(HSTS)
        message["headers"] = [*sent, *extra]

    return add
