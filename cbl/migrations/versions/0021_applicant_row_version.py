"""applicant row version

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 16:30:00

Every update of an applicant row moves its row_version on by one, made by the database itself, so
that an update from any process, ORM or Core, a bulk one or a hand-typed one, is seen: a live queue
place is worked out from households' records memoised by (id, row_version) (services/live_rankings.py).

PostgreSQL: a BEFORE UPDATE trigger sets the new version whatever the update said.
SQLite cannot change NEW in a trigger: an AFTER UPDATE trigger updates the row again. That inner update
does not fire the trigger while PRAGMA recursive_triggers is off (SQLite's default, and the app never
turns it on); were it on, the inner update moves the version forward, which the WHEN clause lets pass
without firing again. An update that sets the version forward itself keeps its value; one that sets it
back is moved past the old value: the version never returns to a value it had.

A later migration that recreates the applicant table on SQLite (batch_alter_table does, for most
changes but adding a column) drops this trigger with the old table and must create it again
(tests/integration/test_live_places.py fails if it is missing at head).
"""

from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('applicant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('row_version', sa.Integer(), nullable=False, server_default='0'))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION applicant_next_row_version() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.row_version := OLD.row_version + 1;
                RETURN NEW;
            END $$""")
        op.execute("CREATE TRIGGER applicant_row_version BEFORE UPDATE ON applicant "
                   "FOR EACH ROW EXECUTE FUNCTION applicant_next_row_version()")
    else:
        op.execute("CREATE TRIGGER applicant_row_version AFTER UPDATE ON applicant "
                   "WHEN NEW.row_version <= OLD.row_version "
                   "BEGIN UPDATE applicant SET row_version = OLD.row_version + 1 WHERE id = NEW.id; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER applicant_row_version ON applicant")
        op.execute("DROP FUNCTION applicant_next_row_version()")
    else:
        op.execute("DROP TRIGGER applicant_row_version")
    # Dropped in place (SQLite 3.35 and later can): a batch copy of the table would fail its households'
    # foreign keys on a database with data in it.
    op.execute("ALTER TABLE applicant DROP COLUMN row_version")
