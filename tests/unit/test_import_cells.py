"""Reading the values of an import's cells: dates, money, yes or no, National Insurance numbers, and the
formula-safe writer's cells read back as they were written."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cbl.reports.csv_files import plain_cell, safe_cell
from cbl.rules.national_insurance import national_insurance_number
from cbl.services.imports import cells
from cbl.services.imports.problems import CellError
from cbl.services.imports.reading import records


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_a_date_reads_the_same_written_either_way(day):
    assert cells.day(day.isoformat()) == day
    assert cells.day(day.strftime("%d/%m/%Y")) == day
    assert cells.day(f"{day.day}/{day.month}/{day.year}") == day  # without leading zeros too


@pytest.mark.parametrize("typed", ["31/02/2024", "2024-02-30", "1899-12-31", "12/31/2024", "2024/01/01", "1 Jan 2024",
                                   "01-01-2024", "2024-1-1"])
def test_a_date_that_is_not_real_or_not_in_either_way_is_refused(typed):
    with pytest.raises(CellError):
        cells.day(typed)


@given(st.integers(min_value=0, max_value=cells.MAX_PENCE))
def test_money_written_in_pounds_and_pence_reads_back_to_the_penny(pence):
    assert cells.money(cells.pounds(pence)) == pence
    assert cells.money(f"£{pence / 100:,.2f}") == pence  # as a spreadsheet formats it


@pytest.mark.parametrize("typed, pence", [("112.40", 11240), ("112.4", 11240), ("112", 11200), ("£1,095.50", 109550),
                                          ("0.05", 5)])
def test_money_as_people_write_it(typed, pence):
    assert cells.money(typed) == pence


@pytest.mark.parametrize("typed", ["112.401", "-5.00", "1,00.00", "12,5", "£", "abc", "100000.01", "1e3"])
def test_money_that_is_not_an_amount_or_beyond_any_rent_is_refused(typed):
    with pytest.raises(CellError):
        cells.money(typed)


def test_yes_and_no_in_any_case_and_empty_is_no():
    assert [cells.yes_no(t) for t in ("yes", "YES", "No", "")] == [True, True, False, False]
    with pytest.raises(CellError):
        cells.yes_no("y")


FIRST, SECOND = "ABCEGHJKLMNOPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"


@given(st.sampled_from(FIRST), st.sampled_from(SECOND), st.integers(0, 999_999), st.sampled_from("ABCD"))
def test_a_national_insurance_number_of_hmrcs_shape_is_taken_however_it_is_spaced(first, second, digits, suffix):
    prefix = first + second
    number = f"{prefix}{digits:06d}{suffix}"
    spaced = f"{prefix.lower()} {number[2:4]} {number[4:6]} {number[6:8]} {suffix}"
    expected = None if prefix in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"} else number
    assert national_insurance_number(number) == expected
    assert national_insurance_number(spaced) == expected


@pytest.mark.parametrize("typed", ["DA123456A", "AD123456A", "AO123456A", "QQ123456C", "AB123456E", "AB12345C",
                                   "GB123456A", "AB1234567C"])
def test_a_national_insurance_number_hmrc_does_not_issue_is_refused(typed):
    assert national_insurance_number(typed) is None


@given(st.text())
def test_a_cell_the_formula_safe_writer_wrote_reads_back_as_it_was(text):
    assert plain_cell(safe_cell(text)) == text


def test_the_reader_takes_a_byte_order_mark_and_says_which_rows_cannot_be_read(tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes("\ufeffa,b\r\n1,2\r\n\r\n1,2,3\r\n\"x,y\",\"z\"\"\"\r\n".encode())
    found = list(records(path, ("a", "b"), "members"))
    assert found[0] == (2, {"a": "1", "b": "2"})
    assert (found[1].row, found[1].column) == (4, "row") and "3 cells" in found[1].message  # row 3 is blank
    assert found[2] == (5, {"a": "x,y", "b": 'z"'})
    path.write_bytes(b"a,b\r\n1,2\r\n3,4\r\n\xff\xfe,1\r\n")
    *read, problem = list(records(path, ("a", "b"), "members"))
    assert len(read) == 2 and problem.row == 4 and "not UTF-8" in problem.message
