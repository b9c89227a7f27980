"""Shared fixtures: each database test runs on SQLite and, when a server answers, on PostgreSQL."""

import os
import shutil
from contextlib import ExitStack
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from cbl.database import Database, upgrade
from cbl.rules.scheme import Scheme, load_scheme
from cbl.services import passwords
from cbl.settings import DEFAULT_SCHEME
from tests.support.databases import ADMIN_URL, postgres_database, postgres_reachable

# argon2id at its production cost takes 0.14 s a hash or check, and the suite signs in hundreds of
# times. In this process (not in servers the tests start) passwords are hashed at the lowest cost: what
# is tested is which password is accepted, which the cost does not change. (Set before any test module
# imports tests.support.factories, which hashes its password once.)
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

SCHEMES = Path(DEFAULT_SCHEME).parent


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """One test process more than there are cores, at most five: the tests wait on servers, browsers
    and the database for part of their time (on 2 cores: 6 min 35 s with three, 7 min 8 s with two)."""
    return min(5, (os.cpu_count() or 1) + 1)


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


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory):
    """Each kind of database migrated once (on first use): every `db` is a copy of it, because
    running the migrations again for each of hundreds of tests cost most of a second each."""
    made: dict[str, str] = {}
    templates = ExitStack()

    def template(kind: str) -> str:
        if kind not in made:
            made[kind] = (f"sqlite:///{tmp_path_factory.mktemp('migrated') / 'cbl.sqlite3'}" if kind == "sqlite"
                          else templates.enter_context(postgres_database(prefix="cbl_template")))
            upgrade(made[kind])  # its engine is disposed: nothing stays connected to the template
        return made[kind]

    with templates:
        yield template


def copy_of_migrated(url: str, template: str) -> None:
    """Make the empty database at `url` a copy of the migrated `template` (same kind)."""
    if url.startswith("sqlite"):
        shutil.copyfile(template.removeprefix("sqlite:///"), url.removeprefix("sqlite:///"))
        return
    import psycopg

    name, source = url.rsplit("/", 1)[1], template.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        # A test's commits need not wait for the disk (no test crashes this server; the restart test runs its
        # own): each commit's flush cost ~3 ms, and the suite commits tens of thousands of times.
        admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')


@pytest.fixture
def db(database_url: str, migrated):
    """A migrated, empty database of each kind."""
    copy_of_migrated(database_url, migrated("sqlite" if database_url.startswith("sqlite") else "postgresql"))
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def scheme() -> Scheme:
    return load_scheme(SCHEMES / "default.toml")
