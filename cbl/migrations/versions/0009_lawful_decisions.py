"""Lawful decisions: review periods and withdrawals, final offers' suitability, more reviewable decisions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
import sqlmodel
import cbl.models.columns


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

JSON_LIST = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
OLD_REVIEW_TYPES = ('suitability', 'final_offer_duty', 'eligibility', 'band', 'bedroom_need', 'suspension')
REVIEW_TYPES = ('suitability', 'final_offer_duty', 'eligibility', 'qualification', 'band', 'bedroom_need',
                'suspension', 'refusal', 'skip', 'closure')


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table('suitability_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('void_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=True),
    sa.Column('findings', JSON_LIST, nullable=False),
    sa.Column('weekly_income_pence', sa.Integer(), nullable=True),
    sa.Column('reasonable_to_accept', sa.Boolean(), nullable=False),
    sa.Column('reasons', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('assessed_by_id', sa.Integer(), nullable=False),
    sa.Column('assessed_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_suitability_assessment_applicant_id_applicant')),
    sa.ForeignKeyConstraint(['assessed_by_id'], ['staff_user.id'], name=op.f('fk_suitability_assessment_assessed_by_id_staff_user')),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_suitability_assessment_offer_id_offer')),
    sa.ForeignKeyConstraint(['void_id'], ['void.id'], name=op.f('fk_suitability_assessment_void_id_void')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suitability_assessment'))
    )
    with op.batch_alter_table('suitability_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suitability_assessment_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suitability_assessment_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suitability_assessment_void_id'), ['void_id'], unique=False)

    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requirements', JSON_LIST, nullable=False, server_default=sa.text("'[]'")))

    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_by', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_requested_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_request', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_taken_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.drop_constraint(op.f('ck_review_reviewtype'), type_='check')
        batch_op.create_check_constraint(op.f('ck_review_reviewtype'), _in('decision_type', REVIEW_TYPES))


def downgrade() -> None:
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_review_reviewtype'), type_='check')
        batch_op.create_check_constraint(op.f('ck_review_reviewtype'), _in('decision_type', OLD_REVIEW_TYPES))
        batch_op.drop_column('withdrawal_taken_by')
        batch_op.drop_column('withdrawal_request')
        batch_op.drop_column('withdrawal_requested_on')
        batch_op.drop_column('withdrawal_channel')
        batch_op.drop_column('request_by')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_column('requirements')
    op.drop_table('suitability_assessment')
