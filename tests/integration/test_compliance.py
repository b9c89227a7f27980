"""The nomination agreement compliance report: the figures a council checks a provider's agreement by."""

import csv
import io
from datetime import date, datetime, timedelta, timezone

import holidays
import pytest

from cbl.models import Advert, AgreementQuota, Nomination, NominationAgreement, Property, Void
from cbl.models.states import AdvertStatus, NominationStatus, PropertyType, VoidStatus
from cbl.reports.compliance import agreement_compliance, compliance_csv
from cbl.services.errors import InvalidInput, NotFound
from tests.support.factories import add_applicant, make_world

YEAR = (date(2026, 4, 1), date(2027, 3, 31))  # the financial year 2026/27
TODAY = date(2027, 1, 8)  # a Friday


def at(day: date, hour: int = 10) -> datetime:
    """A moment on a UK day in winter, when UK time is UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


@pytest.fixture
def world(db, scheme):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=0)
        agreement = s.get(NominationAgreement, world.agreement)
        agreement.decline_grounds = ["arrears", "support_needs"]
        s.add(agreement)
        for number in range(1, 9):
            add_applicant(s, scheme, world, f"HR{number:06d}", homeless_duty=number <= 2)
    return world


def vacancy(db, world, reference: str, *, notified: datetime, first_let: bool = False, let_on: date | None = None,
            landlord: int | None = None) -> int:
    """A provider's home fallen empty, notified (logged) at `notified`, advertised under the agreement."""
    landlord = landlord or world.provider
    with db.transaction() as s:
        home = Property(landlord_id=landlord, reference=f"P-{reference}", address=f"{reference} Mill Lane",
                        postcode="AT2 2BB", area="Riverside", property_type=PropertyType.FLAT, bedrooms=1,
                        weekly_rent_pence=10000)
        s.add(home)
        s.flush()
        void = Void(property_id=home.id, first_let=first_let, tenancy_end_date=notified.date() - timedelta(days=3),
                    logged_at=notified, status=VoidStatus.LET if let_on else VoidStatus.OPEN, tenancy_start_date=let_on)
        s.add(void)
        s.flush()
        advert = Advert(reference=reference, cycle_id=world.cycle, void_id=void.id, property_id=home.id,
                        status=AdvertStatus.LET if let_on else AdvertStatus.SHORTLISTED,
                        agreement_id=world.agreement if landlord == world.provider else None)
        s.add(advert)
        s.flush()
        return advert.id


def nominate(db, world, advert_id: int, applicant: str, *, sent: datetime,
             status: NominationStatus = NominationStatus.SENT, answered: datetime | None = None,
             ground: str | None = None, respond_by: date | None = None) -> int:
    with db.transaction() as s:
        nomination = Nomination(advert_id=advert_id, applicant_id=world.applicants[applicant],
                                agreement_id=world.agreement, provider_id=world.provider, status=status, sent_at=sent,
                                respond_by=respond_by or sent.date() + timedelta(days=7), answered_at=answered,
                                decline_ground=ground)
        s.add(nomination)
        s.flush()
        return nomination.id


def let_to_nominee(db, world, reference: str, applicant: str, *, notified: datetime, let_on: date,
                   first_let: bool = False) -> int:
    advert = vacancy(db, world, reference, notified=notified, first_let=first_let, let_on=let_on)
    nominate(db, world, advert, applicant, sent=notified + timedelta(days=1), status=NominationStatus.LET,
             answered=notified + timedelta(days=3))
    return advert


def report(db, scheme, world, start: date = YEAR[0], end: date = YEAR[1], today: date = TODAY):
    with db.reading() as s:
        return agreement_compliance(s, scheme, world.agreement, start, end, today=today)


def measures(result) -> dict[str, tuple[str, str, str]]:
    return {heading: tuple(values) for heading, *values in result.measures}


def test_three_of_four_relets_to_nominees_meets_the_agreed_75_percent(db, scheme, world):
    for number in (1, 2, 3):
        let_to_nominee(db, world, f"RL{number}", f"HR00000{number}", notified=at(date(2026, 6, number)),
                       let_on=date(2026, 7, number))
    vacancy(db, world, "RL4", notified=at(date(2026, 6, 4)), let_on=date(2026, 7, 4))  # the provider's own let

    result = report(db, scheme, world)

    assert (result.relets.lets, result.relets.nominee_lets, result.relets.own_lets) == (4, 3, 1)
    assert result.relets.share_achieved == 75 and result.relets.agreed_share == 75
    assert result.relets.share_met is True
    figures = measures(result)
    assert figures["Share of lets to council nominees"] == ("no lets", "75%", "75%")
    assert figures["Agreed share"] == ("100%", "75%", "not applicable")
    assert figures["Agreed share met"] == ("no lets", "yes", "yes")
    assert figures["Lets to the provider's own applicants"] == ("0", "1", "1")


def test_a_providers_own_let_counts_against_the_share(db, scheme, world):
    for number in (1, 2, 3):
        let_to_nominee(db, world, f"RL{number}", f"HR00000{number}", notified=at(date(2026, 6, number)),
                       let_on=date(2026, 7, number))
    assert report(db, scheme, world).relets.share_met is True  # 3 of 3

    # The provider lets two homes to households of its own, one after declining the council's nominee.
    vacancy(db, world, "OWN1", notified=at(date(2026, 8, 3)), let_on=date(2026, 9, 1))
    declined = vacancy(db, world, "OWN2", notified=at(date(2026, 8, 4)), let_on=date(2026, 9, 2))
    nominate(db, world, declined, "HR000004", sent=at(date(2026, 8, 5)), status=NominationStatus.DECLINED,
             answered=at(date(2026, 8, 6)), ground="arrears")

    result = report(db, scheme, world)
    assert (result.relets.lets, result.relets.nominee_lets) == (5, 3)
    assert result.relets.share_met is False
    assert measures(result)["Share of lets to council nominees"][1] == "60%"


def test_first_lets_are_measured_against_their_own_share(db, scheme, world):
    let_to_nominee(db, world, "NB1", "HR000001", notified=at(date(2026, 5, 4)), let_on=date(2026, 6, 1),
                   first_let=True)
    vacancy(db, world, "NB2", notified=at(date(2026, 5, 4)), first_let=True, let_on=date(2026, 6, 1))
    vacancy(db, world, "NB3", notified=at(date(2026, 5, 5)), first_let=True, let_on=date(2026, 6, 2))
    let_to_nominee(db, world, "RL1", "HR000002", notified=at(date(2026, 5, 4)), let_on=date(2026, 6, 1))

    result = report(db, scheme, world)

    assert (result.first_lets.lets, result.first_lets.nominee_lets) == (3, 1)
    assert result.first_lets.agreed_share == 100 and result.first_lets.share_met is False
    assert (result.relets.lets, result.relets.nominee_lets, result.relets.share_met) == (1, 1, True)
    assert result.overall_met is False  # first lets fell short
    figures = measures(result)
    assert figures["Share of lets to council nominees"] == ("33.3%", "100%", "50%")
    assert figures["Lets (tenancies started)"] == ("3", "1", "4")


def test_a_share_just_short_is_never_shown_rounded_up_to_the_agreed_share(db, scheme, world):
    with db.transaction() as s:
        agreement = s.get(NominationAgreement, world.agreement)
        agreement.relet_share = 67
        s.add(agreement)
    let_to_nominee(db, world, "RL1", "HR000001", notified=at(date(2026, 6, 1)), let_on=date(2026, 7, 1))
    let_to_nominee(db, world, "RL2", "HR000002", notified=at(date(2026, 6, 1)), let_on=date(2026, 7, 1))
    vacancy(db, world, "RL3", notified=at(date(2026, 6, 1)), let_on=date(2026, 7, 1))

    result = report(db, scheme, world)

    assert result.relets.share_met is False  # 66.67% is short of 67%
    assert measures(result)["Share of lets to council nominees"][1] == "66.6%"


def test_vacancies_are_counted_by_the_uk_day_they_were_notified(db, scheme, world):
    # 23:30 UTC on 31 March is 00:30 on 1 April in UK summer time.
    vacancy(db, world, "EDGE1", notified=datetime(2026, 3, 31, 23, 30, tzinfo=timezone.utc))
    vacancy(db, world, "EDGE2", notified=datetime(2027, 3, 31, 23, 30, tzinfo=timezone.utc))  # 1 April 2027
    vacancy(db, world, "EDGE3", notified=datetime(2026, 3, 31, 22, 30, tzinfo=timezone.utc))  # 31 March 2026
    nominated = vacancy(db, world, "IN1", notified=at(date(2026, 10, 5)), first_let=True)
    nominate(db, world, nominated, "HR000001", sent=at(date(2026, 10, 6)))

    result = report(db, scheme, world)

    assert (result.relets.notified, result.first_lets.notified, result.overall.notified) == (1, 1, 2)
    assert (result.relets.nominated, result.first_lets.nominated) == (0, 1)
    assert measures(result)["Vacancies notified with a nomination sent"] == ("1", "0", "1")


def test_a_council_home_is_no_part_of_a_providers_agreement(db, scheme, world):
    vacancy(db, world, "ATC1", notified=at(date(2026, 6, 1)), let_on=date(2026, 7, 1), landlord=world.council)
    vacancy(db, world, "RHA1", notified=at(date(2026, 6, 1)), let_on=date(2026, 7, 1))

    result = report(db, scheme, world)

    assert (result.overall.notified, result.overall.lets) == (1, 1)


def test_working_days_to_answer_leave_out_christmas_and_the_boxing_day_holiday(db, scheme, world):
    bank = holidays.country_holidays("GB", subdiv="ENG", years=2026)
    assert date(2026, 12, 25) in bank and date(2026, 12, 28) in bank  # Boxing Day (Saturday 26th) moved to Monday
    assert date(2026, 12, 24).strftime("%A") == "Thursday" and date(2026, 12, 29).strftime("%A") == "Tuesday"
    christmas = vacancy(db, world, "XM1", notified=at(date(2026, 12, 21)))
    nominate(db, world, christmas, "HR000001", sent=at(date(2026, 12, 24)), status=NominationStatus.DECLINED,
             answered=at(date(2026, 12, 29)), ground="arrears")

    result = report(db, scheme, world)
    assert result.relets.to_answer.average_days == 1
    assert (result.relets.to_answer.measured, result.relets.to_answer.on_time) == (1, 1)

    # A second answer in four working days and a third in six, one past the agreement's five.
    early = vacancy(db, world, "DC1", notified=at(date(2026, 12, 1)))
    nominate(db, world, early, "HR000002", sent=at(date(2026, 12, 7)), status=NominationStatus.ACCEPTED,
             answered=at(date(2026, 12, 11)))
    late = vacancy(db, world, "DC2", notified=at(date(2026, 12, 1)))
    nominate(db, world, late, "HR000003", sent=at(date(2026, 12, 14)), status=NominationStatus.ACCEPTED,
             answered=at(date(2026, 12, 22)))

    result = report(db, scheme, world)
    assert result.relets.to_answer.average_days * 3 == 1 + 4 + 6
    assert (result.relets.to_answer.measured, result.relets.to_answer.on_time) == (3, 2)
    figures = measures(result)
    assert figures["Average working days from nomination to the provider's answer"] == ("none answered", "3.7", "3.7")
    assert figures["Answered within 5 working days"] == ("0 of 0", "2 of 3", "2 of 3")


def test_working_days_from_notification_to_first_nomination(db, scheme, world):
    quick = vacancy(db, world, "Q1", notified=at(date(2026, 12, 7)))  # Monday
    nominate(db, world, quick, "HR000001", sent=at(date(2026, 12, 9)), status=NominationStatus.DECLINED,
             answered=at(date(2026, 12, 10)), ground="arrears")
    nominate(db, world, quick, "HR000002", sent=at(date(2026, 12, 14)))  # a second nomination: not the first
    christmas = vacancy(db, world, "Q2", notified=at(date(2026, 12, 18)))  # Friday; 25 and 28 Dec are holidays
    nominate(db, world, christmas, "HR000003", sent=at(date(2026, 12, 29)))
    slow = vacancy(db, world, "Q3", notified=at(date(2026, 12, 1)))
    nominate(db, world, slow, "HR000004", sent=at(date(2026, 12, 10)))
    vacancy(db, world, "Q4", notified=at(date(2026, 12, 2)))  # not nominated yet

    result = report(db, scheme, world)

    assert (result.relets.notified, result.relets.nominated) == (4, 3)
    assert result.relets.to_nominate.average_days * 3 == 2 + 5 + 7
    assert (result.relets.to_nominate.measured, result.relets.to_nominate.on_time) == (3, 2)
    assert measures(result)["Nominated within 5 working days"][1] == "2 of 3"


def test_declines_are_grouped_by_ground_with_the_schemes_labels(db, scheme, world):
    grounds = [("arrears", True), ("arrears", False), ("support_needs", False), ("affordability", False)]
    for number, (ground, first_let) in enumerate(grounds, start=1):
        advert = vacancy(db, world, f"DE{number}", notified=at(date(2026, 9, number)), first_let=first_let)
        nominate(db, world, advert, f"HR00000{number}", sent=at(date(2026, 9, 10)), status=NominationStatus.DECLINED,
                 answered=at(date(2026, 9, 11)), ground=ground)
    outside = vacancy(db, world, "DE9", notified=at(date(2026, 3, 2)))
    nominate(db, world, outside, "HR000008", sent=at(date(2026, 3, 3)), status=NominationStatus.DECLINED,
             answered=at(date(2026, 3, 4)), ground="arrears")  # declined before the period

    result = report(db, scheme, world)

    lines = [(d.label, d.allowed, d.first_lets, d.relets, d.total) for d in result.declines]
    assert lines == [
        ("Rent arrears over the agreed threshold", True, 1, 1, 2),
        ("The tenancy would not be affordable", False, 0, 1, 1),  # not a ground this agreement allows
        ("Support needs the scheme cannot meet", True, 0, 1, 1),
    ]


def test_a_quota_group_share_is_taken_of_the_lets_to_nominees(db, scheme, world):
    with db.transaction() as s:
        s.add_all([AgreementQuota(agreement_id=world.agreement, group="homeless", min_share_pct=50),
                   AgreementQuota(agreement_id=world.agreement, group="transfer", min_share_pct=10)])
    # HR000001 and HR000002 are owed the homelessness duty; four nominees are housed, one a first let.
    for number in (1, 2, 3, 4):
        let_to_nominee(db, world, f"QG{number}", f"HR00000{number}", notified=at(date(2026, 6, number)),
                       let_on=date(2026, 7, number), first_let=number == 4)
    vacancy(db, world, "QG5", notified=at(date(2026, 6, 5)), let_on=date(2026, 7, 5))  # not a nominee let

    result = report(db, scheme, world)

    homeless, transfer = result.quotas
    assert (homeless.group, homeless.to_group, homeless.nominee_lets) == ("homeless", 2, 4)
    assert homeless.share_achieved == 50 and homeless.met is True
    assert homeless.label == "Homeless households"
    assert (transfer.to_group, transfer.share_text, transfer.met_text) == (0, "0%", "no")


def test_open_nominations_past_their_answer_date_are_overdue_today(db, scheme, world):
    late = vacancy(db, world, "OD1", notified=at(date(2026, 12, 1)))
    nominate(db, world, late, "HR000001", sent=at(date(2026, 12, 22)), respond_by=date(2027, 1, 5))
    viewing = vacancy(db, world, "OD2", notified=at(date(2026, 12, 1)), first_let=True)
    nominate(db, world, viewing, "HR000002", sent=at(date(2026, 12, 30)), status=NominationStatus.VIEWING_ARRANGED,
             respond_by=date(2027, 1, 7))
    due_today = vacancy(db, world, "OD3", notified=at(date(2026, 12, 1)))
    nominate(db, world, due_today, "HR000003", sent=at(date(2027, 1, 1)), respond_by=TODAY)
    answered = vacancy(db, world, "OD4", notified=at(date(2026, 12, 1)))
    nominate(db, world, answered, "HR000004", sent=at(date(2026, 12, 1)), status=NominationStatus.ACCEPTED,
             answered=at(date(2026, 12, 2)), respond_by=date(2026, 12, 8))

    result = report(db, scheme, world)

    assert [(o.advert, o.applicant, o.kind, o.working_days_late) for o in result.overdue] == [
        ("OD1", "HR000001", "relet", 3), ("OD2", "HR000002", "first let", 1)]
    assert (result.first_lets.overdue, result.relets.overdue, result.overall.overdue) == (1, 1, 2)
    # Overdue is about today, whatever the period looked at.
    assert len(report(db, scheme, world, date(2025, 4, 1), date(2025, 4, 30)).overdue) == 2


def test_a_period_without_lets_says_so_rather_than_zero_percent(db, scheme, world):
    result = report(db, scheme, world)

    assert result.relets.share_achieved is None and result.relets.share_met is None
    figures = measures(result)
    assert figures["Share of lets to council nominees"] == ("no lets", "no lets", "no lets")
    assert figures["Agreed share met"] == ("no lets", "no lets", "no lets")
    assert figures["Average working days from notification to first nomination"][2] == "none nominated"
    assert result.declines == () and result.quotas == () and result.overdue == ()


def test_the_csv_has_a_section_for_each_table_with_the_figures(db, scheme, world):
    with db.transaction() as s:
        s.add(AgreementQuota(agreement_id=world.agreement, group="homeless", min_share_pct=50))
    for number in (1, 2, 3):
        let_to_nominee(db, world, f"RL{number}", f"HR00000{number}", notified=at(date(2026, 6, number)),
                       let_on=date(2026, 7, number))
    vacancy(db, world, "RL4", notified=at(date(2026, 6, 4)), let_on=date(2026, 7, 4))
    declined = vacancy(db, world, "DE1", notified=at(date(2026, 9, 1)))
    nominate(db, world, declined, "HR000005", sent=at(date(2026, 9, 2)), status=NominationStatus.DECLINED,
             answered=at(date(2026, 9, 3)), ground="support_needs")

    text = compliance_csv(report(db, scheme, world))

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Nomination agreement compliance"]
    assert ["Provider", "Riverside Housing Association"] in rows
    assert ["Period from", "2026-04-01"] in rows and ["Period to", "2027-03-31"] in rows
    sections = [i for i, row in enumerate(rows) if row == []]
    heads = [rows[i + 1][0] for i in sections]
    assert heads == ["Measure", "Decline ground", "Quota group", "Overdue nomination"]
    assert rows[sections[0] + 1] == ["Measure", "First lets", "Relets", "All"]
    assert ["Lets (tenancies started)", "0", "4", "4"] in rows
    assert ["Lets to council nominees", "0", "3", "3"] in rows
    assert ["Share of lets to council nominees", "no lets", "75%", "75%"] in rows
    assert ["Agreed share met", "no lets", "yes", "yes"] in rows
    assert ["Support needs the scheme cannot meet", "yes", "0", "1", "1"] in rows
    assert ["Homeless households", "50%", "2", "3", "66.6%", "yes"] in rows


def test_a_name_that_looks_like_a_formula_is_written_as_text(db, scheme, world):
    with db.transaction() as s:
        agreement = s.get(NominationAgreement, world.agreement)
        agreement.name = "=HYPERLINK(\"http://example.com\")"
        s.add(agreement)

    rows = list(csv.reader(io.StringIO(compliance_csv(report(db, scheme, world)))))

    assert rows[1] == ["Agreement", "'=HYPERLINK(\"http://example.com\")"]


def test_bad_periods_and_unknown_agreements_are_refused(db, scheme, world):
    with pytest.raises(InvalidInput, match="after its start"):
        report(db, scheme, world, date(2026, 4, 1), date(2026, 3, 31))
    with pytest.raises(InvalidInput, match="five years at most"):
        report(db, scheme, world, date(2021, 4, 1), date(2026, 4, 1))
    assert report(db, scheme, world, date(2021, 4, 1), date(2026, 3, 31)).end == date(2026, 3, 31)  # five years
    assert report(db, scheme, world, date(2026, 4, 1), date(2026, 4, 1)).overall.notified == 0  # one day
    with db.reading() as s, pytest.raises(NotFound):
        agreement_compliance(s, scheme, world.agreement + 99, *YEAR, today=TODAY)
