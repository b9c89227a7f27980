"""The register and homes searches, field by field, on each database: one small register built once per database
for the module (nothing here changes what the other tests search for), searched through the queries the pages
call; and the keys they search kept in step by the services and the import that write the rows."""

from collections.abc import Iterator
from contextlib import nullcontext
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from hypothesis import given, settings, strategies as st
from sqlmodel import select

from cbl.database import Database
from cbl.models import Applicant, HouseholdMember, Property, StaffUser
from cbl.models.states import ApplicationStatus, Relationship, Sex, StaffRole
from cbl.queries import stock
from cbl.queries.duplicates import elsewhere
from cbl.queries.register_search import PER_PAGE, RegisterSearch, search
from cbl.rules.scheme import Scheme
from cbl.services import actors
from cbl.services.applications import (
    Circumstances, ContactDetails, MemberDetails, add_member, create_application, remove_member, update_details,
    update_member,
)
from cbl.services.imports.bulk import insert_with_ids, update_by_id
from tests.conftest import copy_of_migrated
from tests.support.databases import postgres_database, postgres_reachable
from tests.support.factories import NOW, make_world
from tests.support.statement_counts import counting

BORN = date(1985, 3, 27)
# reference: (band, status, email, phone, postcode, address, [(name, born, relationship, NI number)])
HOUSEHOLDS = {
    "HR000001": ("A", ApplicationStatus.ACTIVE, "Jose.OBrien@Example.com", "07700 900123", "AT1 2BC",
                 "12 High Street, Anytown", [("José O'Brien-Smith", BORN, Relationship.LEAD, "JG103759A"),
                                             ("Zoë Ålund", date(1987, 1, 2), Relationship.PARTNER, None),
                                             ("Wu Li", date(2015, 6, 1), Relationship.CHILD, None)]),
    "HR000002": ("B", ApplicationStatus.PENDING, "mary@example.net", "+44 1632 960001", "AT12 3CD", "3 Low Road",
                 [("Mary Smith", BORN, Relationship.LEAD, None)]),
    "HR000003": ("C", ApplicationStatus.CLOSED, None, "+44 (0)7700 900-123", "BT1 1AA", "Flat 2, Mill Lane",
                 [("JOSE OBRIEN SMITH", BORN, Relationship.LEAD, None)]),
    "HR000004": ("C", ApplicationStatus.ACTIVE, "JOSE.OBRIEN@example.com", None, "AT10 1XY", "7 Church Walk",
                 [("Ann Jones", date(1970, 5, 5), Relationship.LEAD, "JG103759A")]),
}
PAGED = 30  # households led by "Pat Paging N", HR100001 on, for the pages


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, migrated, tmp_path_factory: pytest.TempPathFactory,
       scheme: Scheme) -> Iterator[Database]:
    """The small register, on each database."""
    if request.param == "postgresql" and not postgres_reachable():
        pytest.skip("no PostgreSQL server answers at CBL_TEST_POSTGRES_URL")
    sqlite = nullcontext(f"sqlite:///{tmp_path_factory.mktemp('search') / 'cbl.sqlite3'}")
    with postgres_database() if request.param == "postgresql" else sqlite as url:
        copy_of_migrated(url, migrated(request.param))
        database = Database(url)
        with database.transaction() as session:
            _register(session, scheme)
        yield database
        database.dispose()


def _register(session, scheme: Scheme) -> None:  # noqa: ANN001
    world = make_world(session, scheme, adverts=2)
    rows = [(reference, *fields) for reference, fields in HOUSEHOLDS.items()]
    rows += [(f"HR1{n:05d}", "D", ApplicationStatus.ACTIVE, None, None, "ZZ9 9ZZ", f"{n} Paging Row",
              [(f"Pat Paging {n}", date(1990, 1, 1), Relationship.LEAD, None)]) for n in range(1, PAGED + 1)]
    for reference, band, status, email, phone, postcode, address, people in rows:
        applicant = Applicant(reference=reference, band=band, status=status, email=email, phone=phone,
                              postcode=postcode, address=address, registration_date=date(2024, 1, 1))
        session.add(applicant)
        session.flush()
        session.add_all([HouseholdMember(applicant_id=applicant.id, name=name, date_of_birth=born, sex=Sex.FEMALE,
                                         relationship=relationship, national_insurance_number=number)
                         for name, born, relationship, number in people])
    session.add(Property(landlord_id=world.council, reference="S-0042", uprn="100023336956",
                         address="Flat 4, Ødegaard House, Quay Street", postcode="AT1 9ZZ", area="Quay",
                         property_type="flat", bedrooms=1, weekly_rent_pence=9000))


def found(db: Database, **wanted: object) -> list[str]:
    with db.reading() as session:
        return [row.applicant.reference for row in search(session, RegisterSearch(**wanted)).rows]


def test_a_reference_is_found_whole_or_in_part_whatever_its_case(db):
    assert found(db, reference="hr000002") == ["HR000002"]
    assert found(db, reference="R00000") == ["HR000001", "HR000002", "HR000003", "HR000004"]
    assert found(db, reference="HR9") == []


def test_a_name_is_found_by_any_part_of_it_case_accents_and_marks_aside(db):
    assert found(db, name="jose obrien") == ["HR000001", "HR000003"]
    assert found(db, name="JOSÉ O’BRIEN SMITH") == ["HR000001", "HR000003"]
    assert found(db, name="zoe alund") == ["HR000001"]  # a partner's name finds the household
    assert found(db, name="smi") == ["HR000001", "HR000002", "HR000003"]
    # Words of one or two letters are looked for as a word's start: "Wu Li" is found by "wu" and by "li w"...
    assert found(db, name="wu") == ["HR000001"] and found(db, name="li w") == ["HR000001"]
    assert found(db, name="u i") == []  # ... not inside other words
    assert found(db, name="mary jones") == []  # every word, in one person's name


def test_a_date_of_birth_and_a_name_are_one_persons(db):
    assert found(db, date_of_birth=BORN) == ["HR000001", "HR000002", "HR000003"]
    assert found(db, name="mary", date_of_birth=BORN) == ["HR000002"]
    assert found(db, name="zoe", date_of_birth=BORN) == []  # Zoë is on HR000001, but born in 1987


def test_a_national_insurance_number_finds_everyone_who_holds_it(db):
    assert found(db, national_insurance_number="JG103759A") == ["HR000001", "HR000004"]
    assert found(db, national_insurance_number="JG103759A", name="ann") == ["HR000004"]


def test_an_email_address_is_found_whole_case_aside(db):
    assert found(db, email=" jose.obrien@EXAMPLE.com ") == ["HR000001", "HR000004"]
    assert found(db, email="obrien@example.com") == []


def test_a_phone_number_is_found_however_it_is_written(db):
    for typed in ("07700900123", "+44 7700 900123", "0044 (0)7700-900-123", "447700900123"):
        assert found(db, phone=typed) == ["HR000001", "HR000003"], typed
    assert found(db, phone="01632 960001") == ["HR000002"]


def test_a_postcode_is_found_whole_or_by_its_district_or_sector(db):
    assert found(db, postcode="at12bc") == ["HR000001"] and found(db, postcode="AT1 2BC") == ["HR000001"]
    assert found(db, postcode="AT1") == ["HR000001"]  # the district: not AT10 or AT12
    assert found(db, postcode="at12") == ["HR000002"]
    assert found(db, postcode="AT1 2") == ["HR000001"]  # the sector
    assert found(db, postcode="AT") == ["HR000001", "HR000002", "HR000004"]  # the start of any


def test_an_address_is_found_by_any_of_its_words(db):
    assert found(db, address="12 high st") == ["HR000001"]
    assert found(db, address="mill flat 2") == ["HR000003"]
    assert found(db, address="high road") == []


def test_status_and_band_narrow_the_rest(db):
    assert found(db, band="A") == ["HR000001"]
    assert found(db, status="pending", postcode="AT") == ["HR000002"]
    assert found(db, name="jose", status="closed") == ["HR000003"]
    assert found(db, date_of_birth=BORN, band="C", status="closed") == ["HR000003"]


def test_results_come_a_page_at_a_time_with_the_whole_count(db):
    with db.reading() as session:
        first = search(session, RegisterSearch(name="paging"))
        second = search(session, RegisterSearch(name="paging", page=2))
        beyond = search(session, RegisterSearch(name="paging", page=3))
    assert first.total == second.total == PAGED and len(first.rows) == PER_PAGE
    assert [row.applicant.reference for row in second.rows] == [f"HR1{n:05d}" for n in range(26, PAGED + 1)]
    assert beyond.rows == [] and beyond.beyond


def test_each_household_found_says_why(db):
    with db.reading() as session:
        rows = search(session, RegisterSearch(name="o'brien", date_of_birth=BORN, phone="07700900123")).rows
        by_address = search(session, RegisterSearch(address="church", postcode="AT10")).rows
    assert [(row.applicant.reference, row.lead) for row in rows] == [("HR000001", "José O'Brien-Smith"),
                                                                      ("HR000003", "JOSE OBRIEN SMITH")]
    assert rows[0].reasons == ["José O'Brien-Smith (lead): name and date of birth", "Phone: 07700 900123"]
    assert rows[1].reasons == ["JOSE OBRIEN SMITH (lead): name and date of birth", "Phone: +44 (0)7700 900-123"]
    assert by_address[0].reasons == ["Address: 7 Church Walk", "Postcode: AT10 1XY"]


@settings(max_examples=20, deadline=None)
@given(st.text(max_size=24))
def test_whatever_text_is_searched_for_the_answer_is_a_page(db, text):
    """What a form lets through and more: any text in every text field is an answer (no database error on a
    mark the full-text query language or LIKE would read)."""
    with db.reading() as session:
        page = search(session, RegisterSearch(reference=text, name=text, postcode=text, address=text))
        homes = stock.homes(session, stock.HomeSearch(reference=text, address=text, postcode=text))
    assert page.total >= 0 and homes.total >= 0


def test_a_search_runs_four_statements_at_most_whatever_it_finds(db):
    """The households whose words or people match (read once), their count (unless nothing else is asked), the
    page, and the page's members."""
    for wanted, statements in ((RegisterSearch(name="paging"), 3), (RegisterSearch(band="D", page=2), 2),
                               (RegisterSearch(name="pat", postcode="ZZ9", band="D", page=2), 4),
                               (RegisterSearch(name="j", date_of_birth=BORN, address="high"), 3)):
        with db.reading() as session, counting(db.engine) as ran:
            search(session, wanted)
        assert len([statement for statement in ran if statement.startswith("SELECT")]) == statements, (wanted, ran)


def test_a_case_lists_the_same_people_and_contact_details_on_other_applications(db):
    with db.reading() as session:
        applicant = session.exec(select(Applicant).where(Applicant.reference == "HR000001")).one()
        members = list(session.exec(select(HouseholdMember).where(HouseholdMember.applicant_id == applicant.id)))
        matches = {(m.reference, m.same, m.here) for m in elsewhere(session, applicant, members)}
    assert matches == {
        ("HR000003", "name and date of birth", "José O'Brien-Smith"),
        ("HR000003", "phone number", "07700 900123"),
        ("HR000004", "National Insurance number", "José O'Brien-Smith"),
        ("HR000004", "e-mail address", "Jose.OBrien@Example.com"),
    }  # not Mary Smith (HR000002): her date of birth, not her name


def test_homes_are_found_by_reference_uprn_address_and_postcode(db):
    def homes(**wanted: object) -> list[str]:
        with db.reading() as session:
            return [row.home.reference for row in stock.homes(session, stock.HomeSearch(**wanted)).rows]

    assert homes(reference="s-004") == ["S-0042"] and homes(uprn="100023336956") == ["S-0042"]
    assert homes(address="odegaard quay") == ["S-0042"] and homes(postcode="at19zz") == ["S-0042"]
    assert homes(postcode="AT1") == ["P-AD1", "P-AD2", "S-0042"] and homes(uprn="1000233369") == []
    with db.reading() as session:
        shown = stock.homes(session, stock.HomeSearch(address="quay", postcode="AT1 9ZZ")).rows[0].reasons
        empty = stock.homes(session, stock.HomeSearch())
    assert shown == ["Address: Flat 4, Ødegaard House, Quay Street", "Postcode: AT1 9ZZ"]
    assert [row.home.reference for row in empty.rows] == ["P-AD1", "P-AD2"]  # with nothing asked, those empty


def test_the_services_keep_what_is_searched_in_step_with_what_they_write(db, scheme):
    """Taking in, correcting and changing a household: what is found is what was last written (on SQLite, the
    full-text tables' triggers keep up: a stale one would still find the old words)."""
    with db.reading() as session:
        actor = actors.staff(session.exec(select(StaffUser).where(StaffUser.role == StaffRole.OFFICER)).first())
    contact = ContactDetails("1 Quince Court", "QX1 1AA", "quentin@example.org", "01632 960999")
    applicant = db.run(create_application, actor, scheme, MemberDetails("Quentin Zébédée", date(1980, 2, 2), "lead"),
                       contact, Circumstances(), set(), None, NOW)
    partner = db.run(add_member, actor, scheme, applicant.id,
                     MemberDetails("Xanthe Qwerty", date(1982, 3, 3), "partner"), NOW)
    assert found(db, name="zebedee", postcode="QX1", phone="(01632) 960 999") == [applicant.reference]
    assert found(db, name="xanthe", email="QUENTIN@example.org", address="quince") == [applicant.reference]

    db.run(update_details, actor, applicant.id, ContactDetails("9 Yew Row", "QY2 2BB", "", "07700 900999"),
           Circumstances(), set(), NOW)
    db.run(update_member, actor, scheme, partner.id, MemberDetails("Xenia Qwerty", date(1982, 3, 3), "partner"), NOW)
    assert found(db, address="quince") == found(db, postcode="QX1") == found(db, name="xanthe") == []
    assert found(db, email="quentin@example.org") == [] and found(db, phone="01632960999") == []
    assert found(db, address="yew row", postcode="QY2 2BB", phone="+447700900999", name="xenia") == [
        applicant.reference]
    db.run(remove_member, actor, scheme, partner.id, "Moved out", NOW)
    assert found(db, name="xenia") == []


def test_the_import_writes_what_is_searched_with_the_rows(db):
    """The register import writes rows in bulk (COPY on PostgreSQL), past the ORM: the keys go in with them."""
    table = Applicant.__table__
    with db.transaction() as session:
        connection = session.connection()
        [new] = insert_with_ids(connection, table, [{
            "reference": "IMP-0001", "status": "active", "registration_date": date(2024, 2, 2), "bedroom_need": 1,
            "household_size": 1, "local_connection": [], "needs": [], "homeless_duty": False,
            "transfer_tenant": False, "housing_debt": False, "verified": False, "address": "5 Über Straße",
            "postcode": "QZ3 3CC", "email": "Imp@Example.org", "phone": "+44 20 7946 0000", "row_version": 0,
            "created_at": datetime(2024, 2, 2, tzinfo=timezone.utc)}])
    assert found(db, address="uber strasse", postcode="QZ3", email="imp@example.org", phone="020 7946 0000") == [
        "IMP-0001"]
    with db.transaction() as session:
        update_by_id(session.connection(), table, [{"_id": new, "phone": "07700 900555", "address": "6 Elm Row"}])
    assert found(db, phone="07700900555", address="elm") == ["IMP-0001"] and found(db, address="strasse") == []
    with db.reading() as session:
        assert session.execute(sa.select(table.c.phone_key).where(table.c.id == new)).scalar() == "07700900555"
