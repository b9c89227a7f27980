"""shortlist entries: one foreign key, to the bid ranked (its advert and household included)

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-04 21:40:00

A close writes an entry for every bid of the cycle (450,000 at the largest scheme's size), and PostgreSQL
checks each foreign key of each entry with a query and a row lock on the parent: three keys (advert,
household, bid) were most of the close's time on the server. One key to (bid, advert, household), which
the bid's own keys to its advert and household make as strict, costs about a third less
(docs/decisions/0021-closing-a-cycle-in-bulk.md). The bid gets the unique key it refers to.

SQLite copies both tables to change their keys (foreign keys off meanwhile, and checked after: env.py);
the copies lose partial indexes' conditions, so those are dropped first and made again after.
"""

from alembic import op
import sqlalchemy as sa


revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

BID_KEY = "uq_bid_id_advert_id_applicant_id"
ENTRY_KEY = "fk_shortlist_entry_bid"
SINGLE_KEYS = {  # name: (column, parent table)
    "fk_shortlist_entry_advert_id_advert": ("advert_id", "advert"),
    "fk_shortlist_entry_applicant_id_applicant": ("applicant_id", "applicant"),
    "fk_shortlist_entry_bid_id_bid": ("bid_id", "bid"),
}
WAITING = "proposed AND status = 'pending'"
PARTIAL_INDEXES = [  # name, table, column, condition
    ("ix_bid_active_advert_id", "bid", "advert_id", "status = 'active'"),
    ("ix_shortlist_entry_housed", "shortlist_entry", "advert_id", "status = 'housed'"),
    ("ix_shortlist_entry_waiting", "shortlist_entry", "advert_id", WAITING),
]


def upgrade() -> None:
    with _partial_indexes_kept():
        with op.batch_alter_table("bid") as bid:
            bid.create_unique_constraint(BID_KEY, ["id", "advert_id", "applicant_id"])
        with op.batch_alter_table("shortlist_entry") as entry:
            for name in SINGLE_KEYS:
                entry.drop_constraint(name, type_="foreignkey")
            entry.create_foreign_key(ENTRY_KEY, "bid", ["bid_id", "advert_id", "applicant_id"],
                                     ["id", "advert_id", "applicant_id"])


def downgrade() -> None:
    with _partial_indexes_kept():
        with op.batch_alter_table("shortlist_entry") as entry:
            entry.drop_constraint(ENTRY_KEY, type_="foreignkey")
            for name, (column, parent) in SINGLE_KEYS.items():
                entry.create_foreign_key(name, parent, [column], ["id"])
        with op.batch_alter_table("bid") as bid:
            bid.drop_constraint(BID_KEY, type_="unique")


class _partial_indexes_kept:
    """On SQLite, the partial indexes of the two tables dropped before they are copied and made again after."""

    def __enter__(self) -> None:
        self.sqlite = op.get_bind().dialect.name == "sqlite"
        if self.sqlite:
            for name, table, _, _ in PARTIAL_INDEXES:
                op.drop_index(name, table_name=table)

    def __exit__(self, *exc: object) -> None:
        if self.sqlite and exc[0] is None:
            for name, table, column, condition in PARTIAL_INDEXES:
                op.create_index(name, table, [column], sqlite_where=sa.text(condition))
