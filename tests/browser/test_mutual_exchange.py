"""Mutual exchange in a real browser, with axe-core's checks: a tenant lists its home (first with mistakes, every
one listed at once), and the council's officer opens a tenant's application for consent and refuses it on a
Schedule 3 ground."""

from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from cbl.models import Applicant, ExchangeMember, OutboxMessage
from cbl.services import actors
from cbl.services.actors import SYSTEM
from cbl.services.exchanges import run_matching, say_interest
from tests.browser.axe import serious_violations
from tests.browser.conftest import staff_sign_in
from tests.support.exchanges import RING, list_ring
from tests.support.factories import add_applicant, make_world


@pytest.fixture
def exchange(db, scheme):
    """HRX1..3 in a three-way exchange with their landlords; HRX9 a council tenant yet to list."""
    now = datetime.now(timezone.utc)
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=0, now=now)
        for reference in [*RING, "HRX9"]:
            add_applicant(s, scheme, world, reference)
    list_ring(db, scheme, world.applicants, now)
    db.run(run_matching, SYSTEM, scheme, now)
    with db.reading() as s:
        places = {m.applicant_id: m.id for m in s.exec(select(ExchangeMember))}
        households = {ref: actors.applicant(s.get(Applicant, world.applicants[ref])) for ref in RING}
    for reference, actor in households.items():
        db.run(say_interest, actor, places[world.applicants[reference]], True, "", now)
    return places[world.applicants["HRX3"]]


def test_a_tenant_lists_its_home_and_an_officer_refuses_consent_on_a_schedule_3_ground(browser, server, db,
                                                                                         exchange):
    context = browser.new_context(bypass_csp=True)  # axe-core is injected as an inline script
    page = context.new_page()
    page.goto(f"{server}/sign-in")
    page.get_by_label("Application reference").fill("HRX9")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{server}/account/exchange")
    page.get_by_label("Bedrooms in your home").fill("1")
    page.get_by_role("button", name="List my home").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose your landlord")
    expect(summary).to_contain_text("Choose at least one area you would move to")
    expect(page.get_by_label("Bedrooms in your home")).to_have_value("1")
    assert serious_violations(page) == []
    page.get_by_label("Your landlord").select_option("ATC")
    page.get_by_label("Secure (the council's)").check()
    page.get_by_label("Address of your home").fill("9 Mill Lane")
    page.get_by_label("Postcode").fill("AT4 9XY")
    page.get_by_label("Area of your home").select_option("Millbrook")
    page.get_by_label("Kind of home").select_option("flat")
    page.get_by_label("Weekly rent").fill("101.20")
    page.get_by_role("group", name="Areas you would move to").get_by_label("Old Town").check()
    page.get_by_label("Fewest bedrooms you would take").fill("1")
    page.get_by_label("Most bedrooms you would take").fill("2")
    page.get_by_role("group", name="Kinds of home you would move to").get_by_label("House").check()
    page.get_by_role("button", name="List my home").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your home is listed for exchange")
    assert serious_violations(page) == []

    page.goto(f"{server}/admin/sign-in")
    staff_sign_in(page, db, "officer@example.org")
    page.goto(f"{server}/admin/exchanges/consents/{exchange}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Consent to a mutual exchange: HRX3")
    assert serious_violations(page) == []
    page.get_by_label("Ground 3:").check()
    page.get_by_label("Particulars of the ground").fill("The home has two bedrooms; HRX1's household needs one.")
    page.get_by_role("button", name="Refuse consent").click()
    expect(page.locator("#application")).to_contain_text("refused: grounds 3")
    with db.reading() as s:
        letter = s.exec(select(OutboxMessage.body).where(OutboxMessage.template == "exchange_refused")).one()
    assert "Ground 3</strong>" in letter and "household needs one." in letter and "section 110" in letter
    context.close()
