"""Rows whose search keys (cbl/rules/search_keys.py) hold what was typed, found through an index on each database:
PostgreSQL's trigram indexes answer LIKE '%term%' on a key column; SQLite's full-text tables (FTS5 with the trigram
tokenizer, migration 0034) answer a phrase per term. A term is a folded word (a name's "smith"), or, for a word of
one or two letters, the word's start (" wu", " j"), as the keys hold each word after a space.

A trigram index needs three characters: a shorter term (a lone initial) is checked on the rows the other terms
found, or, with none, on every row. Postcodes are found by their start, from a B-tree index (`postcode_starting`).
"""

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from cbl.rules.search_keys import postcode_key, words

# Each searched table's full-text table on SQLite, and the columns it holds (as the migration made them).
_FULL_TEXT = {
    "household_member": ("name_key",),
    "applicant": ("reference", "address_key"),
    "property": ("reference", "address_key"),
}
_SHORTEST = 3  # characters of a term that an index can answer


def word_terms(text: str) -> list[str]:
    """The terms of a name or an address typed: each word, a short one as a word's start."""
    return [word if len(word) >= _SHORTEST else f" {word}" for word in words(text)]


# Royal Mail's postcode format: an outward code (area letters, district digit and maybe a digit or letter), then
# an inward code (sector digit, unit letters). Folded: small letters, no space.
_WHOLE_POSTCODE = re.compile(r"[a-z]{1,2}[0-9][a-z0-9]?[0-9][a-z]{2}")
_OUTWARD_CODE = re.compile(r"[a-z]{1,2}[0-9][a-z0-9]?")
_INWARD_LENGTH = 3
_LONGEST_POSTCODE = 8  # a key: its space and 7 letters and digits


def postcode_starting(column: sa.ColumnElement, text: str) -> list[sa.ColumnElement[bool]]:
    """Postcodes held (`column`, a postcode key) that are the one typed, or start with what was typed: "AT1 2BC"
    (with or without its space) that postcode; an outward code alone ("AT1") that district, not AT10 or AT12; an
    outward code and the start of the inward ("AT1 2") that sector; anything else ("AT") the postcodes starting
    with it: a range of the (postcode key, reference) index. Keys are one space then small letters and digits,
    which every collation orders as bytes do (digits before letters, a shorter start first)."""
    key, typed = postcode_key(text), words(text)
    if not key:
        return []
    if _WHOLE_POSTCODE.fullmatch(key.strip()):
        return [column == key]
    length = None
    if len(typed) > 1 and _OUTWARD_CODE.fullmatch(typed[0]):
        length = len(f" {typed[0]}") + _INWARD_LENGTH
    elif _OUTWARD_CODE.fullmatch(key.strip()):
        length = len(key) + _INWARD_LENGTH
    exact = [] if length is None else [sa.func.length(column) == _written(length)]
    return [column >= _written(key), column <= _written(key + "z" * (_LONGEST_POSTCODE - len(key))), *exact]


def _written(value: str | int) -> sa.BindParameter:
    """A value written into the statement, not sent beside it: PostgreSQL plans a statement prepared with its
    values unknown (psycopg prepares one run five times) for a district of 1 row, not thousands, and then
    joined each to every open void (73 ms for 1,234 homes, where the plan made for the values takes 2 ms).
    Postcode keys are a space, letters and digits; the dialect quotes them."""
    return sa.bindparam(None, value, literal_execute=True)


REFERENCE_MARKS = "-/."  # what a reference holds besides letters and digits (an imported one: "HR/2019/12")


def reference_terms(text: str) -> list[str]:
    """A reference or any part of it, case aside, as typed but for spaces and anything a reference does not
    hold."""
    typed = "".join(c for c in text.lower() if c.isalnum() or c in REFERENCE_MARKS)
    return [typed] if typed else []


@dataclass(frozen=True)
class Holding:
    """Rows whose `column` holds every one of `terms`."""

    column: str
    terms: list[str]


def holding(session: Session, table: sa.Table, *conditions: Holding) -> list[sa.ColumnElement[bool]]:
    """What the rows of `table` that meet every condition (each with at least one term) meet: on PostgreSQL the
    LIKEs themselves, which its trigram indexes answer; on SQLite their id among those its full-text table finds
    (and any term too short for it, checked on those)."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    likes: list[sa.ColumnElement[bool]] = [
        _lower(table, condition.column).like(f"%{term}%") for condition in conditions for term in condition.terms
        if postgresql or len(term) < _SHORTEST]
    if postgresql:
        return likes
    search = f"{table.name}_search"
    assert all(condition.column in _FULL_TEXT[table.name] for condition in conditions), conditions
    # Terms are letters, digits, spaces and a reference's marks: safe in an FTS5 phrase's double quotes.
    phrases = [f'{condition.column} : "{term}"' for condition in conditions for term in condition.terms
               if len(term) >= _SHORTEST]
    if not phrases:
        return likes
    indexed: sa.Select = (sa.select(sa.literal_column("rowid")).select_from(sa.table(search))
               .where(sa.literal_column(search).op("MATCH")(" AND ".join(phrases))))
    return [table.c.id.in_(indexed), *likes]


def _lower(table: sa.Table, column: str) -> sa.ColumnElement:
    # Keys are held folded; references as typed, indexed folded (lower(reference): migrations 0011, 0034).
    return sa.func.lower(table.c[column]) if column == "reference" else table.c[column]
