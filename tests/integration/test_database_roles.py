"""Two roles on PostgreSQL: the owner migrates, the application's role owns nothing, so it cannot
switch off the audit trail's trigger, truncate, drop or create tables (SQLite has no roles)."""

import uuid
from datetime import datetime, timezone

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from cbl import cli
from cbl.database import Database, check_schema
from cbl.models import AuditEvent
from cbl.rules.scheme import load_scheme
from cbl.services.cycles import plan_next_cycle
from cbl.settings import load_settings
from scheduler import jobs, runner


@pytest.fixture
def two_roles(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no database roles: the file's permissions are the only ones")
    role = f"cbl_app_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(database_url, autocommit=True) as owner:
        owner.execute(f'CREATE ROLE "{role}" LOGIN')
    host, name = database_url.rsplit("/", 1)
    scheme, _, address = host.partition("://")
    app_url = f"{scheme}://{role}@{address.split('@')[-1]}/{name}"
    yield database_url, app_url
    with psycopg.connect(database_url, autocommit=True) as owner:
        owner.execute(f'DROP OWNED BY "{role}"')
        owner.execute(f'DROP ROLE "{role}"')


def refused(connection: sa.Connection, statement: str) -> bool:
    try:
        with connection.begin_nested():
            connection.execute(sa.text(statement))
    except DBAPIError as error:
        return isinstance(error.orig, psycopg.errors.InsufficientPrivilege)
    return False


def test_the_app_runs_as_a_role_that_can_add_audit_events_but_not_disable_or_remove_them(
        two_roles, tmp_path, monkeypatch):
    owner_url, app_url = two_roles
    env = {"CBL_DATABASE_URL": app_url, "CBL_MIGRATION_DATABASE_URL": owner_url, "CBL_SECRET_KEY": "x" * 40}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["db", "upgrade"]) == 0

    app = Database(app_url)
    try:
        check_schema(app)
        settings = load_settings(env, workdir=tmp_path)
        scheme = load_scheme(settings.scheme_path)
        app.run(plan_next_cycle, scheme, settings.time_zone, datetime.now(timezone.utc))  # a change, audited
        with app.engine.connect() as connection, connection.begin():
            assert connection.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar() == 1
            assert refused(connection, "ALTER TABLE audit_event DISABLE TRIGGER ALL")
            assert refused(connection, "TRUNCATE audit_event")
            assert refused(connection, "DELETE FROM audit_event")
            assert refused(connection, "DROP TABLE applicant CASCADE")
            assert refused(connection, "CREATE TABLE stolen (id int)")
            assert refused(connection, "UPDATE alembic_version SET version_num = 'x'")
        # The scheduler's job store, made by the owner at upgrade, is the app's to use.
        scheduler = runner.start(app, scheme, settings)
        try:
            with app.engine.connect() as connection:
                job_ids = connection.execute(sa.text("SELECT id FROM apscheduler_jobs")).scalars().all()
                assert "reconcile-cycles" in job_ids
        finally:
            scheduler.shutdown(wait=True)
            jobs._runtime = None
    finally:
        app.dispose()
    with psycopg.connect(owner_url) as owner:
        owners = owner.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'").fetchall()
    assert owners == [(owner_url.rsplit("/", 1)[0].split("://")[1].split("@")[0],)]
