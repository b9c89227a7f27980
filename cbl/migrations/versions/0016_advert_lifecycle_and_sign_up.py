"""Adverts withdrawn with their reason, who and when, counted unsuccessful when withdrawn after their cycle
closed; an advert advertising its void again names the one before it; the tenancy's sign-up: its type, the
rent at let and the day the keys were given

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 08:55:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import cbl.models.columns


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('advert', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_advert_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('unsuccessful', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_unique_constraint(batch_op.f('uq_advert_previous_advert_id'), ['previous_advert_id'])
        batch_op.create_foreign_key(batch_op.f('fk_advert_previous_advert_id_advert'), 'advert', ['previous_advert_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_advert_withdrawn_by_id_staff_user'), 'staff_user', ['withdrawn_by_id'], ['id'])

    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tenancy_type', sa.Enum('introductory', 'starter', 'flexible', 'secure', 'assured', 'assured_shorthold', name='tenancytype', native_enum=False, create_constraint=True, length=32), nullable=True))
        batch_op.add_column(sa.Column('rent_at_let_pence', sa.Integer(), nullable=True))

    with op.batch_alter_table('void', schema=None) as batch_op:
        batch_op.add_column(sa.Column('keys_given_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('void', schema=None) as batch_op:
        batch_op.drop_column('keys_given_on')

    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_column('rent_at_let_pence')
        batch_op.drop_column('tenancy_type')

    with op.batch_alter_table('advert', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_advert_withdrawn_by_id_staff_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_advert_previous_advert_id_advert'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_advert_previous_advert_id'), type_='unique')
        batch_op.drop_column('unsuccessful')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawal_reason')
        batch_op.drop_column('previous_advert_id')
