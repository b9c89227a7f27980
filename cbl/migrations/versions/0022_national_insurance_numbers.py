"""A household member's National Insurance number, indexed, to find the same person on another application

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-10 09:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('household_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('national_insurance_number', sqlmodel.sql.sqltypes.AutoString(length=9),
                                      nullable=True))
        batch_op.create_index(batch_op.f('ix_household_member_national_insurance_number'),
                              ['national_insurance_number'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('household_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_member_national_insurance_number'))
        batch_op.drop_column('national_insurance_number')
