"""Print how many SQL statements each page runs on a small world and on one ten times bigger (the same
worlds and counting as tests/e2e/test_statement_counts.py).

    python -m tools.statement_counts [--database sqlite|postgresql] [--scales 1 10]

PostgreSQL is the server at CBL_TEST_POSTGRES_URL; each run makes its own databases and drops them.
"""

import argparse
import logging
import tempfile
from pathlib import Path

from cbl.database import Database, upgrade
from cbl.rules.scheme import load_scheme
from cbl.settings import DEFAULT_SCHEME
from tests.support.databases import database
from tests.support.statement_counts import Counted, count_pages

ADVERTS_PER_SCALE = 3


def count_at(kind: str, scale: int, workdir: Path) -> Counted:
    with database(kind, prefix="cbl_counts") as url:
        upgrade(url)
        db = Database(url)
        try:
            return count_pages(db, load_scheme(DEFAULT_SCHEME), scale, workdir)
        finally:
            db.dispose()


def table(counted: dict[int, Counted]) -> list[str]:
    scales = sorted(counted)
    width = max(len(page) for page in counted[scales[0]].statements)
    lines = [f"{'page (who opens it)':<{width}}  " + "  ".join(f"{f'{s * ADVERTS_PER_SCALE} adverts':>10}"
                                                              for s in scales) + "  grows"]
    for page, count in counted[scales[0]].statements.items():
        counts = [counted[s].statements.get(page) for s in scales]
        grows = "yes" if any(c is not None and c > count for c in counts[1:]) else ""
        lines.append(f"{page:<{width}}  " + "  ".join(f"{'-' if c is None else c:>10}" for c in counts) + f"  {grows}")
    for scale in scales:
        if counted[scale].refused or counted[scale].missing:
            lines.append(f"at scale {scale}: not 200 {counted[scale].refused}; no address {counted[scale].missing}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory() as folder:
        counted = {scale: count_at(args.database, scale, Path(folder)) for scale in args.scales}
    print("\n".join(table(counted)))


if __name__ == "__main__":
    main()
