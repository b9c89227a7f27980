"""The register and homes searches: each name, address, postcode, e-mail and phone number kept beside as it is
compared (case, accents, spaces and formatting aside: cbl/rules/search_keys.py), filled in for the rows there
are, and indexed: on PostgreSQL by trigram indexes (pg_trgm), on SQLite by full-text tables (FTS5, trigram
tokenizer) that triggers keep in step with the tables

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-11 09:00:00

SQLite: a later migration that recreates the applicant, household_member or property table (batch_alter_table
does, for most changes but adding a column) drops these triggers with the old table and must create them again
(`create_search_triggers` below; tests/integration/test_register_search.py fails if a search table falls out of
step).
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

from cbl.rules import search_keys


revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

# (table, key column, the column it is made from, how, longest)
KEYS = (
    ('household_member', 'name_key', 'name', search_keys.search_text, 400),
    ('applicant', 'address_key', 'address', search_keys.search_text, 800),
    ('applicant', 'postcode_key', 'postcode', search_keys.postcode_key, 16),
    ('applicant', 'email_key', 'email', search_keys.email_key, 320),
    ('applicant', 'phone_key', 'phone', search_keys.phone_key, 40),
    ('property', 'address_key', 'address', search_keys.search_text, 800),
    ('property', 'postcode_key', 'postcode', search_keys.postcode_key, 16),
)
INDEXED = (('applicant', 'email_key'), ('applicant', 'phone_key'), ('property', 'uprn'))
# (index, table, columns): the register by band and status, and both tables by the start of a postcode, counted and
# paged by reference from the index alone.
COMPOSITE = (('ix_applicant_band_status_reference', 'applicant', ['band', 'status', 'reference']),
             ('ix_applicant_postcode_key_reference', 'applicant', ['postcode_key', 'reference']),
             ('ix_property_postcode_key_reference', 'property', ['postcode_key', 'reference']))

# PostgreSQL: (index, table, what is indexed), each searched with LIKE '%text%' (cbl/queries/search_terms.py).
# (A postcode is searched by its start: a range of a B-tree index, ix_*_postcode_key_reference.)
TRIGRAMS = (
    ('ix_household_member_name_key_trigrams', 'household_member', 'name_key'),
    ('ix_applicant_address_key_trigrams', 'applicant', 'address_key'),
    ('ix_property_reference_trigrams', 'property', 'lower(reference)'),
    ('ix_property_address_key_trigrams', 'property', 'address_key'),
)
# Migration 0011's, which searched the name and postcode as typed.
REPLACED = (
    ('ix_household_member_name_trigrams', 'household_member', 'lower(name)'),
    ('ix_applicant_postcode_trigrams', 'applicant', 'lower(postcode)'),
)

# SQLite: each table's full-text table, over the columns searched in it for the words they hold.
FULL_TEXT = {
    'household_member': ('name_key',),
    'applicant': ('reference', 'address_key'),
    'property': ('reference', 'address_key'),
}

BATCH = 5000


def upgrade() -> None:
    for table in ('household_member', 'applicant', 'property'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, limit in [(column, limit) for name, column, _, _, limit in KEYS if name == table]:
                batch_op.add_column(sa.Column(column, sqlmodel.sql.sqltypes.AutoString(length=limit), nullable=True))
            for column in [column for name, column in INDEXED if name == table]:
                batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)
            for index, indexed in [(index, indexed) for index, name, indexed in COMPOSITE if name == table]:
                batch_op.create_index(index, indexed)
    connection = op.get_bind()
    for table in ('household_member', 'applicant', 'property'):
        fill_keys(connection, table)
    if connection.dialect.name == 'postgresql':
        # pg_trgm ships with PostgreSQL and is a trusted extension: the database's owner may create it (0011 did).
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        for index, _, _ in REPLACED:
            op.execute(f'DROP INDEX IF EXISTS {index}')
        for index, table, expression in TRIGRAMS:
            op.execute(f'CREATE INDEX {index} ON {table} USING gin ({expression} gin_trgm_ops)')
        return
    for table, searched in FULL_TEXT.items():
        search = f'{table}_search'
        op.execute(f"CREATE VIRTUAL TABLE {search} USING fts5({', '.join(searched)}, content='{table}', "
                   "content_rowid='id', tokenize='trigram')")
        op.execute(f"INSERT INTO {search}({search}) VALUES ('rebuild')")
        create_search_triggers(table, searched)


def create_search_triggers(table: str, columns: tuple[str, ...]) -> None:
    """SQLite: the triggers that keep `table`'s full-text table in step with its rows (an external-content FTS5
    table holds only the index: a row's old values are given to take them out of it)."""
    search, names = f'{table}_search', ', '.join(columns)
    new = ', '.join(f'new.{column}' for column in columns)
    old = ', '.join(f'old.{column}' for column in columns)
    forget = f"INSERT INTO {search}({search}, rowid, {names}) VALUES ('delete', old.id, {old});"
    learn = f"INSERT INTO {search}(rowid, {names}) VALUES (new.id, {new});"
    op.execute(f"CREATE TRIGGER {search}_insert AFTER INSERT ON {table} BEGIN {learn} END")
    op.execute(f"CREATE TRIGGER {search}_delete AFTER DELETE ON {table} BEGIN {forget} END")
    op.execute(f"CREATE TRIGGER {search}_update AFTER UPDATE OF {names} ON {table} BEGIN {forget} {learn} END")


def fill_keys(connection: sa.Connection, name: str) -> None:
    """Work out the table's keys for the rows there are, a batch at a time: on PostgreSQL each batch in one
    UPDATE ... FROM (VALUES ...), on SQLite (which has no names for a VALUES list's columns, and where statements
    are cheap) by executemany."""
    keys = [(column, source, make, limit) for table, column, source, make, limit in KEYS if table == name]
    sources = sorted({source for _, source, _, _ in keys})
    table = sa.table(name, sa.column('id', sa.Integer), *(sa.column(c, sa.String) for c in sources),
                     *(sa.column(column, sa.String) for column, _, _, _ in keys))
    last = 0
    while True:
        rows = connection.execute(sa.select(table.c.id, *(table.c[s] for s in sources)).where(table.c.id > last)
                                  .order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            return
        last = rows[-1].id
        values = [{'key_id': row.id, **{column: (make(getattr(row, source)) or '')[:limit] or None
                                        for column, source, make, limit in keys}} for row in rows]
        if connection.dialect.name == 'postgresql':
            changes = sa.values(sa.column('key_id', sa.Integer), *(sa.column(column, sa.String) for column, *_ in keys),
                                name='changes').data([tuple(value.values()) for value in values])
            connection.execute(sa.update(table).where(table.c.id == changes.c.key_id)
                               .values({column: changes.c[column] for column, *_ in keys}))
        else:
            connection.execute(sa.update(table).where(table.c.id == sa.bindparam('key_id'))
                               .values({column: sa.bindparam(column) for column, *_ in keys}), values)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for index, _, _ in TRIGRAMS:
            op.execute(f'DROP INDEX {index}')
        for index, table, indexed in REPLACED:
            op.execute(f'CREATE INDEX {index} ON {table} USING gin ({indexed} gin_trgm_ops)')
    else:
        for table in FULL_TEXT:
            for change in ('insert', 'delete', 'update'):
                op.execute(f'DROP TRIGGER {table}_search_{change}')
            op.execute(f'DROP TABLE {table}_search')
    for table, column in INDEXED:
        op.drop_index(f'ix_{table}_{column}', table)
    for index, table, _ in COMPOSITE:
        op.drop_index(index, table)
    # Dropped in place (SQLite 3.35 and later can): a batch copy of the tables would fail their foreign keys on a
    # database with data in it, and drop the applicant table's row_version trigger (0021).
    for table, column, _, _, _ in KEYS:
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
