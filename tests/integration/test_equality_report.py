"""The equality report counts each household once at each stage it reached in the period, by its answers, and
suppresses small counts; the answers are kept apart, and only the household reads them back (both databases,
one world for the module)."""

import io
import json
import zipfile
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from cbl.database import Database
from cbl.models import Advert, Applicant, Bid, EqualityAnswers, Offer, ShortlistEntry, Void
from cbl.models.states import ActorKind, OfferStatus, StaffRole, VoidStatus
from cbl.reports.equality import equality_report, report_csv
from cbl.reports.subject_access import subject_access_archive
from cbl.services import equality
from cbl.services.actors import Actor, applicant as applicant_actor
from cbl.services.errors import InvalidInput, NotAllowed
from tests.conftest import copy_of_migrated
from tests.support.databases import database, postgres_reachable
from tests.support.factories import add_applicant, make_world

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
START, END = date(2026, 4, 1), date(2027, 3, 31)
MANAGER = Actor(ActorKind.STAFF, 1, "Manager", StaffRole.MANAGER)
OFFICER = Actor(ActorKind.STAFF, 2, "Officer", StaffRole.OFFICER)
# Who is on the register, by the lead applicant's sex, and how far each got: (sex, ethnic group, stages reached).
HOUSEHOLDS = ([("female", "white_british", "let")] * 6 + [("female", "white_british", "shortlisted")] * 2
              + [("female", "white_roma", "bids")] + [("female", "white_british", "register")] * 3
              + [("male", "asian_indian", "let")] * 5 + [("male", "asian_indian", "bids")]
              + [("male", "asian_indian", "register")]
              + [("prefer_not_to_say", "prefer_not_to_say", "bids")] + [("prefer_not_to_say", None, "register")] * 2
              + [(None, None, "register")] * 2)
ORDER = ("register", "bids", "shortlisted", "offered", "let")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def module_db(request, migrated):
    if request.param == "postgresql" and not postgres_reachable():
        pytest.skip("no PostgreSQL server answers at CBL_TEST_POSTGRES_URL")
    with database(request.param) as url:
        copy_of_migrated(url, migrated(request.param))
        db = Database(url)
        yield db
        db.dispose()


@pytest.fixture(scope="module")
def world(module_db, scheme):
    with module_db.transaction() as s:
        world = make_world(s, scheme, adverts=1, now=NOW)
        advert = s.exec(select(Advert)).one()
        for number, (sex, ethnic, reached) in enumerate(HOUSEHOLDS):
            household = add_applicant(s, scheme, world, f"HR{number:06d}")
            if sex is not None:
                s.add(EqualityAnswers(applicant_id=household.id, sex=sex, ethnic_group=ethnic, source="paper"))
            stage = ORDER.index(reached)
            if stage >= 1:
                bid = Bid(advert_id=advert.id, applicant_id=household.id, cycle_id=world.cycle, preference=1)
                s.add(bid)
                s.flush()
            if stage >= 2:
                s.add(ShortlistEntry(advert_id=advert.id, applicant_id=household.id, bid_id=bid.id, eligible=True))
            if stage >= 3:  # each offered household gets a home of its own, let in the period
                void = Void(property_id=advert.property_id, tenancy_end_date=date(2026, 6, 1),
                            status=VoidStatus.LET, tenancy_start_date=date(2026, 12, 1))
                s.add(void)
                s.flush()
                s.add(Offer(applicant_id=household.id, void_id=void.id, respond_by=date(2026, 11, 25), made_at=NOW,
                            status=OfferStatus.LET))
        # Not on the register in the period: closed before it began, and registered after it ended.
        add_applicant(s, scheme, world, "HR900001", closed_on=date(2026, 3, 1))
        add_applicant(s, scheme, world, "HR900002", registered=date(2027, 5, 1))
    return world


def test_the_report_counts_households_at_each_stage_by_answer_and_holds_back_small_counts(module_db, world):
    with module_db.reading() as s:
        report = equality_report(s, MANAGER, START, END)
    figures = {figure.key: figure for figure in report.figures}
    sex = {row[0]: row[1:] for row in figures["sex"].counts}
    # Register 12 women, 7 men, 3 prefer not to say, 2 not answered: the small two add up to 5, so nothing more
    # is held back. Bids 9, 6, 1 and 0: the one and the zero are "<5", and as together they make fewer than 5
    # the largest cell (the women's 9) is held back too. Shortlists, offers and lets have no small count.
    assert sex["Female"] == ("12", "[c]", "8", "6", "6")
    assert sex["Male"] == ("7", "6", "5", "5", "5")
    assert sex["Prefer not to say"] == ("<5", "<5", "0", "0", "0")
    assert sex["Not answered"] == ("<5", "<5", "0", "0", "0")
    assert sex["Total"] == ("24", "16", "13", "11", "11")
    ethnic = {row[0]: row[1:] for row in figures["ethnic_group"].counts}
    assert ethnic["White"] == ("12", "[c]", "8", "6", "6")  # the Roma household counted in its group
    assert ethnic["Asian or Asian British"] == ("7", "6", "5", "5", "5")
    ages = {row[0]: row[1:] for row in figures["age"].counts}
    assert ages["35 to 44"] == ("24", "16", "13", "11", "11") and ages["Under 25"] == ("0",) * 5
    shares = {row[0]: row[1:] for row in figures["sex"].shares}
    assert shares["Female"] == ("50.0%", "[c]", "61.5%", "54.5%", "54.5%", "50.0")
    assert shares["Prefer not to say"][0] == "[c]"  # a share of a count not shown is not shown either
    assert dict((label, (register, housed)) for label, register, housed in figures["sex"].chart)["Male"] == \
        (29.2, 45.5)
    text = report_csv(report)
    assert "Sex: households at each stage" in text and ",<5,<5,0,0,0" in text and "\r\nFemale,12,[c],8,6,6\r\n" in text


def test_only_managers_get_the_report_and_no_member_of_staff_reads_a_households_answers(module_db, world):
    with module_db.reading() as s:
        with pytest.raises(NotAllowed):
            equality_report(s, OFFICER, START, END)
        household = world.applicants["HR000000"]
        for reader in (OFFICER, MANAGER):
            with pytest.raises(NotAllowed):
                equality.own_answers(s, reader, equality.Household(applicant_id=household))
        with pytest.raises(NotAllowed):  # another household
            equality.own_answers(s, Actor(ActorKind.APPLICANT, world.applicants["HR000001"], "HR000001"),
                                 equality.Household(applicant_id=household))


def test_a_paper_form_is_recorded_by_an_officer_read_back_only_by_the_household_and_in_its_subject_access(
        module_db, world):
    household = world.applicants["HR000022"]  # not answered yet
    answers = {"religion": "sikh", "sexual_orientation": "bisexual", "sex": ""}
    with pytest.raises(InvalidInput):
        module_db.run(equality.record_from_paper, OFFICER, household, {"religion": "pastafarian"}, NOW)
    module_db.run(equality.record_from_paper, OFFICER, household, answers, NOW)
    with module_db.reading() as s:
        own = equality.own_answers(s, applicant_actor(s.get_one(Applicant, household)),
                                   equality.Household(applicant_id=household))
        assert (own.religion, own.sexual_orientation, own.sex, own.source) == ("sikh", "bisexual", None, "paper")
    _, archive = module_db.run(subject_access_archive, MANAGER, "HR000022", NOW + timedelta(minutes=1))
    given = json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("equality_monitoring.json"))
    assert given["What is your religion?"] == "Sikh" and given["What is your sex?"] == "Not answered"
