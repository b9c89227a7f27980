"""Imports of an existing register: each uploaded file's check and run

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 16:00:41.526557
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import cbl.models.columns
from sqlalchemy.dialects import postgresql

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('stored_as', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('checking', 'refused', 'checked', 'importing', 'done', 'failed', name='importstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('problem_count', sa.Integer(), nullable=False),
    sa.Column('first_problems', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('failure', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', cbl.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['staff_user.id'], name=op.f('fk_import_run_confirmed_by_id_staff_user')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['staff_user.id'], name=op.f('fk_import_run_uploaded_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_run'))
    )


def downgrade() -> None:
    op.drop_table('import_run')
