"""A long list a page at a time: which rows a page holds, and the page numbers GOV.UK's pagination links to."""

from cbl.queries.paging import page_of


def test_a_page_holds_its_rows_and_says_where_they_stand_in_the_list():
    page = page_of(list(range(1, 61)), 3, 25)
    assert page.rows == list(range(51, 61)) and (page.first, page.last, page.total, page.pages) == (51, 60, 60, 3)
    assert not page.beyond


def test_a_page_past_the_last_holds_nothing_and_says_so():
    page = page_of(list(range(10)), 2, 25)
    assert page.rows == [] and page.beyond and page.pages == 1
    assert not page_of([], 1, 25).beyond  # an empty list still has its first page


def test_the_numbers_linked_to_are_the_first_the_last_and_those_next_to_this_one():
    numbers = [page_of(list(range(750)), n, 10).numbers() for n in (1, 2, 3, 6, 75)]
    assert numbers == [[1, 2, None, 75], [1, 2, 3, None, 75], [1, 2, 3, 4, None, 75],
                       [1, None, 5, 6, 7, None, 75], [1, None, 74, 75]]
    assert page_of([1], 1, 10).numbers() == [1]
