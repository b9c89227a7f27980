"""What is wrong with a file: each problem names its row (the header is row 1, as a spreadsheet numbers
them), its column and what to put right."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    row: int
    column: str
    message: str

    def line(self, file: str) -> str:
        """The problem as the command prints it: FILE:ROW: column: message."""
        return f"{file}:{self.row}: {self.column}: {self.message}"


class CellError(ValueError):
    """A value that cannot be taken as it is, with what is wrong with it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
