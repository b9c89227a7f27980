"""An offer's whole life on both databases: the answer given to staff by phone, in person or by e-mail, the
withdrawal with the scheme's reason, the lapse past the deadline; each with its audit event and letter, each
letting the next household on the shortlist be offered the home; and one outcome when people act at once."""

import threading
from datetime import datetime, time, timedelta, timezone

import pytest
from sqlmodel import func, select

from cbl.models import (
    Advert, Applicant, AuditEvent, Offer, OutboxMessage, Refusal, ShortlistEntry, StaffUser, Void,
)
from cbl.models.states import (
    AdvertStatus, AnswerChannel, Channel, OfferStatus, ReviewType, ShortlistStatus, StaffRole, VoidStatus,
)
from cbl.rules.working_days import LONDON, local_date
from cbl.services import actors
from cbl.services.bidding import bidding_barrier
from cbl.services.errors import Conflict, InvalidInput, NotAllowed
from cbl.services.lettings import judge_refusal, make_offer
from cbl.services.reviewable import reviewable_decisions
from cbl.services.offers import accept_offer, lapse_overdue_offers, record_answer, withdraw_offer
from cbl.services.pre_offer_checks import record_check
from cbl.services.shortlisting import verify_entry
from cbl.web.auth import now
from scheduler import jobs
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import FRAUD_PASSED, assert_every_error_shown, date_fields

PAGE = "/admin/adverts/AD1/shortlist"


def _officer(db, email="officer@example.org"):
    with db.reading() as s:
        return actors.staff(s.exec(select(StaffUser).where(StaffUser.email == email)).one())


def _entries(db, world):
    with db.reading() as s:
        return {ref: s.exec(select(ShortlistEntry.id).where(ShortlistEntry.applicant_id == applicant_id)).one()
                for ref, applicant_id in world.applicants.items()}


def _verified(db):
    with db.transaction() as s:
        for applicant in s.exec(select(Applicant)):
            applicant.verified = True


def _offer_to(db, scheme, world, reference, officer=None):
    officer = officer or _officer(db)
    entry = _entries(db, world)[reference]
    db.run(verify_entry, officer, entry, now())
    db.run(record_check, officer, scheme, entry, "fraud", True, "", now())
    return db.run(make_offer, officer, scheme, entry, now()).id


def _letters(db, applicant_id, template=None):
    with db.reading() as s:
        query = select(OutboxMessage).where(OutboxMessage.applicant_id == applicant_id,
                                            OutboxMessage.channel == Channel.LETTER)
        if template:
            query = query.where(OutboxMessage.template == template)
        return s.exec(query.order_by(OutboxMessage.id)).all()


def _events(db, action):
    with db.reading() as s:
        return s.exec(select(AuditEvent).where(AuditEvent.action == action)).all()


def _offer(db, offer_id):
    with db.reading() as s:
        return s.get(Offer, offer_id)


def _place(db, world, reference):
    with db.reading() as s:
        return s.get(ShortlistEntry, _entries(db, world)[reference])


def _past_deadline(db, offer_id, days=1):
    """Move the offer's last day to answer into the past (as the calendar would)."""
    with db.transaction() as s:
        s.get(Offer, offer_id).respond_by = local_date(now()) - timedelta(days=days)


# --- answers given to staff ------------------------------------------------------------------------

def test_staff_record_a_phone_acceptance_with_who_took_it_how_and_when_and_the_household_is_written_to(
        db, scheme, staff, closed):
    _verified(db)
    offer_id = _offer_to(db, scheme, closed, "HR000002")
    officer = _officer(db)
    phoned = now()
    db.run(record_answer, officer, scheme, offer_id, accepted=True, reason="", detail="",
           channel=AnswerChannel.PHONE, answered_at=phoned, now=now())
    offer = _offer(db, offer_id)
    assert (offer.status, offer.answer_channel, offer.answered_by_id) == (
        OfferStatus.ACCEPTED, AnswerChannel.PHONE, officer.id)
    assert abs(offer.answered_at - phoned) < timedelta(seconds=1)
    with db.reading() as s:
        assert s.get(Void, offer.void_id).accepted_at is not None
    [event] = _events(db, "offer.accepted")
    assert event.actor_id == officer.id and event.details["channel"] == "phone"
    [letter] = _letters(db, offer.applicant_id, "offer_answer")
    assert "by phone" in letter.body and "accept" in letter.body and "recorded your answer wrongly" in letter.body
    # Answered once: a second answer is refused, whoever gives it.
    with pytest.raises(Conflict, match="already been accepted"):
        db.run(record_answer, officer, scheme, offer_id, accepted=False, reason="Affordability", detail="",
               channel=AnswerChannel.EMAIL, answered_at=now(), now=now())


def test_a_refusal_given_in_person_needs_the_schemes_reason_and_leaves_the_next_place_to_offer(
        db, scheme, staff, closed):
    _verified(db)
    offer_id = _offer_to(db, scheme, closed, "HR000002")
    officer = _officer(db)
    with pytest.raises(InvalidInput) as refused:
        db.run(record_answer, officer, scheme, offer_id, accepted=False, reason="Did not fancy it", detail="",
               channel=AnswerChannel.IN_PERSON, answered_at=now(), now=now())
    assert refused.value.field == "reason"
    with pytest.raises(InvalidInput) as future:
        db.run(record_answer, officer, scheme, offer_id, accepted=False, reason="Affordability", detail="",
               channel=AnswerChannel.IN_PERSON, answered_at=now() + timedelta(hours=2), now=now())
    assert future.value.field == "answered_on"
    assert _offer(db, offer_id).status is OfferStatus.MADE and not _letters(db, closed.applicants["HR000002"],
                                                                            "offer_answer")
    db.run(record_answer, officer, scheme, offer_id, accepted=False, reason="Other", detail="Needs a ground floor",
           channel=AnswerChannel.IN_PERSON, answered_at=now(), now=now())
    with db.reading() as s:
        refusal = s.exec(select(Refusal).where(Refusal.offer_id == offer_id)).one()
    assert refusal.reason == "Other: Needs a ground floor" and refusal.reasonable is None
    assert _offer(db, offer_id).answer_channel is AnswerChannel.IN_PERSON
    [letter] = _letters(db, closed.applicants["HR000002"], "offer_answer")
    assert "in person" in letter.body and "Needs a ground floor" in letter.body and "reasonable" in letter.body
    # The household can bid again, and the next place is offered the home.
    with db.reading() as s:
        assert bidding_barrier(s, s.get(Applicant, closed.applicants["HR000002"]), scheme, now()) is None
    assert _offer(db, _offer_to(db, scheme, closed, "HR000003")).status is OfferStatus.MADE


def test_only_staff_who_record_offers_may_record_an_answer_and_the_household_keeps_its_own_path(
        db, scheme, staff, closed):
    _verified(db)
    offer_id = _offer_to(db, scheme, closed, "HR000002")
    for role in (StaffRole.REVIEW_OFFICER, StaffRole.MANAGER):
        with pytest.raises(NotAllowed):
            db.run(record_answer, _officer(db, staff[role]), scheme, offer_id, accepted=True, reason="",
                   detail="", channel=AnswerChannel.PHONE, answered_at=now(), now=now())
    with db.reading() as s:
        household = actors.applicant(s.get(Applicant, closed.applicants["HR000002"]))
    with pytest.raises(NotAllowed):
        db.run(record_answer, household, scheme, offer_id, accepted=True, reason="", detail="",
               channel=AnswerChannel.PHONE, answered_at=now(), now=now())
    db.run(accept_offer, household, offer_id, now())
    offer = _offer(db, offer_id)
    assert offer.answer_channel is AnswerChannel.ONLINE and offer.answered_by_id is None
    assert not _letters(db, offer.applicant_id, "offer_answer")


def test_an_answer_given_after_the_deadline_cannot_be_recorded(db, scheme, staff, closed):
    _verified(db)
    offer_id = _offer_to(db, scheme, closed, "HR000002")
    _past_deadline(db, offer_id, days=2)
    with pytest.raises(Conflict, match="ended on"):
        db.run(record_answer, _officer(db), scheme, offer_id, accepted=True, reason="", detail="",
               channel=AnswerChannel.PHONE, answered_at=now(), now=now())


def _race(*calls):
    """Run the calls at once (released together); each call's result, or the error it raised."""
    start = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i, call):
        start.wait()
        try:
            results[i] = call()
        except Exception as error:  # the test looks at which errors came back
            results[i] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_staff_recording_answers_to_one_offer_at_once_exactly_one_wins(db, scheme, staff, closed):
    _verified(db)
    offer_id = _offer_to(db, scheme, closed, "HR000002")
    first = _officer(db)
    with db.transaction() as s:  # a second officer
        s.add(StaffUser(organisation_id=closed.council, email="officer2@example.org", name="Second Officer",
                        role=StaffRole.OFFICER, grade=3, password_hash="x"))
    second = _officer(db, "officer2@example.org")
    results = _race(
        lambda: db.run(record_answer, first, scheme, offer_id, accepted=True, reason="", detail="",
                       channel=AnswerChannel.PHONE, answered_at=now(), now=now()),
        lambda: db.run(record_answer, second, scheme, offer_id, accepted=False, reason="Affordability", detail="",
                       channel=AnswerChannel.EMAIL, answered_at=now(), now=now()))
    won = [r for r in results if isinstance(r, Offer)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].status_code == 409 and "already been" in lost[0].message
    offer = _offer(db, offer_id)
    assert offer.status in (OfferStatus.ACCEPTED, OfferStatus.REFUSED)
    assert len(_letters(db, offer.applicant_id, "offer_answer")) == 1
    assert len(_events(db, "offer.accepted")) + len(_events(db, "offer.refused")) == 1
    with db.reading() as s:
        refusals = s.exec(select(func.count()).select_from(Refusal)).one()
    assert refusals == (1 if offer.status is OfferStatus.REFUSED else 0)


# --- withdrawal ------------------------------------------------------------------------------------

def test_an_offer_made_in_error_is_withdrawn_and_the_household_keeps_its_verified_place(db, scheme, staff, closed):
    _verified(db)
    with db.transaction() as s:
        s.get(Applicant, closed.applicants["HR000002"]).email = "bo@example.org"
    offer_id = _offer_to(db, scheme, closed, "HR000002")
    officer = _officer(db)
    db.run(withdraw_offer, officer, scheme, offer_id, "made_in_error", "Sent before the repairs were signed off",
           now())
    offer = _offer(db, offer_id)
    assert (offer.status, offer.withdrawal_reason, offer.withdrawn_by_id) == (
        OfferStatus.WITHDRAWN, "made_in_error", officer.id)
    place = _place(db, closed, "HR000002")
    assert place.status is ShortlistStatus.VERIFIED and place.skip_reason is None
    [letter] = _letters(db, offer.applicant_id, "offer_withdrawn")
    assert "The offer was made in error" in letter.body and "repairs were signed off" in letter.body
    assert "keep your place" in letter.body and "Ombudsman" in letter.body
    # Besides the letter, the household hears by the e-mail it chose, pointed to the letter.
    with db.reading() as s:
        [told] = s.exec(select(OutboxMessage).where(OutboxMessage.applicant_id == offer.applicant_id,
                                                    OutboxMessage.template == "offer_withdrawn",
                                                    OutboxMessage.channel == Channel.EMAIL)).all()
    assert "We have withdrawn our offer of" in told.body and "My letters" in told.body
    [event] = _events(db, "offer.withdrawn")
    assert event.details["reason"] == "The offer was made in error"
    # Offered again, as the place is open.
    again = db.run(make_offer, officer, scheme, place.id, now())
    assert again.status is OfferStatus.MADE
    with pytest.raises(Conflict, match="already been withdrawn"):
        db.run(withdraw_offer, officer, scheme, offer_id, "other", "again", now())


def test_a_failed_verification_withdraws_an_accepted_offer_passes_the_household_over_with_review_rights(
        db, scheme, staff, closed):
    _verified(db)
    offer_id = _offer_to(db, scheme, closed, "HR000002")
    officer = _officer(db)
    db.run(record_answer, officer, scheme, offer_id, accepted=True, reason="", detail="",
           channel=AnswerChannel.PHONE, answered_at=now(), now=now())
    with pytest.raises(InvalidInput) as unknown:
        db.run(withdraw_offer, officer, scheme, offer_id, "changed_our_minds", "", now())
    assert unknown.value.field == "reason"
    with pytest.raises(InvalidInput) as no_note:
        db.run(withdraw_offer, officer, scheme, offer_id, "other", "  ", now())
    assert no_note.value.field == "note"
    with pytest.raises(NotAllowed):
        db.run(withdraw_offer, _officer(db, staff[StaffRole.MANAGER]), scheme, offer_id, "verification_failed", "",
               now())
    assert _offer(db, offer_id).status is OfferStatus.ACCEPTED
    db.run(withdraw_offer, officer, scheme, offer_id, "verification_failed", "", now())
    offer = _offer(db, offer_id)
    with db.reading() as s:
        assert s.get(Void, offer.void_id).accepted_at is None  # the void clock's acceptance is undone
    place = _place(db, closed, "HR000002")
    assert place.status is ShortlistStatus.SKIPPED and place.skip_reason == "offer_withdrawn"
    [letter] = _letters(db, offer.applicant_id, "offer_withdrawn")
    assert "could not verify" in letter.body and "section 166A(9)" in letter.body
    assert _offer(db, _offer_to(db, scheme, closed, "HR000003")).status is OfferStatus.MADE


# --- lapse -----------------------------------------------------------------------------------------

def test_an_offer_past_its_deadline_lapses_once_as_a_refusal_and_frees_home_shortlist_and_household(
        db, scheme, staff, closed):
    assert scheme.offers.lapse_counts_as_refusal
    _verified(db)
    offer_id = _offer_to(db, scheme, closed, "HR000002")
    with db.transaction() as s:
        s.get(Applicant, closed.applicants["HR000002"]).email = "bo@example.org"
    assert db.run(lapse_overdue_offers, actors.SYSTEM, scheme, now()) == []  # not yet due
    _past_deadline(db, offer_id)
    assert db.run(lapse_overdue_offers, actors.SYSTEM, scheme, now()) == [offer_id]
    assert db.run(lapse_overdue_offers, actors.SYSTEM, scheme, now()) == []  # run again: nothing more
    offer = _offer(db, offer_id)
    assert offer.status is OfferStatus.LAPSED and offer.lapsed_at is not None
    [letter] = _letters(db, offer.applicant_id, "offer_lapsed")
    assert "has lapsed" in letter.body and "counts as refusing" in letter.body
    assert len(_events(db, "offer.lapsed")) == 1
    # Besides the letter, the household hears by the e-mail and text it chose, pointed to the letter.
    with db.reading() as s:
        [told] = s.exec(select(OutboxMessage).where(OutboxMessage.applicant_id == offer.applicant_id,
                                                    OutboxMessage.template == "offer_lapsed",
                                                    OutboxMessage.channel == Channel.EMAIL)).all()
    assert "has lapsed" in told.body and "My letters" in told.body
    with db.reading() as s:
        refusal = s.exec(select(Refusal).where(Refusal.offer_id == offer_id)).one()
        assert bidding_barrier(s, s.get(Applicant, offer.applicant_id), scheme, now()) is None
    assert "lapsed" in refusal.reason and refusal.reasonable is None
    # The lapse is judged like any refusal, and an unreasonable one counts towards the penalty.
    db.run(judge_refusal, _officer(db), scheme, offer_id, False, "No contact despite two calls", now())
    assert _letters(db, offer.applicant_id, "refusal_decision")
    assert _offer(db, _offer_to(db, scheme, closed, "HR000003")).status is OfferStatus.MADE


def test_where_the_scheme_says_a_lapse_is_no_refusal_the_household_only_loses_its_place(db, scheme, staff, closed):
    lenient = scheme.model_copy(update={"offers": scheme.offers.model_copy(update={"lapse_counts_as_refusal": False})})
    _verified(db)
    offer_id = _offer_to(db, lenient, closed, "HR000002")
    _past_deadline(db, offer_id)
    assert db.run(lapse_overdue_offers, actors.SYSTEM, lenient, now()) == [offer_id]
    with db.reading() as s:
        assert s.exec(select(func.count()).select_from(Refusal)).one() == 0
    place = _place(db, closed, "HR000002")
    assert place.status is ShortlistStatus.SKIPPED and place.skip_reason == "offer_lapsed"
    [letter] = _letters(db, closed.applicants["HR000002"], "offer_lapsed")
    assert "lost your place" in letter.body and "section 166A(9)" in letter.body
    # The review the letter offers is one the household can ask for.
    with db.reading() as s:
        decisions = reviewable_decisions(s, closed.applicants["HR000002"])
    assert [d.decision_type for d in decisions if d.description.startswith("Offer lapsed and bid passed over: no "
                                                                           "answer by")] == [ReviewType.SKIP]


def test_the_lapse_job_run_by_two_schedulers_at_once_lapses_each_offer_once(db, scheme, staff, closed):
    _verified(db)
    offer_id = _offer_to(db, scheme, closed, "HR000002")
    _past_deadline(db, offer_id)
    jobs.configure(jobs.Runtime(db, scheme, LONDON))
    try:
        results = _race(lambda: jobs.lapse_offers(now()), lambda: jobs.lapse_offers(now()))
        assert results == [None, None]
        jobs.lapse_offers(now())
    finally:
        jobs._runtime = None
    assert _offer(db, offer_id).status is OfferStatus.LAPSED
    assert len(_letters(db, closed.applicants["HR000002"], "offer_lapsed")) == 1
    assert len(_events(db, "offer.lapsed")) == 1
    with db.reading() as s:
        assert s.exec(select(func.count()).select_from(Refusal)).one() == 1


@pytest.mark.parametrize("attempt", range(3))
def test_a_lapse_racing_the_households_answer_online_has_exactly_one_outcome(db, scheme, staff, closed, attempt):
    _verified(db)
    offer_id = _offer_to(db, scheme, closed, "HR000002")
    deadline = _offer(db, offer_id).respond_by
    # The household presses "accept" in the last minute of its last day; the job runs just after midnight.
    last_minute = datetime.combine(deadline, time(23, 59), tzinfo=LONDON).astimezone(timezone.utc)
    after_midnight = datetime.combine(deadline + timedelta(days=1), time(0, 10), tzinfo=LONDON).astimezone(
        timezone.utc)
    with db.reading() as s:
        household = actors.applicant(s.get(Applicant, closed.applicants["HR000002"]))
    answered, lapsed = _race(lambda: db.run(accept_offer, household, offer_id, last_minute),
                             lambda: db.run(lapse_overdue_offers, actors.SYSTEM, scheme, after_midnight))
    offer = _offer(db, offer_id)
    if isinstance(answered, Offer):
        assert lapsed == [] and offer.status is OfferStatus.ACCEPTED
        assert not _letters(db, offer.applicant_id, "offer_lapsed")
    else:
        assert isinstance(answered, Conflict) and "lapsed" in answered.message
        assert lapsed == [offer_id] and offer.status is OfferStatus.LAPSED
        assert len(_letters(db, offer.applicant_id, "offer_lapsed")) == 1


# --- the officer's pages ---------------------------------------------------------------------------

def test_an_officer_records_a_phone_refusal_on_the_shortlist_every_mistake_shown_then_offers_the_next(
        visitor, db, scheme, staff, closed):
    _verified(db)
    offer_id = _offer_to(db, scheme, closed, "HR000002")
    staff_sign_in(visitor, "officer@example.org")
    page = visitor.get(PAGE).text
    assert "Next to work: <strong>HR000002</strong>" in page and "record the answer" in page
    sent = {"answer": "refuse", "detail": "x" * 1501, "answered_on-day": "31", "answered_on-month": "2",
            "answered_on-year": "2026", "answered_time": "half past"}
    bad = visitor.post(f"/admin/offers/{offer_id}/answer", sent, form_page=PAGE)
    assert bad.status_code == 422
    suffix = f"-offer-{offer_id}"
    shown = assert_every_error_shown(bad.text, {
        f"reason{suffix}": "main reason", f"detail{suffix}": "1,500 characters",
        f"channel{suffix}": "how the household", f"answered_on{suffix}": "", f"answered_time{suffix}": ""})
    assert shown.values["answered_time"] == ["half past"] and shown.values["answer"] == ["refuse"]
    assert _offer(db, offer_id).status is OfferStatus.MADE
    phoned = now().astimezone(LONDON)  # just now, to the minute as staff type it
    good = visitor.post(f"/admin/offers/{offer_id}/answer", {
        "answer": "refuse", "reason": "Affordability", "detail": "Rent too high for us", "channel": "phone",
        **date_fields("answered_on", phoned.date()), "answered_time": f"{phoned:%H:%M}"}, form_page=PAGE)
    assert good.status_code == 303
    offer = _offer(db, offer_id)
    assert offer.status is OfferStatus.REFUSED and offer.answer_channel is AnswerChannel.PHONE
    page = visitor.get(PAGE).text
    assert "Next to work: <strong>HR000003</strong>" in page and "verify the household" in page
    entries = _entries(db, closed)
    visitor.post(f"{PAGE}/{entries['HR000003']}/verify", form_page=PAGE)
    assert visitor.post(f"{PAGE}/{entries['HR000003']}/checks", FRAUD_PASSED, form_page=PAGE).status_code == 303
    assert "make the offer" in visitor.get(PAGE).text
    assert visitor.post(f"{PAGE}/{entries['HR000003']}/offer", {}, form_page=PAGE).status_code == 303
    # The offer's own page tells its history.
    history = visitor.get(f"/admin/offers/{offer_id}").text
    assert "taken by" in history and "phone" in history


def test_an_officer_withdraws_an_offer_from_the_shortlist_with_a_reason(visitor, db, scheme, staff, closed):
    _verified(db)
    offer_id = _offer_to(db, scheme, closed, "HR000002")
    staff_sign_in(visitor, "officer@example.org")
    suffix = f"-withdrawal-{offer_id}"
    bad = visitor.post(f"/admin/offers/{offer_id}/withdrawal", {"reason": "nonsense", "note": "n" * 2001},
                       form_page=PAGE)
    assert bad.status_code == 422
    assert_every_error_shown(bad.text, {f"reason{suffix}": "", f"note{suffix}": "2,000 characters"})
    no_note = visitor.post(f"/admin/offers/{offer_id}/withdrawal", {"reason": "other"}, form_page=PAGE)
    assert no_note.status_code == 422
    assert_every_error_shown(no_note.text, {f"note{suffix}": "Say why"})
    assert _offer(db, offer_id).status is OfferStatus.MADE
    done = visitor.post(f"/admin/offers/{offer_id}/withdrawal", {"reason": "home_unavailable",
                                                                 "note": "Fire damage"}, form_page=PAGE)
    assert done.status_code == 303
    assert _offer(db, offer_id).status is OfferStatus.WITHDRAWN
    page = visitor.get(PAGE).text
    assert "The home is no longer available (Fire damage)" in page
    again = visitor.post(f"/admin/offers/{offer_id}/withdrawal", {"reason": "home_unavailable"}, form_page=PAGE)
    assert again.status_code == 409 and "already been withdrawn" in again.text


# --- one home, start to end ------------------------------------------------------------------------

def test_one_home_goes_through_a_phone_refusal_a_lapse_and_an_acceptance_to_its_tenancy(
        visitor, other_visitor, db, scheme, staff, closed):
    _verified(db)
    entries = _entries(db, closed)
    officer = _officer(db)
    staff_sign_in(visitor, "officer@example.org")
    ids = closed.applicants

    # 1. The top household refuses by phone; the officer judges the refusal reasonable.
    first = _offer_to(db, scheme, closed, "HR000002")
    db.run(record_answer, officer, scheme, first, accepted=False, reason="Medical or access reasons", detail="",
           channel=AnswerChannel.PHONE, answered_at=now(), now=now())
    db.run(judge_refusal, officer, scheme, first, True, "", now())
    # 2. The next does not answer in time: the scheduler's job lapses the offer.
    second = _offer_to(db, scheme, closed, "HR000003")
    _past_deadline(db, second)
    jobs.configure(jobs.Runtime(db, scheme, LONDON))
    try:
        jobs.lapse_offers(now())
    finally:
        jobs._runtime = None
    assert _offer(db, second).status is OfferStatus.LAPSED
    assert "Next to work: <strong>HR000001</strong>" in visitor.get(PAGE).text
    # 3. The third accepts online and the officer records the tenancy start.
    visitor.post(f"{PAGE}/{entries['HR000001']}/verify", form_page=PAGE)
    assert visitor.post(f"{PAGE}/{entries['HR000001']}/checks", FRAUD_PASSED, form_page=PAGE).status_code == 303
    assert visitor.post(f"{PAGE}/{entries['HR000001']}/offer", {}, form_page=PAGE).status_code == 303
    with db.reading() as s:
        third = s.exec(select(Offer.id).where(Offer.applicant_id == ids["HR000001"])).one()
    other_visitor.sign_in("HR000001")
    assert other_visitor.post(f"/account/offers/{third}/accept", form_page="/account/offers").status_code == 303
    assert "record the tenancy start" in visitor.get(PAGE).text
    start = local_date(now()) + timedelta(days=7)
    assert visitor.post(f"/admin/offers/{third}/tenancy", {
        **date_fields("starts_on", start), "tenancy_type": "secure", "rent_at_let": "102.30",
        **date_fields("keys_given_on", local_date(now()))}, form_page=PAGE).status_code == 303

    # The refusal judged reasonable is told too, as the answer letter promised.
    assert [m.template for m in _letters(db, ids["HR000002"])] == ["offer", "offer_answer", "refusal_decision"]
    assert [m.template for m in _letters(db, ids["HR000003"])] == ["offer", "offer_lapsed"]
    assert [m.template for m in _letters(db, ids["HR000001"])] == ["offer", "tenancy_started"]
    with db.reading() as s:
        advert = s.exec(select(Advert).where(Advert.reference == "AD1")).one()
        void = s.get(Void, advert.void_id)
        assert advert.status is AdvertStatus.LET and void.status is VoidStatus.LET
        assert void.offered_at is not None and void.accepted_at is not None and void.tenancy_start_date == start
        assert [o.status for o in s.exec(select(Offer).order_by(Offer.id))] == [
            OfferStatus.REFUSED, OfferStatus.LAPSED, OfferStatus.LET]
    assert 'id="next-action"' not in visitor.get(PAGE).text  # let: nothing more to do
