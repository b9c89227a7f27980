"""Final offers (s193(7), (7F)): a recorded suitability assessment first, refused where the home fails a
recorded need; the letters' statutory sentences; and the review of suitability by someone not involved."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from cbl.models import Applicant, OutboxMessage, Property, Review, StaffUser, Void
from cbl.models.states import StaffRole
from cbl.rules.review_periods import s202_request_by
from cbl.services import actors, reviews
from cbl.services.direct_offers import decide_direct_offer, request_direct_offer
from cbl.services.errors import Conflict, InvalidInput, NotAllowed
from cbl.services.final_offers import assess_suitability
from cbl.services.lettings import judge_refusal
from cbl.services.offers import refuse_offer
from cbl.services.register import record_assessment, record_verification
from cbl.services.review_withdrawal import withdraw
from tests.support.factories import PASSWORD_HASH, add_applicant

MOMENT = datetime(2027, 1, 11, 11, tzinfo=timezone.utc)  # Monday
def words(body: str) -> str:
    """A letter's text with its line breaks as spaces, so a sentence reads as one line."""
    return " ".join(body.split())


SOUND = {"bedrooms": (True, "Four bedrooms for a need of four."),
         "access": (True, "Ground floor, step-free, as the panel recommended."),
         "affordability": (True, "Rent and charges of £120 a week against income of £450."),
         "location": (True, "Ten minutes' walk from the children's school.")}


@pytest.fixture
def people(db, world, staff):
    """Officer (grade 3), a second manager, and a senior reviewer (grade 5), as actors."""
    with db.transaction() as s:
        s.add(StaffUser(organisation_id=world.council, email="senior@example.org", name="Sam Senior",
                        role=StaffRole.REVIEW_OFFICER, grade=5, password_hash=PASSWORD_HASH))
        s.add(StaffUser(organisation_id=world.council, email="manager2@example.org", name="Meg Manager",
                        role=StaffRole.MANAGER, grade=6, password_hash=PASSWORD_HASH))
        s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.MANAGER])).one().grade = 6
    with db.reading() as s:
        by_email = {u.email: u for u in s.exec(select(StaffUser)).all()}
    return {"officer": by_email[staff[StaffRole.OFFICER]], "manager": by_email[staff[StaffRole.MANAGER]],
            "manager2": by_email["manager2@example.org"], "senior": by_email["senior@example.org"]}


def _home(db, world, reference: str, **facts) -> int:
    with db.transaction() as s:
        home = Property(landlord_id=world.council, reference=reference, address=f"{reference} Low Road",
                        postcode="AT2 2BB", area="Riverside", property_type=facts.pop("property_type", "flat"),
                        weekly_rent_pence=11000, weekly_charges_pence=1000, **facts)
        s.add(home)
        s.flush()
        void = Void(property_id=home.id, tenancy_end_date=date(2026, 12, 1))
        s.add(void)
        s.flush()
        return void.id


@pytest.fixture
def family(db, scheme, world, people):
    """A homeless household of a mother and six boys (four bedrooms), verified, with a panel's
    recommendation of a ground-floor home."""
    with db.transaction() as s:
        applicant = add_applicant(s, scheme, world, "HR000010", band="A", children=6, homeless_duty=True)
        applicant_id = applicant.id
        assert applicant.bedroom_need == 4
    officer = actors.staff(people["officer"])
    db.run(record_verification, officer, applicant_id, "Passport, tenancy, payslips", MOMENT)
    db.run(record_assessment, officer, applicant_id, "panel", "Ground floor only: the youngest has a heart condition",
           "", MOMENT, requirements=["ground_floor"])
    return applicant_id


def test_a_two_bedroom_first_floor_flat_is_refused_as_a_final_offer_naming_the_needs_it_fails(
        db, scheme, world, people, family):
    flat = _home(db, world, "P-FLAT2", bedrooms=2, floor=1, lift=False)
    officer = actors.staff(people["officer"])
    with pytest.raises(Conflict) as refused:
        db.run(assess_suitability, officer, family, flat, SOUND, True, "Reasonable to accept.", MOMENT)
    assert "needs 4 bedrooms and the home has 2" in str(refused.value)
    assert "a ground-floor home (panel recommendation of 11 January 2027)" in str(refused.value)
    # Without an assessment, neither route makes a final offer.
    with pytest.raises(Conflict, match="suitability assessment"):
        db.run(request_direct_offer, officer, scheme, flat, "HR000010", "homeless", "Settled home", True, MOMENT)


def test_every_factor_needs_a_finding_with_reasons_and_acceptance_must_be_reasonable(db, world, people, family):
    house = _home(db, world, "P-HOUSE4", bedrooms=4, floor=0, step_free=True, property_type="house")
    officer = actors.staff(people["officer"])
    with pytest.raises(InvalidInput, match="affordability"):
        db.run(assess_suitability, officer, family, house, {k: v for k, v in SOUND.items() if k != "affordability"},
               True, "Reasonable.", MOMENT)
    with pytest.raises(InvalidInput, match="found unsuitable on location"):
        db.run(assess_suitability, officer, family, house, {**SOUND, "location": (False, "Two buses to school")},
               True, "Reasonable.", MOMENT)
    with pytest.raises(InvalidInput, match=r"reasonable for the household to accept"):
        db.run(assess_suitability, officer, family, house, SOUND, False, "", MOMENT)
    with pytest.raises(Conflict, match="more than the household's recorded income"):
        db.run(assess_suitability, officer, family, house, SOUND, True, "Reasonable.", MOMENT,
               weekly_income_pence=10000)


def test_over_long_suitability_reasons_are_refused_not_cut(db, world, people, family):
    house = _home(db, world, "P-HOUSE5", bedrooms=4, floor=0, step_free=True, property_type="house")
    officer = actors.staff(people["officer"])
    with pytest.raises(InvalidInput, match="2,000 characters or fewer"):
        db.run(assess_suitability, officer, family, house, {**SOUND, "location": (True, "Near school. " * 200)},
               True, "Reasonable.", MOMENT)
    with pytest.raises(InvalidInput, match="4,000 characters or fewer"):
        db.run(assess_suitability, officer, family, house, SOUND, True, "Reasonable. " * 400, MOMENT)
    kept = db.run(assess_suitability, officer, family, house, SOUND, True, "R" * 4000, MOMENT)
    assert len(kept.reasons) == 4000


def test_a_final_offer_its_letters_and_a_review_by_someone_not_involved(db, scheme, world, people, family):
    house = _home(db, world, "P-HOUSE4", bedrooms=4, floor=0, step_free=True, property_type="house")
    officer, manager = actors.staff(people["officer"]), actors.staff(people["manager"])
    db.run(assess_suitability, officer, family, house, SOUND, True, "Settled home near school and support.",
           MOMENT, weekly_income_pence=45000)
    proposal = db.run(request_direct_offer, officer, scheme, house, "HR000010", "homeless", "Settled home", True,
                      MOMENT)
    approved = db.run(decide_direct_offer, manager, scheme, proposal.id, True, "", MOMENT)
    with db.reading() as s:
        offer_letter = words(s.exec(select(OutboxMessage).where(OutboxMessage.template == "offer")).one().body)
    for sentence in ("final offer for the purposes of section 193(7) of the Housing Act 1996",
                     "suitable for your household and that it is reasonable for you to accept it",
                     "If you refuse this offer, our duty to secure accommodation for you under section 193",
                     "section 202(1)(f)", f"by <strong>{s202_request_by(MOMENT.date()):%-d %B %Y}</strong>",
                     "accept this offer and still ask for a review of its suitability "
                     "(section 202(1A) of the Housing Act 1996)",
                     "Ground floor, step-free, as the panel recommended."):
        assert sentence in offer_letter, sentence
    assert "31 January 2027" in offer_letter  # 21 days beginning with Monday 11 January 2027: its 21st day

    # The household refuses; the officer judges the refusal unreasonable: the duty ends, and the letter says so.
    with db.reading() as s:
        household = actors.applicant(s.get(Applicant, family))
    db.run(refuse_offer, household, scheme, approved.offer_id, "Area does not meet our needs", "", MOMENT)
    db.run(judge_refusal, officer, scheme, approved.offer_id, False, "Suitable on every factor assessed.",
           MOMENT + timedelta(days=2))
    with db.reading() as s:
        ended = words(s.exec(select(OutboxMessage).where(OutboxMessage.template == "final_offer_decision")).one().body)
        assert s.get(Applicant, family).homeless_duty is False
    for sentence in ("for the purposes of section 193(7)", "Suitable on every factor assessed.",
                     "has ended (section 193(7))", "section 202(1)(f)", "section 202(1)(b)",
                     "by <strong>2 February 2027</strong>", "county court on a point of law",
                     "(section 204 of the Housing Act 1996)"):
        assert sentence in ended, sentence

    # The review of suitability: the manager who approved the offer, and the officer who assessed it, may not.
    review = db.run(reviews.request_review, household, scheme, family, f"offer:{approved.offer_id}",
                    "The area is unsafe for us", MOMENT + timedelta(days=3))
    # 8 weeks beginning with Thursday 14 January 2027 (reg 9(1)(b)): Wednesday 10 March 2027.
    assert review.decide_by == date(2027, 3, 10) and not review.late
    with pytest.raises(NotAllowed, match="manager person (made|approved) the offer: the review must be by someone not"):
        db.run(reviews.allocate, actors.staff(people["manager2"]), review.id, people["manager"].id, MOMENT)
    with pytest.raises(NotAllowed, match="not a reviewing officer"):
        db.run(reviews.allocate, actors.staff(people["manager2"]), review.id, people["officer"].id, MOMENT)
    db.run(reviews.allocate, actors.staff(people["manager2"]), review.id, people["senior"].id, MOMENT)

    # Withdrawal: not by the manager involved, not without the applicant's words; a letter confirms it.
    with pytest.raises(NotAllowed, match="involved"):
        db.run(withdraw, manager, review.id, "email", "Please withdraw my review", MOMENT)
    senior = actors.staff(people["senior"])
    with pytest.raises(InvalidInput, match="what the applicant said"):
        db.run(withdraw, senior, review.id, "email", "", MOMENT)
    with pytest.raises(InvalidInput, match="officer who took the call"):
        db.run(withdraw, senior, review.id, "phone", "Said she has found a flat", MOMENT)
    done = db.run(withdraw, senior, review.id, "phone", "Said she has found a flat", MOMENT + timedelta(days=5),
                  taken_by="Olu Officer", requested_on=date(2027, 1, 15))
    assert done.decision_reasons == "Withdrawn at the applicant's request, made by telephone on 15 January 2027."
    with db.reading() as s:
        letter = words(s.exec(select(OutboxMessage).where(OutboxMessage.template == "review_withdrawn")).one().body)
        assert s.get(Review, review.id).withdrawal_taken_by == "Olu Officer"
    assert "You asked us by telephone on 15 January 2027 to withdraw" in letter


def _findings(**changes: tuple[str, str]) -> dict[str, str]:
    typed = {factor: ("suitable", reasons) for factor, (_, reasons) in SOUND.items()} | changes
    return {**{factor: finding for factor, (finding, _) in typed.items()},
            **{f"{factor}_reasons": reasons for factor, (_, reasons) in typed.items()}}


def test_an_officer_records_the_suitability_on_its_page_and_a_home_failing_a_need_is_refused_there(
        visitor, db, scheme, world, people, family, staff):
    """The page an officer records the s193(7F) assessment on, for a home and a household: every mistake shown at
    once with what was typed; a home failing the panel's recommendation refused naming it; a sound one recorded,
    after which a final direct offer of it can be asked for."""
    from tests.e2e.conftest import staff_sign_in

    flat = _home(db, world, "P-FLAT9", bedrooms=4, floor=2, lift=True)
    house = _home(db, world, "P-HOUSE9", bedrooms=4, floor=0, step_free=True, property_type="house")
    staff_sign_in(visitor, staff[StaffRole.OFFICER])
    page = f"/admin/voids/{house}/suitability"
    opened = visitor.get(f"{page}?household=HR000010")
    assert opened.status_code == 200 and "HR000010" in opened.text and "s193(7F)" in opened.text

    typed = {"household": "HR000010", **_findings(location=("", "Near school")), "reasons": ""}
    refused = visitor.post(page, typed, form_page=page)
    assert refused.status_code == 422
    assert "Give your finding on location" in refused.text and "Near school" in refused.text

    failing = visitor.post(f"/admin/voids/{flat}/suitability", {"household": "HR000010", **_findings(),
                                                               "reasonable": "yes", "reasons": "Reasonable."},
                           form_page=page)
    assert failing.status_code == 409
    assert "a ground-floor home (panel recommendation of 11 January 2027)" in failing.text

    unknown = visitor.post(page, {"household": "HR999999", **_findings(), "reasonable": "yes", "reasons": "Fine."},
                           form_page=page)
    assert unknown.status_code == 422 and "There is no application HR999999" in unknown.text

    done = visitor.post(page, {"household": "hr000010", **_findings(), "weekly_income": "450.00",
                               "reasonable": "yes", "reasons": "Settled home near school and support."},
                        form_page=page)
    assert done.status_code == 303
    assert 'id="assessed"' in visitor.get(done.headers["location"]).text
    officer = actors.staff(people["officer"])
    assert db.run(request_direct_offer, officer, scheme, house, "HR000010", "homeless", "Settled home", True,
                  MOMENT).final_offer
