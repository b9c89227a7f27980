"""Shared fixtures: each database test runs on SQLite and, when a server answers, on PostgreSQL."""

from pathlib import Path

import pytest

from cbl.database import Database, upgrade
from cbl.scheme import Scheme, load_scheme
from cbl.settings import DEFAULT_SCHEME
from cbl.throwaway import postgres_database, postgres_reachable

SCHEMES = Path(DEFAULT_SCHEME).parent


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path):
    """An empty database of each kind (no tables)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cbl.sqlite3'}"
        return
    if not postgres_reachable():
        pytest.skip("no PostgreSQL server answers at CBL_TEST_POSTGRES_URL")
    with postgres_database() as url:
        yield url


@pytest.fixture
def db(database_url: str):
    """A migrated, empty database of each kind."""
    upgrade(database_url)
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def scheme() -> Scheme:
    return load_scheme(SCHEMES / "default.toml")
