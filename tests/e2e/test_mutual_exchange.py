"""Mutual exchanges end to end through the app, on both databases: three tenants (the council's, a provider's, the
council's) list homes that form a three-way ring; the matcher proposes it; all are interested; the council consents
with an arrears condition, the provider consents in its portal, and the last landlord's 42 days pass, so consent may
no longer be refused (Housing Act 1985 s92(4)); the letters say so. A refusal on a Schedule 3 ground through the app
is tests/browser/test_mutual_exchange.py's; its letter, tests/integration/test_mutual_exchange.py's."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from cbl.models import ExchangeListing, ExchangeMatch, ExchangeMember, OutboxMessage
from cbl.models.states import ConsentDecision, ExchangeMatchStatus, ListingStatus, StaffRole
from cbl.services import sign_in
from cbl.services.actors import SYSTEM
from cbl.web.auth import now
from scheduler import jobs
from tests.e2e.conftest import Browser, staff_sign_in
from tests.support.factories import add_applicant

# Each household's home and the area it wants: A -> B's Riverside, B -> C's Castlefields, C -> A's Northgate.
TENANTS = {"HRX1": ("ATC", "secure", "Northgate", "Riverside"), "HRX2": ("RHA", "assured", "Riverside", "Castlefields"),
           "HRX3": ("ATC", "secure", "Castlefields", "Northgate")}


@pytest.fixture
def tenants(db, scheme, world, staff):
    with db.transaction() as s:
        for reference in TENANTS:
            add_applicant(s, scheme, world, reference)  # one adult each: one bedroom needed, one or two suit
    jobs.configure(jobs.Runtime(db, scheme, ZoneInfo("Europe/London")))
    yield world
    jobs._runtime = None


def _list(visitor: Browser, reference: str, **changes) -> object:
    landlord, tenancy, area, wants = TENANTS[reference]
    visitor.sign_in(reference)
    fields = {"landlord": landlord, "tenancy": tenancy, "address": f"1 {reference} Road", "postcode": "at1 1aa",
              "area": area, "bedrooms": "1", "property_type": "flat", "weekly_rent": "95.50",
              "want_areas": [wants], "want_min_bedrooms": "1", "want_max_bedrooms": "2", "want_types": ["flat"],
              **changes}
    return visitor.post("/account/exchange", fields)


def _ring_with_landlords(visitor: Browser, staff) -> dict[str, int]:
    """The three list their homes, an officer runs the matcher, and each says it is interested: each one's place."""
    for reference in TENANTS:
        assert _list(visitor, reference).status_code == 303
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    ran = visitor.post("/admin/exchanges/matching", form_page="/admin/exchanges")
    assert ran.status_code == 303 and "ran=1+exchanges,+3+households" in ran.headers["location"]
    places = {}
    for reference in TENANTS:
        visitor.sign_in(reference)
        page = visitor.get("/account/exchange").text
        assert "3-way exchange" in page and "Road" not in page.split("3-way exchange")[1].split("</div>")[0]
        places[reference] = int(re.search(r"/account/exchange/(\d+)/interest", page).group(1))
        assert visitor.post(f"/account/exchange/{places[reference]}/interest", {"answer": "yes"}).status_code == 303
    return places


def _letters(db, template: str, applicant_id: int | None = None) -> list[OutboxMessage]:
    with db.reading() as s:
        query = select(OutboxMessage).where(OutboxMessage.template == template)
        if applicant_id is not None:
            query = query.where(OutboxMessage.applicant_id == applicant_id)
        return list(s.exec(query.order_by(OutboxMessage.id)).all())


def test_a_three_way_exchange_runs_from_listing_to_completion_through_the_app(visitor, db, staff, tenants):
    introductory = _list(visitor, "HRX1", tenancy="introductory_or_starter")
    assert introductory.status_code == 422 and "section 124" in introductory.text
    places = _ring_with_landlords(visitor, staff)
    ids = tenants.applicants

    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    work = visitor.get("/admin").text
    assert "Mutual exchanges waiting for consent" in work
    assert f"/admin/exchanges/consents/{places['HRX1']}" in work and f"/admin/exchanges/consents/{places['HRX2']}" \
        not in work  # the provider's tenant is the provider's to decide
    council = f"/admin/exchanges/consents/{places['HRX1']}"
    assert "Ground 2ZA" in visitor.get(council).text
    odd = visitor.post(f"{council}/consent", {"conditions": ["keep_the_garden"]}, form_page=council)
    assert odd.status_code == 422
    consented = visitor.post(f"{council}/consent", {"conditions": ["pay_rent"],
                                                    "particulars": "Pay the £240.00 rent owed before you move."},
                             form_page=council)
    assert consented.status_code == 303

    # The provider's system sees its own tenant's application, and a refusal without a Schedule 3 ground is refused.
    key = {"Authorization": f"Bearer {db.run(sign_in.issue_provider_key, SYSTEM, 'RHA')}"}
    listed = visitor.client.get("/api/v1/provider/exchanges", headers=key).json()
    assert [(row["id"], row["decision"]) for row in listed] == [(places["HRX2"], "pending")]
    groundless = visitor.client.post(f"/api/v1/provider/exchanges/{places['HRX2']}/decision", headers=key,
                                     json={"decision": "refuse", "grounds": [], "particulars": "No reason"})
    assert groundless.status_code == 422 and "Schedule 3" in groundless.text
    assert visitor.client.post(f"/api/v1/provider/exchanges/{places['HRX1']}/decision", headers=key,
                               json={"decision": "consent"}).status_code == 404  # the council's tenant
    staff_sign_in(visitor, staff[StaffRole.PROVIDER])
    assert f"/admin/provider/exchanges/{places['HRX2']}" in visitor.get("/admin/provider/exchanges").text
    assert visitor.get(f"/admin/provider/exchanges/{places['HRX1']}").status_code == 404  # not its tenant
    portal = f"/admin/provider/exchanges/{places['HRX2']}"
    assert visitor.post(f"{portal}/consent", {}, form_page=portal).status_code == 303

    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    last = f"/admin/exchanges/consents/{places['HRX3']}"
    no_ground = visitor.post(f"{last}/refusal", {"particulars": "We would rather not."}, form_page=last)
    assert no_ground.status_code == 422 and "Choose at least one ground of Schedule 3" in no_ground.text
    assert "We would rather not." in no_ground.text  # what was typed is shown again

    # HRX3's 42 days pass with no notice served: a refusal now is refused, and the night's job settles it.
    with db.transaction() as s:
        match = s.exec(select(ExchangeMatch)).one()
        match.applied_on = now().date() - timedelta(days=43)
        for member in s.exec(select(ExchangeMember)):
            member.consent_by = match.applied_on + timedelta(days=42)
            s.add(member)
        s.add(match)
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    late = f"/admin/exchanges/consents/{places['HRX3']}"
    too_late = visitor.post(f"{late}/refusal", {"grounds": ["3"], "particulars": "Too big for the household."},
                            form_page=late)
    assert too_late.status_code == 409 and "may no longer be refused" in too_late.text and "s92(4)" in too_late.text
    jobs.exchange_deadlines(now())
    with db.reading() as s:
        assert s.get(ExchangeMember, places["HRX3"]).decision is ConsentDecision.UNREFUSABLE
        assert s.exec(select(ExchangeMatch)).one().status is ExchangeMatchStatus.AGREED

    condition = _letters(db, "exchange_consent", ids["HRX1"])[0].body
    assert "Pay the rent lawfully due" in condition and "Pay the £240.00 rent owed" in condition
    assert "section 92(5)" in condition
    assert "consents to your mutual exchange" in _letters(db, "exchange_consent", ids["HRX2"])[0].body
    unrefusable = _letters(db, "exchange_consent", ids["HRX3"])[0].body
    assert "may no longer refuse consent" in unrefusable and "section 92(4)" in unrefusable
    assert len(_letters(db, "exchange_agreed")) == 3
    assert len(_letters(db, "exchange_with_landlords")) == 3 and len(_letters(db, "exchange_proposed")) == 3

    with db.reading() as s:
        match_id = s.exec(select(ExchangeMatch.id)).one()
    today = now().date()
    done = visitor.post(f"/admin/exchanges/{match_id}/completion", {
        "took_effect-day": str(today.day), "took_effect-month": str(today.month), "took_effect-year": str(today.year)},
        form_page="/admin/exchanges")
    assert done.status_code == 303
    with db.reading() as s:
        assert {listing.status for listing in s.exec(select(ExchangeListing))} == {ListingStatus.CLOSED}
    assert "the assignments took effect" in _letters(db, "exchange_completed", ids["HRX2"])[0].body
    assert "1 HRX3 Road" in _letters(db, "exchange_completed", ids["HRX2"])[0].body  # B moved into C's home


def test_a_household_that_says_no_is_not_proposed_the_same_exchange_again_until_it_saves_its_listing(
        visitor, db, staff, tenants):
    """One "not interested" ends the exchange for all; the matcher then leaves that household out (the same ring would
    come back every night), its page says so and how to be matched again, and saving its listing puts it back."""
    for reference in TENANTS:
        assert _list(visitor, reference).status_code == 303
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    assert visitor.post("/admin/exchanges/matching", form_page="/admin/exchanges").status_code == 303
    visitor.sign_in("HRX2")
    page = visitor.get("/account/exchange").text
    place = int(re.search(r"/account/exchange/(\d+)/interest", page).group(1))
    answered = visitor.post(f"/account/exchange/{place}/interest", {"answer": "no", "reason": "Too far from school"})
    assert answered.status_code == 303
    page = visitor.get("/account/exchange").text
    assert "we are not looking" in " ".join(page.split()) and "we will look again" in " ".join(page.split())

    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    again = visitor.post("/admin/exchanges/matching", form_page="/admin/exchanges")
    assert again.status_code == 303 and "ran=0+exchanges" in again.headers["location"]  # not the same ring again

    assert _list(visitor, "HRX2").status_code == 303  # saved as it was
    assert "we are not looking" not in " ".join(visitor.get("/account/exchange").text.split())
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    third = visitor.post("/admin/exchanges/matching", form_page="/admin/exchanges")
    assert "ran=1+exchanges,+3+households" in third.headers["location"]
