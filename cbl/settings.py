"""Settings read from the environment, with defaults that work out of the box."""

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from cbl.messages.config import DeliverySettings, load_delivery

DEFAULT_SCHEME = Path(__file__).parent / "schemes" / "default.toml"


@dataclass(frozen=True, slots=True)
class IdentityProvider:
    """The council's OpenID Connect identity provider, with which staff may sign in instead of a password."""

    issuer: str
    """Its issuer URL (`CBL_OIDC_ISSUER`): its configuration is read from /.well-known/openid-configuration."""
    client_id: str
    """This site's client id there (`CBL_OIDC_CLIENT_ID`)."""
    client_secret: str
    """This site's client secret there (`CBL_OIDC_CLIENT_SECRET`)."""
    name: str = "your council account"
    """How staff know it, on the sign-in button: "Sign in with ..." (`CBL_OIDC_NAME`)."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    """SQLAlchemy URL. Default: a SQLite file `cbl.sqlite3` in the working directory."""
    migration_database_url: str
    """The URL migrations run with: on PostgreSQL, the role owning the tables. Default: database_url."""
    secret_key: str
    """Signs sessions and CSRF tokens. Generated once and kept in `.cbl-secret` if not given."""
    time_zone: ZoneInfo
    """The zone people live in: dates and times shown and cycle patterns are in it."""
    scheme_path: Path
    """The allocation scheme (TOML)."""
    host: str
    """Address the web server listens on."""
    port: int
    """Port the web server listens on."""
    embed_scheduler: bool
    """Run the cycle scheduler inside the web process (one process only)."""
    base_url: str
    """The site's address as people reach it: links sent to them start with it (never the Host header)."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses (or networks) of the reverse proxies whose X-Forwarded-For and -Proto are believed."""
    import_dir: Path = Path("cbl-imports")
    """Where files uploaded for import are kept while they are checked and imported."""
    import_max_bytes: int = 100 * 1024 * 1024
    """The largest file a manager may upload for import."""

    @property
    def https(self) -> bool:
        """Served over https (behind a proxy that ends TLS, say): cookies are Secure, HSTS is sent."""
        return self.base_url.startswith("https://")

    def link(self, path: str) -> str:
        """An absolute link to `path` on the site, for a message to someone."""
        return self.base_url.rstrip("/") + path
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    """How messages are delivered: GOV.UK Notify, SMTP or neither (cbl/messages/config.py)."""
    uploads_dir: Path = Path("uploads")
    """Where households' evidence files are kept, under generated names: outside anything served as static."""
    identity_provider: IdentityProvider | None = None
    """Staff sign-in through an OpenID Connect identity provider, if one is set up (CBL_OIDC_*)."""


def _secret_key(env: dict[str, str], workdir: Path) -> str:
    if env.get("CBL_SECRET_KEY"):
        return env["CBL_SECRET_KEY"]
    key_file = workdir / ".cbl-secret"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_settings(env: dict[str, str] | None = None, workdir: Path | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    workdir = workdir or Path.cwd()
    database_url = env.get("CBL_DATABASE_URL") or f"sqlite:///{workdir / 'cbl.sqlite3'}"
    host, port = env.get("CBL_HOST", "127.0.0.1"), int(env.get("CBL_PORT", "8000"))
    return Settings(
        database_url=database_url,
        migration_database_url=env.get("CBL_MIGRATION_DATABASE_URL") or database_url,
        secret_key=_secret_key(env, workdir),
        time_zone=ZoneInfo(env.get("CBL_TIME_ZONE", "Europe/London")),
        scheme_path=Path(env.get("CBL_SCHEME", DEFAULT_SCHEME)),
        host=host,
        port=port,
        embed_scheduler=env.get("CBL_EMBED_SCHEDULER", "1") not in {"0", "false", "no"},
        base_url=(env.get("CBL_BASE_URL") or f"http://{host}:{port}").rstrip("/"),
        trusted_proxies=tuple(p.strip() for p in env.get("CBL_TRUSTED_PROXIES", "").split(",") if p.strip()),
        delivery=load_delivery(env),
        uploads_dir=Path(env.get("CBL_UPLOADS_DIR") or workdir / "uploads"),
        import_dir=Path(env.get("CBL_IMPORT_DIR") or workdir / "cbl-imports"),
        import_max_bytes=_import_limit(env.get("CBL_IMPORT_MAX_BYTES", "")),
        identity_provider=_identity_provider(env),
    )


def _import_limit(typed: str) -> int:
    """CBL_IMPORT_MAX_BYTES: a whole number of bytes (100 MB if not set)."""
    if not typed.strip():
        return 100 * 1024 * 1024
    if not typed.strip().isdigit() or int(typed) < 1:
        raise ValueError(f"CBL_IMPORT_MAX_BYTES must be a whole number of bytes, not {typed!r}")
    return int(typed)


def _identity_provider(env: dict[str, str]) -> IdentityProvider | None:
    issuer = env.get("CBL_OIDC_ISSUER", "").strip().rstrip("/")
    if not issuer:
        return None
    client_id, client_secret = env.get("CBL_OIDC_CLIENT_ID", "").strip(), env.get("CBL_OIDC_CLIENT_SECRET", "")
    if not client_id or not client_secret:
        raise ValueError("CBL_OIDC_ISSUER is set: set CBL_OIDC_CLIENT_ID and CBL_OIDC_CLIENT_SECRET too.")
    if not issuer.startswith("https://") and not issuer.startswith(("http://127.0.0.1", "http://localhost")):
        raise ValueError("CBL_OIDC_ISSUER must be an https:// address (http only on this machine, for testing).")
    return IdentityProvider(issuer, client_id, client_secret,
                            env.get("CBL_OIDC_NAME", "").strip() or "your council account")
