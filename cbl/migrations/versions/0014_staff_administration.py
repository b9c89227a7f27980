"""Staff administration: invitations by one-time link, and sessions that name their account so that
disabling it ends them all (an invited member of staff's password_hash is empty until they accept:
the column stays NOT NULL, since changing it would rebuild staff_user on SQLite, which other tables
reference)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 08:55:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import cbl.models.columns


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('created_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['issued_by_id'], ['staff_user.id'], name=op.f('fk_staff_invitation_issued_by_id_staff_user')),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'], name=op.f('fk_staff_invitation_staff_user_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_invitation_token_hash'))
    )
    with op.batch_alter_table('staff_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_invitation_staff_user_id'), ['staff_user_id'], unique=False)

    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('account', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_web_session_account'), ['account'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_session_account'))
        batch_op.drop_column('account')

    with op.batch_alter_table('staff_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_invitation_staff_user_id'))

    op.drop_table('staff_invitation')
