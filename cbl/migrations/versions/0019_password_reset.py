"""One kind of one-time password link for everyone (password_link): staff invitations and the links officers
give households move into it, with those asked for on the forgotten-password pages; API tokens get a label
and the time they were last used

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 16:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import cbl.models.columns


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

# The lifetime of a link an officer gave (sign_in.LINK_LIFETIME when this was written): the old table kept
# no creation time, so it is taken as that long before the link's end.
GIVEN_LIFETIME_DAYS = 7


def upgrade() -> None:
    op.create_table('password_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=True),
    sa.Column('staff_user_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.Enum('invitation', 'given', 'reset', name='passwordlinkpurpose', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('created_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(applicant_id IS NULL) <> (staff_user_id IS NULL)', name=op.f('ck_password_link_one_account')),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_password_link_applicant_id_applicant')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['staff_user.id'], name=op.f('fk_password_link_issued_by_id_staff_user')),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'], name=op.f('fk_password_link_staff_user_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_link_token_hash'))
    )
    with op.batch_alter_table('password_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_link_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_password_link_staff_user_id'), ['staff_user_id'], unique=False)

    # Links already sent keep working (or not) as they did: their hashes, ends and uses move across.
    op.execute(
        "INSERT INTO password_link (staff_user_id, purpose, token_hash, created_at, expires_at, used_at, revoked_at, "
        "issued_by_id) SELECT staff_user_id, 'invitation', token_hash, created_at, expires_at, used_at, revoked_at, "
        "issued_by_id FROM staff_invitation")
    given_at = (f"datetime(expires_at, '-{GIVEN_LIFETIME_DAYS} days')" if op.get_bind().dialect.name == "sqlite"
                else f"expires_at - interval '{GIVEN_LIFETIME_DAYS} days'")
    op.execute(
        "INSERT INTO password_link (applicant_id, purpose, token_hash, created_at, expires_at, used_at, issued_by_id) "
        f"SELECT applicant_id, 'given', token_hash, {given_at}, expires_at, used_at, issued_by_id FROM sign_in_token")

    with op.batch_alter_table('sign_in_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_token_applicant_id'))
    op.drop_table('sign_in_token')
    with op.batch_alter_table('staff_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_invitation_staff_user_id'))
    op.drop_table('staff_invitation')

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('last_used_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.alter_column('label', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('label')

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

    op.create_table('sign_in_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('expires_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_sign_in_token_applicant_id_applicant')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['staff_user.id'], name=op.f('fk_sign_in_token_issued_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sign_in_token_token_hash'))
    )
    with op.batch_alter_table('sign_in_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_token_applicant_id'), ['applicant_id'], unique=False)

    # Invitations and officers' links go back to their tables; links asked for to reset a password had
    # none, and end (their holders ask again).
    op.execute(
        "INSERT INTO staff_invitation (staff_user_id, token_hash, created_at, expires_at, used_at, revoked_at, "
        "issued_by_id) SELECT staff_user_id, token_hash, created_at, expires_at, used_at, revoked_at, issued_by_id "
        "FROM password_link WHERE purpose = 'invitation' AND staff_user_id IS NOT NULL")
    op.execute(
        "INSERT INTO sign_in_token (applicant_id, token_hash, expires_at, used_at, issued_by_id) "
        "SELECT applicant_id, token_hash, expires_at, COALESCE(used_at, revoked_at), issued_by_id "
        "FROM password_link WHERE purpose = 'given' AND applicant_id IS NOT NULL")

    with op.batch_alter_table('password_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_link_staff_user_id'))
        batch_op.drop_index(batch_op.f('ix_password_link_applicant_id'))
    op.drop_table('password_link')
