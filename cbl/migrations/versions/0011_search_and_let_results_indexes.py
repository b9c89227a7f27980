"""Indexes for pages that read a whole table as the register grows: trigram indexes for the register
search on PostgreSQL (a reference, postcode or member's name containing the typed text is found through
an index, not by reading 150,000 households), the shortlist entries of households housed (let results),
and the register review's dates (who is due, who is awaited)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 08:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# (index, table, column): each searched as lower(column) LIKE '%text%' (cbl/queries/register.py).
SEARCHED = (
    ('ix_applicant_reference_trigrams', 'applicant', 'reference'),
    ('ix_applicant_postcode_trigrams', 'applicant', 'postcode'),
    ('ix_household_member_name_trigrams', 'household_member', 'name'),
)


def upgrade() -> None:
    op.create_index(op.f('ix_applicant_review_due'), 'applicant', ['review_due'])
    op.create_index(op.f('ix_applicant_review_answer_by'), 'applicant', ['review_answer_by'])
    op.create_index('ix_shortlist_entry_housed', 'shortlist_entry', ['advert_id'],
                    postgresql_where=sa.text("status = 'housed'"), sqlite_where=sa.text("status = 'housed'"))
    # SQLite has no trigram index: its register search reads the tables, fine at a test's size.
    if op.get_bind().dialect.name != 'postgresql':
        return
    # pg_trgm ships with PostgreSQL and is a trusted extension: the database's owner may create it.
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for index, table, column in SEARCHED:
        op.execute(f'CREATE INDEX {index} ON {table} USING gin (lower({column}) gin_trgm_ops)')


def downgrade() -> None:
    op.drop_index(op.f('ix_applicant_review_answer_by'), 'applicant')
    op.drop_index(op.f('ix_applicant_review_due'), 'applicant')
    op.drop_index('ix_shortlist_entry_housed', 'shortlist_entry')
    if op.get_bind().dialect.name != 'postgresql':
        return
    for index, _, _ in SEARCHED:
        op.execute(f'DROP INDEX {index}')
