"""A stand-in OpenID Connect identity provider on 127.0.0.1, for the tests: discovery, its signing keys, an
authorization endpoint that signs in whoever the test says at once, and a token endpoint that checks what a
real provider checks (the client's secret, the code used once, its redirect address, PKCE) and issues an ID
token signed with RS256 (joserfc).

    with OidcStandIn() as provider:
        provider.person = {"email": "officer@example.org", "email_verified": True}
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "cbl-admin"
CLIENT_SECRET = "stand-in-client-secret"


@cache
def _signing_key() -> RSAKey:
    """One key for every stand-in in a test process: making an RSA key takes a while."""
    return RSAKey.generate_key(2048, parameters={"kid": "stand-in-1", "use": "sig", "alg": "RS256"})


class OidcStandIn:
    def __init__(self) -> None:
        self.key = _signing_key()
        # Who signs in at the authorization endpoint next (claims besides iss, aud, sub, nonce, exp).
        self.person: dict[str, Any] = {}
        self.subject = "stand-in-subject-1"
        self.deny: str | None = None  # an OAuth error to answer the authorization request with instead
        self.tamper: dict[str, Any] = {}  # claims to overwrite in the next ID token (a wrong nonce, audience...)
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, str]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "OidcStandIn":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def env(self) -> dict[str, str]:
        return {"CBL_OIDC_ISSUER": self.issuer, "CBL_OIDC_CLIENT_ID": CLIENT_ID,
                "CBL_OIDC_CLIENT_SECRET": CLIENT_SECRET, "CBL_OIDC_NAME": "Anytown Council account"}

    def configuration(self) -> dict[str, Any]:
        return {"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"]}

    def authorize(self, query: dict[str, str]) -> str:
        """Where the browser is sent back to: the client's redirect address with a code, or an error."""
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code" or \
                "openid" not in query.get("scope", "").split() or query.get("code_challenge_method") != "S256":
            raise ValueError(f"not an OpenID Connect code request with PKCE: {query}")
        back = query["redirect_uri"]
        if self.deny:
            return f"{back}?{urlencode({'error': self.deny, 'state': query.get('state', '')})}"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"redirect_uri": back, "nonce": query.get("nonce"),
                            "challenge": query["code_challenge"], "person": dict(self.person)}
        return f"{back}?{urlencode({'code': code, 'state': query.get('state', '')})}"

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        self.token_requests.append(form)
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if (client_id, client_secret) != (CLIENT_ID, CLIENT_SECRET):
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or form.get("grant_type") != "authorization_code" or \
                form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verifier does not match"}
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "sub": self.subject, "nonce": grant["nonce"],
                  "iat": now, "exp": now + 300, **grant["person"], **self.tamper}
        id_token = jwt.encode({"alg": "RS256", "kid": "stand-in-1"}, claims, self.key)
        return 200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                     "id_token": id_token}


def _handler(provider: OidcStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            address = urlsplit(self.path)
            if address.path == "/.well-known/openid-configuration":
                return self._json(200, provider.configuration())
            if address.path == "/jwks":
                return self._json(200, {"keys": [provider.key.as_dict(private=False)]})
            if address.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(address.query).items()}
                try:
                    back = provider.authorize(query)
                except (ValueError, KeyError) as error:
                    return self._json(400, {"error": "invalid_request", "error_description": str(error)})
                self.send_response(302)
                self.send_header("Location", back)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            return self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802
            if urlsplit(self.path).path != "/token":
                return self._json(404, {"error": "not_found"})
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            form = {k: v[0] for k, v in parse_qs(body).items()}
            return self._json(*provider.token(form, self.headers.get("Authorization")))

    return Handler
