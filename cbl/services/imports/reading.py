"""Reading a file row by row, never whole: UTF-8 with or without a byte-order mark, Windows or Unix line
ends, quoted as RFC 4180 (commas, quotes and line breaks inside quotes), and a header naming every column
exactly once."""

import codecs
import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

from cbl.reports.csv_files import plain_cell

from .problems import Problem

Record = tuple[int, dict[str, str]]


def header_problems(found: list[str], columns: tuple[str, ...], file_kind: str) -> list[Problem]:
    """Each column the header has that the format does not (or has twice), and each it lacks."""
    problems = []
    seen: set[str] = set()
    for name in found:
        if name in seen:
            problems.append(Problem(1, name or "(blank)", "this column is named twice in the header"))
        elif name not in columns:
            problems.append(Problem(1, name or "(blank)", f"not a column of {file_kind}.csv "
                                                         f"(its columns are {', '.join(columns)})"))
        seen.add(name)
    problems += [Problem(1, name, "this column is missing from the header") for name in columns if name not in seen]
    return problems


def records(path: Path, columns: tuple[str, ...], file_kind: str) -> Iterator[Record | Problem]:
    """The file's rows as (row number, {column: trimmed text}), with a Problem for each row that cannot be
    read as one. A header that is not the format's, or a file that is not CSV or not UTF-8, yields its
    problems and stops: its rows cannot be read column by column."""
    row = 1
    with path.open("rb") as binary:
        reader = csv.reader(_lines(binary), strict=True)
        try:
            header = next(reader, None)
            if header is None:
                yield Problem(1, "header", f"the file is empty: it needs a header row ({', '.join(columns)})")
                return
            names = [plain_cell(name.strip()) for name in header]
            problems = header_problems(names, columns, file_kind)
            if problems:
                yield from problems
                return
            for cells in reader:
                row += 1
                if not cells or cells == [""]:
                    continue  # a blank line, as spreadsheets leave at the end
                if len(cells) != len(names):
                    yield Problem(row, "row", f"has {len(cells)} cells where the header has {len(names)}")
                    continue
                cells = [cell.strip() for cell in cells]
                yield row, dict(zip(names, [plain_cell(cell) if cell[:1] == "'" else cell for cell in cells],
                                    strict=True))
        except UnicodeDecodeError:
            yield Problem(row + 1, "row", "is not UTF-8 text: save the file as “CSV UTF-8” and try again")
        except csv.Error as error:
            yield Problem(row + 1, "row", f"cannot be read as CSV ({error}): check its quotes")


def _lines(binary: Iterable[bytes]) -> Iterator[str]:
    """The file's lines as text, each decoded as it is read, so that bytes that are not UTF-8 are reported
    at their own row (line ends kept, as the csv module needs them)."""
    first = True
    for line in binary:
        if first:
            line, first = line.removeprefix(codecs.BOM_UTF8), False
        yield line.decode("utf-8")
