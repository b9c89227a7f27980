"""Final offers (s193(7), (7F)): a recorded suitability assessment first, refused where the home fails a
recorded need; the letters' statutory sentences; and the review of suitability by someone not involved."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from cbl.models import (
    Applicant, Cycle, OutboxMessage, Property, Review, ShortlistEntry, StaffUser, SuitabilityAssessment, Void,
)
from cbl.models.states import StaffRole
from cbl.rules.review_periods import s202_request_by
from cbl.services import actors, reviews
from cbl.services.bidding import place_bid
from cbl.services.cycles import close_cycle
from cbl.services.direct_offers import decide_direct_offer, request_direct_offer
from cbl.services.errors import Conflict, InvalidInput, NotAllowed
from cbl.services.final_offers import assess_suitability
from cbl.services.lettings import judge_refusal, make_offer
from cbl.services.offers import refuse_offer
from cbl.services.register import record_assessment, record_verification
from cbl.services.review_withdrawal import withdraw
from cbl.services.shortlisting import verify_entry
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.support.factories import PASSWORD_HASH, add_advert, add_applicant, fraud_checked
from tests.support.forms import assert_every_error_shown, read_form

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


def test_a_final_offer_from_a_shortlist_needs_the_assessment_and_meets_a_need_recorded_after_it(
        db, scheme, world, people, family):
    with db.transaction() as s:
        advert = add_advert(s, world, "BIG4", bedrooms=4, min_bedroom_need=3, max_bedroom_need=5)
        void_id = advert.void_id
    with db.reading() as s:
        household = actors.applicant(s.get(Applicant, family))
        closes_at = s.get(Cycle, world.cycle).closes_at
    db.run(place_bid, household, scheme, family, "BIG4", now())
    db.run(close_cycle, actors.SYSTEM, scheme, world.cycle, closes_at + timedelta(minutes=1))
    with db.reading() as s:
        entry = s.exec(select(ShortlistEntry).where(ShortlistEntry.applicant_id == family)).one().id
    officer = actors.staff(people["officer"])
    db.run(verify_entry, officer, entry, now())
    db.run(fraud_checked, entry)
    with pytest.raises(Conflict, match=r"suitability assessment of this home for this household \(a final offer, "
                                       r"s193\(7F\)\)"):
        db.run(make_offer, officer, scheme, entry, now(), final_offer=True)
    db.run(assess_suitability, officer, family, void_id, SOUND, True, "Reasonable to accept.", now())
    # An OT's recommendation recorded after the assessment: the offer is checked against the case as it is now.
    db.run(record_assessment, officer, family, "occupational_therapy", "Needs a wheelchair-accessible home", "",
           now(), requirements=["wheelchair"])
    with pytest.raises(Conflict, match="needs a wheelchair-accessible home"):
        db.run(make_offer, officer, scheme, entry, now(), final_offer=True)


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
        counted = words(s.exec(select(OutboxMessage).where(OutboxMessage.template == "refusal_decision")).one().body)
    for sentence in ("for the purposes of section 193(7)", "Suitable on every factor assessed.",
                     "has ended (section 193(7))", "section 202(1)(f)", "section 202(1)(b)",
                     "by <strong>2 February 2027</strong>", "county court on a point of law",
                     "(section 204 of the Housing Act 1996)"):
        assert sentence in ended, sentence
    # The letter counting the refusal towards the scheme's penalty gives the same review, the one the case lists.
    assert "(section 202(1)(b) of the Housing Act 1996)" in counted and "section 204" in counted

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
    # Nor may the manager involved do the review's work: its draft, or a minded-to notice.
    with pytest.raises(NotAllowed, match="involved in the decision under review"):
        db.run(reviews.draft, manager, review.id, "upheld", "Suitable", False, MOMENT)
    with pytest.raises(NotAllowed, match="involved in the decision under review"):
        db.run(reviews.send_minded_to, manager, scheme, review.id, "No check of the bus route", "Suitable", MOMENT)

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


def test_a_suitability_review_asked_on_day_22_is_late_and_its_decision_points_to_the_county_court(
        db, scheme, world, people, family):
    house = _home(db, world, "P-HOUSE6", bedrooms=4, floor=0, step_free=True, property_type="house")
    officer, manager = actors.staff(people["officer"]), actors.staff(people["manager"])
    db.run(assess_suitability, officer, family, house, SOUND, True, "Settled home near school.", MOMENT)
    proposal = db.run(request_direct_offer, officer, scheme, house, "HR000010", "homeless", "Settled home", True,
                      MOMENT)
    offer_id = db.run(decide_direct_offer, manager, scheme, proposal.id, True, "", MOMENT).offer_id
    # Told on Monday 11 January 2027: s202(3)'s 21 days beginning with that day end on Sunday 31 January; a
    # request logged as made on Monday 1 February, day 22, is late.
    logged_at = datetime(2027, 2, 1, 15, tzinfo=timezone.utc)
    review = db.run(reviews.request_review, officer, scheme, family, f"offer:{offer_id}", "Letter: too far from school",
                    logged_at, requested_on=date(2027, 2, 1))
    assert review.late and review.request_by == date(2027, 1, 31)
    # Eight weeks beginning with 1 February 2027 (reg 9(1)(b)) end on Sunday 28 March, the day the clocks go forward.
    assert review.decide_by == date(2027, 3, 28)
    with db.reading() as s:
        ack = words(s.exec(select(OutboxMessage).where(OutboxMessage.template == "review_acknowledgement")).one().body)
    for sentence in ("The time to ask for a review ended on 31 January 2027", "by <strong>28 March 2027</strong>",
                     "a review under section 202(1)(f) of the Housing Act 1996"):
        assert sentence in ack, sentence
    senior = actors.staff(people["senior"])
    db.run(reviews.allocate, actors.staff(people["manager2"]), review.id, people["senior"].id, logged_at)
    with pytest.raises(Conflict, match="late"):
        db.run(reviews.decide, senior, scheme, review.id, "upheld", "Suitable.", False, logged_at)
    db.run(reviews.accept_late_request, senior, review.id, True, "In hospital until 30 January", logged_at)
    decided_at = datetime(2027, 3, 1, 11, tzinfo=timezone.utc)
    db.run(reviews.decide, senior, scheme, review.id, "upheld", "The school is 20 minutes by one bus.", False,
           decided_at)
    with db.reading() as s:
        letter = words(s.exec(select(OutboxMessage).where(OutboxMessage.template == "review_decision")).one().body)
    for sentence in ("We have decided that the original decision was right, and it stands.",
                     "appeal to the county court on a point of law (section 204 of the Housing Act 1996)",
                     "within 21 days of being told of the review decision"):
        assert sentence in letter, sentence
    assert "Ombudsman" not in letter


def test_an_officer_records_the_assessment_on_the_case_page_and_a_home_failing_a_need_is_refused_by_name(
        visitor, db, scheme, world, people, family):
    _home(db, world, "P-FLAT2", bedrooms=2, floor=1, lift=False)
    house = _home(db, world, "P-HOUSE4", bedrooms=4, floor=0, step_free=True, property_type="house")
    staff_sign_in(visitor, "officer@example.org")
    case, path = "/admin/applicants/HR000010", "/admin/applicants/HR000010/suitability"
    assert "suitability for a final offer</span>" in visitor.get(case).text
    empty = visitor.post(path, {"other_reasons": "Near her ex-partner"}, form_page=case)
    assert empty.status_code == 422
    assert_every_error_shown(empty.text, {
        "home-suitability": "Enter the reference of the home", "bedrooms-suitability": "finding on the home's size",
        "access_reasons-suitability": "reasons for the finding on access", "location-suitability": "on location",
        "other_reasons-suitability": "Give a finding on the other factor", "reasonable-suitability": "s193(7F)"})
    assert read_form(empty.text).values["other_reasons"] == ["Near her ex-partner"]  # kept as typed
    answers = {"bedrooms": "yes", "bedrooms_reasons": "Checked", "access": "yes", "access_reasons": "Checked",
               "affordability": "yes", "affordability_reasons": "Checked", "weekly_income": "450",
               "location": "yes", "location_reasons": "Near school", "reasonable": "yes", "reasons": "Settled home"}
    # The flat fails two needs on the case, whatever the officer found: refused, naming both, nothing saved.
    refused = visitor.post(path, {**answers, "home": "p-flat2"}, form_page=case)
    assert refused.status_code == 409
    page = " ".join(refused.text.split())
    assert "needs 4 bedrooms and the home has 2" in page
    assert "a ground-floor home (panel recommendation of 11 January 2027); the home is on floor 1 with no lift" in page
    assert visitor.post(path, {**answers, "home": "P-NONE"}, form_page=case).status_code == 422
    assert visitor.post(path, {**answers, "home": "P-HOUSE4"}, form_page=case).status_code == 303
    with db.reading() as s:
        [assessment] = s.exec(select(SuitabilityAssessment)).all()
    assert assessment.void_id == house and assessment.weekly_income_pence == 45000
    assert [f["factor"] for f in assessment.findings] == ["bedrooms", "access", "affordability", "location"]
    assert "suitability of P-HOUSE4 for a final offer" in visitor.get(case).text
    # The assessment is the one a final offer of the house now rests on.
    proposal = db.run(request_direct_offer, actors.staff(people["officer"]), scheme, house, "HR000010", "homeless",
                      "Settled home", True, MOMENT)
    assert proposal.id
