"""What a cycle's close reads and writes in bulk: the engine's input read as plain rows, and the ranked
shortlists written back, with no ORM object per row (the largest scheme's cycle has 450,000 bids).

Both run on the close's own connection, inside its transaction: the shortlists are stored atomically with
the claim of the cycle and its audit event (COPY on PostgreSQL goes through the same connection).
"""

import json
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import matching
from cbl.database import insert_rows
from cbl.models import Advert, AgreementQuota, Applicant, Bid, Organisation, Property, ShortlistEntry
from cbl.models.states import AdvertStatus, BidStatus, ShortlistStatus
from cbl.rules.scheme import Scheme

from . import engine_input


@dataclass
class Ids:
    """Engine ids (references) back to table ids."""

    advert: dict[str, int] = field(default_factory=dict)
    applicant: dict[str, int] = field(default_factory=dict)
    bid: dict[tuple[str, str], int] = field(default_factory=dict)


_LIVE_ADVERTS = (
    sa.select(Advert.id, Advert.reference, Advert.min_bedroom_need, Advert.max_bedroom_need, Advert.min_household,
              Advert.max_household, Advert.min_age, Advert.step_free_only, Advert.wheelchair_only,
              Advert.transfer_only, Advert.preference_groups, Advert.agreement_id, Advert.by_registration_date,
              Property.bedrooms, Property.area,
              Organisation.code.label("landlord"))
    .join(Property, Property.id == Advert.property_id)
    .join(Organisation, Organisation.id == Property.landlord_id)
    .where(Advert.cycle_id == sa.bindparam("cycle_id"), Advert.status == AdvertStatus.LIVE)
    .order_by(Advert.id)
)
_ACTIVE_BIDS = (
    sa.select(Bid.id, Bid.advert_id, Bid.applicant_id, Bid.preference)
    .where(Bid.cycle_id == sa.bindparam("cycle_id"), Bid.status == BidStatus.ACTIVE)
    .order_by(Bid.id)
)
# The bidders, each read once (not once a bid), and only the columns the engine ranks by.
_BIDDERS = (
    sa.select(*engine_input.ranked_columns())
    .where(Applicant.id.in_(sa.select(Bid.applicant_id).where(Bid.cycle_id == sa.bindparam("cycle_id"),
                                                              Bid.status == BidStatus.ACTIVE)))
)


def engine_instance(connection: Connection, scheme: Scheme, cycle_id: int, today: date
                    ) -> tuple[matching.Instance, Ids]:
    """The cycle's live adverts, their active bids and the households that made them, as the engine takes
    them: adverts by id, bids by id, households in the order of their first bid (as before: the same
    input gives the same result)."""
    ids = Ids()
    cycle = {"cycle_id": cycle_id}
    advert_rows = connection.execute(_LIVE_ADVERTS, cycle).all()
    adverts = []
    reference_of: dict[int, str] = {}
    for row in advert_rows:
        ids.advert[row.reference] = row.id
        reference_of[row.id] = row.reference
        adverts.append(engine_input.to_advert(row, row, row.landlord))
    result = connection.execute(_ACTIVE_BIDS, cycle)
    bids = result.cursor.fetchall()  # four integers each, as the driver gives them: no Row for each of 450,000
    result.close()
    households = {row.id: row for row in connection.execute(_BIDDERS, cycle).all()} if bids else {}
    applicants: dict[int, matching.Applicant] = {}
    engine_bids = []
    for bid_id, advert_id, applicant_id, preference in bids:
        advert_reference = reference_of.get(advert_id)
        if advert_reference is None:  # a bid on an advert withdrawn from the cycle
            continue
        applicant = applicants.get(applicant_id)
        if applicant is None:
            applicant = applicants[applicant_id] = engine_input.to_applicant(households[applicant_id], scheme, today)
            ids.applicant[applicant.id] = applicant_id
        ids.bid[(applicant.id, advert_reference)] = bid_id
        engine_bids.append(matching.Bid(applicant.id, advert_reference, preference))
    agreement_ids = {row.agreement_id for row in advert_rows if row.agreement_id}
    quotas = connection.execute(
        sa.select(AgreementQuota.agreement_id, AgreementQuota.group, AgreementQuota.min_share_pct)
        .where(AgreementQuota.agreement_id.in_(agreement_ids))).all() if agreement_ids else []
    return matching.Instance(
        applicants=tuple(applicants.values()), adverts=tuple(adverts), bids=tuple(engine_bids),
        policy=engine_input.policy(scheme), agreements=engine_input.to_agreements(agreement_ids, quotas),
    ), ids


SHORTLIST_COLUMNS = ("advert_id", "applicant_id", "bid_id", "position", "eligible", "reasons", "explanation",
                     "proposed", "status")


def store_shortlists(connection: Connection, result: matching.CycleResult, ids: Ids) -> int:
    """Every advert's ranked shortlist, each entry with its reasons and whether the engine proposes it; the
    number of adverts with a shortlist."""
    pending = ShortlistStatus.PENDING.value
    reasons_json: dict[tuple[matching.Reason, ...], str] = {(): "[]"}
    rows = []
    for advert_reference, entries in result.shortlists.items():
        advert_id = ids.advert[advert_reference]
        proposed = result.allocation.get(advert_reference)
        for entry in entries:
            reasons = reasons_json.get(entry.reasons)
            if reasons is None:
                # A few distinct lists of reasons among all the bids: each written once, as the JSON column would.
                reasons = reasons_json[entry.reasons] = json.dumps(
                    [{"code": r.code, "message": r.message} for r in entry.reasons])
            rows.append((advert_id, ids.applicant[entry.applicant], ids.bid[(entry.applicant, advert_reference)],
                         entry.position, entry.eligible, reasons, entry.explanation, entry.applicant == proposed,
                         pending))
    insert_rows(connection, ShortlistEntry.__table__, SHORTLIST_COLUMNS, rows, json_columns={"reasons"})
    return len(result.shortlists)
