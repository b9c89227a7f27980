"""Device cookies: a browser an account has signed in on is recognised at its next sign-in, so
guesses at the account from elsewhere do not slow its owner (see services.throttling).

The cookie holds a random device id and an HMAC of it with the account it was issued for, under
the secret key: it cannot be forged, and one account's cookie vouches for no other account.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import TypeVar

from litestar import Request, Response

COOKIE = "cbl_device"
LIFETIME = timedelta(days=365)

# The response a cookie is set on is handed back as it came (a Redirect stays a Redirect).
R = TypeVar("R", bound=Response)


def _mac(secret: str, device: str, account: str) -> str:
    return hmac.new(secret.encode(), f"device:{device}:{account}".encode(), hashlib.sha256).hexdigest()


def known_device(request: Request, secret: str, account: str) -> str | None:
    """The id of this browser if the account signed in on it before, else None."""
    device, _, mac = request.cookies.get(COOKIE, "").partition(".")
    if not device or len(device) > 64 or not hmac.compare_digest(mac, _mac(secret, device, account)):
        return None
    return device


def remember_device(response: R, request: Request, secret: str, account: str, *, secure: bool) -> R:
    """After a successful sign-in: this browser is now known to the account (a new id each time)."""
    device = secrets.token_urlsafe(16)
    response.set_cookie(COOKIE, f"{device}.{_mac(secret, device, account)}", max_age=int(LIFETIME.total_seconds()),
                        httponly=True, samesite="lax", secure=secure or request.url.scheme == "https", path="/")
    return response
