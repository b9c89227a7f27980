"""The statements the bid path runs, built once at import (SQLAlchemy caches their compiled form).

Parameters are bound by name at execution; a list parameter (`advert_ids`, `applicant_ids`) is an
expanding IN.
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from cbl.services.engine_input import ranked_columns
from cbl.database import CYCLE_LOCK_SPACE, HOUSEHOLD_BIDS_LOCK_SPACE
from cbl.models import Advert, Applicant, Bid, Cycle, Offer, Organisation, Property
from cbl.models.states import BidStatus, CycleStatus, OfferStatus


def _one_of(column: sa.ColumnElement, name: str) -> sa.ColumnElement:
    return column.in_(sa.bindparam(name, expanding=True))


# PostgreSQL, first: the cycle's shared guard (see database.guard_cycle), and the household's own
# lock, so that its bids are counted one request at a time. Both are held until commit, and what
# the next statement reads is read after they are granted.
GUARD_CYCLE_AND_HOUSEHOLD = (sa.select(
    sa.func.pg_advisory_xact_lock_shared(CYCLE_LOCK_SPACE, Advert.cycle_id),
    sa.func.pg_advisory_xact_lock(HOUSEHOLD_BIDS_LOCK_SPACE, sa.bindparam("applicant_id")),
).where(Advert.reference == sa.bindparam("reference")))

_applicant = Applicant.__table__.alias("applicant_row")
_this_home = (Bid.applicant_id == _applicant.c.id, Bid.advert_id == Advert.id)
_this_cycle = (Bid.applicant_id == _applicant.c.id, Bid.cycle_id == Advert.cycle_id)

# Then, in one statement: the household, the advert, what the engine needs of its home and
# landlord, its cycle's state, and everything the limits need (an earlier bid on this home,
# bids used this cycle, the last preference given, offers awaiting an answer).
BID_CHECKS = (
    sa.select(
        *(column.label(f"applicant_{column.name}") for column in _applicant.c),
        *Advert.__table__.c, Property.bedrooms, Property.area, Organisation.code.label("landlord"),
        Cycle.status.label("cycle_status"), Cycle.opens_at.label("cycle_opens_at"),
        Cycle.closes_at.label("cycle_closes_at"),
        sa.select(Bid.id).where(*_this_home).scalar_subquery().label("existing_id"),
        sa.select(Bid.status).where(*_this_home).scalar_subquery().label("existing_status"),
        sa.select(sa.func.count()).select_from(Bid).where(*_this_cycle, Bid.status == BidStatus.ACTIVE)
        .scalar_subquery().label("active_bids"),
        sa.select(sa.func.max(Bid.preference)).where(*_this_cycle).scalar_subquery().label("last_preference"),
        sa.select(sa.func.count()).select_from(Offer)
        .where(Offer.applicant_id == _applicant.c.id, Offer.status == OfferStatus.MADE)
        .scalar_subquery().label("offers"),
    )
    .select_from(_applicant)
    .join(Advert, Advert.reference == sa.bindparam("reference"))
    .join(Property, Property.id == Advert.property_id)
    .join(Organisation, Organisation.id == Property.landlord_id)
    .join(Cycle, Cycle.id == Advert.cycle_id)
    .where(_applicant.c.id == sa.bindparam("applicant_id"))
)

INSERT_BID = sa.insert(Bid).returning(Bid.id)
REPLACE_BID = sa.update(Bid).where(Bid.id == sa.bindparam("bid_id"))

# Every active bid on some adverts: whose it is, and that household's row version (to find its record
# and the advert's ranking in the memos, services/live_rankings.py). The version is a subquery by primary
# key, one index lookup a bid: as a join, PostgreSQL hashed the whole register for a few hundred bids.
ACTIVE_BIDDERS = (
    sa.select(Bid.advert_id, Bid.applicant_id,
              sa.select(Applicant.row_version).where(Applicant.id == Bid.applicant_id).scalar_subquery())
    .where(_one_of(Bid.advert_id, "advert_ids"), Bid.status == BidStatus.ACTIVE)
)

# What the engine ranks some households by, with the row version it was read at. On PostgreSQL the ids
# go as one array (= ANY): as an IN list of a few thousand, SQLAlchemy and psycopg rewrote a statement of
# that many parameters each time (its text differs with their number, so nothing of it is cached).
_RANKED = sa.select(*ranked_columns(), Applicant.row_version)
RANKED_APPLICANTS = _RANKED.where(_one_of(Applicant.id, "applicant_ids"))
RANKED_APPLICANTS_PG = _RANKED.where(
    Applicant.id == sa.any_(sa.bindparam("applicant_ids", type_=postgresql.ARRAY(sa.Integer))))


def ranked_applicants(dialect: str) -> sa.Select:
    return RANKED_APPLICANTS_PG if dialect == "postgresql" else RANKED_APPLICANTS


# What the engine needs of some adverts: their criteria, and their homes' size, area and landlord.
ADVERTS_FOR_ENGINE = (
    sa.select(*Advert.__table__.c, Property.bedrooms, Property.area, Organisation.code.label("landlord"))
    .join(Property, Property.id == Advert.property_id)
    .join(Organisation, Organisation.id == Property.landlord_id)
    .where(_one_of(Advert.id, "advert_ids"))
)

# Withdrawing: the cycle's guard first (PostgreSQL), then the bid with its advert's and cycle's state.
GUARD_CYCLE_OF_BID = (sa.select(sa.func.pg_advisory_xact_lock_shared(CYCLE_LOCK_SPACE, Bid.cycle_id))
                      .where(Bid.id == sa.bindparam("bid_id")))
BID_TO_WITHDRAW = (
    sa.select(Bid.applicant_id, Bid.status, Advert.reference, Advert.status.label("advert_status"),
              Cycle.status.label("cycle_status"), Cycle.opens_at.label("cycle_opens_at"),
              Cycle.closes_at.label("cycle_closes_at"))
    .join(Advert, Advert.id == Bid.advert_id)
    .join(Cycle, Cycle.id == Bid.cycle_id)
    .where(Bid.id == sa.bindparam("bid_id"))
)
# Only an active bid changes: of two withdrawals racing, the second changes no row.
WITHDRAW_BID = (sa.update(Bid).where(Bid.id == sa.bindparam("bid_id"), Bid.status == BidStatus.ACTIVE)
                .values(status=BidStatus.WITHDRAWN, withdrawn_at=sa.bindparam("withdrawn_at")))

# A household's active bids in the open cycle, in its order of preference.
LIVE_BIDS = (
    sa.select(Bid.id, Bid.advert_id, Advert.reference, Bid.preference, Bid.placed_at, Bid.placed_by)
    .join(Advert, Advert.id == Bid.advert_id)
    .join(Cycle, Cycle.id == Bid.cycle_id)
    .where(Bid.applicant_id == sa.bindparam("applicant_id"), Bid.status == BidStatus.ACTIVE,
           Cycle.status == CycleStatus.OPEN)
    .order_by(Bid.preference)
)
