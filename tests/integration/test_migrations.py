"""Alembic builds the schema from empty on each database, it matches the models, and the app refuses an old schema."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import cbl.models
from cbl.models.search_keys import declared
from cbl.database import (
    Database, SchemaOutOfDate, check_schema, create_engine, current_revision, head_revision, upgrade,
)


def test_upgrade_from_empty_creates_every_table_and_matches_the_models(database_url):
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        assert current_revision(engine) == head_revision()
        assert set(cbl.models.metadata.tables) <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                  "include_object": _not_search_index})
            assert compare_metadata(context, cbl.models.metadata) == []
    finally:
        engine.dispose()


def _not_search_index(item: object, name: str | None, kind: str, reflected: bool, compared_to: object) -> bool:
    # The searches' trigram indexes (PostgreSQL) and full-text tables (SQLite) are the migrations' (0011, 0027),
    # not in the models.
    return declared(name)


def test_the_app_refuses_an_unmigrated_database_and_says_what_to_run(database_url, scheme):
    from cbl.app import create_app
    from cbl.settings import load_settings

    db = Database(database_url)
    try:
        with pytest.raises(SchemaOutOfDate, match="cbl db upgrade"):
            check_schema(db)
        with pytest.raises(SchemaOutOfDate, match="empty"):
            create_app(load_settings({"CBL_DATABASE_URL": database_url, "CBL_SECRET_KEY": "x"}), db=db, scheme=scheme)
    finally:
        db.dispose()


def test_upgrade_is_safe_to_run_twice(database_url):
    upgrade(database_url)
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_links_sent_before_one_kind_of_password_link_keep_working_after_the_upgrade_and_back(database_url, scheme):
    """Migration 0019 moves staff invitations and officers' links into password_link, and back on downgrade."""
    from datetime import datetime, timedelta, timezone

    import sqlalchemy as sa
    from alembic import command

    from cbl.database import alembic_config
    from cbl.services import password_links
    from cbl.services.sign_in import digest
    from tests.support.factories import add_applicant, make_world

    # The world is made by today's models, then the database taken back to before the password links.
    upgrade(database_url)
    db = Database(database_url)
    ends = datetime.now(timezone.utc) + timedelta(days=2)
    stored = ends.replace(tzinfo=None) if database_url.startswith("sqlite") else ends
    try:
        with db.transaction() as s:
            world = make_world(s, scheme, adverts=1)
            applicant = add_applicant(s, scheme, world, "HR000001")
        db.dispose()
        command.downgrade(alembic_config(database_url), "0018")
        with db.transaction() as s:  # the tables these need are as they were at 0018
            s.execute(sa.text("INSERT INTO staff_invitation (staff_user_id, token_hash, created_at, expires_at) "
                              "VALUES (:who, :hash, :at, :ends)"),
                      {"who": world.officer, "hash": digest("invited"), "at": stored, "ends": stored})
            s.execute(sa.text("INSERT INTO sign_in_token (applicant_id, token_hash, expires_at) VALUES (:who, :hash, "
                              ":ends)"), {"who": applicant.id, "hash": digest("given"), "ends": stored})
        upgrade(database_url)
        before_the_end = ends - timedelta(hours=1)
        with db.reading() as s:
            assert password_links.check(s, password_links.STAFF, "invited", before_the_end).id == world.officer
            assert password_links.check(s, password_links.APPLICANT, "given", before_the_end).id == applicant.id
            # The old table kept no creation time: taken as the link's lifetime before its end (to the second).
            made = password_links.latest(s, applicant).created_at
            assert abs(made - (ends - password_links.GIVEN_LIFETIME)) < timedelta(seconds=1)
        command.downgrade(alembic_config(database_url), "0018")
        with db.reading() as s:
            assert s.execute(sa.text("SELECT token_hash FROM staff_invitation")).scalars().all() == [digest("invited")]
            assert s.execute(sa.text("SELECT token_hash FROM sign_in_token")).scalars().all() == [digest("given")]
    finally:
        db.dispose()


def test_a_password_link_names_one_account_of_three_kinds_and_household_links_end_on_downgrade(database_url, scheme):
    """Migration 0025: links for households' own accounts; going back, those links end and the others stay."""
    from datetime import datetime, timedelta, timezone

    import sqlalchemy as sa
    from alembic import command

    from cbl.database import alembic_config
    from cbl.models import HouseholdAccount, PasswordLink
    from cbl.models.states import PasswordLinkPurpose
    from cbl.services import password_links
    from tests.support.factories import PASSWORD_HASH, add_applicant, make_world

    upgrade(database_url)
    db = Database(database_url)
    at = datetime.now(timezone.utc)
    try:
        with db.transaction() as s:
            world = make_world(s, scheme, adverts=1)
            applicant = add_applicant(s, scheme, world, "HR000001")
            account = HouseholdAccount(email="ada@example.net", password_hash=PASSWORD_HASH, confirmed_at=at)
            s.add(account)
            s.flush()
            password_links.issue(s, applicant, PasswordLinkPurpose.RESET, timedelta(hours=1), at)
            password_links.issue(s, account, PasswordLinkPurpose.RESET, timedelta(hours=1), at)
        with pytest.raises(sa.exc.IntegrityError), db.transaction() as s:
            s.add(PasswordLink(applicant_id=applicant.id, household_account_id=account.id, token_hash="two",
                               purpose=PasswordLinkPurpose.RESET, expires_at=at))
        command.downgrade(alembic_config(database_url), "0024")
        with db.reading() as s:
            assert s.execute(sa.text("SELECT applicant_id FROM password_link")).scalars().all() == [applicant.id]
        upgrade(database_url)
    finally:
        db.dispose()


def test_auditors_are_a_role_the_database_takes_after_0028_and_refuses_before_it(db, scheme):
    """Migration 0028 widens staff_user's role constraint in place (on SQLite by editing its stored definition, as a
    rebuild would fail the foreign keys of a database with data); going back is refused while auditors exist."""
    import sqlalchemy as sa
    from alembic import command

    from cbl.database import alembic_config
    from cbl.models import CaseNote, StaffUser
    from cbl.models.states import StaffRole
    from tests.support.factories import PASSWORD_HASH, add_applicant, make_world

    with db.transaction() as s:  # staff named by other rows: a rebuilt staff_user would break their foreign keys
        world = make_world(s, scheme, adverts=1)
        applicant = add_applicant(s, scheme, world, "HR000001")
        s.add(CaseNote(applicant_id=applicant.id, text="Called", written_by_id=world.officer))
        auditor = StaffUser(organisation_id=world.council, email="audit@example.org", name="Ann Auditor",
                            role=StaffRole.AUDITOR, password_hash=PASSWORD_HASH)
        s.add(auditor)
    config = alembic_config(db.url)
    db.dispose()
    with pytest.raises(RuntimeError, match="1 staff accounts are auditors"):
        command.downgrade(config, "0027")
    with db.transaction() as s:
        s.execute(sa.text("UPDATE staff_user SET role = 'manager' WHERE email = 'audit@example.org'"))
    db.dispose()
    command.downgrade(config, "0027")
    with pytest.raises(sa.exc.IntegrityError), db.transaction() as s:
        s.execute(sa.text("UPDATE staff_user SET role = 'auditor' WHERE email = 'audit@example.org'"))
    db.dispose()
    upgrade(db.url)
    with db.transaction() as s:
        s.execute(sa.text("UPDATE staff_user SET role = 'auditor' WHERE email = 'audit@example.org'"))
    with db.reading() as s:
        assert s.exec(sa.select(StaffUser.role).where(StaffUser.email == "audit@example.org")).one()[0] \
            is StaffRole.AUDITOR
        assert s.exec(sa.select(CaseNote.written_by_id)).one()[0] == world.officer
        if db.url.startswith("sqlite"):
            assert s.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
            assert s.execute(sa.text("PRAGMA foreign_key_check")).all() == []


def test_shortlist_entries_keep_their_rows_and_places_through_0036_and_refer_to_their_own_bid(db, scheme):
    """Migration 0036 gives shortlist_entry one foreign key, to (bid, advert, household): on SQLite by copying the
    tables, which the pre-offer checks on an entry refer to. The entries and their checks survive down and up, and
    an entry naming another household's bid is refused."""
    import sqlalchemy as sa
    from alembic import command

    from cbl.database import alembic_config
    from datetime import timedelta

    from cbl.models import Advert, Bid, Cycle, PreOfferCheck, ShortlistEntry
    from cbl.models.states import OfferCheckKind
    from cbl.services.actors import SYSTEM
    from cbl.services.cycles import close_cycle
    from tests.support.factories import NOW, add_applicant, make_world

    with db.transaction() as s:
        world = make_world(s, scheme, adverts=2)
        advert = s.exec(sa.select(Advert.id).where(Advert.reference == "AD1")).scalar_one()
        for reference in ("HR000001", "HR000002"):
            applicant = add_applicant(s, scheme, world, reference)
            s.add(Bid(advert_id=advert, applicant_id=applicant.id, cycle_id=world.cycle, preference=1))
        closes_at = s.get(Cycle, world.cycle).closes_at
    assert db.run(close_cycle, SYSTEM, scheme, world.cycle, closes_at + timedelta(minutes=1))
    with db.transaction() as s:
        entry = s.exec(sa.select(ShortlistEntry).order_by(ShortlistEntry.id)).scalars().first()
        s.add(PreOfferCheck(entry_id=entry.id, applicant_id=entry.applicant_id, kind=OfferCheckKind.FRAUD,
                            passed=True, recorded_at=NOW))

    def rows() -> list[tuple]:
        with db.reading() as s:
            return [tuple(row) for row in s.execute(sa.text(
                "SELECT e.id, e.advert_id, e.applicant_id, e.bid_id, e.position, c.kind FROM shortlist_entry e "
                "LEFT JOIN pre_offer_check c ON c.entry_id = e.id ORDER BY e.id"))]

    before = rows()
    assert len(before) == 2
    config = alembic_config(db.url)
    db.dispose()
    command.downgrade(config, "0035")
    db.dispose()
    assert rows() == before
    upgrade(db.url)
    db.dispose()
    assert rows() == before
    other_bid = before[1][3]
    with pytest.raises(sa.exc.IntegrityError), db.transaction() as s:  # household 1's place on household 2's bid
        s.execute(sa.text("UPDATE shortlist_entry SET bid_id = :bid WHERE id = :id"),
                  {"bid": other_bid, "id": before[0][0]})
    with db.reading() as s:
        if db.url.startswith("sqlite"):
            assert s.execute(sa.text("PRAGMA foreign_key_check")).all() == []
            conditions = dict(s.execute(sa.text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN "
                "('ix_bid_active_advert_id', 'ix_shortlist_entry_housed', 'ix_shortlist_entry_waiting')")).all())
            assert len(conditions) == 3 and all("WHERE" in sql for sql in conditions.values())
