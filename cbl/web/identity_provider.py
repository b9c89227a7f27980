"""Staff sign-in through the council's OpenID Connect identity provider, in place of the password.

The authorization code flow with PKCE (authlib's OAuth 2 client): the browser is sent to the provider
with a random state, nonce and code verifier, kept meanwhile in a short-lived cookie signed with the
secret key; the provider sends it back with a code, which is exchanged for an ID token; the token's
signature (the provider's published keys, joserfc), issuer, audience, expiry and nonce are checked, and
its verified e-mail address names the member of staff. The second factor is still asked for after it.

The provider's configuration and keys are read at each sign-in: sign-ins are few, and a provider that
rotates its keys is followed at once.
"""

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from cbl.services.errors import DomainError, NotAllowed
from cbl.settings import IdentityProvider

FLOW_COOKIE = "cbl_oidc"
FLOW_SECONDS = 600  # long enough to sign in at the provider, no longer
TIMEOUT = 10  # seconds for each request to the provider
ALGORITHMS = ["RS256", "PS256", "ES256"]  # what providers sign ID tokens with; never "none" or a shared secret


class ProviderFailed(DomainError):
    """The identity provider could not be reached, refused, or sent something that does not check out."""

    status_code = 502
    code = "bad_gateway"


@dataclass(frozen=True)
class Flow:
    """One sign-in at the provider, from leaving this site to coming back."""

    state: str
    nonce: str
    verifier: str
    next: str
    started: int  # seconds since the epoch


@dataclass(frozen=True)
class Identity:
    email: str
    subject: str


def _mac(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), f"oidc-flow:{payload}".encode(), hashlib.sha256).hexdigest()


def flow_cookie(flow: Flow, secret: str) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(asdict(flow)).encode()).decode()
    return f"{payload}.{_mac(secret, payload)}"


def read_flow(cookie: str | None, secret: str, now: datetime) -> Flow | None:
    """The flow this browser started, if its cookie is ours, unaltered and recent."""
    payload, _, mac = (cookie or "").partition(".")
    if not payload or len(cookie or "") > 2000 or not hmac.compare_digest(mac, _mac(secret, payload)):
        return None
    flow = Flow(**json.loads(base64.urlsafe_b64decode(payload)))
    return flow if 0 <= now.timestamp() - flow.started <= FLOW_SECONDS else None


def _get(url: str) -> dict:
    try:
        answer = requests.get(url, timeout=TIMEOUT)
        answer.raise_for_status()
        return answer.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderFailed("The sign-in service could not be reached. Try again, or sign in with your "
                             "password.") from error


def _configuration(provider: IdentityProvider) -> dict:
    found = _get(f"{provider.issuer}/.well-known/openid-configuration")
    if found.get("issuer") != provider.issuer:  # OpenID Connect Discovery 1.0, section 4.3
        raise ProviderFailed("The sign-in service is not the one this site is set up for.")
    return found


def _client(provider: IdentityProvider, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(provider.client_id, provider.client_secret, scope="openid email",
                         redirect_uri=redirect_uri, code_challenge_method="S256", default_timeout=TIMEOUT)


def begin(provider: IdentityProvider, redirect_uri: str, next_path: str, now: datetime) -> tuple[str, Flow]:
    """Where to send the browser, and the flow to remember until it comes back."""
    flow = Flow(state=secrets.token_urlsafe(24), nonce=secrets.token_urlsafe(24), verifier=secrets.token_urlsafe(48),
                next=next_path, started=int(now.timestamp()))
    with _client(provider, redirect_uri) as client:
        url, _ = client.create_authorization_url(_configuration(provider)["authorization_endpoint"],
                                                 state=flow.state, nonce=flow.nonce, code_verifier=flow.verifier)
    return url, flow


def finish(provider: IdentityProvider, redirect_uri: str, flow: Flow, code: str, now: datetime) -> Identity:
    """The person the provider vouches for: the code exchanged for an ID token, and the token checked."""
    configuration = _configuration(provider)
    try:
        with _client(provider, redirect_uri) as client:
            token = client.fetch_token(configuration["token_endpoint"], code=code, code_verifier=flow.verifier)
    except (OAuthError, requests.RequestException, ValueError, KeyError) as error:
        raise ProviderFailed("The sign-in service did not confirm who you are. Try again, or sign in with your "
                             "password.") from error
    keys = _get(configuration["jwks_uri"])
    try:
        claims = jwt.decode(token.get("id_token", ""), KeySet.import_key_set(keys), algorithms=ALGORITHMS).claims
        jwt.JWTClaimsRegistry(
            now=int(now.timestamp()), leeway=60,
            iss={"essential": True, "value": provider.issuer}, aud={"essential": True, "value": provider.client_id},
            nonce={"essential": True, "value": flow.nonce}, sub={"essential": True}, exp={"essential": True},
        ).validate(claims)
    except (JoseError, ValueError, TypeError) as error:
        raise ProviderFailed("The sign-in service's answer could not be checked. Try again, or sign in with your "
                             "password.") from error
    # Only an address the provider has checked belongs to the person names a member of staff.
    if not isinstance(claims.get("email"), str) or claims.get("email_verified") is not True:
        raise NotAllowed("The sign-in service did not give a verified e-mail address for you. Sign in with "
                             "your password.")
    return Identity(claims["email"], str(claims["sub"]))
