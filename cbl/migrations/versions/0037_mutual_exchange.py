"""Mutual exchanges: listings of social tenants' homes, the matches proposed between them, and each household's
application for its landlord's consent (Housing Act 1985 s92)

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-04 20:31:09.122451
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import cbl.models.columns

revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exchange_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'with_landlords', 'agreed', 'ended', 'completed', name='exchangematchstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('proposed_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=True),
    sa.Column('agreed_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_why', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_match'))
    )
    with op.batch_alter_table('exchange_match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_match_status'), ['status'], unique=False)

    op.create_table('exchange_listing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('landlord_id', sa.Integer(), nullable=False),
    sa.Column('tenancy', sa.Enum('secure', 'flexible', 'assured', 'introductory_or_starter', name='exchangetenancy', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('postcode', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('area', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('bedrooms', sa.Integer(), nullable=False),
    sa.Column('property_type', sa.Enum('flat', 'house', 'bungalow', 'maisonette', 'bedsit', name='propertytype', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('weekly_rent_pence', sa.Integer(), nullable=False),
    sa.Column('want_areas', cbl.models.columns.JSONList, nullable=False),
    sa.Column('want_min_bedrooms', sa.Integer(), nullable=False),
    sa.Column('want_max_bedrooms', sa.Integer(), nullable=False),
    sa.Column('want_types', cbl.models.columns.JSONList, nullable=False),
    sa.Column('status', sa.Enum('active', 'matched', 'withdrawn', 'closed', name='listingstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('listed_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changed_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('want_min_bedrooms <= want_max_bedrooms', name=op.f('ck_exchange_listing_wanted_bedrooms_in_order')),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_exchange_listing_applicant_id_applicant')),
    sa.ForeignKeyConstraint(['landlord_id'], ['organisation.id'], name=op.f('fk_exchange_listing_landlord_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_listing'))
    )
    with op.batch_alter_table('exchange_listing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_listing_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_listing_landlord_id'), ['landlord_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_listing_status'), ['status'], unique=False)
        batch_op.create_index('uq_exchange_listing_live', ['applicant_id'], unique=True, sqlite_where=sa.text("status IN ('active', 'matched')"), postgresql_where=sa.text("status IN ('active', 'matched')"))

    op.create_table('exchange_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('landlord_id', sa.Integer(), nullable=False),
    sa.Column('moves_into_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('interested', sa.Boolean(), nullable=True),
    sa.Column('not_interested_why', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('answered_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('consent_by', sa.Date(), nullable=True),
    sa.Column('decision', sa.Enum('pending', 'consented', 'refused', 'unrefusable', name='consentdecision', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('grounds', cbl.models.columns.JSONList, nullable=False),
    sa.Column('conditions', cbl.models.columns.JSONList, nullable=False),
    sa.Column('particulars', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('decided_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_exchange_member_applicant_id_applicant')),
    sa.ForeignKeyConstraint(['landlord_id'], ['organisation.id'], name=op.f('fk_exchange_member_landlord_id_organisation')),
    sa.ForeignKeyConstraint(['listing_id'], ['exchange_listing.id'], name=op.f('fk_exchange_member_listing_id_exchange_listing')),
    sa.ForeignKeyConstraint(['match_id'], ['exchange_match.id'], name=op.f('fk_exchange_member_match_id_exchange_match')),
    sa.ForeignKeyConstraint(['moves_into_id'], ['exchange_listing.id'], name=op.f('fk_exchange_member_moves_into_id_exchange_listing')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_member')),
    sa.UniqueConstraint('match_id', 'listing_id', name=op.f('uq_exchange_member_match_id_listing_id'))
    )
    with op.batch_alter_table('exchange_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_member_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_member_decision'), ['decision'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_member_landlord_id'), ['landlord_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_member_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_member_match_id'), ['match_id'], unique=False)



def downgrade() -> None:
    op.drop_table('exchange_member')
    op.drop_table('exchange_listing')
    op.drop_table('exchange_match')
