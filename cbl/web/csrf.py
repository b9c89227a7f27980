"""CSRF tokens bound to the session.

Litestar's CSRF middleware compares the token in a form with the one in its cookie (double
submit). A cookie can be planted by a sibling site, so for a signed-in visitor the token is not
whatever the cookie holds but one derived from the session cookie and the secret key: this
middleware, running before Litestar's, puts that token in the request's CSRF cookie. A token
from before signing in, or another visitor's, does not match; signing in (a new session) gives a
new token.
"""

import hashlib
import hmac

from litestar.enums import ScopeType
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash
from litestar.types import ASGIApp, Receive, Scope, Send

CSRF_COOKIE = "csrftoken"


def session_token(secret: str, session: str) -> str:
    """The CSRF token of the session whose cookie is `session` (Litestar's format: value + HMAC)."""
    value = hmac.new(secret.encode(), b"csrf:" + session.encode(), hashlib.sha256).hexdigest()[:CSRF_SECRET_LENGTH]
    return value + generate_csrf_hash(token=value, secret=secret)


def _cookies(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in headers:
        if name.lower() == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, item = part.strip().partition("=")
                if key:
                    found.setdefault(key, item)
    return found


class SessionBoundCSRF:
    def __init__(self, app: ASGIApp, secret: str, session_cookie: str) -> None:
        self.app, self.secret, self.session_cookie = app, secret, session_cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            cookies = _cookies(scope["headers"])
            session = cookies.get(self.session_cookie)
            if session:
                cookies[CSRF_COOKIE] = session_token(self.secret, session)
                header = "; ".join(f"{key}={value}" for key, value in cookies.items()).encode("latin-1")
                scope["headers"] = [(n, v) for n, v in scope["headers"] if n.lower() != b"cookie"]
                scope["headers"].append((b"cookie", header))
        await self.app(scope, receive, send)
