"""Applying online: household accounts confirmed by a one-time code, online applications and changes of
circumstances (drafts kept while saved, then sent to the officers' queue), and the evidence files uploaded

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 16:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import cbl.models.columns


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('household_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('mobile', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('code_expires_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('code_tries', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_household_account_applicant_id_applicant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_account')),
    sa.UniqueConstraint('applicant_id', name=op.f('uq_household_account_applicant_id')),
    sa.UniqueConstraint('email', name=op.f('uq_household_account_email')),
    sa.UniqueConstraint('mobile', name=op.f('uq_household_account_mobile'))
    )
    op.create_table('online_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('application', 'change', name='onlinekind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'evidence_requested', 'accepted', 'refused', name='onlinestatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('applicant_id', sa.Integer(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('created_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('saved_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('warned_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('evidence_request', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('evidence_requested_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['household_account.id'], name=op.f('fk_online_application_account_id_household_account')),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_online_application_applicant_id_applicant')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff_user.id'], name=op.f('fk_online_application_decided_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_online_application'))
    )
    with op.batch_alter_table('online_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_online_application_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_online_application_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_online_application_saved_at'), ['saved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_online_application_status'), ['status'], unique=False)
        batch_op.create_index('uq_online_application_account_draft', ['account_id'], unique=True, sqlite_where=sa.text("status = 'draft'"), postgresql_where=sa.text("status = 'draft'"))
        batch_op.create_index('uq_online_application_applicant_draft', ['applicant_id'], unique=True, sqlite_where=sa.text("status = 'draft'"), postgresql_where=sa.text("status = 'draft'"))

    op.create_table('evidence_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('online_application_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('original_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('shows', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('uploaded_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['online_application_id'], ['online_application.id'], name=op.f('fk_evidence_file_online_application_id_online_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_file')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_evidence_file_stored_name'))
    )
    with op.batch_alter_table('evidence_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_file_online_application_id'), ['online_application_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('evidence_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_file_online_application_id'))

    op.drop_table('evidence_file')
    with op.batch_alter_table('online_application', schema=None) as batch_op:
        batch_op.drop_index('uq_online_application_applicant_draft', sqlite_where=sa.text("status = 'draft'"), postgresql_where=sa.text("status = 'draft'"))
        batch_op.drop_index('uq_online_application_account_draft', sqlite_where=sa.text("status = 'draft'"), postgresql_where=sa.text("status = 'draft'"))
        batch_op.drop_index(batch_op.f('ix_online_application_status'))
        batch_op.drop_index(batch_op.f('ix_online_application_saved_at'))
        batch_op.drop_index(batch_op.f('ix_online_application_applicant_id'))
        batch_op.drop_index(batch_op.f('ix_online_application_account_id'))

    op.drop_table('online_application')
    op.drop_table('household_account')
