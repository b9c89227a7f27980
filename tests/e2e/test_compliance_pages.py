"""The agreement compliance pages: a manager reads how a provider kept its agreement, on screen and as CSV."""

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from cbl.rules.working_days import local_date
from cbl.models import Advert, Nomination, NominationAgreement, Property, Void
from cbl.models.states import AdvertStatus, NominationStatus, PropertyType, StaffRole, VoidStatus
from cbl.reports.compliance import financial_year
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import assert_every_error_shown, read_form

PERIOD = "from=2025-04-01&to=2026-03-31"  # the CSV's address, as the page links to it
TYPED = "start-day=1&start-month=4&start-year=2025&end-day=31&end-month=3&end-year=2026"  # the page's date inputs


def _home(s, world, reference: str, notified: date, let_on: date | None) -> Advert:
    home = Property(landlord_id=world.provider, reference=f"P-{reference}", address=f"{reference} Mill Lane",
                    postcode="AT2 2BB", area="Riverside", property_type=PropertyType.FLAT, bedrooms=1,
                    weekly_rent_pence=10000)
    s.add(home)
    s.flush()
    void = Void(property_id=home.id, tenancy_end_date=notified - timedelta(days=3), status=VoidStatus.LET if let_on
                else VoidStatus.OPEN, tenancy_start_date=let_on,
                logged_at=datetime(notified.year, notified.month, notified.day, 9, tzinfo=timezone.utc))
    s.add(void)
    s.flush()
    advert = Advert(reference=reference, cycle_id=world.cycle, void_id=void.id, property_id=home.id,
                    status=AdvertStatus.LET if let_on else AdvertStatus.SHORTLISTED, agreement_id=world.agreement)
    s.add(advert)
    s.flush()
    return advert


def _nomination(world, advert: Advert, applicant: str, sent: date, status: NominationStatus, **fields) -> Nomination:
    return Nomination(advert_id=advert.id, applicant_id=world.applicants[applicant], agreement_id=world.agreement,
                      provider_id=world.provider, status=status, respond_by=sent + timedelta(days=7),
                      sent_at=datetime(sent.year, sent.month, sent.day, 10, tzinfo=timezone.utc), **fields)


@pytest.fixture
def kept(db, world):
    """In 2025/26 the provider let four homes, three to the council's nominees; it declined one nominee on
    arrears, and one nomination has waited for an answer since June 2025."""
    with db.transaction() as s:
        s.get(NominationAgreement, world.agreement).decline_grounds = ["arrears"]
        for number, applicant in ((1, "HR000001"), (2, "HR000002"), (3, "HR000003"), (4, None)):
            advert = _home(s, world, f"RL{number}", date(2025, 6, number), date(2025, 7, number))
            if applicant:
                s.add(_nomination(world, advert, applicant, date(2025, 6, 10), NominationStatus.LET,
                                  answered_at=datetime(2025, 6, 12, 10, tzinfo=timezone.utc)))
            else:
                s.add(_nomination(world, advert, "HR000001", date(2025, 6, 5), NominationStatus.DECLINED,
                                  answered_at=datetime(2025, 6, 6, 10, tzinfo=timezone.utc), decline_ground="arrears"))
        waiting = _home(s, world, "OD1", date(2025, 6, 2), None)
        s.add(_nomination(world, waiting, "HR000002", date(2025, 6, 3), NominationStatus.SENT))
    return world


def cells(page: str, heading: str) -> list[str]:
    """The cells of the table row headed `heading`."""
    row = re.search(r'<th scope="row" class="govuk-table__header">' + re.escape(heading) + r"</th>(.*?)</tr>", page)
    assert row, f"no row {heading!r}"
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))


def test_a_manager_finds_the_agreement_and_reads_its_compliance(visitor, staff, kept):
    assert staff_sign_in(visitor, staff[StaffRole.MANAGER]).status_code == 303
    listing = visitor.get("/admin/agreements")
    assert listing.status_code == 200
    assert "RHA agreement" in listing.text and "Riverside Housing Association" in listing.text
    assert f'href="/admin/agreements/{kept.agreement}/compliance"' in listing.text
    assert 'href="/admin/agreements/new"' in listing.text  # managers make agreements too

    page = visitor.get(f"/admin/agreements/{kept.agreement}/compliance?{TYPED}")
    assert page.status_code == 200
    text = page.text
    assert "1 April 2025 to 31 March 2026" in text
    assert cells(text, "Lets (tenancies started)") == ["0", "4", "4"]
    assert cells(text, "Lets to council nominees") == ["0", "3", "3"]
    assert cells(text, "Share of lets to council nominees") == ["no lets", "75%", "75%"]
    assert cells(text, "Agreed share") == ["100%", "75%", "not applicable"]
    assert cells(text, "Agreed share met") == ["no lets", "yes", "yes"]
    assert cells(text, "Rent arrears over the agreed threshold") == ["yes", "0", "1", "1"]
    assert 'href="/admin/adverts/OD1/shortlist"' in text  # waiting past its date
    assert (f'href="/admin/agreements/{kept.agreement}/compliance.csv?from=2025-04-01&amp;to=2026-03-31"'
            in text)
    for table in ("measures", "declines", "overdue"):
        assert f'<table class="govuk-table" id="{table}">' in text
    assert text.count("<caption") == 4 - ("id=\"quotas\"" not in text)


def test_the_report_downloads_as_csv(visitor, staff, kept):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    answer = visitor.get(f"/admin/agreements/{kept.agreement}/compliance.csv?{PERIOD}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="agreement-{kept.agreement}-compliance-2025-04-01-to-2026-03-31.csv"')
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert ["Measure", "First lets", "Relets", "All"] in rows
    assert ["Share of lets to council nominees", "no lets", "75%", "75%"] in rows
    assert ["Rent arrears over the agreed threshold", "yes", "0", "1", "1"] in rows
    assert any(row[:3] == ["OD1", "HR000002", "relet"] for row in rows)


def test_the_report_opens_on_the_current_financial_year(visitor, staff, kept):
    staff_sign_in(visitor, staff[StaffRole.ADMIN])
    start, end = financial_year(local_date(now()))
    page = visitor.get(f"/admin/agreements/{kept.agreement}/compliance").text
    shown = read_form(page).values
    assert [shown[f"start-{part}"] for part in ("day", "month", "year")] == [[str(start.day)], ["4"], [str(start.year)]]
    assert [shown[f"end-{part}"] for part in ("day", "month", "year")] == [[str(end.day)], ["3"], [str(end.year)]]
    assert f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}" in page


@pytest.mark.parametrize("typed, errors", [
    ({"start": ("31", "2", "2026"), "end": ("31", "3", "2027")}, {"start": "Start of the period must be a real date"}),
    ({"start": ("1", "", "2026"), "end": ("", "3", "")},
     {"start": "must include a month", "end": "End of the period must include a day and a year"}),
    ({"start": ("1", "4", "2026")}, {"end": "Enter the end of the period"}),
    ({"start": ("31", "3", "2027"), "end": ("1", "4", "2026")}, {"end": "must be the same as or after its start"}),
    ({"start": ("1", "4", "2016"), "end": ("31", "3", "2026")}, {"end": "five years at most"}),
])
def test_a_period_that_cannot_be_read_is_refused_with_every_reason_and_kept(visitor, staff, kept, typed, errors):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    query = {f"{end}-{part}": value for end, parts in typed.items()
             for part, value in zip(("day", "month", "year"), parts, strict=True)}
    page = visitor.get(f"/admin/agreements/{kept.agreement}/compliance", params=query)
    assert page.status_code == 422 and 'id="measures"' not in page.text
    shown = assert_every_error_shown(page.text, errors).values
    assert {name: shown[name] for name in query} == {name: [value] for name, value in query.items()}


@pytest.mark.parametrize("query, message", [
    ("from=2026-13-01&to=2027-03-31", "The start of the period must be a real date"),
    ("from=01/04/2026&to=2027-03-31", "as year-month-day"),
    ("from=2026-04-01", "Enter the end of the period"),
    ("from=2027-03-31&to=2026-04-01", "must be the same as or after its start"),
    ("from=2016-04-01&to=2026-03-31", "five years at most"),
])
def test_a_csv_period_that_cannot_be_read_is_refused_with_a_reason(visitor, staff, kept, query, message):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    csv_answer = visitor.get(f"/admin/agreements/{kept.agreement}/compliance.csv?{query}")
    assert csv_answer.status_code == 422 and message in csv_answer.text


def test_an_unknown_agreement_is_not_found(visitor, staff, kept):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    assert visitor.get(f"/admin/agreements/{kept.agreement + 99}/compliance").status_code == 404
    assert visitor.get(f"/admin/agreements/{kept.agreement + 99}/compliance.csv?{PERIOD}").status_code == 404


def test_officers_and_providers_may_not_read_the_reports(visitor, staff, kept):
    for role in (StaffRole.OFFICER, StaffRole.PROVIDER):
        staff_sign_in(visitor, staff[role])
        for path in ("/admin/agreements", f"/admin/agreements/{kept.agreement}/compliance",
                     f"/admin/agreements/{kept.agreement}/compliance.csv"):
            assert visitor.get(path, follow_redirects=False).status_code == 403, (role, path)
        visitor.client.cookies.clear()
