"""Files kept on disk in step with a database transaction: written at once under a temporary name (so that a full
disk refuses the request before anything is recorded), moved to their own name when the transaction commits, and
removed if it, or the savepoint they were written in, rolls back. No file is left that no row names, and no row
names a file that was never written.

Only a crash between the commit and the move leaves a temporary file (named `.NAME.part`), which nothing reads.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

_PENDING = "stored_files.pending"  # the session's files waiting for its commit, in session.info


@dataclass
class _Pending:
    partial: Path
    final: Path
    written_in: SessionTransaction  # the transaction or savepoint current when it was written


def write(session: Session, folder: Path, name: str, content: bytes) -> None:
    """Write `content` to be `folder/name` once the session's transaction commits."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = folder / f".{name}.part"
    with open(partial, "xb") as handle:
        handle.write(content)
    os.chmod(partial, 0o600)
    if _PENDING not in session.info:
        session.info[_PENDING] = []
        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_soft_rollback", _rolled_back)
        event.listen(session, "after_transaction_end", _ended)
    transaction = session.get_nested_transaction() or session.get_transaction()
    assert transaction is not None, "a file is written within a transaction"
    session.info[_PENDING].append(_Pending(partial, folder / name, transaction))


def _committed(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint released: its files wait for the transaction around it
    pending, session.info[_PENDING] = session.info[_PENDING], []
    for file in pending:
        os.replace(file.partial, file.final)


def _within(inner: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while inner is not None:
        if inner is outer:
            return True
        inner = inner.parent
    return False


def _rolled_back(session: Session, transaction: SessionTransaction) -> None:
    """The transaction or savepoint rolled back: the files written within it go."""
    kept = []
    for file in session.info[_PENDING]:
        if _within(file.written_in, transaction):
            file.partial.unlink(missing_ok=True)
        else:
            kept.append(file)
    session.info[_PENDING] = kept


def _ended(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ended without a commit (closed, say): its files go too."""
    if transaction.parent is None:
        for file in session.info[_PENDING]:
            file.partial.unlink(missing_ok=True)
        session.info[_PENDING] = []
