"""A close reads its cycle as plain rows and writes its shortlists in bulk (COPY on PostgreSQL, one
executemany on SQLite): it ranks exactly the input that reading ORM objects gives, and stores exactly the
rows that writing an ORM object a row stores."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

import matching
from cbl.models import Advert, Applicant, Bid, Organisation, Property, ShortlistEntry
from cbl.models.states import AdvertStatus, ApplicationStatus, BidStatus
from cbl.services import close_rows, engine_input
from tests.support.factories import NOW, add_advert, add_applicant, make_world

TODAY = NOW.date()


@pytest.fixture
def world(db, scheme):
    """Households of every kind the engine tells apart, bidding on homes some of them cannot have, with a
    withdrawn bid and a bid on an advert taken out of the cycle."""
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=3)
        add_advert(s, world, "AD-FAMILY", bedrooms=3, min_bedroom_need=2, preference_groups=["local:Riverside"])
        add_advert(s, world, "AD-GONE").status = AdvertStatus.WITHDRAWN
        households = [
            ("HR1", {"band": "A", "needs": ["wheelchair"], "local_connection": ["Riverside"], "homeless_duty": True}),
            ("HR2", {"band": "B", "children": 2, "local_connection": ["Riverside", "Northgate"]}),
            ("HR3", {"band": "C", "transfer_tenant": True, "housing_debt": True, "points": 40}),
            ("HR4", {"band": "B", "suspended_until": TODAY + timedelta(days=30)}),
            ("HR5", {"band": "D", "status": ApplicationStatus.PENDING, "born": date(1950, 2, 3)}),
            ("HR6", {"band": "A", "band_date": date(2020, 6, 1), "needs": ["step_free", "wheelchair"]}),
        ]
        for reference, fields in households:
            add_applicant(s, scheme, world, reference, **fields)
        adverts = dict(s.exec(select(Advert.reference, Advert.id)).all())
        bids = {"HR1": ["AD2", "AD1", "AD-FAMILY"], "HR2": ["AD-FAMILY", "AD1"], "HR3": ["AD1", "AD-GONE"],
                "HR4": ["AD1"], "HR5": ["AD2"], "HR6": ["AD1", "AD2", "AD3"]}
        s.connection().execute(sa.insert(Bid), [
            {"advert_id": adverts[advert], "applicant_id": world.applicants[reference], "cycle_id": world.cycle,
             "status": BidStatus.WITHDRAWN if (reference, advert) == ("HR6", "AD3") else BidStatus.ACTIVE,
             "preference": preference, "placed_at": NOW, "placed_by": "applicant"}
            for reference, chosen in bids.items() for preference, advert in enumerate(chosen, start=1)])
    return world


def orm_instance(session, scheme, cycle_id: int) -> matching.Instance:
    """The engine's input read as ORM objects, the way the close read it before it read plain rows."""
    rows = session.exec(select(Advert, Property, Organisation.code)
                        .join(Property, Property.id == Advert.property_id)
                        .join(Organisation, Organisation.id == Property.landlord_id)
                        .where(Advert.cycle_id == cycle_id, Advert.status == AdvertStatus.LIVE)
                        .order_by(Advert.id)).all()
    reference_of = {advert.id: advert.reference for advert, _, _ in rows}
    applicants: dict[str, matching.Applicant] = {}
    bids = []
    for bid, applicant in session.exec(select(Bid, Applicant).join(Applicant, Applicant.id == Bid.applicant_id)
                                       .where(Bid.cycle_id == cycle_id, Bid.status == BidStatus.ACTIVE)
                                       .order_by(Bid.id)):
        if bid.advert_id in reference_of:
            applicants.setdefault(applicant.reference, engine_input.to_applicant(applicant, scheme, TODAY))
            bids.append(matching.Bid(applicant.reference, reference_of[bid.advert_id], bid.preference))
    return matching.Instance(applicants=tuple(applicants.values()),
                             adverts=tuple(engine_input.to_advert(a, h, code) for a, h, code in rows),
                             bids=tuple(bids), policy=engine_input.policy(scheme),
                             agreements=engine_input.to_agreements({a.agreement_id for a, _, _ in rows
                                                                    if a.agreement_id}, []))


STORED = sa.text("SELECT advert_id, applicant_id, bid_id, position, eligible, CAST(reasons AS TEXT), explanation, "
                 "proposed, status, skip_reason, skip_note, decided_by_id, decided_at FROM shortlist_entry "
                 "ORDER BY advert_id, applicant_id")


def test_the_close_reads_what_orm_objects_give_and_stores_what_an_orm_object_a_row_stores(db, scheme, world):
    with db.transaction() as s:
        instance, ids = close_rows.engine_instance(s.connection(), scheme, world.cycle, TODAY)
        assert instance == orm_instance(s, scheme, world.cycle)
        assert {bid.advert for bid in instance.bids} == {"AD1", "AD2", "AD-FAMILY"}  # not the withdrawn advert
        assert ("HR6", "AD3") not in ids.bid  # nor the withdrawn bid
        assert [a.status for a in instance.applicants if a.id in ("HR4", "HR5")] == ["suspended", "pending"]
        result = matching.solve(instance)
        assert close_rows.store_shortlists(s.connection(), result, ids) == 4  # AD3 with none left
        in_bulk = s.connection().execute(STORED).all()
        s.connection().execute(sa.delete(ShortlistEntry))
    with db.transaction() as s:
        for advert, entries in result.shortlists.items():
            s.add_all(ShortlistEntry(
                advert_id=ids.advert[advert], applicant_id=ids.applicant[entry.applicant],
                bid_id=ids.bid[(entry.applicant, advert)], position=entry.position, eligible=entry.eligible,
                reasons=[{"code": r.code, "message": r.message} for r in entry.reasons],
                explanation=entry.explanation, proposed=entry.applicant == result.allocation.get(advert))
                for entry in entries)
        s.flush()
        one_by_one = s.connection().execute(STORED).all()
    assert in_bulk == one_by_one
    assert len(in_bulk) == 10
    assert any(row[5] != "[]" for row in in_bulk) and any(row[7] for row in in_bulk)  # reasons, and a proposal
