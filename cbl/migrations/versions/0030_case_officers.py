"""case officers: the officer who holds each case, whose work queues list its tasks

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 09:00:00

A nullable column with its foreign key added in place on both databases: on SQLite as a named column
constraint of ALTER TABLE ADD COLUMN, not by copying the table (which would drop the applicant table's
row_version trigger, migration 0021, and fail the households' foreign keys on a database with data in it).
"""

from alembic import op
import sqlalchemy as sa


revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_applicant_case_officer_id_staff_user"
INDEX = "ix_applicant_case_officer_id_status"  # with the state: the team's counts read the index alone


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("applicant", sa.Column("case_officer_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FOREIGN_KEY, "applicant", "staff_user", ["case_officer_id"], ["id"])
    else:
        op.execute(f"ALTER TABLE applicant ADD COLUMN case_officer_id INTEGER CONSTRAINT {FOREIGN_KEY} "
                   "REFERENCES staff_user (id)")
    op.create_index(INDEX, "applicant", ["case_officer_id", "status"], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="applicant")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(FOREIGN_KEY, "applicant", type_="foreignkey")
    # Dropped in place (SQLite 3.35 and later can), for the reasons above.
    op.execute("ALTER TABLE applicant DROP COLUMN case_officer_id")
