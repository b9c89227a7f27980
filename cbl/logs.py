"""Logged tracebacks of database errors carry no values: no e-mail address, reference or name.

The engine hides a statement's parameters (database.create_engine), but PostgreSQL's own message repeats
the value at fault ("Key (email)=(someone@example.org) already exists"), and every traceback logged,
by the scheduler, APScheduler or a web worker, prints it. Each log record is therefore made with its
traceback already written out, the database errors in it shown by their kind and not their message.
"""

import logging
import sqlite3
import traceback
from types import TracebackType

from sqlalchemy.exc import SQLAlchemyError

_DATABASE_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, sqlite3.Error)
try:
    import psycopg

    _DATABASE_ERRORS += (psycopg.Error,)
except ImportError:  # a deployment on SQLite alone
    pass


def _chain(error: BaseException) -> list[BaseException]:
    """The error and those it was raised from or while handling, the first cause first (as Python prints them)."""
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return found[::-1]


def _kind(error: BaseException) -> str:
    orig = getattr(error, "orig", None)
    name = f"{type(error).__module__}.{type(error).__qualname__}"
    return f"{name} ({type(orig).__name__}: values not logged)" if orig is not None else f"{name}: values not logged"


def without_values(error: BaseException) -> str:
    """The traceback as Python writes it, with each database error's message replaced by its kind."""
    parts: list[str] = []
    before: BaseException | None = None
    for error_in_chain in _chain(error):
        if before is not None:
            parts.append("\nThe above exception was the direct cause of the following exception:\n\n"
                         if error_in_chain.__cause__ is before else
                         "\nDuring handling of the above exception, another exception occurred:\n\n")
        before = error_in_chain
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(error_in_chain.__traceback__))
        if isinstance(error_in_chain, _DATABASE_ERRORS):
            parts.append(_kind(error_in_chain) + "\n")
        else:
            parts.extend(traceback.format_exception_only(type(error_in_chain), error_in_chain))
    return "".join(parts).rstrip("\n")


def _involves_the_database(exc_info: tuple[type[BaseException], BaseException, TracebackType | None]) -> bool:
    return any(isinstance(error, _DATABASE_ERRORS) for error in _chain(exc_info[1]))


_installed = False


def keep_values_out_of_logs() -> None:
    """Make every log record's traceback that involves a database error without its values (idempotent)."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def record(*args, **kwargs) -> logging.LogRecord:  # noqa: ANN002, ANN003 - logging.LogRecord's own
        made = make_record(*args, **kwargs)
        if made.exc_info and made.exc_info[1] is not None and _involves_the_database(made.exc_info):
            made.exc_text = without_values(made.exc_info[1])  # formatters use it as the traceback
        return made

    logging.setLogRecordFactory(record)
    _installed = True
