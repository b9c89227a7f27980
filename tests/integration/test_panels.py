"""A medical, welfare or OT panel's decision acts: applied to the case in one transaction, it changes the band from
the date awarded, the needs and the bedroom need the engine ranks by (so the adverts the household is eligible for at
the next close), and where it may bid; the household is sent the decision with its right to a review."""

from datetime import date, timedelta

import io
import json
import zipfile
from contextlib import ExitStack

import pytest
from sqlmodel import select

from cbl.database import Database

from cbl.models import (
    Advert, Applicant, AuditEvent, BandAssessment, Bid, OutboxMessage, PanelDecision, PanelEvidence, ShortlistEntry,
    StaffUser,
)
from cbl.models import Cycle
from cbl.models.states import BidStatus, CycleStatus, ReviewType, StaffRole
from cbl.queries.panels import panels_to_hold
from cbl.rules.decision_types import review_rights
from cbl.services import actors, panels
from cbl.services.actors import SYSTEM
from cbl.services.bidding import bid_options, place_bid
from cbl.services.cycles import close_cycle
from cbl.services.errors import Conflict, InvalidInput, NotAllowed
from cbl.services.panels import Recommendation
from cbl.reports.subject_access import subject_access_archive
from cbl.services.review_independence import involved
from cbl.services.reviewable import reviewable_decisions
from cbl.services.reviews import request_review
from tests.conftest import copy_of_migrated
from tests.support.databases import postgres_database, postgres_reachable
from tests.support.factories import NOW, PASSWORD_HASH, add_advert, add_applicant, make_world

REFERRED = NOW - timedelta(days=7)
MET = date(2026, 11, 18)
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def built(request, migrated, scheme, tmp_path_factory):
    """One world for the module, on each database; each test works on households of its own.

    HR1 lives alone in band C; HR2 is band A from June 2025 and needs a home without steps; HR3, HR4 and HR5 are
    for the letter, the areas and the panel's members. A second open cycle holds AD-STEP (kept for households who
    need a home without steps), AD-CHAIR (for wheelchair users) and AD-TWO (for households needing two bedrooms),
    and is closed by one test; the first holds AD-RIVER, in Riverside."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('panels') / 'cbl.sqlite3'}"
        elif not postgres_reachable():
            pytest.skip("no PostgreSQL server answers at CBL_TEST_POSTGRES_URL")
        else:
            url = stack.enter_context(postgres_database())
        copy_of_migrated(url, migrated(request.param))
        db = Database(url)
        stack.callback(db.dispose)
        with db.transaction() as s:
            world = make_world(s, scheme, adverts=0)
            add_advert(s, world, "AD-RIVER", area="Riverside")
            closing = Cycle(name="The cycle closed here", opens_at=NOW - timedelta(days=1),
                            closes_at=NOW + timedelta(days=3), status=CycleStatus.OPEN)
            s.add(closing)
            s.flush()
            world.closing = closing.id
            add_advert(s, world, "AD-STEP", step_free_only=True, cycle=closing.id)
            add_advert(s, world, "AD-CHAIR", wheelchair_only=True, cycle=closing.id)
            add_advert(s, world, "AD-TWO", bedrooms=2, min_bedroom_need=2, cycle=closing.id)
            add_applicant(s, scheme, world, "HR1", band="C", born=date(1960, 3, 1))
            add_applicant(s, scheme, world, "HR2", band="A", band_date=date(2025, 6, 1), needs=["step_free"])
            for reference in ("HR3", "HR4", "HR5"):
                add_applicant(s, scheme, world, reference)
            people = {role: StaffUser(organisation_id=world.council, email=f"{role.value}-{n}@example.org",
                                      name=f"{role.value.replace('_', ' ').capitalize()} {n}", role=role,
                                      password_hash=PASSWORD_HASH)
                      for n, role in enumerate([StaffRole.OFFICER, StaffRole.MANAGER, StaffRole.ADMIN])}
            provider_user = StaffUser(organisation_id=world.provider, email="p@rha.example", name="Provider person",
                                      role=StaffRole.PROVIDER, password_hash=PASSWORD_HASH)
            s.add_all([*people.values(), provider_user])
            s.flush()
            world.staff = {"referrer": world.officer, "member": people[StaffRole.OFFICER].id,
                           "manager": people[StaffRole.MANAGER].id, "admin": people[StaffRole.ADMIN].id,
                           "provider": provider_user.id}
        yield db, world


@pytest.fixture
def db(built):
    return built[0]


@pytest.fixture
def world(built):
    return built[1]


def _actor(db, staff_id):
    with db.reading() as s:
        return actors.staff(s.get(StaffUser, staff_id))


def _referred(db, scheme, world, reference, kind="medical"):
    """The household referred a week ago, and its panel arranged: an officer and a manager."""
    referrer = _actor(db, world.staff["referrer"])
    referral = db.run(panels.refer, referrer, scheme, world.applicants[reference], kind,
                      "Cannot manage stairs since a stroke; GP's letter attached.", REFERRED)
    db.run(panels.arrange, referrer, referral.id, MET, [world.staff["member"], world.staff["manager"]], REFERRED)
    return referral.id


def _bid(db, scheme, world, reference, advert):
    with db.reading() as s:
        actor = actors.applicant(s.get(Applicant, world.applicants[reference]))
    return db.run(place_bid, actor, scheme, world.applicants[reference], advert, NOW)


def test_a_panels_findings_change_which_adverts_the_household_is_eligible_for_and_its_band_from_the_award_date(
        db, scheme, world):
    for advert in ("AD-STEP", "AD-CHAIR", "AD-TWO"):  # before the panel, each is one HR1 may not bid for
        with pytest.raises(Conflict, match="kept for households who need|at least 2 bedrooms"):
            _bid(db, scheme, world, "HR1", advert)
    referral = _referred(db, scheme, world, "HR1")
    with db.reading() as s:  # 20 working days from 13 November 2026
        assert [(w.due_by, w.meets_on) for w in panels_to_hold(s) if w.reference == "HR1"] == [
            (date(2026, 12, 11), MET)]

    found = Recommendation(band="A", band_effective=date(2025, 1, 1), access=frozenset({"ground_floor_or_lift",
                                                                                          "wheelchair"}),
                           carer_bedroom=True)
    db.run(panels.decide, _actor(db, world.staff["member"]), scheme, referral, found,
           "The OT report shows she cannot use stairs and needs a carer overnight.", NOW)
    with db.reading() as s:
        hr1 = s.get(Applicant, world.applicants["HR1"])
        assert (hr1.band, hr1.band_date) == ("A", date(2025, 1, 1))
        assert hr1.needs == ["step_free", "wheelchair"] and hr1.carer_bedroom and hr1.bedroom_need == 2
        band = s.exec(select(BandAssessment).where(BandAssessment.applicant_id == hr1.id)).one()
        assert band.effective_date == date(2025, 1, 1) and "medical panel of 18 November 2026" in band.reason
        assert [w for w in panels_to_hold(s) if w.reference == "HR1"] == []

    for advert in ("AD-STEP", "AD-CHAIR", "AD-TWO"):
        _bid(db, scheme, world, "HR1", advert)
    _bid(db, scheme, world, "HR2", "AD-STEP")
    assert db.run(close_cycle, SYSTEM, scheme, world.closing, NOW + timedelta(days=4))
    with db.reading() as s:
        places = {(e.applicant_id, e.advert_id): e for e in s.exec(select(ShortlistEntry))}
        adverts = {a.reference: a.id for a in s.exec(select(Advert))}
    hr1, hr2 = world.applicants["HR1"], world.applicants["HR2"]
    for advert in ("AD-CHAIR", "AD-TWO"):
        assert places[(hr1, adverts[advert])].eligible and places[(hr1, adverts[advert])].position == 1
    # Both band A at AD-STEP: HR1's band dates from January 2025, before HR2's June.
    assert places[(hr1, adverts["AD-STEP"])].position == 1 and places[(hr2, adverts["AD-STEP"])].position == 2


def test_the_household_is_told_the_decision_its_reasons_and_its_right_to_a_review_and_can_ask_for_one(db, scheme,
                                                                                                     world):
    referral = _referred(db, scheme, world, "HR3", kind="welfare")
    db.run(panels.decide, _actor(db, world.staff["member"]), scheme, referral,
           Recommendation(access=frozenset({"level_access_shower"})), "Cannot step into a bath.", NOW)
    household = world.applicants["HR3"]
    with db.reading() as s:
        letter = s.exec(select(OutboxMessage).where(OutboxMessage.template == "panel_decision",
                                                    OutboxMessage.applicant_id == household)).one()
        decision = s.exec(select(PanelDecision).where(PanelDecision.applicant_id == household)).one()
        reviewable = reviewable_decisions(s, household)
        events = [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.applicant_id == household))]
    rights = review_rights(ReviewType.PANEL, scheme.reviews, NOW.date())
    assert "section 166A(9)" in letter.body and f"{rights.request_by:%-d %B %Y}" in letter.body
    assert "Cannot step into a bath." in letter.body and "a level-access shower" in letter.body
    assert "Your band is unchanged (band C)" in letter.body
    assert [(d.decision_type, d.subject_id) for d in reviewable] == [(ReviewType.PANEL, decision.id)]
    assert {"panel.referred", "panel.arranged", "panel.decided"} <= set(events)

    with db.reading() as s:  # the household asks: no one who sat on the panel, nor its referrer, may review it
        actor = actors.applicant(s.get(Applicant, household))
    review = db.run(request_review, actor, scheme, household, reviewable[0].key, "I need a ground floor too.",
                    NOW + timedelta(days=2))
    with db.reading() as s:
        staff = world.staff
        assert {staff["member"], staff["manager"], staff["referrer"]} <= set(involved(s, review))
    name, archive = db.run(subject_access_archive, _actor(db, staff["manager"]), "HR3", NOW)
    held = json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("panels.json"))
    assert held["decisions"][0]["access"] == ["level_access_shower"] and held["referrals"][0]["kind"] == "welfare"


def test_an_area_restriction_withdraws_the_bids_there_and_refuses_new_ones(db, scheme, world):
    _bid(db, scheme, world, "HR4", "AD-RIVER")
    referral = _referred(db, scheme, world, "HR4", kind="welfare")
    member = _actor(db, world.staff["member"])
    with pytest.raises(InvalidInput, match="areas from the list") as refused:
        db.run(panels.decide, member, scheme, referral,
               Recommendation(area_restrictions=frozenset({"Atlantis"})), "Risk of harm.", NOW)
    assert refused.value.field == "area_restrictions"
    db.run(panels.decide, member, scheme, referral, Recommendation(area_restrictions=frozenset({"Riverside"})),
           "Risk of harm from a former partner who lives there.", NOW)
    with db.reading() as s:
        bid = s.exec(select(Bid).where(Bid.applicant_id == world.applicants["HR4"])).one()
        letter = s.exec(select(OutboxMessage).where(OutboxMessage.template == "panel_decision",
                                                    OutboxMessage.applicant_id == bid.applicant_id)).one()
    assert bid.status is BidStatus.WITHDRAWN
    assert "should not house you in Riverside" in letter.body and "AD-RIVER" in letter.body
    with pytest.raises(Conflict, match="should not be housed in Riverside"):
        _bid(db, scheme, world, "HR4", "AD-RIVER")
    with db.reading() as s:  # and the pages say so before anyone presses anything
        options = {o.advert.reference: o.barrier for o in bid_options(s, scheme, s.get(Applicant, bid.applicant_id),
                                                                      NOW)}
    assert "should not be housed in Riverside" in options["AD-RIVER"]


def test_a_panel_is_two_members_of_staff_without_the_referrer_and_a_member_records_its_decision(db, scheme, world,
                                                                                               tmp_path):
    referrer, staff = _actor(db, world.staff["referrer"]), world.staff
    referral = db.run(panels.refer, referrer, scheme, world.applicants["HR5"], "occupational_therapy",
                      "OT assessment of bathing.", REFERRED)
    with pytest.raises(Conflict, match="waiting for an occupational therapy panel"):
        db.run(panels.refer, referrer, scheme, world.applicants["HR5"], "occupational_therapy", "Again.", REFERRED)
    for members, problem in [([staff["member"]], "at least 2"), ([staff["member"], staff["referrer"]], "referred"),
                             ([staff["member"], staff["provider"]], "from the list"),
                             ([staff["member"], staff["admin"]], "from the list")]:
        with pytest.raises(InvalidInput, match=problem):
            db.run(panels.arrange, referrer, referral.id, MET, members, REFERRED)
    with pytest.raises(Conflict, match="Arrange the panel first"):
        db.run(panels.decide, _actor(db, staff["member"]), scheme, referral.id, Recommendation(), "x", NOW)
    db.run(panels.arrange, referrer, referral.id, MET + timedelta(days=7), [staff["member"], staff["manager"]], NOW)
    with pytest.raises(Conflict, match="once it has met"):
        db.run(panels.decide, _actor(db, staff["member"]), scheme, referral.id, Recommendation(), "x", NOW)
    db.run(panels.arrange, referrer, referral.id, MET, [staff["member"], staff["manager"]], NOW)
    with pytest.raises(NotAllowed, match="member of the panel"):
        db.run(panels.decide, referrer, scheme, referral.id, Recommendation(), "x", NOW)
    db.run(panels.add_evidence, referrer, tmp_path, referral.id, "ot.pdf", PDF, "medical", NOW)
    with db.reading() as s:
        kept = s.exec(select(PanelEvidence).where(PanelEvidence.referral_id == referral.id)).one()
    assert (kept.original_name, kept.content_type) == ("ot.pdf", "application/pdf")
    assert (tmp_path / kept.stored_name).read_bytes() == PDF
