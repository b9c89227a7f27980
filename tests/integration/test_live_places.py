"""A household's live place in a queue ("My bids", an advert's page) is never stale: whatever changed
since the last view, and whichever process changed it, the next view shows the engine's fresh ranking.

Changes are made through a second Database (its own engine and connections), as another web worker or
the scheduler would make them: nothing in this process is told of them.
"""

import itertools
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

import matching
from cbl.database import Database
from cbl.models import Advert, Applicant, Bid, Organisation, Property
from cbl.models.states import BidStatus
from cbl.rules.working_days import local_date
from cbl.services import actors, engine_input
from cbl.services.bidding import live_bids, place_bid, withdraw_bid
from cbl.services.errors import Conflict
from tests.support.factories import NOW, add_advert, add_applicant, make_world


@pytest.fixture
def other(db) -> Iterator[Database]:
    """The same database as another process sees it."""
    database = Database(db.url)
    yield database
    database.dispose()


@pytest.fixture
def world(db, scheme):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=3)
        for reference, band in [("HR1", "C"), ("HR2", "B"), ("HR3", "D")]:
            add_applicant(s, scheme, world, reference, band=band)
    return world


def _row_version(db, applicant_id):
    with db.engine.connect() as connection:
        return connection.execute(sa.select(Applicant.row_version).where(Applicant.id == applicant_id)).scalar_one()


def _bid(database, scheme, world, reference, advert):
    with database.reading() as s:
        me = actors.applicant(s.get(Applicant, world.applicants[reference]))
    return database.run(place_bid, me, scheme, world.applicants[reference], advert, NOW)


def _places(db, scheme, applicant_id):
    """What "My bids" shows the household: advert -> (place or None, eligible bids, explanation)."""
    with db.reading() as s:
        return {bid.advert: (bid.position.position, bid.position.eligible_bids, bid.position.explanation)
                for bid in live_bids(s, scheme, s.get(Applicant, applicant_id), NOW)}


def _place(db, scheme, world, reference, advert="AD1"):
    return _places(db, scheme, world.applicants[reference])[advert][0]


# --- the row version ----------------------------------------------------------------------------

def test_every_update_of_a_household_moves_its_row_version_whoever_makes_it(db, other, world):
    one, two = world.applicants["HR1"], world.applicants["HR2"]
    start = _row_version(db, one)
    with db.transaction() as s:  # the ORM
        s.get(Applicant, one).band = "A"
    assert _row_version(db, one) == start + 1
    with other.engine.begin() as connection:  # Core, in another process's connection
        connection.execute(sa.update(Applicant).where(Applicant.id == one).values(band="B"))
    assert _row_version(db, one) == start + 2
    with other.engine.begin() as connection:  # nothing changed but the row was updated
        connection.execute(sa.update(Applicant).where(Applicant.id == one).values(band=Applicant.band))
    assert _row_version(db, one) == start + 3
    before = _row_version(db, two)
    with other.engine.begin() as connection:  # a bulk update: each row once
        connection.execute(sa.update(Applicant).where(Applicant.id.in_([one, two])).values(points=5))
    assert (_row_version(db, one), _row_version(db, two)) == (start + 4, before + 1)
    with other.engine.begin() as connection:  # an update that sets the version back cannot reuse a value
        connection.execute(sa.update(Applicant).where(Applicant.id == one).values(row_version=0, points=6))
    assert _row_version(db, one) == start + 5


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL's trigger sets the new row
def test_on_sqlite_the_trigger_moves_the_version_once_even_with_recursive_triggers_on(db, world):
    one = world.applicants["HR1"]
    start = _row_version(db, one)
    with db.engine.begin() as connection:
        assert connection.exec_driver_sql("PRAGMA recursive_triggers").scalar() == 0  # SQLite's default, kept
        connection.execute(sa.update(Applicant).where(Applicant.id == one).values(points=1))
    assert _row_version(db, one) == start + 1
    with db.engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA recursive_triggers = ON")
        connection.execute(sa.update(Applicant).where(Applicant.id == one).values(points=2))
        connection.exec_driver_sql("PRAGMA recursive_triggers = OFF")
    assert _row_version(db, one) == start + 2


# --- places move at once ------------------------------------------------------------------------

def test_a_band_change_made_by_another_process_moves_my_place_on_the_next_view(db, other, scheme, world):
    for reference in ("HR1", "HR2"):  # bands C and B
        _bid(db, scheme, world, reference, "AD1")
    assert _place(db, scheme, world, "HR1") == 2
    assert _place(db, scheme, world, "HR1") == 2  # viewed again: ranked from the memos
    with other.engine.begin() as connection:
        connection.execute(sa.update(Applicant).where(Applicant.id == world.applicants["HR2"])
                           .values(band="D", band_date=date(2026, 11, 1)))
    assert _place(db, scheme, world, "HR1") == 1
    with other.engine.begin() as connection:
        connection.execute(sa.update(Applicant).where(Applicant.id == world.applicants["HR2"])
                           .values(band="B", band_date=date(2024, 1, 1)))
    assert _place(db, scheme, world, "HR1") == 2  # back as it was: the first ranking again


def test_a_bid_placed_or_withdrawn_by_another_household_moves_my_place_at_once(db, other, scheme, world):
    _bid(db, scheme, world, "HR1", "AD1")  # band C
    assert _places(db, scheme, world.applicants["HR1"])["AD1"][:2] == (1, 1)
    theirs = _bid(other, scheme, world, "HR2", "AD1")  # band B, ahead
    assert _places(db, scheme, world.applicants["HR1"])["AD1"][:2] == (2, 2)
    _bid(other, scheme, world, "HR3", "AD1")  # band D, behind
    assert _places(db, scheme, world.applicants["HR1"])["AD1"][:2] == (2, 3)
    with other.reading() as s:
        them = actors.applicant(s.get(Applicant, world.applicants["HR2"]))
    other.run(withdraw_bid, them, theirs.id, NOW)
    assert _places(db, scheme, world.applicants["HR1"])["AD1"][:2] == (1, 2)


def test_a_change_to_the_advert_by_another_process_is_seen_at_once(db, other, scheme, world):
    _bid(db, scheme, world, "HR1", "AD1")
    assert _place(db, scheme, world, "HR1") == 1
    with other.engine.begin() as connection:  # now for households of three or more
        connection.execute(sa.update(Advert).where(Advert.reference == "AD1").values(min_household=3))
    place, eligible, explanation = _places(db, scheme, world.applicants["HR1"])["AD1"]
    assert (place, eligible) == (None, 0) and explanation.startswith("Not eligible")


# --- the place is always the engine's fresh ranking --------------------------------------------

def _fresh_places(db, scheme, advert_ids):
    """Each bidder's (place, eligible bids, explanation) on each advert, ranked afresh from ORM rows."""
    today, policy = local_date(NOW), engine_input.policy(scheme)
    places = {}
    with db.reading() as s:
        for advert_id in advert_ids:
            advert, home, landlord = s.exec(select(Advert, Property, Organisation.code)
                                            .join(Property, Property.id == Advert.property_id)
                                            .join(Organisation, Organisation.id == Property.landlord_id)
                                            .where(Advert.id == advert_id)).one()
            bidders = s.exec(select(Applicant).join(Bid, Bid.applicant_id == Applicant.id)
                             .where(Bid.advert_id == advert_id, Bid.status == BidStatus.ACTIVE)).all()
            records = {a.reference: engine_input.to_applicant(a, scheme, today) for a in bidders}
            engine_advert = engine_input.to_advert(advert, home, landlord)
            entries = matching.rank_advert(engine_advert, [matching.Bid(r, engine_advert.id, 1) for r in records],
                                           records, policy)
            eligible = sum(entry.eligible for entry in entries)
            for entry in entries:
                places[(advert.reference, entry.applicant)] = (entry.position, eligible, entry.explanation)
    return places


@pytest.fixture
def empty_world(db, scheme):
    with db.transaction() as s:
        return make_world(s, scheme, adverts=0)


@pytest.fixture
def examples():
    return itertools.count()


HOUSEHOLDS = st.lists(st.tuples(st.sampled_from("ABCD"), st.integers(0, 3), st.integers(0, 2)), min_size=2,
                      max_size=6)  # band, band date (one of four: ties happen), children
CHANGES = st.lists(st.one_of(
    st.tuples(st.just("band"), st.integers(0, 5), st.sampled_from("ABCD"), st.integers(0, 3)),
    st.tuples(st.just("bid"), st.integers(0, 5), st.integers(0, 2)),
    st.tuples(st.just("withdraw"), st.integers(0, 5), st.integers(0, 2)),
    st.tuples(st.just("household"), st.integers(0, 2), st.sampled_from([None, 2, 3])),  # an advert's max_household
    st.tuples(st.just("suspend"), st.integers(0, 5)),
), min_size=1, max_size=6)
BAND_DATES = [date(2023, 6, 1), date(2024, 1, 1), date(2024, 1, 2), date(2025, 3, 1)]


@settings(max_examples=12, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(households=HOUSEHOLDS, bids=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2)), max_size=10),
       changes=CHANGES)
def test_every_live_place_is_the_fresh_ranking_after_any_change_by_anyone(db, other, scheme, empty_world, examples,
                                                                          households, bids, changes):
    # Each example adds its own adverts and households to the test's database (the fixtures are made once
    # for all the examples): this process's memos see every example, as a worker's would see a day of changes.
    world, number = empty_world, next(examples)
    references = [f"X{number}-{i}" for i in range(len(households))]
    adverts = [f"X{number}-AD{i}" for i in range(3)]
    with db.transaction() as s:
        advert_ids = [add_advert(s, world, reference, bedrooms=1 + i).id for i, reference in enumerate(adverts)]
        for reference, (band, band_date, children) in zip(references, households, strict=True):
            add_applicant(s, scheme, world, reference, band=band, band_date=BAND_DATES[band_date], children=children)
    placed = {}

    def bid(who: int, advert: int) -> None:
        if who < len(references) and (who, advert) not in placed:
            try:
                placed[(who, advert)] = _bid(other, scheme, world, references[who], adverts[advert]).id
            except Conflict:
                pass  # not eligible, suspended or at the limit, as the service says

    def check() -> None:
        fresh = _fresh_places(db, scheme, advert_ids)
        for reference in references:
            for advert, place in _places(db, scheme, world.applicants[reference]).items():
                assert place == fresh[(advert, reference)], (advert, reference)

    for who, advert in bids:
        bid(who, advert)
    check()
    for change in changes:
        _change(other, world, references, adverts, placed, bid, change)
        check()


def _change(other, world, references, adverts, placed, bid, change):
    kind, *values = change
    if kind == "bid":
        bid(*values)
    elif kind == "withdraw":
        who, advert = values
        if (bid_id := placed.pop((who, advert), None)) is not None:
            with other.reading() as s:
                me = actors.applicant(s.get(Applicant, world.applicants[references[who]]))
            other.run(withdraw_bid, me, bid_id, NOW)
    elif kind == "household":
        advert, most = values
        with other.engine.begin() as connection:
            connection.execute(sa.update(Advert).where(Advert.reference == adverts[advert])
                               .values(max_household=most))
    elif values[0] < len(references):  # a band change, or a suspension, of one household
        changed = ({"band": values[1], "band_date": BAND_DATES[values[2]]} if kind == "band"
                   else {"suspended_until": NOW.date() + timedelta(days=5)})
        with other.engine.begin() as connection:
            connection.execute(sa.update(Applicant).where(Applicant.id == world.applicants[references[values[0]]])
                               .values(**changed))


def test_a_worker_ranks_the_open_cycle_as_it_starts_so_the_first_view_reads_no_bidders(db, scheme, world):
    from sqlalchemy import event

    from cbl.services import live_rankings
    from cbl.services.bidding import rank_open_cycle

    for reference in ("HR1", "HR2", "HR3"):
        _bid(db, scheme, world, reference, "AD1")

    def bidders_read() -> bool:
        """Whether "My bids" read any bidder's record (the engine's columns) to show HR1 its place (2nd)."""
        ran: list[str] = []

        def seen(_connection, _cursor, statement, *_args) -> None:  # noqa: ANN001
            ran.append(statement)

        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            assert _place(db, scheme, world, "HR1") == 2
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        # The engine's columns alone (the household signed in is read whole, with its password hash).
        return any("lead_date_of_birth" in statement and "password_hash" not in statement for statement in ran)

    live_rankings.forget()
    assert rank_open_cycle(db, scheme, NOW) == 3  # the open cycle's live adverts
    assert not bidders_read()
    live_rankings.forget()
    assert bidders_read()  # a cold view reads them
