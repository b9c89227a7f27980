"""Columns that hold another column as the search compares it (cbl/rules/search_keys.py): a member's name, a
household's address, postcode, e-mail and phone, a home's address and postcode. They are kept in step with what
was typed here, in one place, whoever writes the row:

- an object saved through the ORM (every service): before its INSERT or UPDATE (`listen`);
- a Core INSERT of rows that name the source column (executemany, the ORM's bulk insert): the key column's
  default, worked out from the statement's own values (`derived`);
- rows written in bulk by the register import (COPY on PostgreSQL, UPDATE ... FROM): `keyed` adds the keys to
  the rows first (cbl/services/imports/bulk.py).

On SQLite the full-text tables that index them are kept in step by triggers on the tables (migration 0034).
"""

import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

Normaliser = Callable[[str | None], str | None]


def derived(source: str, normalise: Normaliser, limit: int) -> Callable[[Any], str | None]:
    """A key column's default: `normalise` of the row's `source` column, cut at the key column's `limit` (only a
    name of hundreds of ligatures grows past it)."""

    def default(context: Any) -> str | None:
        return _key(normalise, limit, context.get_current_parameters().get(source))

    default.derived_from = (source, normalise, limit)  # type: ignore[attr-defined]
    return default


def _key(normalise: Normaliser, limit: int, value: str | None) -> str | None:
    key = normalise(value)
    return key[:limit] if key else None


_DERIVATIONS: dict[str, dict[str, tuple[str, Normaliser, int]]] = {}


def derivations(table: sa.Table) -> dict[str, tuple[str, Normaliser, int]]:
    """The table's key columns: {key column: (source column, normaliser, limit)}."""
    if table.name not in _DERIVATIONS:
        found = {}
        for column in table.columns:
            rule = getattr(getattr(column.default, "arg", None), "derived_from", None)
            if rule is not None:
                found[column.name] = rule
        _DERIVATIONS[table.name] = found
    return _DERIVATIONS[table.name]


def keyed(table: sa.Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows to insert or update (each a dict of column values, all with the same columns), with the key of each
    source column they set."""
    rules = {key: rule for key, rule in derivations(table).items() if rows and rule[0] in rows[0]}
    if not rules:
        return rows
    return [{**row, **{key: _key(normalise, limit, row[source]) for key, (source, normalise, limit) in rules.items()}}
            for row in rows]


def _fill(mapper: Any, _connection: Any, target: Any) -> None:
    for key, (source, normalise, limit) in derivations(mapper.local_table).items():
        value = _key(normalise, limit, getattr(target, source))
        if getattr(target, key) != value:
            setattr(target, key, value)


def listen(*models: type) -> None:
    """Keep the models' key columns in step when their objects are saved."""
    for model in models:
        event.listen(model, "before_insert", _fill)
        event.listen(model, "before_update", _fill)


# SQLite's full-text tables over the keys (an FTS5 table and the tables it keeps its index in), and PostgreSQL's
# trigram indexes: made by the migrations, not declared by the models, so left out when the two are compared.
_NOT_DECLARED = re.compile(r"^(household_member|applicant|property)_search(_data|_idx|_docsize|_config)?$"
                           r"|_trigrams$")


def declared(name: str | None) -> bool:
    """False for the search's tables and indexes that the migrations make and the models do not declare."""
    return not (name and _NOT_DECLARED.search(name))
