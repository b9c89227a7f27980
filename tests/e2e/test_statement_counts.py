"""No page runs more SQL statements as the register grows: every GET page of the public site, the
applicant's account, the admin (for each staff role that may open it), the provider portal and the
JSON APIs, counted on a world of 3 adverts and again on one of 30 (with ten times the households,
bids, shortlists, lets, reviews and nominations)."""

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from cbl.database import Database
from tests.conftest import copy_of_migrated
from tests.support.databases import postgres_database
from tests.support.statement_counts import count_pages

BASE, TENFOLD = 1, 10


@pytest.fixture
def other_db(db: Database, migrated, tmp_path) -> Iterator[Database]:
    """A second migrated, empty database of the same kind as `db`."""
    with ExitStack() as stack:
        kind = "sqlite" if db.url.startswith("sqlite") else "postgresql"
        url = (f"sqlite:///{tmp_path / 'tenfold.sqlite3'}" if kind == "sqlite"
               else stack.enter_context(postgres_database()))
        copy_of_migrated(url, migrated(kind))
        database = Database(url)
        stack.callback(database.dispose)
        yield database


def test_no_page_runs_more_statements_when_the_register_is_ten_times_bigger(db, other_db, scheme, tmp_path):
    base = count_pages(db, scheme, BASE, tmp_path / "base")
    tenfold = count_pages(other_db, scheme, TENFOLD, tmp_path / "tenfold")

    assert not base.missing, f"GET routes with no address to count them at (add them to addresses()): {base.missing}"
    assert not base.refused and not tenfold.refused, (base.refused, tenfold.refused)
    assert base.statements.keys() == tenfold.statements.keys()
    assert len(base.statements) > 100  # every page, for each who may open it
    grown = {page: (count, tenfold.statements[page]) for page, count in base.statements.items()
             if tenfold.statements[page] > count}
    assert not grown, "pages whose statements grow with the data (at 3 adverts, at 30): " + "; ".join(
        f"{page}: {before} -> {after}" for page, (before, after) in grown.items())

