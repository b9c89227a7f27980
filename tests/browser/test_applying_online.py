"""A household applies in a real browser, from making its account to checking its answers with an upload, and
every page it passes has no serious or critical accessibility failure that axe-core finds."""

import re
from datetime import datetime, timezone

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from cbl.models import OutboxMessage
from tests.browser.forms import accessible, fill_date
from tests.support.factories import PASSWORD, make_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def page(page_for_axe):
    return page_for_axe


@pytest.fixture
def world(db, scheme):
    with db.transaction() as s:
        return make_world(s, scheme, adverts=2, now=datetime.now(timezone.utc))


def _save(page: Page) -> None:
    page.get_by_role("button", name="Save and continue").click()


def test_a_household_applies_from_its_new_account_to_checking_its_answers_with_an_upload(page: Page, server, db,
                                                                                         world, tmp_path):
    page.goto(f"{server}/apply")
    accessible(page)
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("E-mail address or UK mobile number").fill("ada@example.net")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    accessible(page)
    with db.reading() as s:
        body = s.exec(select(OutboxMessage.body).where(OutboxMessage.recipient == "ada@example.net")).one()
    page.get_by_label("Code").fill(re.search(r"\d{6}", body).group(0))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Apply to join the housing register")
    accessible(page)
    page.get_by_role("button", name="Start").click()
    page.get_by_label("Your full name").fill("Ada Online")
    fill_date(page, "Your date of birth", "2", "4", "1990")
    _save(page)
    accessible(page)
    page.get_by_role("group", name="Will someone apply with you").get_by_label("No").check()
    _save(page)
    page.get_by_label("Yes").check()
    _save(page)
    page.get_by_label("Full name").fill("Byron Online")
    page.get_by_role("group", name="How are they related to you?").get_by_label("Son or daughter").check()
    fill_date(page, "Date of birth", "1", "5", "2016")
    page.get_by_role("button", name="Add this person").click()
    expect(page.get_by_role("term").filter(has_text="Byron Online")).to_be_visible()
    accessible(page)
    page.get_by_label("No").check()
    _save(page)
    page.get_by_label("Your address").fill("1 Flat Lane, Anytown")
    page.get_by_label("Postcode").fill("AT1 2BC")
    _save(page)
    page.get_by_label("Renting from a private landlord").check()
    _save(page)
    page.get_by_label("Years", exact=True).fill("5")
    _save(page)
    page.get_by_role("group", name="Are you a British or Irish citizen?").get_by_label("Yes").check()
    page.get_by_role("group", name="Have you lived in the UK").get_by_label("Yes").check()
    _save(page)
    page.get_by_label("Our home is overcrowded").check()
    accessible(page)
    _save(page)
    page.get_by_label("Yearly household income, before tax").fill("18500")
    page.get_by_label("Savings and capital").fill("400")
    _save(page)
    page.get_by_label("E-mail", exact=True).check()
    _save(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Upload your evidence")
    accessible(page)
    passport = tmp_path / "passport.pdf"
    passport.write_bytes(PDF)
    page.get_by_label("Identity (passport, driving licence, birth certificate)").check()
    page.get_by_label("Upload a file").set_input_files(str(passport))
    page.get_by_role("button", name="Upload file").click()
    expect(page.get_by_text("Your file has been uploaded")).to_be_visible()
    expect(page.get_by_role("link", name="passport.pdf")).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Equality monitoring questions")
    accessible(page)
    page.get_by_role("group", name="What is your sex? (optional)").get_by_label("Prefer not to say").check()
    _save(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    for shown in ("Ada Online", "Byron Online", "Renting from a private landlord", "passport.pdf"):
        expect(page.get_by_text(shown).first).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Accept and send").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that the information")
    accessible(page)
