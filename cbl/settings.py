"""Settings read from the environment, with defaults that work out of the box."""

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from cbl.messages.config import DeliverySettings, load_delivery

DEFAULT_SCHEME = Path(__file__).parent / "schemes" / "default.toml"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    """SQLAlchemy URL. Default: a SQLite file `cbl.sqlite3` in the working directory."""
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
    threads: int
    """Threads per web worker for request handlers (they are sync and share the GIL)."""
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    """How messages are delivered: GOV.UK Notify, SMTP or neither (cbl/messages/config.py)."""


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
    return Settings(
        database_url=env.get("CBL_DATABASE_URL") or f"sqlite:///{workdir / 'cbl.sqlite3'}",
        secret_key=_secret_key(env, workdir),
        time_zone=ZoneInfo(env.get("CBL_TIME_ZONE", "Europe/London")),
        scheme_path=Path(env.get("CBL_SCHEME", DEFAULT_SCHEME)),
        host=env.get("CBL_HOST", "127.0.0.1"),
        port=int(env.get("CBL_PORT", "8000")),
        embed_scheduler=env.get("CBL_EMBED_SCHEDULER", "1") not in {"0", "false", "no"},
        threads=int(env.get("CBL_THREADS", "4")),
        delivery=load_delivery(env),
    )
