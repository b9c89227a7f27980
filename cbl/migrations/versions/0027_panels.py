"""Medical, welfare and OT panels: referrals with their evidence, the panel's date and members, its decision; on the
household, a bedroom for a carer and the areas it may not be housed in; a panel's decision may be reviewed

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 16:45:38
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import cbl.models.columns
from sqlalchemy.dialects import postgresql

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

JSON_LIST = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
OLD_REVIEW_TYPES = ('suitability', 'final_offer_duty', 'eligibility', 'qualification', 'band', 'bedroom_need',
                    'suspension', 'refusal', 'skip', 'closure')
REVIEW_TYPES = (*OLD_REVIEW_TYPES, 'panel')


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table('panel_referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('medical', 'welfare', 'occupational_therapy', name='panelkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('status', sa.Enum('referred', 'decided', name='panelstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('referred_by_id', sa.Integer(), nullable=False),
    sa.Column('referred_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_by', sa.Date(), nullable=False),
    sa.Column('meets_on', sa.Date(), nullable=True),
    sa.Column('arranged_by_id', sa.Integer(), nullable=True),
    sa.Column('arranged_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_panel_referral_applicant_id_applicant')),
    sa.ForeignKeyConstraint(['arranged_by_id'], ['staff_user.id'], name=op.f('fk_panel_referral_arranged_by_id_staff_user')),
    sa.ForeignKeyConstraint(['referred_by_id'], ['staff_user.id'], name=op.f('fk_panel_referral_referred_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_referral'))
    )
    with op.batch_alter_table('panel_referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_referral_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_referral_status'), ['status'], unique=False)
    op.create_index('uq_panel_referral_waiting', 'panel_referral', ['applicant_id', 'kind'], unique=True,
                    sqlite_where=sa.text("status = 'referred'"), postgresql_where=sa.text("status = 'referred'"))

    op.create_table('panel_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('met_on', sa.Date(), nullable=False),
    sa.Column('band', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('band_effective', sa.Date(), nullable=True),
    sa.Column('points', sa.Integer(), nullable=True),
    sa.Column('band_assessment_id', sa.Integer(), nullable=True),
    sa.Column('access', JSON_LIST, nullable=False),
    sa.Column('carer_bedroom', sa.Boolean(), nullable=False),
    sa.Column('area_restrictions', JSON_LIST, nullable=False),
    sa.Column('reasons', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_panel_decision_applicant_id_applicant')),
    sa.ForeignKeyConstraint(['band_assessment_id'], ['band_assessment.id'], name=op.f('fk_panel_decision_band_assessment_id_band_assessment')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff_user.id'], name=op.f('fk_panel_decision_decided_by_id_staff_user')),
    sa.ForeignKeyConstraint(['referral_id'], ['panel_referral.id'], name=op.f('fk_panel_decision_referral_id_panel_referral')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_decision')),
    sa.UniqueConstraint('referral_id', name=op.f('uq_panel_decision_referral_id'))
    )
    with op.batch_alter_table('panel_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_decision_applicant_id'), ['applicant_id'], unique=False)

    op.create_table('panel_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('original_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('shows', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['panel_referral.id'], name=op.f('fk_panel_evidence_referral_id_panel_referral')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['staff_user.id'], name=op.f('fk_panel_evidence_uploaded_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_evidence')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_panel_evidence_stored_name'))
    )
    with op.batch_alter_table('panel_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_evidence_referral_id'), ['referral_id'], unique=False)

    op.create_table('panel_member',
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['panel_referral.id'], name=op.f('fk_panel_member_referral_id_panel_referral')),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'], name=op.f('fk_panel_member_staff_user_id_staff_user')),
    sa.PrimaryKeyConstraint('referral_id', 'staff_user_id', name=op.f('pk_panel_member'))
    )
    # Added in place (the applicant table is not copied, so its row_version trigger stays: see 0021).
    op.add_column('applicant', sa.Column('carer_bedroom', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('applicant', sa.Column('area_restrictions', JSON_LIST, nullable=False,
                                         server_default=sa.text("'[]'")))
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_review_reviewtype'), type_='check')
        batch_op.create_check_constraint(op.f('ck_review_reviewtype'), _in('decision_type', REVIEW_TYPES))



def downgrade() -> None:
    op.execute("DELETE FROM review WHERE decision_type = 'panel'")
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_review_reviewtype'), type_='check')
        batch_op.create_check_constraint(op.f('ck_review_reviewtype'), _in('decision_type', OLD_REVIEW_TYPES))
    # Dropped in place (SQLite 3.35 and later can), as 0021 does: a batch copy of the applicant table would lose
    # its row_version trigger and fail its households' foreign keys.
    op.execute("ALTER TABLE applicant DROP COLUMN area_restrictions")
    op.execute("ALTER TABLE applicant DROP COLUMN carer_bedroom")

    op.drop_table('panel_member')
    with op.batch_alter_table('panel_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_evidence_referral_id'))

    op.drop_table('panel_evidence')
    with op.batch_alter_table('panel_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_decision_applicant_id'))

    op.drop_table('panel_decision')
    op.drop_index('uq_panel_referral_waiting', table_name='panel_referral')
    with op.batch_alter_table('panel_referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_referral_status'))
        batch_op.drop_index(batch_op.f('ix_panel_referral_applicant_id'))

    op.drop_table('panel_referral')
