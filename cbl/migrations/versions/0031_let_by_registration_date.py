"""Adverts let by date of registration: the scheme's share of each cycle's homes whose bids are ranked by
registration date alone, designated as each advert is published (adverts already published are not)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 17:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('advert', schema=None) as batch_op:
        batch_op.add_column(sa.Column('by_registration_date', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('advert', schema=None) as batch_op:
        batch_op.drop_column('by_registration_date')
