"""members.csv: the people in each household besides its lead (who is in households.csv).

A member is matched to the register by household reference, name (case and spaces aside) and date of birth:
a match is updated where its sex, relationship or the spelling of its name differ, anyone else is added, and
no one is taken out of a household by an import (that is a decision on the case page, with its letter).
"""

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cbl.models import Applicant, HouseholdMember
from cbl.models.states import Relationship, Sex

from cbl.services.audit import Subject

from . import cells as read
from .bulk import insert_with_ids, update_by_id
from .derived import refresh_households
from .formats import Cells, Context, Format, Plan, record_events, full_name, person_key, same_text, split_name
from .problems import CellError, Problem
from .staging import CHUNK, ROWS, Staged, Staging

A, M = Applicant.__table__, HouseholdMember.__table__
RELATIONSHIPS = tuple(r.value for r in Relationship if r is not Relationship.LEAD)
SEXES = tuple(s.value for s in Sex)


class Members(Format):
    kind = "members"
    columns = ("reference", "given_name", "family_name", "date_of_birth", "sex", "relationship")

    def parse(self, cells: Cells, context: Context) -> Staged | None:
        reference = cells.take("reference", read.reference)
        given = cells.take("given_name", lambda c: read.text(c, 200))
        family = cells.take("family_name", lambda c: read.text(c, 200))
        born = cells.take("date_of_birth", lambda c: read.day(c, required=True))
        sex = cells.take("sex", lambda c: read.one_of(c, SEXES, required=False) or None)
        relationship = cells.take("relationship", lambda c: _relationship(c))
        name = ""
        if cells.fine("given_name", "family_name"):
            name = full_name(given, family)
            if not name:
                cells.refuse("family_name", "the person's name is empty: give their given and family names")
            elif len(name) > 200:
                cells.refuse("family_name", f"the whole name must be 200 characters or fewer (it has {len(name)})")
        if cells.fine("date_of_birth") and born > context.today:
            cells.refuse("date_of_birth", "is in the future")
        if cells.problems:
            return None
        # States as their text (which equals the state, and goes into the database as it is).
        return Staged(cells.row, reference, {"name": name, "date_of_birth": born, "sex": sex,
                                             "relationship": relationship},
                      person=person_key(name, born), tag=relationship, born=born)

    def file_problems(self, staging: Staging) -> Iterator[Problem]:
        for row, ref, first, first_ref in staging.repeats("person"):
            where = f"twice in household {ref}" if ref == first_ref else f"in household {first_ref}"
            yield Problem(row, "family_name", f"the same person (name and date of birth) is {where}: see row {first}")
        for row, ref, first, _ in staging.repeats("ref", tag=Relationship.PARTNER.value):
            yield Problem(row, "relationship", f"household {ref} has a partner on row {first} already")
        people = (sa.select(M.c.id, M.c.name, M.c.date_of_birth, A.c.reference)
                  .join(A, A.c.id == M.c.applicant_id))
        for row, _, other in staging.on_the_register(people, lambda p: person_key(p.name, p.date_of_birth)):
            yield Problem(row, "family_name", f"the same person (name and date of birth) is in household {other} on "
                                              "the register")
        for row, ref in staging.missing_from(A, "reference"):
            yield Problem(row, "reference", f"there is no household {ref} on the register (import households.csv "
                                            "first)")

    def plan(self, connection: Connection, chunk: list[Staged], context: Context) -> Plan:
        in_chunk = Staging.within(chunk)
        households: dict[str, int] = dict(connection.execute(sa.select(A.c.reference, A.c.id).distinct().select_from(
            ROWS.join(A, A.c.reference == ROWS.c.ref)).where(in_chunk)).all())
        people: dict[int, list[Any]] = defaultdict(list)
        for member in connection.execute(
                sa.select(M.c.id, M.c.applicant_id, M.c.name, M.c.date_of_birth, M.c.sex, M.c.relationship)
                .where(M.c.applicant_id.in_(sa.select(A.c.id).join(ROWS, ROWS.c.ref == A.c.reference)
                                            .where(in_chunk)))).all():
            people[member.applicant_id].append(member)
        plan = Plan(ids=households)
        for staged in chunk:
            household = households.get(staged.ref)
            if household is None:
                continue  # reported with the file's problems
            self._plan_row(plan, staged, household, people[household])
        return plan

    @staticmethod
    def _plan_row(plan: Plan, staged: Staged, household: int, members: list[Any]) -> None:
        new = _values(staged.data)
        match = next((m for m in members if person_key(m.name, m.date_of_birth) == staged.person), None)
        if match is not None and match.relationship is Relationship.LEAD:
            plan.problems.append(Problem(staged.row, "family_name", f"this is the lead applicant of {staged.ref}, "
                                                                   "whose details are in households.csv"))
            return
        if new["relationship"] == Relationship.PARTNER:
            partner = next((m for m in members if m.relationship is Relationship.PARTNER and m is not match), None)
            if partner is not None:
                plan.problems.append(Problem(staged.row, "relationship", f"household {staged.ref} has a partner "
                                                                        "on the register already"))
                return
        if match is None:
            plan.adds.append(staged)
            return
        changed = [name for name in ("sex", "relationship") if getattr(match, name) != new[name]]
        if not same_text(match.name, new["name"]):
            changed.insert(0, "name")
        if changed:
            plan.changes.append((staged, match, changed))
        else:
            plan.unchanged += 1

    def write(self, connection: Connection, plan: Plan, context: Context) -> None:
        events = []
        households = plan.ids
        if plan.adds:
            rows = [{"applicant_id": households[s.ref], **_values(s.data), "needs_own_room": False} for s in plan.adds]
            added = insert_with_ids(connection, M, rows)
            events += [("import.member_added", Subject("household_member", member, row["applicant_id"]),
                        {"file": context.file, "row": s.row, "relationship": s.data["relationship"]})
                       for member, row, s in zip(added, rows, plan.adds, strict=True)]
        update_by_id(connection, M, [{"_id": match.id, **{name: _values(s.data)[name] for name in changed}}
                                     for s, match, changed in plan.changes])
        events += [("import.member_changed", Subject("household_member", match.id, match.applicant_id),
                    {"file": context.file, "row": s.row, "changed": changed,
                     **({"relationship": s.data["relationship"]} if "relationship" in changed else {})})
                   for s, match, changed in plan.changes]
        record_events(connection, context, events)

    def finish(self, connection: Connection, staging: Staging, context: Context) -> None:
        """Derive the facts of every household the file names again, once, now that all its members are in:
        a batch of the file's references at a time, in their order."""
        last = ""
        while True:
            refs = connection.execute(sa.select(ROWS.c.ref).distinct().where(ROWS.c.ref > last)
                                      .order_by(ROWS.c.ref).limit(CHUNK)).scalars().all()
            if not refs:
                return
            batch = sa.select(ROWS.c.ref).where(ROWS.c.ref > last, ROWS.c.ref <= refs[-1])
            refresh_households(connection, sa.select(A.c.id).where(A.c.reference.in_(batch)), context.scheme,
                               context.today)
            last = refs[-1]

    def export(self, connection: Connection) -> Iterator[list[object]]:
        query = (sa.select(A.c.reference, M.c.name, M.c.date_of_birth, M.c.sex, M.c.relationship)
                 .join(A, A.c.id == M.c.applicant_id).where(M.c.relationship != Relationship.LEAD)
                 .order_by(A.c.reference, M.c.id))
        for row in connection.execution_options(yield_per=2000).execute(query):
            given, family = split_name(row.name)
            yield [row.reference, given, family, row.date_of_birth, row.sex.value if row.sex else "",
                   row.relationship.value]


def _relationship(cell: str) -> str:
    if cell == Relationship.LEAD.value:
        raise CellError("the lead applicant is in households.csv, not members.csv")
    return read.one_of(cell, RELATIONSHIPS)


def _values(data: dict[str, Any]) -> dict[str, Any]:
    """A staged row's values, as the columns hold them."""
    return data
