"""The officers' work queues: each queue is tested by making the case it lists, seeing it appear on the page of
whoever holds the case, then acting (or moving time on) and seeing it leave; cases are taken by officers and moved
by managers, every move on the case's timeline. One world a database, for the whole module."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from litestar.testing import TestClient
from sqlmodel import select

from cbl.app import create_app
from cbl.database import Database
from cbl.models import (
    Applicant, AuditEvent, Nomination, NominationAgreement, Offer, Organisation, Review, StaffUser, Viewing,
    ViewingInvitation, Void,
)
from cbl.models.states import NominationStatus, ReviewStatus, ReviewType, StaffRole, TenancyType
from cbl.rules.working_days import local_date
from cbl.services import actors, assessment, enquiries, panels, review_withdrawal
from cbl.services.actors import SYSTEM
from cbl.services.applying import Owner, save_answer, submit_change
from cbl.services.case_officers import allocate_cases
from cbl.services.evidence import add_evidence
from cbl.services.lettings import record_tenancy_start
from cbl.services.nominations import decline_nomination
from cbl.services.offers import accept_offer, lapse_overdue_offers
from cbl.services.viewings import record_attendance
from cbl.settings import load_settings
from cbl.web.auth import COOKIE, start_session
from tests.conftest import copy_of_migrated
from tests.e2e.conftest import Browser
from tests.support.applying import send_application
from tests.support.databases import database
from tests.support.factories import PASSWORD_HASH, add_advert, add_applicant, make_world
from tests.support.second_factor import KEY

REAL_NOW = datetime.now(timezone.utc)
TODAY = local_date(REAL_NOW)
PEOPLE = {"bea": ("bea@example.org", "Bea Officer", StaffRole.OFFICER),
          "mo": ("mo@example.org", "Mo Manager", StaffRole.MANAGER),
          "rae": ("rae@example.org", "Rae Reviewer", StaffRole.REVIEW_OFFICER)}


@dataclass
class Place:
    db: Database
    world: object  # a factories.World
    staff: dict[str, int]  # "olu", "bea", "mo", "rae" -> id
    client: TestClient  # one client; each member of staff's own session cookie put in it before they ask
    cookies: dict[str, str]  # who -> their session's cookie
    browsers: dict[str, Browser]  # who -> a browser on the client, keeping its own CSRF token

    def actor(self, who: str) -> actors.Actor:
        with self.db.reading() as s:
            return actors.staff(s.get_one(StaffUser, self.staff[who]))

    def household(self, reference: str) -> int:
        return self.world.applicants[reference]

    def give(self, reference: str, who: str) -> None:
        self.db.run(allocate_cases, self.actor("mo"), [self.household(reference)], self.staff[who], REAL_NOW)

    def visitor(self, who: str) -> Browser:
        self.client.cookies.clear()
        self.client.cookies.set(COOKIE, self.cookies[who])
        return self.browsers[who]

    def page(self, who: str, path: str = "/admin") -> str:
        answer = self.visitor(who).get(path)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:500])
        return answer.text


def _section(page: str, key: str) -> str:
    """One queue's part of a page: from its heading to the next heading."""
    return page.split(f'id="queue-{key}"', 1)[1].split("<h2", 1)[0] if f'id="queue-{key}"' in page else ""


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def place(request, migrated, scheme, tmp_path_factory):
    from tests.support.databases import postgres_reachable

    if request.param == "postgresql" and not postgres_reachable():
        pytest.skip("no PostgreSQL server answers at CBL_TEST_POSTGRES_URL")
    with database(request.param) as url:
        copy_of_migrated(url, migrated(request.param))
        db = Database(url)
        with db.transaction() as s:
            world = make_world(s, scheme, adverts=3, now=REAL_NOW)
            for number in range(1, 9):
                add_applicant(s, scheme, world, f"HR00000{number}", band="B", verified=True)
            people = {"olu": world.officer}
            for key, (email, name, role) in PEOPLE.items():
                user = StaffUser(organisation_id=world.council, email=email, name=name, role=role,
                                 password_hash=PASSWORD_HASH)
                s.add(user)
                s.flush()
                people[key] = user.id
            s.get_one(NominationAgreement, world.agreement).decline_grounds = ["arrears"]
        workdir = tmp_path_factory.mktemp("queues")
        app = create_app(load_settings({"CBL_DATABASE_URL": url, "CBL_SECRET_KEY": KEY}, workdir=workdir),
                         db=db, scheme=scheme)
        with db.transaction() as s:  # signed in (both steps) as each member of staff, as they would be
            cookies = {who: start_session(s, "staff", user_id, REAL_NOW) for who, user_id in people.items()}
        with TestClient(app) as client:
            yield Place(db, world, people, client, cookies, {who: Browser(client) for who in people})
        db.dispose()


def _moved_on(monkeypatch, days: int) -> None:
    """The queues are read `days` on (the sessions stay where they are)."""
    for page in ("admin.home", "admin.team"):
        monkeypatch.setattr(f"{page}.now", lambda: datetime.now(timezone.utc) + timedelta(days=days))


def test_an_officer_takes_a_case_a_manager_moves_it_and_each_change_is_on_its_timeline(place):
    olu, bea = place.staff["olu"], place.staff["bea"]
    assert "/admin/applicants/HR000001" not in place.page("olu").split('id="cases"', 1)[1]
    taken = place.visitor("olu").post("/admin/applicants/HR000001/taking", form_page="/admin/applicants/HR000001")
    assert taken.status_code == 303 and taken.headers["location"] == "/admin/applicants/HR000001"
    assert 'id="case-officer">Olu Officer<' in place.page("olu", "/admin/applicants/HR000001")
    again = place.visitor("bea").post("/admin/applicants/HR000001/taking", form_page="/admin/applicants/HR000001")
    assert again.status_code == 409 and "Olu Officer holds this case" in again.text
    assert "/admin/applicants/HR000001" in place.page("olu").split('id="cases"', 1)[1]

    team = place.page("mo", f"/admin/team?officer={olu}")
    assert re.search(r'id="counts-%d">.*?numeric">1<' % olu, team, re.S)  # one open case
    household = place.household("HR000001")
    assert f'name="cases" type="checkbox" value="{household}"' in team
    untouched = place.visitor("mo").post("/admin/team/reassignment", {"shown": str(olu), "page": "1",
                                                                       "officer": str(bea)}, form_page="/admin/team")
    assert untouched.status_code == 422 and "Tick at least one case to move" in untouched.text
    moved = place.visitor("mo").post("/admin/team/reassignment", {"shown": str(olu), "page": "1", "officer": str(bea),
                                                                   "cases": [str(household)]}, form_page="/admin/team")
    assert moved.status_code == 303 and moved.headers["location"] == f"/admin/team?officer={olu}&page=1#cases"
    assert "/admin/applicants/HR000001" not in place.page("olu").split('id="cases"', 1)[1]
    assert "/admin/applicants/HR000001" in place.page("bea").split('id="cases"', 1)[1]
    back = place.visitor("mo").post("/admin/applicants/HR000001/officer", {"officer": "none"},
                                     form_page="/admin/applicants/HR000001")
    assert back.status_code == 303
    assert "No one holds this case" in place.page("mo", "/admin/applicants/HR000001")
    with place.db.reading() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.applicant_id == household,
                                                 AuditEvent.action.in_(["case.taken", "case.allocated"]))
                        .order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_name, e.details["from"], e.details["to"]) for e in events] == [
        ("case.taken", "Olu Officer", "no one", "Olu Officer"),
        ("case.allocated", "Mo Manager", "Olu Officer", "Bea Officer"),
        ("case.allocated", "Mo Manager", "Bea Officer", "no one")]


def test_an_offer_is_on_its_officers_queue_until_it_is_answered_or_lapses(place, scheme, monkeypatch):
    place.give("HR000002", "olu")
    with place.db.transaction() as s:
        ad1 = add_advert(s, place.world, "OF1")
        waiting = Offer(applicant_id=place.household("HR000002"), void_id=ad1.void_id, advert_id=ad1.id,
                        respond_by=TODAY + timedelta(days=1))
        s.add(waiting)
        s.flush()
        offer_id = waiting.id
    link = f'href="/admin/offers/{offer_id}"'
    offers = _section(place.page("olu"), "offers")
    assert link in offers and "Overdue" not in offers and link not in _section(place.page("bea"), "offers")
    _moved_on(monkeypatch, 2)
    assert "Overdue" in _section(place.page("olu"), "offers")  # the scheduler has not lapsed it yet
    place.db.run(lapse_overdue_offers, SYSTEM, scheme, REAL_NOW + timedelta(days=2))
    assert link not in _section(place.page("olu"), "offers")

    monkeypatch.undo()
    with place.db.transaction() as s:
        answered = Offer(applicant_id=place.household("HR000002"), void_id=ad1.void_id, advert_id=ad1.id,
                         respond_by=TODAY + timedelta(days=1))
        s.add(answered)
        s.flush()
        answered_id = answered.id
    assert f'href="/admin/offers/{answered_id}"' in _section(place.page("olu"), "offers")
    with place.db.reading() as s:
        household = actors.applicant(s.get_one(Applicant, place.household("HR000002")))
    place.db.run(accept_offer, household, answered_id, REAL_NOW)
    assert f'href="/admin/offers/{answered_id}"' not in _section(place.page("olu"), "offers")


def test_a_viewing_is_to_record_once_it_has_happened_until_who_came_is_recorded(place, scheme):
    place.give("HR000003", "olu")
    with place.db.transaction() as s:
        ad2 = add_advert(s, place.world, "VW1")
        offer = Offer(applicant_id=place.household("HR000003"), void_id=ad2.void_id, advert_id=ad2.id,
                      respond_by=TODAY + timedelta(days=2))
        s.add(offer)
        s.flush()
        ids = {}
        for when in ("held", "coming"):
            at = REAL_NOW - timedelta(hours=2) if when == "held" else REAL_NOW + timedelta(days=1)
            viewing = Viewing(void_id=ad2.void_id, advert_id=ad2.id, at=at, arranged_by_id=place.staff["olu"])
            s.add(viewing)
            s.flush()
            invitation = ViewingInvitation(viewing_id=viewing.id, applicant_id=offer.applicant_id, offer_id=offer.id)
            s.add(invitation)
            s.flush()
            ids[when] = (viewing.id, invitation.id)
    viewings = _section(place.page("olu"), "viewings")
    assert f'href="/admin/viewings/{ids["held"][0]}"' in viewings
    assert f'href="/admin/viewings/{ids["coming"][0]}"' not in viewings  # not happened yet
    place.db.run(record_attendance, place.actor("olu"), ids["held"][1], True, REAL_NOW)
    assert f'href="/admin/viewings/{ids["held"][0]}"' not in _section(place.page("olu"), "viewings")


def test_a_nomination_waits_for_the_provider_overdue_and_leaves_when_it_declines(place, scheme):
    place.give("HR000004", "bea")
    with place.db.transaction() as s:
        ad3 = add_advert(s, place.world, "NM1", landlord=place.world.provider)
        nomination = Nomination(advert_id=ad3.id, applicant_id=place.household("HR000004"),
                                agreement_id=place.world.agreement, provider_id=place.world.provider,
                                respond_by=TODAY - timedelta(days=1), status=NominationStatus.SENT)
        s.add(nomination)
        s.flush()
        nomination_id = nomination.id
        provider = actors.provider_system(s.get_one(Organisation, place.world.provider))
    link = 'href="/admin/adverts/NM1/shortlist"'
    nominations = _section(place.page("bea"), "nominations")
    assert link in nominations and "Overdue" in nominations
    assert link not in _section(place.page("olu"), "nominations")
    place.db.run(decline_nomination, provider, scheme, nomination_id, "arrears", "Arrears over the threshold.",
                 REAL_NOW)
    assert link not in _section(place.page("bea"), "nominations")


def test_a_review_is_on_its_reviewers_queue_within_a_week_of_its_deadline_until_it_ends(place, monkeypatch):
    with place.db.transaction() as s:
        review = Review(applicant_id=place.household("HR000005"), decision_type=ReviewType.BAND,
                        subject_type="band_assessment", subject_id=1, notified_on=TODAY, requested_on=TODAY,
                        decide_by=TODAY + timedelta(days=10), status=ReviewStatus.ACKNOWLEDGED,
                        reviewer_id=place.staff["rae"])
        s.add(review)
        s.flush()
        review_id = review.id
    link = f'href="/admin/reviews/{review_id}"'
    assert link not in _section(place.page("rae"), "reviews")  # ten days off
    _moved_on(monkeypatch, 4)
    assert link in _section(place.page("rae"), "reviews")
    assert 'id="queue-reviews"' not in place.page("olu")  # an officer works no reviews
    place.db.run(review_withdrawal.withdraw, place.actor("rae"), review_id, "letter",
                 "Please withdraw my review.", REAL_NOW)
    assert link not in _section(place.page("rae"), "reviews")


def test_an_enquiry_about_a_case_is_its_officers_until_answered(place, scheme):
    place.give("HR000006", "olu")
    enquiry = place.db.run(enquiries.log_enquiry, place.actor("rae"), scheme, "complaint", "Ms Six",
                           "Asks why no offer yet.", TODAY, "HR000006", REAL_NOW)
    link = f'href="/admin/enquiries?enquiry={enquiry.id}#enquiry-{enquiry.id}"'
    mine = _section(place.page("olu"), "enquiries")
    assert link in mine and "Complaint from Ms Six: the acknowledgement is due" in mine
    assert f'id="enquiry-{enquiry.id}"' in place.page("olu", f"/admin/enquiries?enquiry={enquiry.id}")
    place.db.run(enquiries.answer, place.actor("olu"), scheme, enquiry.id, "An offer comes in its turn.", REAL_NOW)
    assert link not in _section(place.page("olu"), "enquiries")


def test_a_panel_referral_is_on_its_officers_queue_overdue_after_its_target_until_the_panel_decides(place, scheme,
                                                                                                  monkeypatch):
    place.give("HR000005", "olu")
    referral = place.db.run(panels.refer, place.actor("olu"), scheme, place.household("HR000005"), "medical",
                            "Cannot manage stairs.", REAL_NOW)
    link = f'href="/admin/panels/{referral.id}"'
    mine = _section(place.page("olu"), "panels")
    assert link in mine and "Medical panel to hold (no panel arranged yet): its decision is due" in mine
    assert link not in _section(place.page("bea"), "panels")
    place.db.run(panels.arrange, place.actor("olu"), referral.id, TODAY, [place.staff["bea"], place.staff["mo"]],
                 REAL_NOW)
    assert f"Medical panel to hold (meets on {TODAY:%-d %B %Y})" in _section(place.page("olu"), "panels")
    _moved_on(monkeypatch, (referral.due_by - TODAY).days + 1)
    assert 'class="govuk-tag govuk-tag--red">Overdue' in _section(place.page("olu"), "panels")
    monkeypatch.undo()
    place.db.run(panels.decide, place.actor("bea"), scheme, referral.id,
                 panels.Recommendation(access=frozenset({"ground_floor_or_lift"})), "Stairs are unsafe.", REAL_NOW)
    assert link not in _section(place.page("olu"), "panels")


def test_applications_are_taken_assessed_after_their_evidence_and_changes_assessed(place, scheme, tmp_path):
    online_id, applicant_id = send_application(place.db, scheme, REAL_NOW, contact="queue@example.net")
    with place.db.reading() as s:
        reference = s.get_one(Applicant, applicant_id).reference
    link = f'href="/admin/online-applications/{online_id}"'
    page = place.page("olu")
    assert link in _section(page, "unheld") and link not in _section(page, "applications")
    taken = place.visitor("olu").post(f"/admin/applicants/{reference}/taking", {"back": "/admin#queue-unheld"})
    assert taken.status_code == 303 and taken.headers["location"] == "/admin#queue-unheld"
    page = place.page("olu")
    assert link in _section(page, "applications") and link not in _section(page, "unheld")

    place.db.run(assessment.request_evidence, place.actor("olu"), online_id, "A payslip", REAL_NOW)
    page = place.page("olu")
    assert link not in _section(page, "applications") and link not in _section(page, "evidence")  # the household's
    place.db.run(add_evidence, Owner(applicant_id=applicant_id), tmp_path, "payslip.pdf", b"%PDF-1.4\n%%EOF\n",
                 "income", REAL_NOW)
    evidence = _section(place.page("olu"), "evidence")
    assert link in evidence and f"Received {TODAY:%-d %B %Y}" in evidence
    place.db.run(assessment.accept_application, place.actor("olu"), scheme, online_id, "C", TODAY, "Assessed.",
                 REAL_NOW)
    assert link not in _section(place.page("olu"), "evidence")

    with place.db.transaction() as s:  # a change of circumstances on Olu's case
        owner = Owner(applicant_id=applicant_id)
        save_answer(s, owner, "change", {"what": "new_address", "on": TODAY.isoformat()}, REAL_NOW)
        save_answer(s, owner, "change_address", {"address": "2 New Road", "postcode": "AT1 3CD"}, REAL_NOW)
        save_answer(s, owner, "evidence", {"seen": True}, REAL_NOW)
        change = submit_change(s, scheme, applicant_id, True, REAL_NOW)
        change_id = change.id
    assert f'href="/admin/online-applications/{change_id}"' in _section(place.page("olu"), "applications")
    place.db.run(assessment.assess_change, place.actor("olu"), scheme, change_id, "C", TODAY, "Moved.", REAL_NOW)
    assert f'href="/admin/online-applications/{change_id}"' not in _section(place.page("olu"), "applications")


def test_a_home_empty_past_the_target_is_on_every_officers_queue_until_it_is_let(place, scheme, monkeypatch):
    target = scheme.voids.target_days
    with place.db.transaction() as s:
        advert = add_advert(s, place.world, "VD1")
        void = s.get_one(Void, advert.void_id)
        void.tenancy_end_date = TODAY - timedelta(days=target - 1)  # a day short of the target
        s.add(void)
        household = add_applicant(s, scheme, place.world, "HR000010", band="A", verified=True)
        offer = Offer(applicant_id=household.id, void_id=void.id, advert_id=advert.id, respond_by=TODAY)
        s.add(offer)
        s.flush()
        offer_id = offer.id
    home = 'href="/admin/stock/P-VD1"'
    assert home not in _section(place.page("olu"), "voids")
    _moved_on(monkeypatch, 2)
    for who in ("olu", "bea"):
        voids = _section(place.page(who), "voids")
        assert home in voids and "Overdue" in voids
    assert home in _section(place.page("mo", "/admin/team"), "voids")
    with place.db.reading() as s:
        applicant = actors.applicant(s.get_one(Applicant, household.id))
    place.db.run(accept_offer, applicant, offer_id, REAL_NOW)
    place.db.run(record_tenancy_start, place.actor("olu"), offer_id, TODAY, REAL_NOW,
                 tenancy_type=TenancyType.SECURE, rent_at_let_pence=9500, keys_given_on=TODAY)
    assert home not in _section(place.page("olu"), "voids")


def test_the_team_page_counts_each_officers_tasks_and_filters_by_officer(place):
    olu, bea = place.staff["olu"], place.staff["bea"]
    place.give("HR000007", "bea")
    with place.db.transaction() as s:
        home = add_advert(s, place.world, "TM1")
        s.add(Offer(applicant_id=place.household("HR000007"), void_id=home.void_id, advert_id=home.id,
                    respond_by=TODAY - timedelta(days=1)))  # Bea's, overdue (the scheduler has not lapsed it)
    row = place.page("mo", "/admin/team").split(f'id="counts-{bea}"', 1)[1].split("</tr>", 1)[0]
    offers = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[1]  # after the open cases
    assert "1 overdue" in offers
    only_bea = place.page("mo", f"/admin/team?officer={bea}")
    assert "HR000007" in _section(only_bea, "offers") and "Bea Officer" in _section(only_bea, "offers")
    assert "/admin/applicants/HR000007" in only_bea.split('id="cases"', 1)[1]
    only_olu = place.page("mo", f"/admin/team?officer={olu}")
    assert "HR000007" not in _section(only_olu, "offers") and "HR000007" not in only_olu.split('id="cases"', 1)[1]
    refused = place.visitor("mo").get("/admin/team?officer=99999")
    assert refused.status_code == 422 and "Choose whose work from the list" in refused.text

    def move(**fields: object):
        return place.visitor("mo").post("/admin/team/reassignment", {"shown": str(bea), "page": "1", **fields},
                                        form_page="/admin/team")

    household = str(place.household("HR000007"))
    for fields, said in [({"cases": [household], "officer": "99999"}, "Choose new case officer from the list"),
                         ({"cases": ["12345678"], "officer": str(olu)}, "Some of the cases you ticked have moved"),
                         ({"cases": [household], "officer": str(olu), "page": "none"}, "Page must be a whole number"),
                         ({"cases": [household], "officer": str(olu), "shown": ""}, "Choose an officer, or no one")]:
        answer = move(**fields)
        assert answer.status_code == 422 and said in answer.text, (fields, answer.status_code)
    assert "/admin/applicants/HR000007" in place.page("mo", f"/admin/team?officer={bea}").split('id="cases"', 1)[1]


def test_two_officers_taking_one_case_at_once_one_holds_it_and_the_other_is_told_who(place):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from cbl.services.case_officers import take_case
    from cbl.services.errors import Conflict

    start = Barrier(2)

    def take(who: str) -> str:
        actor = place.actor(who)
        start.wait()
        try:
            place.db.run(take_case, actor, place.household("HR000008"), REAL_NOW)
            return "took"
        except Conflict as refused:
            return refused.message

    with ThreadPoolExecutor(2) as pool:
        answers = sorted(pool.map(take, ["olu", "bea"]))
    assert answers[1] == "took" and answers[0].endswith("holds this case: a manager can move it to you.")
    with place.db.reading() as s:
        assert s.get_one(Applicant, place.household("HR000008")).case_officer_id in (place.staff["olu"],
                                                                                      place.staff["bea"])
        assert len(s.exec(select(AuditEvent).where(AuditEvent.applicant_id == place.household("HR000008"),
                                                   AuditEvent.action == "case.taken")).all()) == 1
