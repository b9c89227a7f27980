"""Database roles on PostgreSQL: an owner role migrates, the application runs as a role that owns
nothing and holds only the rights it needs.

Owning nothing, the application's role cannot switch off the audit trail's trigger, truncate, drop
or alter a table, or create one; on the audit trail it may only add and read.
"""

import sqlalchemy as sa

from cbl.database import create_engine

APPEND_ONLY = frozenset({"audit_event"})
READ_ONLY = frozenset({"alembic_version"})


def _user(url: str) -> str | None:
    return sa.engine.make_url(url).username


def separate_roles(owner_url: str, app_url: str) -> bool:
    """Whether the app connects as a role other than the owner's (PostgreSQL only)."""
    return owner_url.startswith("postgresql") and _user(app_url) is not None and _user(app_url) != _user(owner_url)


def grant_runtime_rights(owner_url: str, app_url: str) -> str | None:
    """After migrating as the owner, give the app's role its rights on every table; the role's name,
    or None where the app and the owner are one role."""
    if not separate_roles(owner_url, app_url):
        return None
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    role = _user(app_url)
    engine = create_engine(owner_url)
    try:
        # APScheduler makes its table on first start if missing: made here, by the owner, instead.
        SQLAlchemyJobStore(engine=engine).jobs_t.create(engine, checkfirst=True)
        with engine.begin() as connection:
            quote = connection.dialect.identifier_preparer.quote
            grantee = quote(role)
            connection.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {grantee}"))
            connection.execute(sa.text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {grantee}"))
            for table in sa.inspect(connection).get_table_names(schema="public"):
                rights = ("SELECT" if table in READ_ONLY else "SELECT, INSERT" if table in APPEND_ONLY
                          else "SELECT, INSERT, UPDATE, DELETE")
                connection.execute(sa.text(f"GRANT {rights} ON TABLE {quote(table)} TO {grantee}"))
            connection.execute(sa.text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {grantee}"))
    finally:
        engine.dispose()
    return role
