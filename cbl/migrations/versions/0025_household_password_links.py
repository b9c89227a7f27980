"""Password links for households' own accounts (applying online): a forgotten password is reset the way every
other account's is

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

OLD_ONE_ACCOUNT = "(applicant_id IS NULL) <> (staff_user_id IS NULL)"
ONE_ACCOUNT = ("(CASE WHEN applicant_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN staff_user_id IS NULL THEN 0 ELSE 1 "
               "END) + (CASE WHEN household_account_id IS NULL THEN 0 ELSE 1 END) = 1")


def upgrade() -> None:
    with op.batch_alter_table('password_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('household_account_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_password_link_household_account_id'), ['household_account_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_password_link_household_account_id_household_account'),
                                    'household_account', ['household_account_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_password_link_one_account'), type_='check')
        batch_op.create_check_constraint(op.f('ck_password_link_one_account'), ONE_ACCOUNT)


def downgrade() -> None:
    # Links sent to households' own accounts have nowhere to go: they end (their holders ask again).
    op.execute("DELETE FROM password_link WHERE household_account_id IS NOT NULL")
    with op.batch_alter_table('password_link', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_password_link_one_account'), type_='check')
        batch_op.create_check_constraint(op.f('ck_password_link_one_account'), OLD_ONE_ACCOUNT)
        batch_op.drop_constraint(batch_op.f('fk_password_link_household_account_id_household_account'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_password_link_household_account_id'))
        batch_op.drop_column('household_account_id')
