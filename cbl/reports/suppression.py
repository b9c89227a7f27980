"""Small-count suppression for tables of counts: no published figure, and no difference that can be worked out
from the published figures, reveals a count from 1 to 4 (docs/decisions/0016-equality-monitoring.md).

A table here is categories (rows) by columns; each column's cells add up to its total, which every table of the
same counts shares (the equality report's characteristics each split the same households). What a reader can
work out of a column is its total less the cells shown: the sum of the cells held back. So, column by column:

- a total under 5 is itself held back ("<5"), and so is every cell of the column, zeros too;
- otherwise every count from 1 to 4 is shown as "<5", and so is every zero of that column (so that "<5" means
  what it says, 0 to 4, and a reader cannot tell which categories had nobody);
- then, unless the cells shown "<5" add up to at least 5 and could not all be 4 (the only way a set of them
  pins their values), one more cell is held back as "[c]" (secondary suppression): the largest. Its value is
  then unknown, and so is the sum of the "<5" cells: each of them could be 0 as well as what it is. (Not the
  smallest, as is common: this code is public, and a reader who knows the held-back cell is no bigger than the
  smallest shown can pin a small one, as with 1, 5, 5 and a total of 11. Knowing that it is the largest bounds
  the small ones from above only, by their true values at most.)
- A column where that cannot be done (every cell is exactly 4) is withheld from every table: all its cells and
  its total "[c]".

What it guards against: someone with every published table, who knows that "<5" is 0 to 4 and "[c]" is 5 or
more. It does not guard against comparing reports of overlapping periods (a manager's report, not a
publication: see the decision record).
"""

from collections.abc import Sequence
from dataclasses import dataclass

SMALL = 5  # counts below this (other than 0) are never shown
FEWER = "<5"  # a count of 0 to 4
HELD_BACK = "[c]"  # a count held back so that a small one cannot be worked out (5 or more, or a withheld column)

Grid = Sequence[Sequence[int]]  # rows (categories) of columns


@dataclass(frozen=True)
class Protected:
    """A table as it may be shown: each cell's text and each column's total's text."""

    cells: tuple[tuple[str, ...], ...]
    totals: tuple[str, ...]

    def shown(self, row: int, column: int) -> bool:
        return self.cells[row][column] not in (FEWER, HELD_BACK)

    def total_shown(self, column: int) -> bool:
        return self.totals[column] not in (FEWER, HELD_BACK)


def _count(value: int) -> str:
    return f"{value:,}"


def protect_column(values: Sequence[int]) -> tuple[list[str], str] | None:
    """The cells' and the total's texts for one column of counts, or None when the column cannot be protected
    (every cell is exactly 4: the total would give them all away)."""
    total = sum(values)
    if total == 0:
        return ["0"] * len(values), "0"
    if total < SMALL:
        return [FEWER] * len(values), FEWER
    if not any(0 < value < SMALL for value in values):
        return [_count(value) for value in values], _count(total)
    texts = [FEWER if value < SMALL else _count(value) for value in values]
    small = [value for value in values if value < SMALL]
    if not SMALL <= sum(small) < 4 * len(small):
        candidates = [(value, index) for index, value in enumerate(values) if value >= SMALL]
        if not candidates:
            return None
        texts[max(candidates, key=lambda candidate: (candidate[0], -candidate[1]))[1]] = HELD_BACK
    return texts, _count(total)


def protect(tables: Sequence[Grid]) -> list[Protected]:
    """Each table of counts protected, the tables sharing their columns' totals: a column that any table cannot
    protect is withheld from all of them."""
    columns = max((len(row) for table in tables for row in table), default=0)
    done = [[protect_column([row[column] for row in table]) for column in range(columns)] for table in tables]
    withheld = {column for table in done for column, result in enumerate(table) if result is None}
    protected = []
    for table, results in zip(tables, done, strict=True):
        texts: list[list[str]] = [[] for _ in table]
        totals = []
        for column, result in enumerate(results):
            cells, total = ([HELD_BACK] * len(table), HELD_BACK) if column in withheld or result is None else result
            for row, text in enumerate(cells):
                texts[row].append(text)
            totals.append(total)
        protected.append(Protected(tuple(tuple(row) for row in texts), tuple(totals)))
    return protected
