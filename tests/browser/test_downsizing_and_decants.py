"""An officer in a real browser: records a household's social home (a refused form first, every error shown), marks
it as downsizing, starts a regeneration scheme and adds the household to it, and opens the payments list; no page on
the way has a serious or critical accessibility failure that axe-core finds."""

from datetime import datetime, timezone

import pytest
from playwright.sync_api import Page, expect

from tests.browser.forms import accessible, fill_date
from tests.browser.conftest import staff_sign_in
from tests.support.factories import add_applicant, make_world


@pytest.fixture
def page(page_for_axe):
    return page_for_axe


@pytest.fixture
def world(db, scheme):
    if not db.url.startswith("sqlite"):  # before the server and the browser start
        pytest.skip("the pages' accessibility does not depend on the database: one walk is enough")
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=1, now=datetime.now(timezone.utc))
        add_applicant(s, scheme, world, "HR000001", band="C")
    return world


def test_an_officer_marks_a_household_downsizing_and_decants_it(db, world, server, page: Page):
    page.goto(f"{server}/admin/applicants/HR000001/moves")
    staff_sign_in(page, db, "officer@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Downsizing and decants")
    accessible(page)
    page.get_by_text("Record the household's social home").click()
    page.get_by_label("Bedrooms").fill("three")
    page.get_by_role("button", name="Save the home").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the landlord")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Bedrooms must be a whole number")
    accessible(page)
    page.get_by_label("Landlord").fill("Anytown Council")
    page.get_by_label("Bedrooms").fill("3")
    fill_date(page, "Date the tenancy began", "6", "1", "2020")
    page.get_by_role("button", name="Save the home").click()
    page.get_by_role("button", name="Mark as downsizing").click()
    expect(page.locator("#downsizing")).to_contain_text("Given band B")
    accessible(page)

    page.goto(f"{server}/admin/regeneration-schemes")
    accessible(page)
    page.get_by_label("Name").fill("Northgate Estate")
    page.get_by_label("Homes, addresses or area it covers").fill("Blocks A to D")
    fill_date(page, "Date households must have moved by", "31", "3", "2027")
    page.get_by_role("button", name="Add the scheme").click()
    page.get_by_role("link", name="Northgate Estate").click()
    page.get_by_label("Application reference").fill("HR000001")
    page.get_by_role("button", name="Add the household").click()
    expect(page.locator("#households")).to_contain_text("HR000001")
    accessible(page)

    page.goto(f"{server}/admin/move-payments")
    expect(page.get_by_role("heading", level=1)).to_have_text("Payments to households that move")
    accessible(page)
