"""audit events append-only

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

The audit trail is evidence: the database itself refuses to change or remove an event, whatever the
application does. (On PostgreSQL a deployment can also grant the application's role INSERT and SELECT
only on the table; the trigger holds even for the table's owner.)
"""

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

MESSAGE = "audit events are append-only: they cannot be changed or removed"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
            END $$""")
        op.execute("CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
                   "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")
        op.execute("CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_event_no_{event.lower()} BEFORE {event} ON audit_event "
                       f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER audit_event_no_change ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER audit_event_no_delete")
        op.execute("DROP TRIGGER audit_event_no_update")
