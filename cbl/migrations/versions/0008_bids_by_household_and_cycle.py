"""Bids indexed by household and cycle

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 19:50:00
"""

from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Placing a bid counts the household's bids in the cycle. With only ix_bid_applicant_id and
    # ix_bid_cycle_id, PostgreSQL intersected the household's bids over the years with every bid
    # of the cycle, a cost that grew through the week. The new index also serves every lookup by
    # household alone, as does uq_bid_applicant_id_advert_id.
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.create_index('ix_bid_applicant_id_cycle_id', ['applicant_id', 'cycle_id'], unique=False)
        batch_op.drop_index('ix_bid_applicant_id')


def downgrade() -> None:
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.create_index('ix_bid_applicant_id', ['applicant_id'], unique=False)
        batch_op.drop_index('ix_bid_applicant_id_cycle_id')
