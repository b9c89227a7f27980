"""The statements the bid path runs, built once.

Placing a bid is the busiest write in the system; building these SQLAlchemy statements anew on
every request cost more CPU than running them. Parameters are bound by name at execution.
"""

import sqlalchemy as sa

from cbl.services.engine_input import RANKED_COLUMNS
from cbl.database import CYCLE_LOCK_SPACE, HOUSEHOLD_BIDS_LOCK_SPACE, HotStatement
from cbl.models import Advert, Applicant, AuditEvent, Bid, Cycle, Offer, Organisation, Property
from cbl.models.states import BidStatus, CycleStatus, OfferStatus
from cbl.services.audit import EVENT_FIELDS
from cbl.services.sign_in import token_holder

# PostgreSQL, first: the cycle's shared guard (see database.guard_cycle), and the household's own
# lock, so that its bids are counted one request at a time. Both are held until commit, and what
# the next statement reads is read after they are granted.
GUARD_CYCLE_AND_HOUSEHOLD = HotStatement(sa.select(
    sa.func.pg_advisory_xact_lock_shared(CYCLE_LOCK_SPACE, Advert.cycle_id),
    sa.func.pg_advisory_xact_lock(HOUSEHOLD_BIDS_LOCK_SPACE, sa.bindparam("applicant_id")),
).where(Advert.reference == sa.bindparam("reference")))

# The same two guards for a bid through the API, taken in the statement that reads whose token it
# is (one round trip fewer). The row it returns was read before the locks were granted: only its
# id and reference are used; BID_CHECKS reads the household again once they are held.
TOKEN_HOLDER_AND_GUARD = HotStatement(
    token_holder(sa.func.pg_advisory_xact_lock_shared(CYCLE_LOCK_SPACE, Advert.cycle_id),
                 sa.func.pg_advisory_xact_lock(HOUSEHOLD_BIDS_LOCK_SPACE, Applicant.id))
    .outerjoin(Advert, Advert.reference == sa.bindparam("reference"))
)

_applicant = Applicant.__table__.alias("applicant_row")
_this_home = (Bid.applicant_id == _applicant.c.id, Bid.advert_id == Advert.id)
_this_cycle = (Bid.applicant_id == _applicant.c.id, Bid.cycle_id == Advert.cycle_id)

# Then, in one statement: the household, the advert, what the engine needs of its home and
# landlord, its cycle's state, and everything the limits need (an earlier bid on this home,
# bids used this cycle, the last preference given, offers awaiting an answer).
BID_CHECKS = HotStatement(
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

_EVENT = AuditEvent.__table__.c


def _with_event(change: sa.CTE) -> HotStatement:
    """PostgreSQL: a change to a bid (a CTE returning the bid's id) and its audit event in one
    statement, one round trip fewer on the busiest writes. The event's values are bound as
    event_<column>; its subject is the bid changed. No row back: nothing was changed."""
    return HotStatement(
        sa.insert(AuditEvent).add_cte(change)
        .from_select(EVENT_FIELDS, sa.select(*(
            change.c.id if name == "subject_id" else sa.bindparam(f"event_{name}", type_=_EVENT[name].type)
            for name in EVENT_FIELDS)).select_from(change))
        .returning(AuditEvent.subject_id)
    )


_BID_FIELDS = ("advert_id", "applicant_id", "cycle_id", "status", "preference", "placed_at", "placed_by",
               "withdrawn_at", "placed_by_staff_id")
INSERT_BID_AND_EVENT = _with_event(
    sa.insert(Bid).values({name: sa.bindparam(name) for name in _BID_FIELDS}).returning(Bid.id).cte("new_bid"))
REPLACE_BID = sa.update(Bid).where(Bid.id == sa.bindparam("bid_id"))

# Every active bid on some adverts (whose it is), then what the engine ranks those households by:
# two lookups by index. As one join, PostgreSQL hashed the whole register for a few dozen bids.
ACTIVE_BIDDERS = HotStatement.with_list(lambda one_of: (
    sa.select(Bid.advert_id, Bid.applicant_id)
    .where(one_of(Bid.advert_id, "advert_ids"), Bid.status == BidStatus.ACTIVE)
))
RANKED_APPLICANTS = HotStatement.with_list(lambda one_of: (
    sa.select(*(Applicant.__table__.c[name] for name in RANKED_COLUMNS)).where(one_of(Applicant.id, "applicant_ids"))
))

# What the engine needs of some adverts: their criteria, and their homes' size, area and landlord.
ADVERTS_FOR_ENGINE = HotStatement.with_list(lambda one_of: (
    sa.select(*Advert.__table__.c, Property.bedrooms, Property.area, Organisation.code.label("landlord"))
    .join(Property, Property.id == Advert.property_id)
    .join(Organisation, Organisation.id == Property.landlord_id)
    .where(one_of(Advert.id, "advert_ids"))
))

# What changes when an advert's bids change: placed (count, newest, re-bid time) or withdrawn.
BID_FINGERPRINTS = HotStatement.with_list(lambda one_of: (
    sa.select(Bid.advert_id, sa.func.count(), sa.func.max(Bid.id), sa.func.max(Bid.placed_at),
              sa.func.max(Bid.withdrawn_at), sa.func.sum(sa.case((Bid.status == BidStatus.ACTIVE, 1), else_=0)))
    .where(one_of(Bid.advert_id, "advert_ids"))
    .group_by(Bid.advert_id)
))

# Withdrawing: the cycle's guard first (PostgreSQL), then the bid with its advert's and cycle's state.
GUARD_CYCLE_OF_BID = HotStatement(sa.select(sa.func.pg_advisory_xact_lock_shared(CYCLE_LOCK_SPACE, Bid.cycle_id))
                                  .where(Bid.id == sa.bindparam("bid_id")))
BID_TO_WITHDRAW = HotStatement(
    sa.select(Bid.applicant_id, Bid.status, Advert.reference, Advert.status.label("advert_status"),
              Cycle.status.label("cycle_status"), Cycle.opens_at.label("cycle_opens_at"),
              Cycle.closes_at.label("cycle_closes_at"))
    .join(Advert, Advert.id == Bid.advert_id)
    .join(Cycle, Cycle.id == Bid.cycle_id)
    .where(Bid.id == sa.bindparam("bid_id"))
)
_withdraw = (sa.update(Bid).where(Bid.id == sa.bindparam("bid_id"), Bid.status == BidStatus.ACTIVE)
             .values(status=BidStatus.WITHDRAWN, withdrawn_at=sa.bindparam("withdrawn_at")))
WITHDRAW_BID = HotStatement(_withdraw)
WITHDRAW_BID_AND_EVENT = _with_event(_withdraw.returning(Bid.id).cte("withdrawn_bid"))

# A household's active bids in the open cycle, in its order of preference.
LIVE_BIDS = HotStatement(
    sa.select(Bid.id, Bid.advert_id, Advert.reference, Bid.preference, Bid.placed_at, Bid.placed_by)
    .join(Advert, Advert.id == Bid.advert_id)
    .join(Cycle, Cycle.id == Bid.cycle_id)
    .where(Bid.applicant_id == sa.bindparam("applicant_id"), Bid.status == BidStatus.ACTIVE,
           Cycle.status == CycleStatus.OPEN)
    .order_by(Bid.preference)
)
