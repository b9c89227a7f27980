"""Staff second factor: each member of staff's authenticator app secret, encrypted (being set up until a code
from it is confirmed) with the last step whose code was accepted, and their one-time recovery codes (hashed); staff
sessions started with a password alone end, so that everyone signs in again with a second factor

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 09:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import cbl.models.columns


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_second_factor',
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('created_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('enrolled_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_step', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'], name=op.f('fk_staff_second_factor_staff_user_id_staff_user')),
    sa.PrimaryKeyConstraint('staff_user_id', name=op.f('pk_staff_second_factor'))
    )
    op.create_table('staff_recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('created_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'], name=op.f('fk_staff_recovery_code_staff_user_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_recovery_code'))
    )
    with op.batch_alter_table('staff_recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_recovery_code_staff_user_id'), ['staff_user_id'], unique=False)

    # (Sessions from before sessions named their account are long expired; they end too.)
    op.execute("DELETE FROM web_session WHERE account LIKE 'staff:%' OR account IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('staff_recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_recovery_code_staff_user_id'))

    op.drop_table('staff_recovery_code')
    op.drop_table('staff_second_factor')
