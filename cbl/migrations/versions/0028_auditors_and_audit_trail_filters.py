"""Auditors (a staff role that reads the audit trail and changes nothing), and the audit trail's indexes
for its filters: by who acted (newest first), and by the record acted on

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 09:00:00

The role is a value of staff_user.role, whose CHECK constraint lists the roles. PostgreSQL changes the
constraint in place. SQLite cannot, and rebuilding staff_user (what batch_alter_table does) fails the
foreign keys of every table that names a member of staff on a database with data in it; so the table's
stored definition is edited as SQLite's documentation describes for a change that leaves what is
stored valid (https://sqlite.org/lang_altertable.html, "Making other kinds of table schema changes"):
one more allowed value, every row already in the table still holding.
"""

from alembic import op
import sqlalchemy as sa


revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

OLD_ROLES = ('officer', 'review_officer', 'manager', 'admin', 'provider')
NEW_ROLES = (*OLD_ROLES, 'auditor')


def _check(roles: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{role}'" for role in roles) + ")"


def _roles(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.drop_constraint(op.f('ck_staff_user_staffrole'), 'staff_user', type_='check')
        op.create_check_constraint(op.f('ck_staff_user_staffrole'), 'staff_user', sa.column('role').in_(new))
        return
    stored = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'staff_user'").scalar()
    if _check(old) not in stored:
        raise RuntimeError("staff_user's role constraint is not the one this migration expects: " + stored[-200:])
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'staff_user'",
                         (stored.replace(_check(old), _check(new)),))
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    _roles(OLD_ROLES, NEW_ROLES)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_actor', ['actor_kind', 'actor_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_event_subject', ['subject_type', 'subject_id'], unique=False)


def downgrade() -> None:
    auditors = op.get_bind().exec_driver_sql("SELECT count(*) FROM staff_user WHERE role = 'auditor'").scalar()
    if auditors:
        raise RuntimeError(f"{auditors} staff accounts are auditors, a role the older schema does not have: "
                           "give them another role first")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_subject')
        batch_op.drop_index('ix_audit_event_actor')
    _roles(NEW_ROLES, OLD_ROLES)
