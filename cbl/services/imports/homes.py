"""homes.csv: the homes let through the scheme, the council's and registered providers'.

A home is matched by its reference or, failing that, its UPRN (so a home whose reference the landlord changed
is the same home, given its new reference).
"""

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cbl.models import Organisation, Property
from cbl.models.states import PropertyType
from cbl.rules.digits import only_digits
from cbl.services.audit import Subject

from . import cells as read
from .bulk import insert_with_ids, update_by_id
from .formats import Cells, Context, Format, Plan, record_events
from .problems import CellError, Problem
from .staging import ROWS, Staged, Staging

P, ORG = Property.__table__, Organisation.__table__
TYPES = tuple(kind.value for kind in PropertyType)
FEATURES = ("lift", "step_free", "wheelchair_adapted", "garden", "sheltered")
FIELDS = ("reference", "uprn", "landlord_id", "address", "postcode", "area", "property_type", "bedrooms", "floor",
          *FEATURES, "weekly_rent_pence", "weekly_charges_pence")


def _uprn(cell: str) -> str | None:
    if not cell:
        return None
    if not only_digits(cell) or len(cell) > 12:
        raise CellError(f"“{cell[:20]}” is not a UPRN: up to 12 digits")
    return cell


class Homes(Format):
    kind = "homes"
    columns = ("reference", "uprn", "landlord", "address", "postcode", "area", "type", "bedrooms", "floor",
               "features", "weekly_rent", "weekly_charges")

    def parse(self, cells: Cells, context: Context) -> Staged | None:
        def landlord(cell: str) -> int:
            if cell not in context.landlords:
                raise CellError(f"no organisation has the code “{cell[:32]}” (known: "
                                f"{', '.join(sorted(context.landlords)) or 'none yet'})")
            return context.landlords[cell]

        features = cells.take("features", lambda c: read.many_of(c, FEATURES, "feature"))
        v = {
            "reference": cells.take("reference", read.reference),
            "uprn": cells.take("uprn", _uprn),
            "landlord_id": cells.take("landlord", landlord),
            "address": cells.take("address", lambda c: read.text(c, 400, required=True)),
            "postcode": cells.take("postcode", read.postcode),
            "area": cells.take("area", lambda c: read.text(c, 100, required=True)),
            "property_type": cells.take("type", lambda c: read.one_of(c, TYPES)),
            "bedrooms": cells.take("bedrooms", lambda c: read.whole(c, 0, 10)),
            "floor": cells.take("floor", lambda c: read.whole(c, -1, 60, default=0)),
            **{feature: feature in (features or ()) for feature in FEATURES},
            "weekly_rent_pence": cells.take("weekly_rent", read.money),
            "weekly_charges_pence": cells.take("weekly_charges", lambda c: read.money(c, required=False)),
        }
        if cells.fine("weekly_rent") and v["weekly_rent_pence"] == 0:
            cells.refuse("weekly_rent", "is 0: give the weekly rent")
        if cells.problems:
            return None
        return Staged(cells.row, v["reference"], v, uprn=v["uprn"])

    def file_problems(self, staging: Staging) -> Iterator[Problem]:
        for row, ref, first, _ in staging.repeats("ref"):
            yield Problem(row, "reference", f"{ref} is also on row {first}")
        for row, _, first, first_ref in staging.repeats("uprn"):
            yield Problem(row, "uprn", f"the same UPRN is home {first_ref}'s, on row {first}")
        # A UPRN that is a home on the register whose reference another row gives: two rows, one home.
        other = ROWS.alias("other")
        clashes = staging.connection.execute(
            sa.select(ROWS.c.row, ROWS.c.uprn, P.c.reference, other.c.row)
            .join(P, sa.and_(P.c.uprn == ROWS.c.uprn, P.c.reference != ROWS.c.ref))
            .join(other, other.c.ref == P.c.reference).order_by(ROWS.c.row))
        for row, uprn, reference, other_row in clashes:
            yield Problem(row, "uprn", f"UPRN {uprn} is home {reference} on the register, which row {other_row} "
                                       "gives as well")

    def plan(self, connection: Connection, chunk: list[Staged], context: Context) -> Plan:
        in_chunk = Staging.within(chunk)
        found = connection.execute(sa.select(P.c.id, *(P.c[name] for name in FIELDS)).where(sa.or_(
            P.c.reference.in_(sa.select(ROWS.c.ref).where(in_chunk)),
            P.c.uprn.in_(sa.select(ROWS.c.uprn).where(in_chunk, ROWS.c.uprn.is_not(None))))).order_by(P.c.id)).all()
        by_ref = {home.reference: home for home in found}
        by_uprn = {home.uprn: home for home in found if home.uprn}
        plan = Plan()
        for staged in chunk:
            home = by_ref.get(staged.ref)
            holder = by_uprn.get(staged.uprn) if staged.uprn else None
            if home is not None and holder is not None and holder.id != home.id:
                plan.problems.append(Problem(staged.row, "uprn", f"UPRN {staged.uprn} is home {holder.reference}'s "
                                                                 "on the register"))
                continue
            home = home or holder
            if home is None:
                plan.adds.append(staged)
                continue
            new = _values(staged.data)
            changed = [name for name in FIELDS if getattr(home, name) != new[name]]
            if changed:
                plan.changes.append((staged, home, changed))
            else:
                plan.unchanged += 1
        return plan

    def write(self, connection: Connection, plan: Plan, context: Context) -> None:
        events = []
        if plan.adds:
            added = insert_with_ids(connection, P, [_values(s.data) for s in plan.adds])
            events += [("import.property_added", Subject("property", home),
                        {"file": context.file, "row": s.row, "reference": s.ref})
                       for home, s in zip(added, plan.adds, strict=True)]
        update_by_id(connection, P, [{"_id": home.id, **{name: _values(s.data)[name] for name in changed}}
                                     for s, home, changed in plan.changes])
        events += [("import.property_changed", Subject("property", home.id),
                    {"file": context.file, "row": s.row, "changed": changed,
                     **{name: s.data[name] for name in changed}})
                    for s, home, changed in plan.changes]
        record_events(connection, context, events)

    def export(self, connection: Connection) -> Iterator[list[object]]:
        query = sa.select(P, ORG.c.code).join(ORG, ORG.c.id == P.c.landlord_id).order_by(P.c.reference)
        for home in connection.execution_options(yield_per=2000).execute(query):
            yield [home.reference, home.uprn, home.code, home.address, home.postcode, home.area,
                   home.property_type.value, home.bedrooms, home.floor,
                   ";".join(feature for feature in FEATURES if getattr(home, feature)),
                   read.pounds(home.weekly_rent_pence), read.pounds(home.weekly_charges_pence)]


def _values(data: dict[str, Any]) -> dict[str, Any]:
    """A staged row's values, as the columns hold them."""
    return data
