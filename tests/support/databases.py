"""Throwaway databases for tests and benchmarks: a SQLite file, or a PostgreSQL database created
for the occasion and dropped after it, when a server answers at CBL_TEST_POSTGRES_URL; and a free
port for a server they start."""

import os
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

ADMIN_URL = os.environ.get("CBL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@lru_cache(maxsize=1)
def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(ADMIN_URL, connect_timeout=2):
            return True
    except Exception:  # any failure means "not here"
        return False


@contextmanager
def postgres_database(prefix: str = "cbl_test") -> Iterator[str]:
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def kept_database(kind: str, bench: str) -> str:
    """A new, empty database of the kind for the benchmark `bench` ("pages", "search") that stays after its run
    (--keep): the SQLite file `bench-BENCH.sqlite3` here, or the PostgreSQL database `cbl_BENCH_kept_TIME`."""
    if kind == "sqlite":
        return f"sqlite:///bench-{bench}.sqlite3"
    import psycopg

    name = f"cbl_{bench}_kept_{int(time.time())}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'cbl.sqlite3'}"


@contextmanager
def database(kind: str, prefix: str = "cbl_test") -> Iterator[str]:
    """A fresh, empty database of the kind ("sqlite" or "postgresql"); gone afterwards."""
    manager = sqlite_database() if kind == "sqlite" else postgres_database(prefix)
    with manager as url:
        yield url


def free_port() -> int:
    """A loopback port nothing listens on just now, for a server started by a test or the bench."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
