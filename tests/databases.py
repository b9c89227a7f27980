"""Test databases: a SQLite file per test, and a PostgreSQL database per test when a server answers.

Set CBL_TEST_POSTGRES_URL to point at another server; the default is the local one CI provides.
Each PostgreSQL test database is created for the test and dropped after it.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

ADMIN_URL = os.environ.get("CBL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@lru_cache(maxsize=1)
def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(ADMIN_URL, connect_timeout=2):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


@contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    name = f"cbl_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
