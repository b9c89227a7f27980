"""The audit trail is append-only in the database, and `cbl audit verify` finds a let whose history
is missing a step."""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from cbl.models import AuditEvent, Void
from cbl.services.actors import SYSTEM
from cbl.services.audit_check import verify_lets


def _an_event(db) -> int:
    with db.transaction() as s:
        s.add(AuditEvent(actor_kind="system", actor_name="system", action="test.event", subject_type="void",
                         details={}))
    with db.reading() as s:
        return s.exec(select(AuditEvent.id)).first()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET action = 'rewritten' WHERE id = :id",
    "DELETE FROM audit_event WHERE id = :id",
])
def test_no_one_can_change_or_remove_an_audit_event(db, statement):
    event_id = _an_event(db)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with db.transaction() as s:
            s.execute(sa.text(statement), {"id": event_id})
    with db.reading() as s:
        assert s.get(AuditEvent, event_id).action == "test.event"


def test_an_audit_event_cannot_be_truncated_away_on_postgresql(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    _an_event(db)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with db.transaction() as s:
            s.execute(sa.text("TRUNCATE audit_event CASCADE"))


def _let_through_the_services(db, scheme, world, home_reference: str) -> None:
    from datetime import datetime, timedelta, timezone

    from cbl.models import Applicant, Property, StaffRole, StaffUser
    from cbl.services.passwords import hash_password
    from cbl.services import actors
    from cbl.services.direct_offers import decide_direct_offer, request_direct_offer
    from cbl.models.states import TenancyType
    from cbl.rules.working_days import local_date
    from cbl.services.lettings import record_tenancy_start
    from cbl.services.offers import accept_offer
    from cbl.services.stock import log_void

    now = datetime.now(timezone.utc)
    with db.transaction() as s:
        s.add(StaffUser(organisation_id=world.council, email="boss@example.org", name="Bo Manager",
                        role=StaffRole.MANAGER, password_hash=hash_password("x" * 12)))
        home = Property(landlord_id=world.council, reference=home_reference, address="1 Audit Lane",
                        postcode="AT1 1AA", area="Northgate", property_type="flat", bedrooms=1, weekly_rent_pence=9000)
        s.add(home)
        s.get(Applicant, world.applicants["HR000001"]).verified = True
        s.flush()
        officer = actors.staff(s.get(StaffUser, world.officer))
        void = log_void(s, officer, home.id, now.date() - timedelta(days=10), "Moved", False, now)
        proposal = request_direct_offer(s, officer, scheme, void.id, "HR000001", "decant", "Block repairs", False, now)
    with db.reading() as s:
        manager = actors.staff(s.exec(select(StaffUser).where(StaffUser.email == "boss@example.org")).one())
        household = actors.applicant(s.get(Applicant, world.applicants["HR000001"]))
    offer_id = db.run(decide_direct_offer, manager, scheme, proposal.id, True, "", now).offer_id
    db.run(accept_offer, household, offer_id, now)
    db.run(record_tenancy_start, officer, offer_id, now.date() + timedelta(days=3), now,
           tenancy_type=TenancyType.SECURE, rent_at_let_pence=9_500, keys_given_on=local_date(now))


def test_verify_passes_a_let_made_through_the_services_and_finds_one_made_behind_their_back(db, scheme, tmp_path,
                                                                                          monkeypatch, capsys):
    from cbl import cli
    from tests.support.factories import add_applicant, make_world

    with db.transaction() as s:
        world = make_world(s, scheme, adverts=1)
        add_applicant(s, scheme, world, "HR000001", band="A")
    _let_through_the_services(db, scheme, world, "AUD-1")
    assert db.run(lambda s: verify_lets(s, SYSTEM)) == (1, [])
    # A home marked let straight in the database: no void logged, no offer, no tenancy start on record.
    with db.transaction() as s:
        forced = s.exec(select(Void).where(Void.status == "open")).first()
        s.execute(sa.text("UPDATE void SET status = 'let', tenancy_start_date = :day WHERE id = :id"),
                  {"day": forced.tenancy_end_date, "id": forced.id})
    checked, gaps = db.run(lambda s: verify_lets(s, SYSTEM))
    assert checked == 2 and {gap.void_id for gap in gaps} == {forced.id}
    assert any("void being logged" in gap.missing for gap in gaps)
    monkeypatch.setenv("CBL_DATABASE_URL", db.url)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["audit", "verify"]) == 1
    printed = capsys.readouterr().out
    assert "2 lets checked" in printed and "P-AD1" in printed
