"""Indexes for pages that count or look up rows by the thousand: the bids still standing on an advert (each
advert card's count, the dashboard's cycles), read from the index alone

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 17:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

ACTIVE = sa.text("status = 'active'")


def upgrade() -> None:
    op.create_index('ix_bid_active_advert_id', 'bid', ['advert_id'], postgresql_where=ACTIVE, sqlite_where=ACTIVE)


def downgrade() -> None:
    op.drop_index('ix_bid_active_advert_id', 'bid')
