"""A provider's lettings officer in a real browser: opens the council's nomination, confirms a viewing,
and records the tenancy start that lets the home."""

from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from cbl.models import Applicant, Cycle, Nomination, ShortlistEntry, StaffUser
from cbl.models.states import NominationStatus, ShortlistStatus, StaffRole
from cbl.services import actors
from cbl.services.actors import SYSTEM
from cbl.services.bidding import place_bid
from cbl.services.cycles import close_cycle
from cbl.services.nominations import send_nomination
from tests.browser.conftest import staff_sign_in
from tests.support.factories import PASSWORD_HASH, add_applicant, make_world


@pytest.fixture
def nomination(db, scheme):
    now = datetime.now(timezone.utc)
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=3, now=now)  # AD3 is the provider's
        add_applicant(s, scheme, world, "HR000001", band="A", verified=True)
        s.add(StaffUser(organisation_id=world.provider, email="lettings@rha.example", name="Rhian Lettings",
                        role=StaffRole.PROVIDER, password_hash=PASSWORD_HASH))
    with db.reading() as s:
        actor = actors.applicant(s.get(Applicant, world.applicants["HR000001"]))
    db.run(place_bid, actor, scheme, world.applicants["HR000001"], "AD3", now)
    with db.reading() as s:
        closes_at = s.get(Cycle, world.cycle).closes_at
    db.run(close_cycle, SYSTEM, scheme, world.cycle, closes_at)
    with db.transaction() as s:
        entry = s.exec(select(ShortlistEntry).where(ShortlistEntry.applicant_id == world.applicants["HR000001"])).one()
        entry.status = ShortlistStatus.VERIFIED
        officer = actors.staff(s.get(StaffUser, world.officer))
    return db.run(send_nomination, officer, entry.id, now).id


def test_a_provider_confirms_a_viewing_and_records_the_tenancy_start(page: Page, server, db, nomination):
    page.goto(f"{server}/admin/sign-in")
    staff_sign_in(page, db, "lettings@rha.example")
    expect(page.get_by_role("heading", level=1)).to_contain_text("homes and nominations")
    page.get_by_role("link", name="AD3", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nomination for AD3")
    expect(page.locator("#nominee")).to_contain_text("Lead HR000001")
    def fill_date(group: str, day) -> None:
        dates = page.get_by_role("group", name=group)
        for part, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
            dates.get_by_label(part).fill(str(value))

    fill_date("Viewing date", (datetime.now(timezone.utc) + timedelta(days=1)).date())
    page.get_by_label("Time (UK)").fill("2:30pm")
    page.get_by_role("button", name="Confirm viewing").click()
    expect(page.locator("#nomination")).to_contain_text("viewing arranged")
    expect(page.locator("#nomination")).to_contain_text("2:30pm")
    fill_date("Tenancy start date", (datetime.now(timezone.utc) + timedelta(days=5)).date())
    page.get_by_role("button", name="Record tenancy start").click()
    expect(page.locator("#nomination")).to_contain_text("let")
    with db.reading() as s:
        assert s.get(Nomination, nomination).status is NominationStatus.LET
