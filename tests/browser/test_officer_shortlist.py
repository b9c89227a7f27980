"""An officer in a real browser: signs in, opens a closed advert's shortlist, verifies the top bidder."""

import os
from datetime import datetime, timezone

import pytest
from playwright.sync_api import Page, expect

from cbl.models import Applicant, Cycle
from cbl.services import actors
from cbl.services.actors import SYSTEM
from cbl.services.bidding import place_bid
from cbl.services.cycles import close_cycle
from tests.browser.conftest import staff_sign_in
from tests.support.factories import add_applicant, make_world

SCREENSHOTS = os.environ.get("CBL_SCREENSHOTS")


@pytest.fixture
def world(db, scheme):
    now = datetime.now(timezone.utc)
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=2, now=now)
        for reference, band in [("HR000001", "C"), ("HR000002", "A")]:
            add_applicant(s, scheme, world, reference, band=band)
    for reference in ("HR000001", "HR000002"):
        with db.reading() as s:
            actor = actors.applicant(s.get(Applicant, world.applicants[reference]))
        db.run(place_bid, actor, scheme, world.applicants[reference], "AD1", now)
    with db.reading() as s:
        closes_at = s.get(Cycle, world.cycle).closes_at
    db.run(close_cycle, SYSTEM, scheme, world.cycle, closes_at)
    return world


def test_an_officer_verifies_the_top_of_a_shortlist(page: Page, server, db, world):
    page.goto(f"{server}/admin/adverts/AD1/shortlist")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to lettings admin")
    staff_sign_in(page, db, "officer@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Shortlist for AD1")
    expect(page.locator(".govuk-inset-text")).to_contain_text("HR000002")
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/officer-shortlist.png", full_page=True)
    page.get_by_role("button", name="Verify HR000002").click()
    expect(page.locator("#shortlist tbody tr").first).to_contain_text("verified, by Olu Officer")


def test_an_officer_records_a_phone_refusal_and_offers_the_home_to_the_next_household(page: Page, server, db,
                                                                                       scheme, world):
    from sqlmodel import select

    from cbl.models import ShortlistEntry, StaffUser
    from cbl.rules.working_days import LONDON
    from cbl.services.lettings import make_offer
    from cbl.services.pre_offer_checks import record_check
    from cbl.services.shortlisting import verify_entry

    with db.transaction() as s:
        for applicant in s.exec(select(Applicant)):
            applicant.verified = True
    with db.reading() as s:
        officer = actors.staff(s.exec(select(StaffUser).where(StaffUser.email == "officer@example.org")).one())
        top = s.exec(select(ShortlistEntry.id).where(
            ShortlistEntry.applicant_id == world.applicants["HR000002"])).one()
    db.run(verify_entry, officer, top, datetime.now(timezone.utc))
    db.run(record_check, officer, scheme, top, "fraud", True, "", datetime.now(timezone.utc))
    offer = db.run(make_offer, officer, scheme, top, datetime.now(timezone.utc))

    page.goto(f"{server}/admin/adverts/AD1/shortlist")
    staff_sign_in(page, db, "officer@example.org")
    expect(page.locator("#next-action")).to_contain_text("record the answer")
    page.get_by_text("Record the answer given by phone, in person or by e-mail").click()
    answer = page.locator(f'form[action="/admin/offers/{offer.id}/answer"]')
    answer.get_by_label("Refuses the offer").check()
    answer.get_by_label("Main reason for refusing").select_option("Affordability")
    answer.get_by_label("By phone").check()
    phoned = datetime.now(LONDON)
    answer.get_by_label("Day").fill(str(phoned.day))
    answer.get_by_label("Month").fill(str(phoned.month))
    answer.get_by_label("Year").fill(str(phoned.year))
    answer.get_by_label("Time (UK)").fill(f"{phoned:%H:%M}")
    answer.get_by_role("button", name="Record answer").click()
    expect(page.locator("#offers")).to_contain_text("refused (phone)")
    expect(page.locator("#next-action")).to_contain_text("HR000001")
    page.get_by_role("button", name="Verify HR000001").click()
    expect(page.locator("#next-action")).to_contain_text("record the fraud check before making the offer")
    page.get_by_role("link", name="Checks before an offer for HR000001").click()
    page.get_by_label("Check", exact=True).select_option("fraud")
    page.get_by_label("Passed", exact=True).check()
    page.get_by_role("button", name="Record check").click()
    page.get_by_role("link", name="Back to the shortlist for AD1").click()
    expect(page.locator("#next-action")).to_contain_text("make the offer")
    page.get_by_role("button", name="Make offer to HR000001").click()
    expect(page.locator("#offers tbody tr")).to_have_count(2)
    expect(page.locator("#offers tbody tr").first).to_contain_text("made")
