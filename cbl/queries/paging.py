"""A long list shown a page at a time: the rows of one page, and where they stand in the whole list
("Showing 26 to 50 of 1,872"). components/pagination.html draws it."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from cbl.rules.digits import only_digits
from cbl.services.errors import InvalidInput

T = TypeVar("T")
PAGE_MAX = 10_000  # the highest page number asked for in a query string that is read at all


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]  # the rows of this page
    number: int  # 1 for the first page
    size: int  # rows a page
    total: int  # rows in the whole list

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        """The place in the whole list of this page's first row (counting from 1)."""
        return self.offset + 1

    @property
    def last(self) -> int:
        """The place in the whole list of this page's last row."""
        return min(self.total, self.offset + self.size)

    @property
    def beyond(self) -> bool:
        """A page past the last (an old link after the list got shorter, or a number typed in)."""
        return self.number > self.pages

    def numbers(self) -> list[int | None]:
        """The page numbers to link to, as GOV.UK's pagination shows them: the first, the last, and those next
        to this one, with None for a gap ("1 … 6 7 8 … 75")."""
        near = {1, self.pages, self.number - 1, self.number, self.number + 1}
        shown = sorted(n for n in near if 1 <= n <= self.pages)
        numbers: list[int | None] = []
        for n in shown:
            if numbers and n - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(n)
        return numbers


def page_number(text: str | None, field: str = "page") -> int:
    """A page number from a query string (a link the site wrote, or one typed in): 1 when not given."""
    text = (text or "").strip()
    if not text:
        return 1
    if not only_digits(text) or len(text) > 5 or not 1 <= int(text) <= PAGE_MAX:
        raise InvalidInput(f"Page must be a whole number from 1 to {PAGE_MAX}.", field=field)
    return int(text)


def page_of(rows: Sequence[T], number: int, size: int) -> Page[T]:
    """Page `number` of a list read whole (one whose every row had to be read to be counted or ordered)."""
    start = (number - 1) * size
    return Page(list(rows[start:start + size]), number, size, len(rows))
