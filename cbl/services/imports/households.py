"""households.csv: each application on the register with its lead applicant, band and circumstances.

Bedroom need and household size are derived from the members (the lead alone until members.csv adds the
others), never read from the file. A band given or changed is kept in the band history like any other.
"""

from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cbl.models import Applicant, BandAssessment, HouseholdMember
from cbl.models.states import ApplicationStatus, Relationship
from cbl.rules.bedroom_need import age_on
from cbl.rules.national_insurance import national_insurance_number
from cbl.services.applications import NEEDS
from cbl.services.audit import Subject
from cbl.services.register import household_facts

from . import cells as read
from .bulk import insert_rows, insert_with_ids, update_by_id
from .derived import refresh_households
from .formats import Cells, Context, Format, Plan, record_events, full_name, person_key, same_text, split_name
from .problems import CellError, Problem
from .staging import ROWS, Staged, Staging

A, M, B = Applicant.__table__, HouseholdMember.__table__, BandAssessment.__table__
STATUSES = tuple(status.value for status in ApplicationStatus)
IMPORTED_BAND = "Band as recorded on the register this one replaces (imported)"
IMPORTED_CLOSURE = "Closed on the register this one replaces (imported)"
# The application's own columns that the file sets, with the file's column where it is named otherwise.
FIELDS = ("email", "phone", "address", "postcode", "band", "band_date", "registration_date", "status",
          "homeless_duty", "transfer_tenant", "local_connection", "needs")
# Personal details: the audit trail says they changed, not what to (as a correction on the case page does).
_PERSONAL = {"name", "date_of_birth", "ni_number", "email", "phone", "address", "postcode"}


def _ni(cell: str) -> str | None:
    if not cell:
        return None
    number = national_insurance_number(cell)
    if number is None:
        raise CellError(f"“{cell[:20]}” is not a National Insurance number, like AB123456C")
    return number


class Households(Format):
    kind = "households"
    columns = ("reference", "given_name", "family_name", "date_of_birth", "ni_number", "email", "phone", "address",
               "postcode", "band", "band_date", "registration_date", "status", "homeless_duty", "transfer",
               "local_connection", "needs")

    def parse(self, cells: Cells, context: Context) -> Staged | None:
        bands = context.scheme.bands.order
        v: dict[str, Any] = {
            "reference": cells.take("reference", read.reference),
            "given_name": cells.take("given_name", lambda c: read.text(c, 200)),
            "family_name": cells.take("family_name", lambda c: read.text(c, 200)),
            "date_of_birth": cells.take("date_of_birth", lambda c: read.day(c, required=True)),
            "ni_number": cells.take("ni_number", _ni),
            "email": cells.take("email", read.email),
            "phone": cells.take("phone", lambda c: read.text(c, 32) or None),
            "address": cells.take("address", lambda c: read.text(c, 400, required=True)),
            "postcode": cells.take("postcode", read.postcode),
            "band": cells.take("band", lambda c: read.one_of(c, bands, required=False) or None),
            "band_date": cells.take("band_date", read.day),
            "registration_date": cells.take("registration_date", lambda c: read.day(c, required=True)),
            "status": cells.take("status", lambda c: read.one_of(c, STATUSES)),
            "homeless_duty": cells.take("homeless_duty", read.yes_no),
            "transfer_tenant": cells.take("transfer", read.yes_no),
            "local_connection": cells.take("local_connection", lambda c: read.many_of(c, context.areas, "area")),
            "needs": cells.take("needs", lambda c: read.many_of(c, NEEDS, "need")),
        }
        name = self._name(cells, v)
        self._dates(cells, v, context.today)
        self._band(cells, v, context.today)
        if cells.problems:
            return None
        data = {key: v[key] for key in FIELDS} | {"name": name, "date_of_birth": v["date_of_birth"],
                                                   "ni_number": v["ni_number"]}
        return Staged(cells.row, v["reference"], data, person=person_key(name, v["date_of_birth"]),
                      tag=v["ni_number"], born=v["date_of_birth"])

    @staticmethod
    def _name(cells: Cells, v: dict[str, Any]) -> str:
        if not cells.fine("given_name", "family_name"):
            return ""
        name = full_name(v["given_name"], v["family_name"])
        if not name:
            cells.refuse("family_name", "the lead applicant's name is empty: give their given and family names")
        elif len(name) > 200:
            cells.refuse("family_name", f"the whole name must be 200 characters or fewer (it has {len(name)})")
        return name

    @staticmethod
    def _dates(cells: Cells, v: dict[str, Any], today: date) -> None:
        born, registered = v["date_of_birth"], v["registration_date"]
        if cells.fine("date_of_birth") and born > today:
            cells.refuse("date_of_birth", "is in the future")
        elif cells.fine("date_of_birth") and age_on(born, today) < 16:
            cells.refuse("date_of_birth", f"the lead applicant must be 16 or over (this makes them "
                                          f"{age_on(born, today)})")
        if cells.fine("registration_date") and registered > today:
            cells.refuse("registration_date", "is in the future")

    @staticmethod
    def _band(cells: Cells, v: dict[str, Any], today: date) -> None:
        if not cells.fine("band", "band_date", "status", "registration_date"):
            return
        band, since = v["band"], v["band_date"]
        if band is None and v["status"] in ("active", "suspended"):
            cells.refuse("band", f"is empty: a household that is {v['status']} has a band")
        elif band is not None and since is None:
            cells.refuse("band_date", "is empty: give the date the band took effect")
        elif band is None and since is not None:
            cells.refuse("band", "is empty, but band_date is given")
        elif since is not None and since > today:
            cells.refuse("band_date", "is in the future")
        elif since is not None and since < v["registration_date"]:
            cells.refuse("band_date", "is before the registration date")

    def file_problems(self, staging: Staging) -> Iterator[Problem]:
        for row, ref, first, _ in staging.repeats("ref"):
            yield Problem(row, "reference", f"{ref} is also on row {first}")
        for row, _, first, first_ref in staging.repeats("person", differ=("ref",)):
            yield Problem(row, "family_name", f"the same person (name and date of birth) leads household "
                                              f"{first_ref} on row {first}")
        for row, _, first, first_ref in staging.repeats("tag", differ=("ref",)):
            yield Problem(row, "ni_number", f"the same number is household {first_ref}'s, on row {first}")
        for row, other in _numbers_on_the_register(staging.connection):
            yield Problem(row, "ni_number", f"the same number is held for someone in household {other} on the "
                                            "register")

    def plan(self, connection: Connection, chunk: list[Staged], context: Context) -> Plan:
        lead = M.alias("lead")
        found = connection.execute(
            sa.select(A.c.id, A.c.reference, *(A.c[name] for name in FIELDS), lead.c.id.label("lead_id"),
                      lead.c.name, lead.c.date_of_birth, lead.c.national_insurance_number.label("ni_number"))
            .select_from(ROWS.join(A, A.c.reference == ROWS.c.ref).outerjoin(
                lead, sa.and_(lead.c.applicant_id == A.c.id, lead.c.relationship == Relationship.LEAD)))
            .where(Staging.within(chunk))).all()
        there = {household.reference: household for household in found}
        plan = Plan()
        for staged in chunk:
            household = there.get(staged.ref)
            if household is None:
                plan.adds.append(staged)
                continue
            changed = _differences(household, _values(staged.data))
            if changed:
                plan.changes.append((staged, household, changed))
            else:
                plan.unchanged += 1
        return plan

    def write(self, connection: Connection, plan: Plan, context: Context) -> None:
        events = self._add(connection, plan.adds, context) + self._change(connection, plan.changes, context)
        record_events(connection, context, events)

    @staticmethod
    def _add(connection: Connection, adds: list[Staged], context: Context) -> list:
        if not adds:
            return []
        rows = []
        for staged in adds:
            v = _values(staged.data)
            size, lead_born, need = household_facts([_Lead(v["date_of_birth"])], context.scheme, context.today)
            rows.append({**{name: v[name] for name in FIELDS}, "reference": staged.ref, "created_at": context.now,
                         "household_size": size, "lead_date_of_birth": lead_born, "bedroom_need": need,
                         "housing_debt": False, "verified": False, **_closure(v["status"], context)})
        ids = dict(zip((s.ref for s in adds), insert_with_ids(connection, A, rows), strict=True))
        insert_rows(connection, M, [
            {"applicant_id": ids[s.ref], "name": s.data["name"], "date_of_birth": s.data["date_of_birth"], "sex": None,
             "national_insurance_number": s.data["ni_number"], "relationship": Relationship.LEAD,
             "needs_own_room": False}
            for s in adds])
        bands = [_band_row(ids[s.ref], _values(s.data), context) for s in adds if s.data["band"]]
        if bands:
            insert_rows(connection, B, bands)
        return [("import.household_added", Subject("applicant", ids[s.ref], ids[s.ref]),
                 {"file": context.file, "row": s.row, "reference": s.ref}) for s in adds]

    @staticmethod
    def _change(connection: Connection, changes: list, context: Context) -> list:
        if not changes:
            return []
        updates, bands, leads, new_leads, touched = [], [], [], [], []
        for staged, household, changed in changes:
            v = _values(staged.data)
            updates.append({"_id": household.id, **{name: v[name] for name in FIELDS},
                            **(_closure(v["status"], context) if "status" in changed else {})})
            if "band" in changed or "band_date" in changed:
                bands.append(_band_row(household.id, v, context))
            if "name" in changed or "date_of_birth" in changed:
                touched.append(household.id)  # the lead's age counts in the household's facts
            if {"name", "date_of_birth", "ni_number"}.intersection(changed):
                lead = {"name": v["name"], "date_of_birth": v["date_of_birth"],
                        "national_insurance_number": v["ni_number"]}
                if household.lead_id is None:
                    new_leads.append({"applicant_id": household.id, **lead, "sex": None,
                                      "relationship": Relationship.LEAD, "needs_own_room": False})
                else:
                    leads.append({"_id": household.lead_id, **lead})
        update_by_id(connection, A, updates)
        update_by_id(connection, M, leads)
        if new_leads:
            insert_rows(connection, M, new_leads)
        if bands:
            insert_rows(connection, B, bands)
        if touched:
            refresh_households(connection, sa.select(A.c.id).where(A.c.id.in_(touched)), context.scheme,
                               context.today)
        return [("import.household_changed", Subject("applicant", household.id, household.id),
                 {"file": context.file, "row": staged.row, "changed": changed,
                  **{name: _plain(_values(staged.data)[name]) for name in changed if name not in _PERSONAL}})
                for staged, household, changed in changes]

    def export(self, connection: Connection) -> Iterator[list[object]]:
        lead = M.alias("lead")
        query = (sa.select(A.c.reference, lead.c.name, lead.c.date_of_birth,
                           lead.c.national_insurance_number.label("ni_number"), *(A.c[name] for name in FIELDS))
                 .select_from(A.outerjoin(lead, sa.and_(lead.c.applicant_id == A.c.id,
                                                        lead.c.relationship == Relationship.LEAD)))
                 .order_by(A.c.reference))
        for row in connection.execution_options(yield_per=2000).execute(query):
            given, family = split_name(row.name or "")
            yield [row.reference, given, family, row.date_of_birth, row.ni_number, row.email, row.phone, row.address,
                   row.postcode, row.band, row.band_date, row.registration_date, row.status.value,
                   _yes(row.homeless_duty), _yes(row.transfer_tenant), ";".join(row.local_connection or []),
                   ";".join(row.needs or [])]


class _Lead:
    """The lead alone, as a household of one is derived before its row exists."""

    relationship = Relationship.LEAD
    sex = None
    needs_own_room = False

    def __init__(self, born: date) -> None:
        self.date_of_birth = born


def _values(data: dict[str, Any]) -> dict[str, Any]:
    """A staged row's values, as the columns hold them."""
    return data


def _differences(household: Any, new: dict[str, Any]) -> list[str]:
    changed = [name for name in FIELDS if name not in ("local_connection", "needs") and
               getattr(household, name) != new[name]]
    changed += [name for name in ("local_connection", "needs") if sorted(getattr(household, name) or []) != new[name]]
    if not same_text(household.name, new["name"]):
        changed.append("name")
    if household.date_of_birth != new["date_of_birth"]:
        changed.append("date_of_birth")
    if household.ni_number != new["ni_number"]:
        changed.append("ni_number")
    return changed


def _numbers_on_the_register(connection: Connection) -> Iterator[tuple[int, str]]:
    """Each row whose National Insurance number is held for someone in another household on the register, as
    (row, that household's reference): the same person on two applications (as cbl/services/applications.py's
    possible_duplicates finds them). A lead whose household is in the file too is left out: their number is
    the one their row gives, which the file's own check compares."""
    again = ROWS.alias("again")
    in_the_file = sa.and_(M.c.relationship == Relationship.LEAD, sa.exists().where(again.c.ref == A.c.reference))
    rows = connection.execute(
        sa.select(ROWS.c.row, sa.func.min(A.c.reference))
        .join(M, M.c.national_insurance_number == ROWS.c.tag).join(A, A.c.id == M.c.applicant_id)
        .where(A.c.reference != ROWS.c.ref, sa.not_(in_the_file))
        .group_by(ROWS.c.row).order_by(ROWS.c.row))
    yield from ((row, other) for row, other in rows)


def _closure(status: str, context: Context) -> dict[str, Any]:
    """A household closed on the old register is closed here from the day of the import, for that reason."""
    if status == ApplicationStatus.CLOSED:  # the state's text, as staged
        return {"closed_on": context.today, "closed_reason": IMPORTED_CLOSURE}
    return {"closed_on": None, "closed_reason": None}


def _band_row(applicant_id: int, v: dict[str, Any], context: Context) -> dict[str, Any]:
    return {"applicant_id": applicant_id, "band": v["band"], "effective_date": v["band_date"], "points": None,
            "reason": IMPORTED_BAND, "decided_by_id": context.actor.id, "decided_at": context.now}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else getattr(value, "value", value)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
