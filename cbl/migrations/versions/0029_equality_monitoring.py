"""Equality monitoring answers, in a table of their own apart from the case: keyed to a household's account while
it applies online and to its application once on the register

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-10 09:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import cbl.models.columns


revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

ANSWERS = ('sex', 'gender_identity', 'sexual_orientation', 'ethnic_group', 'religion', 'disability', 'marriage',
           'pregnancy')


def upgrade() -> None:
    op.create_table('equality_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('applicant_id', sa.Integer(), nullable=True),
    *[sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True) for name in ANSWERS],
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('answered_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('account_id IS NOT NULL OR applicant_id IS NOT NULL', name=op.f('ck_equality_answers_whose')),
    sa.ForeignKeyConstraint(['account_id'], ['household_account.id'], name=op.f('fk_equality_answers_account_id_household_account')),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_equality_answers_applicant_id_applicant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equality_answers')),
    sa.UniqueConstraint('account_id', name=op.f('uq_equality_answers_account_id')),
    sa.UniqueConstraint('applicant_id', name=op.f('uq_equality_answers_applicant_id'))
    )


def downgrade() -> None:
    op.drop_table('equality_answers')
