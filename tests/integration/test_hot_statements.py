"""HotStatement (the bid path's statements on the driver's cursor) gives what SQLAlchemy gives."""

import psycopg
import pytest
import sqlalchemy as sa

from cbl.database import HotStatement
from cbl.models import Applicant, AuditEvent
from cbl.services import bid_statements as statements
from cbl.services.actors import SYSTEM
from cbl.services.audit import Subject, audit
from tests.support.databases import ADMIN_URL
from tests.support.factories import add_applicant, make_world


@pytest.fixture
def world(db, scheme):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=2)
        add_applicant(s, scheme, world, "HR1", band="B")
        audit(s, SYSTEM, "test.event", Subject("applicant", world.applicants["HR1"], world.applicants["HR1"]),
              {"advert": "AD1", "list": [1, 2]})
    return world


def test_rows_carry_the_same_values_as_sqlalchemy_gives(db, world):
    checks = {"reference": "AD1", "applicant_id": world.applicants["HR1"]}
    event = HotStatement(sa.select(AuditEvent.__table__).where(AuditEvent.action == sa.bindparam("action")))
    with db.transaction() as s:
        connection = s.connection()
        for hot, names in ((statements.BID_CHECKS, checks), (event, {"action": "test.event"})):
            expected = connection.execute(hot.statement, names).one()._asdict()
            row = hot.first(connection, names)
            got = {name: getattr(row, name) for name in expected}
            assert got == expected  # states as enums, instants aware, JSON decoded
        assert statements.BID_CHECKS.first(connection, {**checks, "reference": "NOPE"}) is None
    assert type(got["at"].tzinfo) is type(expected["at"].tzinfo) and got["at"].utcoffset().total_seconds() == 0


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # the driver path is PostgreSQL's
def test_driver_errors_arrive_as_sqlalchemys_and_a_lost_connection_is_replaced(db, world):
    broken = HotStatement(sa.select(sa.literal_column("1/0").label("x")))
    with pytest.raises(sa.exc.DataError), db.transaction() as s:
        broken.first(s.connection(), {})
    with db.transaction() as s:
        backend = s.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend])
    lookup = HotStatement(sa.select(Applicant.reference).where(Applicant.id == sa.bindparam("id")))
    with pytest.raises(sa.exc.OperationalError), db.transaction() as s:  # answered 503 by the web layer
        lookup.first(s.connection(), {"id": world.applicants["HR1"]})
    with db.transaction() as s:  # the dead connection was not put back in the pool
        assert lookup.first(s.connection(), {"id": world.applicants["HR1"]}).reference == "HR1"
