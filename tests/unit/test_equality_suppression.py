"""Small counts in the equality report: no published figure, and nothing a reader can work out from the published
figures and totals, gives away a count from 1 to 4 (cbl/reports/suppression.py).

The reader here is worked out independently of the code under test: someone with every table, who knows that
"<5" is 0 to 4, that "[c]" in a column whose total is shown is the column's largest cell (5 or more and at least
every count shown beside it: the code is public), and that each column adds up to its total. Sums of integer
ranges are ranges, so what such a reader can say of a hidden cell is a range too."""

from hypothesis import given, settings, strategies as st

from cbl.reports.suppression import FEWER, HELD_BACK, protect, protect_column


def _range_of_hidden(column: list[int], texts: list[str], total_text: str) -> dict[int, tuple[int, int]]:
    """For each hidden cell, the least and most a reader could take it to be."""
    total = sum(column)
    shown = [int(text.replace(",", "")) for text in texts if text not in (FEWER, HELD_BACK)]
    largest_shown = max(shown, default=0)
    unbounded = total  # more than any cell could be: a reader knows less, never more, than this bound allows
    if total_text == HELD_BACK:
        # A withheld column: no total, no equation; each cell any number.
        return {i: (0, unbounded) for i, text in enumerate(texts)}
    low_total, high_total = (0, 4) if total_text == FEWER else (total, total)
    domain = {i: ((0, 4) if text == FEWER else (max(5, largest_shown), unbounded))
              for i, text in enumerate(texts) if text in (FEWER, HELD_BACK)}
    rest = low_total - sum(shown), high_total - sum(shown)
    found = {}
    for i, (low, high) in domain.items():
        others_low = sum(d[0] for j, d in domain.items() if j != i)
        others_high = sum(d[1] for j, d in domain.items() if j != i)
        found[i] = (max(low, rest[0] - others_high), min(high, rest[1] - others_low))
    return found


def _assert_nothing_small_given_away(tables: list[list[list[int]]]) -> None:
    protected = protect(tables)
    columns = len(tables[0][0])
    for column in range(columns):
        # Every table shows the column's total the same way (they split the same households).
        assert len({shown.totals[column] for shown in protected}) == 1
    for table, shown in zip(tables, protected, strict=True):
        for column in range(columns):
            values = [row[column] for row in table]
            texts = [row[column] for row in shown.cells]
            total_text = shown.totals[column]
            for value, text in zip(values, texts, strict=True):
                if text == FEWER:
                    assert 0 <= value <= 4
                elif text != HELD_BACK:
                    assert int(text.replace(",", "")) == value and not 1 <= value <= 4
            if total_text not in (FEWER, HELD_BACK):
                assert int(total_text.replace(",", "")) == sum(values) and not 1 <= sum(values) <= 4
                hidden_sum = sum(v for v, t in zip(values, texts, strict=True) if t in (FEWER, HELD_BACK))
                assert not 1 <= hidden_sum <= 4, (values, texts)  # the one difference a reader can work out
            for i, (low, high) in _range_of_hidden(values, texts, total_text).items():
                assert low <= values[i] <= high, (values, texts, i)
                if 1 <= values[i] <= 4:
                    assert high > low, (values, texts, total_text, i)  # never pinned to one value


@st.composite
def _tables(draw: st.DrawFn) -> list[list[list[int]]]:
    """1 to 3 tables splitting the same households (column by column) into their own categories."""
    columns = draw(st.integers(1, 4))
    rows = draw(st.lists(st.integers(2, 6), min_size=1, max_size=3))
    tables = [[[0] * columns for _ in range(count)] for count in rows]
    for column in range(columns):
        households = draw(st.integers(0, 30))
        for table, count in zip(tables, rows, strict=True):
            for category in draw(st.lists(st.integers(0, count - 1), min_size=households, max_size=households)):
                table[category][column] += 1
    return tables


@settings(max_examples=200, deadline=None)
@given(_tables())
def test_no_published_figure_or_difference_gives_away_a_count_under_5(tables):
    _assert_nothing_small_given_away(tables)


def test_a_single_small_count_is_shown_as_under_5_and_the_largest_cell_held_back_so_the_total_tells_nothing():
    # Held back as the smallest cell (5), a reader who knows so reads the other 5 as its upper bound: 11 - 5 - 5 = 1.
    cells, total = protect_column([1, 5, 5])
    assert cells == [FEWER, HELD_BACK, "5"] and total == "11"
    _assert_nothing_small_given_away([[[1], [5], [5]]])


def test_small_counts_adding_up_to_5_or_more_need_no_other_cell_held_back():
    cells, total = protect_column([3, 0, 2, 40])
    assert cells == [FEWER, FEWER, FEWER, "40"] and total == "45"


def test_a_total_under_5_hides_its_whole_column_zeros_too():
    assert protect_column([3, 0, 1]) == ([FEWER, FEWER, FEWER], FEWER)
    assert protect_column([0, 0]) == (["0", "0"], "0")


def test_a_column_that_cannot_be_protected_is_withheld_from_every_table():
    # 4 and 4 of 8: both "<5" cells would be 4. In every table that splits the same 8, the column goes.
    first, second = protect([[[4, 9], [4, 9]], [[8, 10], [0, 8]]])
    assert [row[0] for row in first.cells] == [HELD_BACK, HELD_BACK] and first.totals[0] == HELD_BACK
    assert [row[0] for row in second.cells] == [HELD_BACK, HELD_BACK] and second.totals == (HELD_BACK, "18")
    assert [row[1] for row in second.cells] == ["10", "8"]
