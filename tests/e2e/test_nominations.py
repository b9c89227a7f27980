"""Nominations to a registered provider, worked by the provider in its portal and through its API,
with one provider never seeing another's work."""

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from litestar.testing import TestClient
from sqlmodel import select

from cbl.models import (
    Advert, Applicant, AuditEvent, Cycle, Nomination, NominationAgreement, Organisation, OutboxMessage, Property,
    ShortlistEntry, StaffUser, Void,
)
from cbl.models.states import (
    AdvertStatus, ApplicationStatus, NominationStatus, OrganisationKind, ShortlistStatus, StaffRole, VoidStatus,
)
from cbl.services import actors
from cbl.services.actors import SYSTEM
from cbl.services.bidding import place_bid
from cbl.services.cycles import close_cycle
from cbl.services.nominations import send_nomination, send_reminders
from cbl.services.sign_in import issue_provider_key
from cbl.web.auth import now
from tests.support.forms import date_fields
from tests.e2e.conftest import Browser, staff_sign_in
from tests.support.factories import PASSWORD_HASH
from tests.support.exchanges import two_way_with_landlords


@pytest.fixture
def nominated_shortlist(db, scheme, world, staff):
    """Three verified households bid for the provider's home AD3; the cycle has closed."""
    with db.transaction() as s:
        agreement = s.get(NominationAgreement, world.agreement)
        agreement.decline_grounds = ["arrears", "affordability"]
        for reference in ("HR000001", "HR000002", "HR000003"):
            s.get(Applicant, world.applicants[reference]).verified = True
    for reference in ("HR000001", "HR000002", "HR000003"):
        with db.reading() as s:
            actor = actors.applicant(s.get(Applicant, world.applicants[reference]))
        db.run(place_bid, actor, scheme, world.applicants[reference], "AD3", now())
    with db.reading() as s:
        closes_at = s.get(Cycle, world.cycle).closes_at
    assert db.run(close_cycle, SYSTEM, scheme, world.cycle, closes_at + timedelta(minutes=1))
    with db.reading() as s:
        entries = {e.applicant_id: e.id for e in s.exec(select(ShortlistEntry).join(
            Advert, Advert.id == ShortlistEntry.advert_id).where(Advert.reference == "AD3"))}
    return {reference: entries[world.applicants[reference]] for reference in ("HR000001", "HR000002", "HR000003")}


@pytest.fixture
def other_provider(db, world):
    """A second registered provider with a home and a member of staff of its own."""
    with db.transaction() as s:
        other = Organisation(code="NGH", name="Northgate Homes", kind=OrganisationKind.PROVIDER)
        s.add(other)
        s.flush()
        s.add(StaffUser(organisation_id=other.id, email="lettings@ngh.example", name="Nia Northgate",
                        role=StaffRole.PROVIDER, password_hash=PASSWORD_HASH))
        s.add(Property(landlord_id=other.id, reference="NGH-1", address="1 Other Street", postcode="AT5 5AA",
                       area="Northgate", property_type="flat", bedrooms=1, weekly_rent_pence=9000))
    return "lettings@ngh.example"


def _officer_nominates(visitor, entry_id: int) -> None:
    page = "/admin/adverts/AD3/shortlist"
    assert visitor.post(f"{page}/{entry_id}/verify", form_page=page).status_code == 303
    assert visitor.post(f"{page}/{entry_id}/nomination", form_page=page).status_code == 303


@pytest.fixture
def manager(app):
    with TestClient(app) as client:
        yield Browser(client)


def test_a_provider_takes_a_nomination_from_received_to_let_without_the_council(
        visitor, other_visitor, manager, db, world, staff, nominated_shortlist, monkeypatch):
    staff_sign_in(manager, staff[StaffRole.MANAGER])
    compliance = f"/admin/agreements/{world.agreement}/compliance"

    def nominee_lets() -> str:
        page = manager.get(compliance).text
        return re.search(r"Lets to council nominees</th>.*?<td[^>]*>[^<]*</td><td[^>]*>[^<]*</td><td[^>]*>([^<]*)<",
                         page, re.S).group(1).strip()

    assert nominee_lets() == "0"
    staff_sign_in(visitor, "officer@example.org")
    offer = visitor.post(f"/admin/adverts/AD3/shortlist/{nominated_shortlist['HR000002']}/offer",
                         form_page="/admin/adverts/AD3/shortlist")
    assert offer.status_code == 409  # a provider's home is nominated, not offered
    _officer_nominates(visitor, nominated_shortlist["HR000002"])
    with db.reading() as s:
        nomination = s.exec(select(Nomination)).one()
        assert nomination.status is NominationStatus.SENT and nomination.provider_id == world.provider
        assert s.exec(select(OutboxMessage).where(OutboxMessage.organisation_id == world.provider)).first()

    # The provider signs in and lands in its own portal.
    landed = staff_sign_in(other_visitor, staff[StaffRole.PROVIDER])
    assert landed.headers["location"] == "/admin/provider"
    portal = other_visitor.get("/admin/provider").text
    assert f"/admin/provider/nominations/{nomination.id}" in portal
    path = f"/admin/provider/nominations/{nomination.id}"
    page = other_visitor.get(path).text
    assert "Lead HR000002" in page  # the household, as the agreement lets the council share
    too_soon = other_visitor.post(f"{path}/viewing-outcome", {"outcome": "attended"}, form_page=path)
    assert too_soon.status_code == 409
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).date().isoformat()
    assert other_visitor.post(f"{path}/viewing", {**date_fields("viewing_at", tomorrow), "viewing_time": "10:30am"},
                              form_page=path).status_code == 303
    with db.reading() as s:
        viewing = s.get(Nomination, nomination.id)
        assert viewing.status is NominationStatus.VIEWING_ARRANGED and viewing.viewing_confirmed
    bad_date = other_visitor.post(f"{path}/tenancy",
                                  {"starts_on-day": "next", "starts_on-month": "week", "starts_on-year": "2026"},
                                  form_page=path)
    assert bad_date.status_code == 422 and "real date" in bad_date.text
    starts = (datetime.now(timezone.utc) + timedelta(days=7)).date()
    assert other_visitor.post(f"{path}/tenancy", date_fields("starts_on", starts), form_page=path).status_code == 303
    with db.reading() as s:
        let = s.get(Nomination, nomination.id)
        advert = s.exec(select(Advert).where(Advert.reference == "AD3")).one()
        void = s.get(Void, advert.void_id)
        assert let.status is NominationStatus.LET and let.tenancy_start_date == starts
        assert advert.status is AdvertStatus.LET and void.status is VoidStatus.LET and void.tenancy_start_date == starts
        assert s.get(Applicant, world.applicants["HR000002"]).status is ApplicationStatus.HOUSED
        actions = [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.subject_type == "nomination"))]
    assert actions == ["nomination.sent", "nomination.viewing_arranged", "nomination.let"]
    assert "AD3" not in visitor.get("/results").text  # published once the tenancy has started, not before
    monkeypatch.setattr("cbl.web.adverts.now", lambda: now() + timedelta(days=7))  # a week on
    assert "AD3" in visitor.get("/results").text
    assert nominee_lets() == "1"  # the council sees the agreement's figures move as the provider lets
    council_view = visitor.get("/admin/adverts/AD3/shortlist").text
    assert 'id="nominations"' in council_view and "let" in council_view.split('id="nominations"')[1]


def test_a_decline_on_an_allowed_ground_frees_the_council_to_nominate_the_next(
        visitor, other_visitor, db, world, staff, nominated_shortlist):
    staff_sign_in(visitor, "officer@example.org")
    _officer_nominates(visitor, nominated_shortlist["HR000002"])
    with db.reading() as s:
        nomination = s.exec(select(Nomination)).one()
    staff_sign_in(other_visitor, staff[StaffRole.PROVIDER])
    path = f"/admin/provider/nominations/{nomination.id}"
    not_allowed = other_visitor.post(f"{path}/decline", {"ground": "support_needs", "note": "No support"},
                                     form_page=path)
    assert not_allowed.status_code == 422 and "agreement allows" in not_allowed.text
    no_note = other_visitor.post(f"{path}/decline", {"ground": "arrears"}, form_page=path)
    assert no_note.status_code == 422
    assert other_visitor.post(f"{path}/decline", {"ground": "arrears", "note": "£3,100 arrears, no plan"},
                              form_page=path).status_code == 303
    with db.reading() as s:
        declined = s.get(Nomination, nomination.id)
        entry = s.get(ShortlistEntry, nominated_shortlist["HR000002"])
        assert declined.status is NominationStatus.DECLINED and declined.decline_ground == "arrears"
        assert entry.status is ShortlistStatus.SKIPPED and entry.skip_reason == "provider_declined"
        letter = " ".join(s.exec(select(OutboxMessage).where(OutboxMessage.template == "nomination_declined")).one()
                          .body.split())
    # The household is told the provider's decision, its ground and words, and the provider's route to challenge it.
    for sentence in ("Riverside Housing Association has decided not to offer you a tenancy of this home",
                     "£3,100 arrears, no plan", "complaints procedure", "the Housing Ombudsman"):
        assert sentence in letter, sentence
    assert "Local Government and Social Care Ombudsman" not in letter
    assert other_visitor.post(f"{path}/tenancy", date_fields("starts_on", date.today()),
                              form_page=path).status_code == 409  # a declined nomination is finished
    _officer_nominates(visitor, nominated_shortlist["HR000003"])
    with db.reading() as s:
        assert len(s.exec(select(Nomination).where(Nomination.status == NominationStatus.SENT)).all()) == 1


def test_answers_are_due_in_uk_working_days_and_overdue_ones_are_reminded_once_a_day(db, world, staff,
                                                                                     nominated_shortlist):
    with db.transaction() as s:
        # The top of the shortlist (HR000002, band A): a place lower down waits for it (s167(8)).
        s.get(ShortlistEntry, nominated_shortlist["HR000002"]).status = ShortlistStatus.VERIFIED
        officer = actors.staff(s.exec(select(StaffUser).where(StaffUser.email == "officer@example.org")).one())
        s.get(Organisation, world.provider).lettings_email = "lettings@riverside.example"
    christmas_eve = datetime(2026, 12, 24, 12, tzinfo=timezone.utc)
    nomination = db.run(send_nomination, officer, nominated_shortlist["HR000002"], christmas_eve)
    # 5 working days: 29, 30, 31 December, then 4 and 5 January (25, 28 December and 1 January are bank holidays).
    assert nomination.respond_by == date(2027, 1, 5)
    # The provider is e-mailed at its lettings address, with the day its answer is due.
    from cbl.messages.parcels import parcel_for

    with db.reading() as s:
        [told] = s.exec(select(OutboxMessage).where(OutboxMessage.organisation_id == world.provider)).all()
        parcel = parcel_for(s, told)
    assert (parcel.channel, parcel.recipient) == ("email", "lettings@riverside.example")
    assert "Please answer by the end of 5 January 2027" in parcel.body
    assert db.run(send_reminders, SYSTEM, datetime(2027, 1, 5, 18, tzinfo=timezone.utc)) == 0  # not yet overdue
    first_day_late = datetime(2027, 1, 6, 8, tzinfo=timezone.utc)
    assert db.run(send_reminders, SYSTEM, first_day_late) == 1
    assert db.run(send_reminders, SYSTEM, first_day_late + timedelta(hours=3)) == 0
    assert db.run(send_reminders, SYSTEM, first_day_late + timedelta(days=1)) == 1
    with db.reading() as s:
        reminders = s.exec(select(OutboxMessage).where(OutboxMessage.subject.startswith("Overdue"))).all()
        assert len(reminders) == 2 and all(r.organisation_id == world.provider for r in reminders)


def _provider_paths(db, world, nomination_id: int) -> list[tuple[str, str]]:
    with db.transaction() as s:
        void_id = s.exec(select(Advert.void_id).where(Advert.reference == "AD3")).one()
        _, exchange = two_way_with_landlords(s, world.applicants["HR000001"], world.council,
                                             world.applicants["HR000003"], world.provider)
    return [("GET", f"/admin/provider/exchanges/{exchange}"), ("POST", f"/admin/provider/exchanges/{exchange}/consent"),
            ("POST", f"/admin/provider/exchanges/{exchange}/refusal"),
            ("GET", f"/admin/provider/nominations/{nomination_id}"),
            ("POST", f"/admin/provider/nominations/{nomination_id}/viewing"),
            ("POST", f"/admin/provider/nominations/{nomination_id}/viewing-outcome"),
            ("POST", f"/admin/provider/nominations/{nomination_id}/tenancy"),
            ("POST", f"/admin/provider/nominations/{nomination_id}/decline"),
            ("GET", "/admin/provider/homes/P-AD3"), ("POST", "/admin/provider/homes/P-AD3/voids"),
            ("POST", f"/admin/provider/voids/{void_id}/ready")]


def test_another_provider_finds_nothing_of_this_providers_on_any_portal_route_or_api(
        app, visitor, db, world, staff, nominated_shortlist, other_provider):
    staff_sign_in(visitor, "officer@example.org")
    _officer_nominates(visitor, nominated_shortlist["HR000002"])
    with db.reading() as s:
        nomination = s.exec(select(Nomination)).one()
    provider_routes = [r.path for r in app.routes if r.path.startswith("/admin/provider/") and "{" in r.path]
    paths = _provider_paths(db, world, nomination.id)
    assert len(paths) == len(provider_routes)  # every portal route with an id is in the list
    with TestClient(app) as client:
        outsider = Browser(client)
        assert staff_sign_in(outsider, other_provider).status_code == 303
        for method, path in paths:
            if method == "GET":
                answer = client.get(path, follow_redirects=False)
            else:
                answer = outsider.post(path, {**date_fields("viewing_at", "2027-01-01"), "viewing_time": "10:00",
                                              "outcome": "attended", **date_fields("starts_on", "2027-01-01"),
                                              "ground": "arrears", "note": "x",
                                              **date_fields("tenancy_end", "2026-11-01")}, form_page="/admin/provider")
            assert answer.status_code == 404, (method, path, answer.status_code)
        assert f"nominations/{nomination.id}" not in client.get("/admin/provider").text
        assert "/admin/provider/exchanges/" not in client.get("/admin/provider/exchanges").text
        assert client.get("/admin/applicants/HR000002").status_code == 403  # no register for provider staff
    with db.reading() as s:
        assert s.get(Nomination, nomination.id).status is NominationStatus.SENT  # nothing changed

    # The same through the API, with each provider's key.
    with db.reading() as s:
        ngh = s.exec(select(Organisation).where(Organisation.code == "NGH")).one()
    own_key = db.run(issue_provider_key, SYSTEM, "RHA")
    other_key = db.run(issue_provider_key, SYSTEM, ngh.code)
    with TestClient(app) as client:
        other = {"Authorization": f"Bearer {other_key}"}
        assert client.get("/api/v1/provider/nominations", headers=other).json() == []
        assert client.get("/api/v1/provider/exchanges", headers=other).json() == []
        assert client.get(f"/api/v1/provider/nominations/{nomination.id}", headers=other).status_code == 404
        refused = client.post(f"/api/v1/provider/nominations/{nomination.id}/outcome", headers=other,
                              json={"outcome": "let", "tenancy_start": "2027-01-04"})
        assert refused.status_code == 404 and refused.json()["error"]["message"]
        assert client.post("/api/v1/provider/voids", headers=other,
                           json={"property": "P-AD3", "tenancy_end": "2026-11-01"}).status_code == 404
        assert client.get("/api/v1/provider/nominations").status_code == 401
        assert client.get("/api/v1/provider/nominations",
                          headers={"Authorization": "Bearer cblp_wrong"}).status_code == 401
        mine = client.get("/api/v1/provider/nominations", headers={"Authorization": f"Bearer {own_key}"}).json()
        assert [n["id"] for n in mine] == [nomination.id] and mine[0]["nominee"]["reference"] == "HR000002"


def test_a_providers_system_notifies_a_void_and_houses_a_nominee_through_the_api(app, db, world, staff, visitor,
                                                                                nominated_shortlist):
    staff_sign_in(visitor, "officer@example.org")
    _officer_nominates(visitor, nominated_shortlist["HR000002"])  # the top of the shortlist
    key = db.run(issue_provider_key, SYSTEM, "RHA")
    headers = {"Authorization": f"Bearer {key}"}
    with db.transaction() as s:
        s.add(Property(landlord_id=world.provider, reference="RHA-9", address="9 River Row", postcode="AT2 2AA",
                       area="Riverside", property_type="house", bedrooms=2, weekly_rent_pence=11000))
    with TestClient(app) as client:
        future = client.post("/api/v1/provider/voids", headers=headers,
                             json={"property": "RHA-9", "tenancy_end": "2099-01-01"})
        assert future.status_code == 422 and future.json()["error"]["message"]
        bad = client.post("/api/v1/provider/voids", headers=headers, json={"property": "RHA-9", "tenancy_end": "x"})
        assert 400 <= bad.status_code < 500
        notified = client.post("/api/v1/provider/voids", headers=headers,
                               json={"property": "RHA-9", "tenancy_end": "2026-11-20", "reason": "Tenant died"})
        assert notified.status_code == 201
        ready = client.post(f"/api/v1/provider/voids/{notified.json()['id']}/ready", headers=headers)
        assert ready.status_code == 200 and ready.json()["ready_to_let"]
        nomination = client.get("/api/v1/provider/nominations", headers=headers).json()[0]
        unknown = client.post(f"/api/v1/provider/nominations/{nomination['id']}/outcome", headers=headers,
                              json={"outcome": "maybe"})
        # Not one of the schema's outcomes: refused naming the field.
        assert unknown.status_code == 400 and unknown.json()["error"]["details"][0]["key"] == "outcome"
        starts = (datetime.now(timezone.utc) + timedelta(days=3)).date().isoformat()
        housed = client.post(f"/api/v1/provider/nominations/{nomination['id']}/outcome", headers=headers,
                             json={"outcome": "let", "tenancy_start": starts})
        assert housed.status_code == 200 and housed.json()["status"] == "let"
    with db.reading() as s:
        assert s.exec(select(Void).join(Property).where(Property.reference == "RHA-9")).one().ready_to_let_at
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "nomination.let")).one()
        assert events.actor_kind.value == "provider_api" and "Riverside" in events.actor_name


def test_the_portal_shows_the_providers_homes_25_to_a_page_empty_ones_first(db, world, staff, visitor):
    with db.transaction() as s:
        for number in range(30):
            home = Property(landlord_id=world.provider, reference=f"RHA-{number:03d}", address=f"{number} Quay",
                            postcode="AT1 1AA", area="Riverside", property_type="flat", bedrooms=1,
                            weekly_rent_pence=9000)
            s.add(home)
            s.flush()
            if number in (7, 29):  # two empty since spring, the later-numbered one the longer
                s.add(Void(property_id=home.id, tenancy_end_date=date(2026, 5, 1) - timedelta(days=number)))
    staff_sign_in(visitor, staff[StaffRole.PROVIDER])
    first = visitor.get("/admin/provider")
    homes = re.findall(r'href="/admin/provider/homes/([^"]+)"', first.text)
    assert homes[:2] == ["RHA-029", "RHA-007"] and len(homes) == 25
    assert re.search(r"Showing 1 to 25 of \d+ homes, empty ones first, 25 to a page\.", first.text)
    total = int(re.search(r"of (\d+) homes", first.text).group(1))
    last = visitor.get(f"/admin/provider?page={-(-total // 25)}")
    assert f"to {total} of {total} homes" in last.text
    assert visitor.get("/admin/provider?page=two").status_code == 422
