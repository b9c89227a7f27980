"""Offers' answers as staff record them (who took the answer, and how: phone, in person, e-mail, or
online), withdrawals with the scheme's reason, and lapses

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:21:03
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import cbl.models.columns


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_channel', sa.Enum('online', 'phone', 'in_person', 'email', name='answerchannel', native_enum=False, create_constraint=True, length=32), nullable=True))
        batch_op.add_column(sa.Column('answered_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_reason', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('lapsed_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_offer_answered_by_id_staff_user'), 'staff_user', ['answered_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_offer_withdrawn_by_id_staff_user'), 'staff_user', ['withdrawn_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_offer_withdrawn_by_id_staff_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_offer_answered_by_id_staff_user'), type_='foreignkey')
        batch_op.drop_column('lapsed_at')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawal_note')
        batch_op.drop_column('withdrawal_reason')
        batch_op.drop_column('answered_by_id')
        batch_op.drop_column('answer_channel')
