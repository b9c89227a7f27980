"""An index of the shortlist places the engine proposed that wait for an officer (the staff home page's
count read them from the whole table)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04 17:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

WAITING = sa.text("proposed AND status = 'pending'")


def upgrade() -> None:
    op.create_index('ix_shortlist_entry_waiting', 'shortlist_entry', ['advert_id'], postgresql_where=WAITING,
                    sqlite_where=WAITING)


def downgrade() -> None:
    op.drop_index('ix_shortlist_entry_waiting', 'shortlist_entry')
