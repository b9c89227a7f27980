"""One staff account an e-mail address, whatever its letters' case: two invitations of Sam@… and sam@… at
the same moment must not both succeed

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 16:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('uq_staff_user_email_any_case', 'staff_user', [sa.text('lower(email)')], unique=True)


def downgrade() -> None:
    op.drop_index('uq_staff_user_email_any_case', table_name='staff_user')
