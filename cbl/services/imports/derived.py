"""The household facts stored for the ranking (size, the lead's birth date, bedroom need), derived again in
bulk for the households an import touched, by the same rule as every other change to a household."""

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cbl.models import Applicant, HouseholdMember
from cbl.rules.scheme import Scheme
from cbl.services.register import household_facts

from .bulk import update_by_id

A, M = Applicant.__table__, HouseholdMember.__table__


def refresh_households(connection: Connection, households: sa.Select, scheme: Scheme, on: date) -> int:
    """Derive the facts of the households `households` selects (their ids; a batch the caller keeps small) from
    their members again, and store those that differ. How many did."""
    members = defaultdict(list)
    for member in connection.execute(
            sa.select(M.c.applicant_id, M.c.date_of_birth, M.c.sex, M.c.relationship, M.c.needs_own_room)
            .where(M.c.applicant_id.in_(households))).all():  # a batch: fetched at once, not row by row
        members[member.applicant_id].append(member)
    changes = []
    for household in connection.execute(sa.select(A.c.id, A.c.household_size, A.c.lead_date_of_birth,
                                                  A.c.bedroom_need, A.c.carer_bedroom)
                                        .where(A.c.id.in_(households))).all():
        facts = household_facts(members.get(household.id, []), scheme, on, carer=household.carer_bedroom)
        if facts != (household.household_size, household.lead_date_of_birth, household.bedroom_need):
            changes.append({"_id": household.id, "household_size": facts[0], "lead_date_of_birth": facts[1],
                            "bedroom_need": facts[2]})
    update_by_id(connection, A, changes)
    return len(changes)
