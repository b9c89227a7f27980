"""The quarter's CORE file from a manager's browser: lets made in the system, the answers the system does
not hold recorded at sign-up, and the file that the national template reads."""

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from cbl.reports.core_export import field_specs
from cbl.models import Organisation, Void
from cbl.models.states import StaffRole
from cbl.rules.working_days import local_date
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import assert_every_error_shown, date_fields, read_form
from tests.integration.test_audit_trail import _let_through_the_services

YEAR = {**date_fields("start", "2026-04-01"), **date_fields("end", "2027-03-31")}  # the page's date inputs


def test_a_let_becomes_a_core_row_once_its_sign_up_answers_are_recorded(visitor, other_visitor, db, scheme, staff,
                                                                          world):
    with db.transaction() as s:
        s.exec(select(Organisation).where(Organisation.code == "ATC")).one().core_id = "ORG1"
    _let_through_the_services(db, scheme, world, "CORE-1")
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    start = date(2026, 4, 1).isoformat()
    page = visitor.get("/admin/core", params=YEAR)
    assert page.status_code == 200
    assert "1 let started in the period; sign-up answers have been recorded for 0" in page.text
    assert "not held by the project and not answered" in page.text and "Ready to upload" not in page.text
    with db.reading() as s:
        void = s.exec(select(Void).where(Void.status == "let")).one()

    # The officer who signed the tenancy up answers CORE's questions, a page at a time.
    staff_sign_in(other_visitor, staff[StaffRole.OFFICER])
    path = f"/admin/lets/{void.id}/core"
    wrong = other_visitor.post(path, {"field-36": "7"}, form_page=path)
    assert wrong.status_code == 422 and "not an answer CORE accepts" in wrong.text
    for _ in range(6):
        questions = other_visitor.get(path).text
        asked = sorted(set(int(n) for n in re.findall(r'name="field-(\d+)"', questions)))
        if not asked:
            break
        answers = {}
        for number in asked:
            choices = re.findall(rf'<select[^>]*name="field-{number}".*?</select>', questions, re.S)
            codes = re.findall(r'<option value="([^"]+)"', choices[0]) if choices else []
            answers[f"field-{number}"] = codes[-1] if codes else _free_answer(number)
        answered = other_visitor.post(path, answers, form_page=path)
        assert answered.status_code == 303, re.findall(r"<li><a href=[^>]*>([^<]*)<", answered.text)
    assert 'id="complete"' in other_visitor.get(path).text

    ready = visitor.get("/admin/core", params=YEAR)
    assert "sign-up answers have been recorded for 1" in ready.text and "Ready to upload" in ready.text
    assert "not held by the project and not answered" not in ready.text
    download = visitor.get(f"/admin/core/return.csv?start={start}&end=2027-03-31")
    assert download.headers["content-disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    numbers = rows[7]
    assert numbers[0] == "Field number" and len(numbers) - 1 == len(field_specs())
    data = dict(zip(numbers[1:], rows[8][1:], strict=True))
    starts = datetime.now(timezone.utc).date() + timedelta(days=3)
    assert data["1"] == "ORG1" and data["8"] == str(starts.day) and data["10"] == f"{starts:%y}"
    assert data["24"] == "1AA" and data["28"] == "1"


def _free_answer(number: int) -> str:
    values = field_specs()[number].values
    if "xxxx.xx" in values:
        return "250.00"
    if "ISO 3166-1" in field_specs()[number].meanings:
        return "826"
    if "ONS code" in values:
        return "E07000178"
    if "characters" in values:
        return "AB1"
    found = re.search(r"(\d+)", values)
    return found.group(1) if found else "1"


def test_the_return_opens_on_the_collection_year_to_date(visitor, staff, world):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    end = min(date(2027, 3, 31), local_date(now()))
    page = visitor.get("/admin/core")
    assert page.status_code == 200 and 'id="summary"' in page.text
    shown = read_form(page.text).values
    assert {name: shown[name] for name in YEAR} == {
        name: [value] for name, value in {**date_fields("start", "2026-04-01"), **date_fields("end", end)}.items()}
    assert f'href="/admin/core/return.csv?start=2026-04-01&amp;end={end.isoformat()}"' in page.text


@pytest.mark.parametrize("typed, errors", [
    ({"start-day": "31", "start-month": "2", "start-year": "2026", "end-day": "", "end-month": "3", "end-year": ""},
     {"start": "Start of the period must be a real date", "end": "End of the period must include a day and a year"}),
    ({**date_fields("start", "2027-03-31"), **date_fields("end", "2026-04-01")},
     {"end": "The end of the period must be the same as or after its start"}),
    (date_fields("end", "2027-03-31"), {"start": "Enter the start of the period"}),
])
def test_a_period_with_mistakes_is_refused_beside_each_date_and_kept(visitor, staff, world, typed, errors):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    page = visitor.get("/admin/core", params=typed)
    assert page.status_code == 422 and 'id="summary"' not in page.text and "return.csv" not in page.text
    shown = assert_every_error_shown(page.text, errors).values
    assert {name: shown[name] for name in typed} == {name: [value] for name, value in typed.items()}


def test_a_download_period_that_cannot_be_read_is_a_422(visitor, staff, world):
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    assert visitor.get("/admin/core/return.csv?start=2026-02-31&end=2027-03-31").status_code == 422


def _lets_recorded(db, world, count: int) -> None:
    """`count` lets of the collection year as the system holds them, none with CORE's answers recorded yet."""
    from cbl.models import Offer, Property
    from cbl.models.states import OfferKind, OfferStatus, VoidStatus

    with db.transaction() as s:
        for number in range(count):
            home = Property(landlord_id=world.council, reference=f"LET{number:03d}",
                            address=f"{number} Let Road, Anytown", postcode="AT1 1AA", area="Northgate",
                            property_type="flat", bedrooms=1, weekly_rent_pence=9000)
            s.add(home)
            s.flush()
            void = Void(property_id=home.id, status=VoidStatus.LET, tenancy_end_date=date(2026, 4, 1),
                        tenancy_start_date=date(2026, 5, 1) + timedelta(days=number))
            s.add(void)
            s.flush()
            s.add(Offer(applicant_id=world.applicants["HR000001"], void_id=void.id, kind=OfferKind.DIRECT,
                        status=OfferStatus.LET, respond_by=date(2026, 4, 20)))


def test_the_periods_lets_are_shown_25_to_a_page_each_with_what_it_needs(visitor, db, staff, world):
    _lets_recorded(db, world, 27)
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    first = visitor.get("/admin/core", params=YEAR)
    assert first.status_code == 200 and "27 lets started in the period" in first.text
    assert "Showing 1 to 25 of 27 lets in the period, 25 to a page." in first.text
    assert len(re.findall(r'href="/admin/lets/\d+/core"', first.text)) == 25
    assert first.text.count('<ul class="govuk-list govuk-body-s">') == 25 and "Ready to upload" not in first.text
    following = re.search(r'href="([^"]*page=2)" rel="next"', first.text)
    assert following, "no link to the next page"
    second = visitor.get(following.group(1).replace("&amp;", "&"))
    assert "Showing 26 to 27 of 27 lets in the period" in second.text
    assert len(re.findall(r'href="/admin/lets/\d+/core"', second.text)) == 2
    assert "LET025/" in second.text and "LET026/" in second.text and "LET024/" not in second.text
    assert {name: read_form(second.text).values[name] for name in YEAR} == {name: [v] for name, v in YEAR.items()}
    beyond = visitor.get("/admin/core", params={**YEAR, "page": "9"})
    assert beyond.status_code == 200 and "There is no page 9: there are 27 lets in the period" in beyond.text
    typed = visitor.get("/admin/core", params={**YEAR, "page": "two"})
    assert typed.status_code == 422 and "Page must be a whole number from 1 to 10000" in typed.text
