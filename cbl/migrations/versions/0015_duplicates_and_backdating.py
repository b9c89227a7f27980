"""Back-dated registrations: asked for by an officer with the reason, decided by a manager; and the
household member's date of birth indexed, to find the same person on another application

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 08:55:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import cbl.models.columns


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('registration_backdating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('approved', sa.Boolean(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_registration_backdating_applicant_id_applicant')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff_user.id'], name=op.f('fk_registration_backdating_decided_by_id_staff_user')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['staff_user.id'], name=op.f('fk_registration_backdating_requested_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_backdating'))
    )
    with op.batch_alter_table('registration_backdating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_backdating_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index('uq_registration_backdating_pending', ['applicant_id'], unique=True, sqlite_where=sa.text('decided_at IS NULL'), postgresql_where=sa.text('decided_at IS NULL'))

    with op.batch_alter_table('household_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_member_date_of_birth'), ['date_of_birth'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('household_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_member_date_of_birth'))

    with op.batch_alter_table('registration_backdating', schema=None) as batch_op:
        batch_op.drop_index('uq_registration_backdating_pending', sqlite_where=sa.text('decided_at IS NULL'), postgresql_where=sa.text('decided_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_registration_backdating_applicant_id'))

    op.drop_table('registration_backdating')
