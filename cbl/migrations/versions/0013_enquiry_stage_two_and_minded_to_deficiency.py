"""Enquiries and complaints in two stages (the escalation: who asked, when, why; stage 2's due date and
answer), and the deficiency a reviewer found, which the reg 7 minded-to notice states

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:50:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('enquiry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalation_asked_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column('escalated_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('escalation_reason', sqlmodel.sql.sqltypes.AutoString(length=8000), nullable=True))
        batch_op.add_column(sa.Column('escalated_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stage_two_answer_by', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('stage_two_answered_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('stage_two_answer', sqlmodel.sql.sqltypes.AutoString(length=16000), nullable=True))
        batch_op.add_column(sa.Column('stage_two_answered_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_enquiry_escalated_by_id_staff_user'), 'staff_user', ['escalated_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_enquiry_stage_two_answered_by_id_staff_user'), 'staff_user', ['stage_two_answered_by_id'], ['id'])
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deficiency', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_column('deficiency')
    with op.batch_alter_table('enquiry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_enquiry_stage_two_answered_by_id_staff_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_enquiry_escalated_by_id_staff_user'), type_='foreignkey')
        batch_op.drop_column('stage_two_answered_by_id')
        batch_op.drop_column('stage_two_answer')
        batch_op.drop_column('stage_two_answered_on')
        batch_op.drop_column('stage_two_answer_by')
        batch_op.drop_column('escalated_by_id')
        batch_op.drop_column('escalation_reason')
        batch_op.drop_column('escalated_on')
        batch_op.drop_column('escalation_asked_by')
