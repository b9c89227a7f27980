"""Writing the register out in the import's formats, so that importing an export changes nothing."""

from pathlib import Path

from sqlmodel import Session

from cbl.reports.csv_files import csv_text
from cbl.services.actors import Actor
from cbl.services.rights import Right

from .importing import format_of

_BATCH = 2000


def export_file(session: Session, actor: Actor, kind: str, path: Path) -> int:
    """Write every household, member or home to `path` as CSV (formula-safe, UTF-8); how many rows."""
    actor.require(Right.REGISTER_IMPORT)
    fmt = format_of(kind)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(csv_text([fmt.columns]))
        batch: list[list[object]] = []
        for row in fmt.export(session.connection()):
            batch.append(row)
            if len(batch) >= _BATCH:
                out.write(csv_text(batch))
                written += len(batch)
                batch = []
        out.write(csv_text(batch))
    return written + len(batch)
