"""An applicant in a real browser: signs in, bids, sees their place in the queue, and withdraws."""

import os
from datetime import datetime, timezone

import pytest
from playwright.sync_api import Page, expect

from tests.support.factories import PASSWORD, add_applicant, make_world

SCREENSHOTS = os.environ.get("CBL_SCREENSHOTS")  # a folder, to look at the pages


@pytest.fixture
def world(db, scheme):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=4, now=datetime.now(timezone.utc))
        add_applicant(s, scheme, world, "HR000001", band="C")
        add_applicant(s, scheme, world, "HR000002", band="A")
    return world


def _shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def test_an_applicant_bids_sees_their_position_and_withdraws(page: Page, server, db, scheme, world):
    page.goto(f"{server}/adverts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Homes to bid for")
    _shot(page, "adverts")
    page.get_by_role("link", name="1 bedroom flat in Northgate").first.click()
    page.get_by_role("link", name="Sign in to bid for this home").click()

    page.get_by_label("Application reference").fill("HR000001")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    _shot(page, "advert-signed-in")
    page.get_by_role("button", name="Bid for this home").click()

    expect(page.get_by_text("has been placed")).to_be_visible()
    expect(page.locator(".cbl-position")).to_have_text("You are 1st of 1 eligible bid")
    _shot(page, "my-bids")

    # Someone in band A bids for the same home: the page shows the new place on reload.
    from cbl.models import Applicant
    from cbl.services import actors
    from cbl.services.bidding import place_bid

    advert = page.locator(".cbl-advert-card h2 a").first.get_attribute("href").rsplit("/", 1)[1]
    with db.reading() as s:
        rival = actors.applicant(s.get(Applicant, world.applicants["HR000002"]))
    db.run(place_bid, rival, scheme, world.applicants["HR000002"], advert, datetime.now(timezone.utc))
    page.reload()
    expect(page.locator(".cbl-position")).to_have_text("You are 2nd of 2 eligible bids")

    page.get_by_role("button", name="Withdraw bid").click()
    expect(page.get_by_text("has been withdrawn")).to_be_visible()
    expect(page.get_by_text("You have no bids in this cycle")).to_be_visible()


def test_the_pages_work_with_the_keyboard_and_without_javascript(browser, server, world):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/sign-in")
    page.keyboard.press("Tab")
    expect(page.locator(".govuk-skip-link")).to_be_focused()
    page.get_by_label("Application reference").fill("HR000001")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_label("Password").press("Enter")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct application reference and password")
    expect(page).to_have_title("Error: Sign in – Find a home – Anytown Council")
    context.close()
