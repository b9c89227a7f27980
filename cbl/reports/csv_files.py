"""The one CSV writer every export uses: its cells are data a spreadsheet never runs as a formula.

A cell that begins with = + - @, a tab or a carriage return is a formula to Excel, LibreOffice and
Google Sheets (CSV injection): a household's name like =HYPERLINK("http://x") would run on the
officer's machine. As OWASP advises, such a cell gets a leading apostrophe, which spreadsheets
show as text and do not display; the csv module quotes the cell when it holds a quote, comma or
line break. Numbers stay numbers: an int, or text that is only a number (-5, -2.5), is written as
it is, since it computes nothing but itself. A file this writer made and a person sends back (an import of an
export) is read with `plain_cell`, which takes the apostrophe off again.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
Row = Sequence[object]


def safe_cell(value: object) -> str:
    """A cell's text: empty for None, a number as it is, any other text neutralised if it could be a formula."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):  # bool and IntEnum too: their number, as CSV shows them
        return str(value)
    text = value.isoformat() if isinstance(value, date) else str(value)
    return "'" + text if _guarded(text) else text


def _guarded(text: str) -> bool:
    """Whether the text needs the apostrophe: it could be a formula, or it is one that already has one
    (so that `plain_cell` can tell the apostrophe added from an apostrophe that was there)."""
    core = text.lstrip("'")
    return core.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(core)


def plain_cell(text: str) -> str:
    """A cell read back from a file this writer made: the apostrophe `safe_cell` put before a would-be
    formula taken off again, so that what is exported imports as it was."""
    return text[1:] if text.startswith("'") and _guarded(text[1:]) else text


def csv_text(rows: Iterable[Row], *, preamble: str = "", line_end: str = "\r\n") -> str:
    """Rows as CSV text after `preamble`, text written as it is (a template's own header rows)."""
    out = io.StringIO()
    out.write(preamble)
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()


def csv_chunks(rows: Iterable[Row], *, rows_per_chunk: int = 1000, line_end: str = "\r\n") -> Iterator[str]:
    """Rows as CSV text a chunk of lines at a time, for a download written while its rows are read: a large
    file is never held whole, and each chunk is one hand-over to the server."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    waiting = 0
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        waiting += 1
        if waiting == rows_per_chunk:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            waiting = 0
    if waiting:
        yield out.getvalue()


def sections_csv(*sections: Iterable[Row]) -> str:
    """Several tables (or lists of label and value) in one file, a blank line between them."""
    rows: list[Row] = []
    for number, section in enumerate(sections):
        if number:
            rows.append(())
        rows.extend(section)
    return csv_text(rows)


def records_csv(records: Sequence[Mapping[str, object]]) -> str:
    """Records with the same keys as a table: the keys as headings, then a row for each."""
    if not records:
        return ""
    keys = list(records[0])
    return csv_text([keys, *([record.get(key) for key in keys] for record in records)])
