"""What the browser walks through forms share: the accessibility check of each page on the way, and a GOV.UK
date input filled in as a person would (the page axe-core can be injected into: conftest.py, page_for_axe)."""

from playwright.sync_api import Page

from tests.browser.axe import serious_violations


def accessible(page: Page) -> None:
    assert serious_violations(page) == [], page.url


def fill_date(page: Page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)
