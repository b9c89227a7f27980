"""The managers' dashboard in a browser: average re-let time for a quarter, by landlord, where the days go;
each table as CSV; and who may see it.

Needs `admin.dashboard.dashboard_page` and `admin.dashboard.dashboard_table_csv` in the admin router."""

import csv
import io
import re
from datetime import date, datetime, timezone
from html.parser import HTMLParser

import pytest

from cbl.reports.dashboard import financial_quarter
from cbl.rules.working_days import local_date
from cbl.web.auth import now
from cbl.models import Property, Void
from cbl.models.states import PropertyType, StaffRole, VoidStatus
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import assert_every_error_shown, date_fields, read_form

# The page's period as its date inputs ask for it; the CSV downloads' as ISO days.
PAGE_QUARTER = "start-day=1&start-month=4&start-year=2025&end-day=30&end-month=6&end-year=2025"
QUARTER = "from=2025-04-01&to=2025-06-30"


class _Table(HTMLParser):
    """The rows of one table on a page (by its id), each as the text of its cells."""

    def __init__(self, table_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.table_id, self.inside, self.depth = table_id, False, 0
        self.rows: list[list[str]] = []
        self._cell: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = ""

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "table":
            self.inside = False

    def handle_data(self, data):
        if self.inside and self._cell is not None:
            self._cell += data


def table_rows(page: str, table_id: str) -> list[list[str]]:
    parser = _Table(table_id)
    parser.feed(page)
    assert parser.rows, f"no table {table_id} on the page"
    return parser.rows


@pytest.fixture
def lets(db, world):
    """Three homes let in April to June 2025: 20 and 30 void days for the council, 14 for the provider."""
    with db.transaction() as s:
        for name, landlord, ended, started, works in [
            ("Q1A", world.council, date(2025, 3, 31), date(2025, 4, 20), (date(2025, 4, 1), date(2025, 4, 10))),
            ("Q1B", world.council, date(2025, 4, 10), date(2025, 5, 10), (date(2025, 4, 11), date(2025, 5, 1))),
            ("Q1C", world.provider, date(2025, 5, 1), date(2025, 5, 15), None),
        ]:
            home = Property(landlord_id=landlord, reference=f"P-{name}", address=f"{name} Mill Lane",
                            postcode="AT2 2BB", area="Riverside", property_type=PropertyType.HOUSE, bedrooms=2,
                            weekly_rent_pence=7000, weekly_charges_pence=700)
            s.add(home)
            s.flush()
            stamps = {}
            if works:
                stamps = {"works_started_at": datetime.combine(works[0], datetime.min.time(), timezone.utc),
                          "works_ended_at": datetime.combine(works[1], datetime.min.time(), timezone.utc)}
            s.add(Void(property_id=home.id, tenancy_end_date=ended, tenancy_start_date=started,
                       status=VoidStatus.LET, **stamps))
    return world


def test_a_manager_sees_the_quarters_re_let_time_by_landlord_and_where_the_days_go(visitor, staff, lets):
    assert staff_sign_in(visitor, staff[StaffRole.MANAGER]).status_code == 303
    answer = visitor.get(f"/admin/dashboard?{PAGE_QUARTER}")
    assert answer.status_code == 200
    page = answer.text
    assert "Voids and re-lets dashboard" in page
    assert re.search(r'id="average-relet">\s*21\.3 days, over 3 lets', page)
    assert ["Repair works", "9.7", "45.3%"] in table_rows(page, "stage-days")  # (9 + 20 + 0) / 3; 29 of 64 days
    assert "Accepted to tenancy start: 11.0 days a let" in page  # where the most days go, with no later milestones
    assert table_rows(page, "relet-by-landlord")[1:] == [["Anytown Council", "2", "25.0", "30"],
                                                         ["Riverside Housing Association", "1", "14.0", "14"]]
    # Charts are inline SVG images named by their titles, drawn without styles or scripts.
    assert page.count('role="img"') == len(re.findall(r'<svg ', page)) >= 5
    assert 'aria-labelledby="chart-relet-by-landlord-title chart-relet-by-landlord-desc"' in page
    assert "style=" not in page and "<style" not in page
    assert 'href="/admin/agreements"' in page

    only = visitor.get(f"/admin/dashboard?{PAGE_QUARTER}&landlord=RHA").text
    assert re.search(r'id="average-relet">\s*14\.0 days, over 1 let<', only)


def test_a_table_downloads_as_csv_with_the_rows_on_the_page(visitor, staff, lets):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    page = visitor.get(f"/admin/dashboard?{PAGE_QUARTER}").text
    assert f'href="/admin/dashboard/relet-by-landlord.csv?{QUARTER.replace("&", "&amp;")}"' in page
    for key in ("relet-by-landlord", "stage-days", "relet-by-month"):
        download = visitor.client.get(f"/admin/dashboard/{key}.csv?{QUARTER}")
        assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
        assert f'filename="{key}-2025-04-01-to-2025-06-30.csv"' in download.headers["content-disposition"]
        assert list(csv.reader(io.StringIO(download.text))) == table_rows(page, key)


def test_a_landlords_table_downloads_for_that_landlord(visitor, staff, lets):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    page = visitor.get(f"/admin/dashboard?{PAGE_QUARTER}&landlord=RHA").text
    link = f"/admin/dashboard/relet-by-landlord.csv?{QUARTER}&landlord=RHA"
    assert f'href="{link.replace("&", "&amp;")}"' in page
    assert list(csv.reader(io.StringIO(visitor.client.get(link).text))) == table_rows(page, "relet-by-landlord")


def _links(page: str) -> dict[str, str]:
    """The quarter links under the form, by their words, as the browser follows them."""
    line = page.split('id="quarters"')[1].split("</p>")[0]
    found = re.findall(r'<a class="govuk-link" href="([^"]+)">([^<]+)</a>', line)
    return {words: href.replace("&amp;", "&") for href, words in found}


def test_the_previous_and_next_quarter_links_open_those_quarters_for_the_same_landlord(visitor, staff, lets):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    links = _links(visitor.get(f"/admin/dashboard?{PAGE_QUARTER}&landlord=RHA").text)
    earlier = visitor.get(links["Previous quarter"])
    assert earlier.status_code == 200
    assert "1 January 2025 to 31 March 2025 (Q4 of 2024 to 2025)" in earlier.text
    assert "Riverside Housing Association: 1 January 2025" in earlier.text
    shown = read_form(earlier.text).values
    assert {name: shown[name] for name in ("start-day", "start-month", "start-year", "end-day", "end-month",
                                          "end-year", "landlord")} == {
        "start-day": ["1"], "start-month": ["1"], "start-year": ["2025"],
        "end-day": ["31"], "end-month": ["3"], "end-year": ["2025"], "landlord": ["RHA"]}
    back = visitor.get(_links(earlier.text)["Next quarter"])
    assert "1 April 2025 to 30 June 2025 (Q1 of 2025 to 2026)" in back.text
    assert re.search(r'id="average-relet">\s*14\.0 days, over 1 let<', back.text)


def test_the_default_is_this_financial_quarter(visitor, staff, lets):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    first, last = financial_quarter(local_date(now()))
    answer = visitor.get("/admin/dashboard")
    assert answer.status_code == 200 and re.search(r"\(Q\d of \d{4} to \d{4}\)", answer.text)
    shown = read_form(answer.text).values  # the quarter shown in the form, as dates
    assert [shown[f"start-{part}"] + shown[f"end-{part}"] for part in ("day", "month", "year")] == [
        [str(first.day), str(last.day)], [str(first.month), str(last.month)], [str(first.year), str(last.year)]]
    assert shown["landlord"] == [""]  # all landlords
    assert "Next quarter" not in answer.text  # nothing to count after today's quarter
    assert visitor.client.get("/admin/dashboard/live-by-age.csv").status_code == 200


def test_an_officer_without_the_reports_right_is_refused(visitor, staff, lets):
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    assert visitor.get(f"/admin/dashboard?{PAGE_QUARTER}").status_code == 403
    assert visitor.client.get(f"/admin/dashboard/relet-by-landlord.csv?{QUARTER}").status_code == 403


@pytest.mark.parametrize("typed, errors", [
    ({"start-day": "30", "start-month": "2", "start-year": "2025", "end-day": "", "end-month": "6",
      "end-year": "", "landlord": "NOPE"},
     {"start": "Start of the period must be a real date", "end": "End of the period must include a day and a year",
      "landlord": "from the list"}),
    ({"start-day": "30", "start-month": "6", "start-year": "2025", "end-day": "1", "end-month": "4",
      "end-year": "2025", "landlord": "RHA"},
     {"end": "The end of the period must be the same as or after its start"}),
    ({"start-day": "1", "start-month": "4", "start-year": "2025"}, {"end": "Enter the end of the period"}),
    ({"landlord": "NOPE"}, {"landlord": "from the list"}),
])
def test_a_period_or_landlord_with_mistakes_shows_every_error_beside_its_field_and_keeps_what_was_typed(
        visitor, staff, lets, typed, errors):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    page = visitor.get("/admin/dashboard", params=typed)
    assert page.status_code == 422 and 'id="summary"' not in page.text and 'id="quarters"' not in page.text
    assert page.text.count("Error: Voids and re-lets dashboard") == 1  # the title says so
    shown = assert_every_error_shown(page.text, errors).values
    dates = {name: value for name, value in typed.items() if name != "landlord"}
    assert {name: shown[name] for name in dates} == {name: [value] for name, value in dates.items()}
    # A known landlord stays chosen, none is all landlords; one not on the list (a hand-made address)
    # cannot be shown as chosen.
    assert shown.get("landlord", []) == {"RHA": ["RHA"], None: [""]}.get(typed.get("landlord"), [])


@pytest.mark.parametrize("query", ["from=2025-04-01&to=30/06/2025", "from=2025-06-30&to=2025-04-01",
                                   "from=2025-02-30&to=2025-06-30", "from=2025-04-01", "landlord=NOPE"])
def test_a_csv_period_or_landlord_that_cannot_be_read_is_a_422(visitor, staff, lets, query):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    assert visitor.client.get(f"/admin/dashboard/stage-days.csv?{query}").status_code == 422


def test_an_unknown_table_is_not_found(visitor, staff, lets):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    assert visitor.client.get(f"/admin/dashboard/nothing.csv?{QUARTER}").status_code == 404
    assert visitor.client.get(f"/admin/dashboard/stage-days?{QUARTER}").status_code == 404



def test_an_officer_records_works_on_a_void_and_the_clock_shows_them(visitor, db, staff, world):
    from sqlmodel import select

    from cbl.models import Advert, Void

    staff_sign_in(visitor, "officer@example.org")
    with db.reading() as s:
        void = s.exec(select(Void).join(Advert, Advert.void_id == Void.id).where(Advert.reference == "AD1")).one()
    page = "/admin/stock/P-AD1"
    assert "Works started on" in visitor.get(page).text
    nothing = visitor.post(f"/admin/voids/{void.id}/works", {}, form_page=page)
    assert nothing.status_code == 422 and "works started" in nothing.text
    backwards = visitor.post(f"/admin/voids/{void.id}/works", {**date_fields("works_started", "2026-11-10"),
                                                              **date_fields("works_finished", "2026-11-05")},
                             form_page=page)
    assert backwards.status_code == 422
    assert visitor.post(f"/admin/voids/{void.id}/works", {**date_fields("works_started", "2026-11-02"),
                                                         **date_fields("works_finished", "2026-11-09")},
                        form_page=page).status_code == 303
    with db.reading() as s:
        void = s.get(Void, void.id)
        assert void.works_started_at and void.works_ended_at and void.works_ended_at > void.works_started_at
    shown = read_form(visitor.get(page).text).values  # the dates recorded, in the works form
    assert (shown["works_finished-day"], shown["works_finished-month"], shown["works_finished-year"]) == (
        ["9"], ["11"], ["2026"])
