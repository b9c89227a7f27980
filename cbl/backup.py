"""Backups: `cbl backup FILE` and `cbl restore FILE`.

SQLite (the default) is copied with SQLite's online backup API, so a backup taken while the site runs is
consistent. PostgreSQL is dumped with pg_dump's custom format and restored with pg_restore (the PostgreSQL
client tools must be installed); for point-in-time recovery of a busy PostgreSQL deployment, use the
server's own continuous archiving instead (see the README).
"""

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """A backup or restore that could not be done, with what to do about it."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    return Path(database)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client tools (e.g. postgresql-client).")
    return found


def backup(url: str, destination: Path) -> Path:
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    if make_url(url).get_backend_name() == "sqlite":
        source = _sqlite_path(url)
        if not source.exists():
            raise BackupError(f"There is no database at {source}.")
        with sqlite3.connect(source) as live, sqlite3.connect(destination) as copy:
            live.backup(copy)
        return destination
    result = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(destination),
                             _libpq(url)], capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return destination


def restore(url: str, source: Path) -> None:
    """Replace the database's contents with the backup's. Stop the site and the scheduler first."""
    source = Path(source)
    if not source.exists():
        raise BackupError(f"There is no backup at {source}.")
    if make_url(url).get_backend_name() == "sqlite":
        with sqlite3.connect(source) as copy:
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} is not a sound SQLite database.")
            with sqlite3.connect(_sqlite_path(url)) as live:
                copy.backup(live)
        return
    result = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                             "--dbname", _libpq(url), str(source)], capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
