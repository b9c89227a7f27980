"""Every decision told by letter with its right to challenge: the review's provision and last day as a date,
and the right route after it (LGSCO for the council's Part 6 decisions, the Housing Ombudsman only for a
provider's own). Suspensions end by themselves, and a suspended household's bids are not ranked."""

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlmodel import select

from cbl.models import Advert, Applicant, Cycle, OutboxMessage, ShortlistEntry, StaffUser
from cbl.models.states import ApplicationStatus, ShortlistStatus, StaffRole
from cbl.services import actors, reviewable, reviews
from cbl.rules.working_days import local_date
from cbl.services.actors import SYSTEM
from cbl.services.applications import MemberDetails, add_member
from cbl.services.bidding import place_bid
from cbl.services.cycles import close_cycle
from cbl.services.lettings import judge_refusal, make_offer
from cbl.services.offers import refuse_offer, withdraw_offer
from cbl.services.nominations import send_nomination
from cbl.services.register import set_band, suspend
from cbl.services.shortlisting import skip_entry, verify_entry
from cbl.web.auth import now
from scheduler import jobs
from tests.support.factories import PASSWORD_HASH

LGSCO = "Local Government and Social Care Ombudsman"


def words(body: str) -> str:
    """The letter's text as a reader sees it: no tags, one space between words."""
    return " ".join(re.sub(r"<[^>]+>", "", body).split())


def _letters(db, template: str) -> list[str]:
    with db.reading() as s:
        return [words(m.body) for m in s.exec(select(OutboxMessage).where(OutboxMessage.template == template)
                                              .order_by(OutboxMessage.id))]


def _officer(db):
    with db.reading() as s:
        return actors.staff(s.exec(select(StaffUser).where(StaffUser.role == StaffRole.OFFICER)).first())


def test_a_band_decision_and_a_bedroom_need_change_are_told_with_the_part_6_review_and_the_lgsco(
        db, scheme, world, staff):
    officer = _officer(db)
    # Told on Tuesday 29 December 2026: 21 days beginning with that day end on Monday 18 January 2027.
    told = datetime(2026, 12, 29, 10, tzinfo=timezone.utc)
    db.run(set_band, officer, scheme, world.applicants["HR000001"], "B", date(2026, 12, 1), "Medical priority", told)
    band = _letters(db, "band_decision")[0]
    for sentence in ("changed the band of your application from band C to band B (High housing need)",
                     "with effect from 1 December 2026", "Medical priority", "section 166A(9) of the Housing Act 1996",
                     "Please ask by 18 January 2027: 21 days beginning with the date of this letter", LGSCO):
        assert sentence in band, sentence
    assert "Housing Ombudsman" not in band.replace(LGSCO, "")
    db.run(add_member, officer, scheme, world.applicants["HR000001"],
           MemberDetails("New Baby", date(2026, 12, 20), "child", "F"), told)
    db.run(add_member, officer, scheme, world.applicants["HR000001"],
           MemberDetails("Second Child", date(2015, 12, 20), "child", "M"), told)
    # A baby needs a room of her own; a boy of eleven cannot share with her (bedroom standard).
    need = _letters(db, "bedroom_need")
    assert "now needs 2 bedrooms; it needed 1 before" in need[0] and "section 166A(9)" in need[0]
    assert "now needs 3 bedrooms; it needed 2 before" in need[1] and LGSCO in need[1]


def test_a_skip_the_scheme_treats_as_a_decision_is_told_and_reviewable_and_a_nomination_names_the_providers_route(
        db, scheme, world, staff):
    for reference in ("HR000001", "HR000002", "HR000003"):
        with db.transaction() as s:
            s.get(Applicant, world.applicants[reference]).verified = True
        with db.reading() as s:
            actor = actors.applicant(s.get(Applicant, world.applicants[reference]))
        db.run(place_bid, actor, scheme, world.applicants[reference], "AD3", now())
    with db.reading() as s:
        closes_at = s.get(Cycle, world.cycle).closes_at
    db.run(close_cycle, SYSTEM, scheme, world.cycle, closes_at + timedelta(minutes=1))
    with db.reading() as s:
        entries = {e.applicant_id: e.id for e in s.exec(select(ShortlistEntry).join(
            Advert, Advert.id == ShortlistEntry.advert_id).where(Advert.reference == "AD3"))}
    officer = _officer(db)
    db.run(skip_entry, officer, scheme, entries[world.applicants["HR000002"]], "housing_debt", "£900 arrears", now())
    db.run(skip_entry, officer, scheme, entries[world.applicants["HR000003"]], "no_contact", "", now())
    skipped = _letters(db, "skip_decision")
    assert len(skipped) == 1  # "could not be contacted" is not a decision under this scheme
    assert "because: Housing-related debt" in skipped[0] and "section 166A(9)" in skipped[0] and LGSCO in skipped[0]
    with db.reading() as s:
        kinds = [d.description for d in reviewable.reviewable_decisions(s, world.applicants["HR000002"])]
    assert any(k.startswith("Bid passed over: Housing-related debt") for k in kinds)
    entry = entries[world.applicants["HR000001"]]
    db.run(verify_entry, officer, entry, now())
    db.run(send_nomination, officer, entry, now())
    nominated = _letters(db, "nomination_sent")[0]
    assert "nominated you to Riverside Housing Association" in nominated
    assert "complaints procedure" in nominated and "Housing Ombudsman" in nominated and LGSCO not in nominated


def test_fixed_term_suspensions_end_by_themselves_once_with_a_letter(db, scheme, world, staff):
    officer = _officer(db)
    start = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    db.run(suspend, officer, scheme, world.applicants["HR000001"], date(2026, 11, 30), "Rent arrears", start)
    suspension = _letters(db, "suspension")[0]
    assert "until 30 November 2026" in suspension and "Please ask by 22 November 2026" in suspension
    assert "(section 166A(9) of the Housing Act 1996)" in suspension and LGSCO in suspension
    assert "Housing Ombudsman" not in suspension.replace(LGSCO, "")
    jobs.configure(jobs.Runtime(db, scheme, ZoneInfo("Europe/London")))
    # 23:30 UTC on 29 November is still the 29th in London: not yet.
    jobs.end_suspensions(datetime(2026, 11, 29, 23, 30, tzinfo=timezone.utc))
    with db.reading() as s:
        assert s.get(Applicant, world.applicants["HR000001"]).status is ApplicationStatus.SUSPENDED
    jobs.end_suspensions(datetime(2026, 11, 30, 0, 5, tzinfo=timezone.utc))
    jobs.end_suspensions(datetime(2026, 11, 30, 6, 0, tzinfo=timezone.utc))  # run again: nothing more
    with db.reading() as s:
        applicant = s.get(Applicant, world.applicants["HR000001"])
        assert applicant.status is ApplicationStatus.ACTIVE and applicant.suspended_until is None
    ended = _letters(db, "suspension_ended")
    assert len(ended) == 1 and "ended on 30 November 2026" in ended[0]


def test_a_household_under_a_refusal_penalty_keeps_its_bids_but_they_are_not_ranked(db, scheme, world, staff):
    for reference in ("HR000001", "HR000002", "HR000003"):
        with db.reading() as s:
            actor = actors.applicant(s.get(Applicant, world.applicants[reference]))
        db.run(place_bid, actor, scheme, world.applicants[reference], "AD1", now())
    with db.transaction() as s:  # as the refusal penalty leaves it: active, with a suspension end date
        s.get(Applicant, world.applicants["HR000002"]).suspended_until = (now() + timedelta(days=90)).date()
    with db.reading() as s:
        closes_at = s.get(Cycle, world.cycle).closes_at
    db.run(close_cycle, SYSTEM, scheme, world.cycle, closes_at + timedelta(minutes=1))
    with db.reading() as s:
        rows = {e.applicant_id: e for e in s.exec(select(ShortlistEntry))}
    penalised = rows[world.applicants["HR000002"]]
    assert not penalised.eligible and penalised.position is None
    assert rows[world.applicants["HR000003"]].position == 1  # band B goes first; band A is not ranked


def test_an_offer_withdrawn_passing_the_household_over_can_be_reviewed_and_an_overturn_gives_the_place_back(
        db, scheme, staff, closed):
    with db.transaction() as s:
        for applicant in s.exec(select(Applicant)):
            applicant.verified = True
        s.add(StaffUser(organisation_id=closed.council, email="senior@example.org", name="Sam Senior",
                        role=StaffRole.REVIEW_OFFICER, grade=9, password_hash=PASSWORD_HASH))
    officer = _officer(db)
    with db.reading() as s:
        entry = s.exec(select(ShortlistEntry).where(
            ShortlistEntry.applicant_id == closed.applicants["HR000002"])).one()
        senior = s.exec(select(StaffUser).where(StaffUser.email == "senior@example.org")).one()
    db.run(verify_entry, officer, entry.id, now())
    offer = db.run(make_offer, officer, scheme, entry.id, now())
    db.run(withdraw_offer, officer, scheme, offer.id, "verification_failed", "", now())
    letter = _letters(db, "offer_withdrawn")[0]
    told_by = local_date(now()) + timedelta(days=20)
    for sentence in ("We will not offer you this home", "section 166A(9) of the Housing Act 1996",
                     f"Please ask by {told_by:%-d %B %Y}", LGSCO):
        assert sentence in letter, sentence
    # The letter gives a right to a review: the decision is one the household can ask about.
    with db.reading() as s:
        household = actors.applicant(s.get(Applicant, closed.applicants["HR000002"]))
        [decision] = [d for d in reviewable.reviewable_decisions(s, household.id) if d.decision_type.value == "skip"]
    assert decision.description == "Offer withdrawn and bid passed over: We could not verify the household's " \
                                   "circumstances"
    review = db.run(reviews.request_review, household, scheme, household.id, decision.key,
                    "You had my payslips all along", now())
    with db.reading() as s:
        manager = actors.staff(s.exec(select(StaffUser).where(StaffUser.role == StaffRole.MANAGER)).one())
    db.run(reviews.allocate, manager, review.id, senior.id, now())
    db.run(reviews.decide, actors.staff(senior), scheme, review.id, "overturned", "The payslips were on file.",
           False, now())
    with db.reading() as s:
        assert s.get(ShortlistEntry, entry.id).status is ShortlistStatus.PENDING
    decided = _letters(db, "review_decision")[0]
    assert "The bid for advert AD1 is back in its place (1) on the shortlist." in decided and LGSCO in decided
    assert "Housing Ombudsman" not in decided.replace(LGSCO, "")


def test_a_refusal_is_told_whether_judged_unreasonable_with_its_review_and_count_or_reasonable(
        db, scheme, staff, closed):
    with db.transaction() as s:
        for applicant in s.exec(select(Applicant)):
            applicant.verified = True
    officer = _officer(db)
    # Judged on Monday 1 March 2027: 21 days beginning with that day end on Sunday 21 March 2027.
    judged = datetime(2027, 3, 1, 10, tzinfo=timezone.utc)
    with db.reading() as s:
        places = {e.applicant_id: e.id for e in s.exec(select(ShortlistEntry))}
    for reference, reasonable in (("HR000002", False), ("HR000003", True)):
        with db.reading() as s:
            household = actors.applicant(s.get(Applicant, closed.applicants[reference]))
        db.run(verify_entry, officer, places[household.id], now())
        offer = db.run(make_offer, officer, scheme, places[household.id], now())
        db.run(refuse_offer, household, scheme, offer.id, "Area does not meet our needs", "", now())
        db.run(judge_refusal, officer, scheme, offer.id, reasonable,
               "" if reasonable else "The home is in the area you asked for.", judged)
    unreasonable, reasonable_letter = _letters(db, "refusal_decision")
    for sentence in ("We have decided that your refusal was not reasonable", "The home is in the area you asked for.",
                     "unreasonable refusal 1 of the 2 allowed in any 12 months",
                     "You may ask us to review this decision (section 166A(9) of the Housing Act 1996)",
                     "Please ask by 21 March 2027", LGSCO):
        assert sentence in unreasonable, sentence
    assert "Housing Ombudsman" not in unreasonable.replace(LGSCO, "")
    with db.reading() as s:
        kinds = [d.decision_type.value for d in reviewable.reviewable_decisions(s, closed.applicants["HR000002"])]
    assert "refusal" in kinds
    # A refusal judged reasonable is told too (the household was promised an answer), and counts for nothing.
    assert "We have decided that your refusal was reasonable. It does not count against you" in reasonable_letter
    assert "review" not in reasonable_letter
