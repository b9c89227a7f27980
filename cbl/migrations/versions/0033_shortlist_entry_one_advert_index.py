"""Shortlist entries keep one index leading with the advert: the unique (advert_id, applicant_id) one
already finds an advert's entries, and the second index on advert_id alone cost every close another
index insert a bid (about a tenth of storing the largest scheme's 450,000 entries on PostgreSQL)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-04 18:00:00
"""

from alembic import op


revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_shortlist_entry_advert_id', 'shortlist_entry')


def downgrade() -> None:
    op.create_index('ix_shortlist_entry_advert_id', 'shortlist_entry', ['advert_id'], unique=False)
