"""Downsizing and decants: a household's social home, its downsizing mark, regeneration schemes and their
households, payments to households that move and the receipts for their claims

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-04 20:30:55
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import cbl.models.columns


revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('regeneration_scheme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('area', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('decant_date', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'], name=op.f('fk_regeneration_scheme_created_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regeneration_scheme')),
    sa.UniqueConstraint('name', name=op.f('uq_regeneration_scheme_name'))
    )
    op.create_table('decant_household',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('band_given', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('added_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['staff_user.id'], name=op.f('fk_decant_household_added_by_id_staff_user')),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_decant_household_applicant_id_applicant')),
    sa.ForeignKeyConstraint(['scheme_id'], ['regeneration_scheme.id'], name=op.f('fk_decant_household_scheme_id_regeneration_scheme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decant_household')),
    sa.UniqueConstraint('scheme_id', 'applicant_id', name=op.f('uq_decant_household_scheme_id_applicant_id'))
    )
    with op.batch_alter_table('decant_household', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decant_household_applicant_id'), ['applicant_id'], unique=False)

    op.create_table('downsizing_mark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('bedrooms', sa.Integer(), nullable=False),
    sa.Column('bedroom_need', sa.Integer(), nullable=False),
    sa.Column('band_given', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('band_before', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('band_date_before', sa.Date(), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=False),
    sa.Column('marked_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_downsizing_mark_applicant_id_applicant')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['staff_user.id'], name=op.f('fk_downsizing_mark_ended_by_id_staff_user')),
    sa.ForeignKeyConstraint(['marked_by_id'], ['staff_user.id'], name=op.f('fk_downsizing_mark_marked_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_downsizing_mark'))
    )
    with op.batch_alter_table('downsizing_mark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_downsizing_mark_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index('uq_downsizing_mark_open', ['applicant_id'], unique=True, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))

    op.create_table('move_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('downsizing_incentive', 'removal_costs', 'home_loss', 'disturbance', name='payment_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('regeneration_scheme_id', sa.Integer(), nullable=True),
    sa.Column('claimed_pence', sa.Integer(), nullable=False),
    sa.Column('worked_out', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('displaced_on', sa.Date(), nullable=True),
    sa.Column('approved_pence', sa.Integer(), nullable=True),
    sa.Column('arrears_offset_pence', sa.Integer(), nullable=False),
    sa.Column('arrears_note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('approved', sa.Boolean(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('paid_recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_move_payment_applicant_id_applicant')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff_user.id'], name=op.f('fk_move_payment_decided_by_id_staff_user')),
    sa.ForeignKeyConstraint(['paid_recorded_by_id'], ['staff_user.id'], name=op.f('fk_move_payment_paid_recorded_by_id_staff_user')),
    sa.ForeignKeyConstraint(['regeneration_scheme_id'], ['regeneration_scheme.id'], name=op.f('fk_move_payment_regeneration_scheme_id_regeneration_scheme')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['staff_user.id'], name=op.f('fk_move_payment_requested_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_move_payment'))
    )
    with op.batch_alter_table('move_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_move_payment_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index('ix_move_payment_decided_at_paid_on', ['decided_at', 'paid_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_move_payment_regeneration_scheme_id'), ['regeneration_scheme_id'], unique=False)

    op.create_table('social_tenancy',
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('landlord', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('bedrooms', sa.Integer(), nullable=False),
    sa.Column('tenancy_start', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_social_tenancy_applicant_id_applicant')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_user.id'], name=op.f('fk_social_tenancy_recorded_by_id_staff_user')),
    sa.PrimaryKeyConstraint('applicant_id', name=op.f('pk_social_tenancy'))
    )
    op.create_table('payment_receipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('original_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['payment_id'], ['move_payment.id'], name=op.f('fk_payment_receipt_payment_id_move_payment')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['staff_user.id'], name=op.f('fk_payment_receipt_uploaded_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_receipt')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_payment_receipt_stored_name'))
    )
    with op.batch_alter_table('payment_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_receipt_payment_id'), ['payment_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('payment_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_receipt_payment_id'))

    op.drop_table('payment_receipt')
    op.drop_table('social_tenancy')
    with op.batch_alter_table('move_payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_move_payment_regeneration_scheme_id'))
        batch_op.drop_index('ix_move_payment_decided_at_paid_on')
        batch_op.drop_index(batch_op.f('ix_move_payment_applicant_id'))

    op.drop_table('move_payment')
    with op.batch_alter_table('downsizing_mark', schema=None) as batch_op:
        batch_op.drop_index('uq_downsizing_mark_open', sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_downsizing_mark_applicant_id'))

    op.drop_table('downsizing_mark')
    with op.batch_alter_table('decant_household', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decant_household_applicant_id'))

    op.drop_table('decant_household')
    op.drop_table('regeneration_scheme')
