"""An advert's life past its shortlist, on both databases: withdrawn with a reason, advertised again in a later
cycle with the old advert and its shortlist kept and linked, a direct let once the home has been through the
scheme's number of cycles unlet; and the sign-up that records the tenancy's type, rent and keys, which the void
clock and the CORE return then use."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import func, select

from cbl.models import (
    Advert, Applicant, AuditEvent, Cycle, DirectOfferRequest, Offer, OutboxMessage, ShortlistEntry, StaffUser, Void,
)
from cbl.models.states import (
    AdvertStatus, Channel, CycleStatus, OfferStatus, TenancyType, VoidStatus,
)
from cbl.queries import core_lets
from cbl.reports.core_export import TenancyType as CoreTenancyType
from cbl.rules.scheme import SchemeError, load_scheme
from cbl.rules.working_days import local_date
from cbl.services import actors
from cbl.services.actors import SYSTEM
from cbl.services.cycles import close_cycle
from cbl.services.direct_offers import decide_direct_offer, request_direct_offer
from cbl.services.errors import Conflict, InvalidInput
from cbl.services.lettings import make_offer
from cbl.services.offers import accept_offer
from cbl.services.pre_offer_checks import record_check
from cbl.services.shortlisting import verify_entry
from cbl.services.stock import readvertise, unsuccessful_cycles, withdraw_advert
from cbl.services.void_clock import void_clock
from cbl.web.auth import now
from tests.conftest import SCHEMES
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import assert_every_error_shown, date_fields, read_form

PAGE = "/admin/adverts/AD1/shortlist"


def _staff(db, email="officer@example.org"):
    with db.reading() as s:
        return actors.staff(s.exec(select(StaffUser).where(StaffUser.email == email)).one())


def _advert(db, reference) -> Advert:
    with db.reading() as s:
        return s.exec(select(Advert).where(Advert.reference == reference)).one()


def _later_cycles(db, world, *names):
    """Cycles after the world's, one a week, each ready to advertise in (and the home ready to let)."""
    ids = []
    with db.transaction() as s:
        for week, name in enumerate(names, start=1):
            cycle = Cycle(name=name, opens_at=now() + timedelta(days=7 * week),
                          closes_at=now() + timedelta(days=7 * week + 4), status=CycleStatus.SCHEDULED)
            s.add(cycle)
            s.flush()
            ids.append(cycle.id)
        void = s.get(Void, s.exec(select(Advert.void_id).where(Advert.reference == "AD1")).one())
        void.ready_to_let_at = now()
    return ids


def _close(db, scheme, cycle_id):
    with db.reading() as s:
        closes_at = s.get(Cycle, cycle_id).closes_at
    assert db.run(close_cycle, SYSTEM, scheme, cycle_id, closes_at + timedelta(minutes=1))


def _events(db, action):
    with db.reading() as s:
        return s.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


# --- advertising again ---------------------------------------------------------------------------------------

def test_a_shortlisted_advert_is_advertised_again_twice_each_old_advert_kept_and_linked_to_the_next(
        visitor, db, scheme, staff, closed):
    second, third = _later_cycles(db, closed, "Second week", "Third week")
    staff_sign_in(visitor, "officer@example.org")
    with db.reading() as s:
        places = s.exec(select(func.count()).select_from(ShortlistEntry)
                        .where(ShortlistEntry.advert_id == _advert(db, "AD1").id)).one()
    assert places == 3

    # Every mistake at once, what was typed given back, and nothing changed.
    page = visitor.post("/admin/adverts/AD1/readvertise", {"cycle": "", "reason": "x" * 501}, form_page=PAGE)
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {"cycle-again": "Choose the cycle",
                                                "reason-again": "500 characters or fewer"})
    assert "x" * 501 in form.values["reason"]
    refused = visitor.post("/admin/adverts/AD1/readvertise", {"cycle": str(second), "reason": ""}, form_page=PAGE)
    assert refused.status_code == 422
    assert_every_error_shown(refused.text, {"reason-again": "Give the reason for withdrawing the advert"})
    assert read_form(refused.text).values["cycle"] == [str(second)]
    assert _advert(db, "AD1").status is AdvertStatus.SHORTLISTED

    done = visitor.post("/admin/adverts/AD1/readvertise", {"cycle": str(second), "reason": "Nobody could be verified"},
                        form_page=PAGE)
    assert done.status_code == 303
    old, new = _advert(db, "AD1"), None
    with db.reading() as s:
        new = s.exec(select(Advert).where(Advert.previous_advert_id == old.id)).one()
        assert s.get(Void, old.void_id).status is VoidStatus.OPEN
        assert s.exec(select(func.count()).select_from(ShortlistEntry)
                      .where(ShortlistEntry.advert_id == old.id)).one() == 3  # kept for the record
        told = s.exec(select(OutboxMessage).where(OutboxMessage.template == "advert_withdrawn")).all()
    assert (old.status, old.withdrawal_reason, old.unsuccessful) == (
        AdvertStatus.WITHDRAWN, "Nobody could be verified", True)
    assert (new.status, new.cycle_id, new.void_id) == (AdvertStatus.LIVE, second, old.void_id)
    assert (new.min_bedroom_need, new.description, new.preference_groups) == (
        old.min_bedroom_need, old.description, old.preference_groups)
    assert len(told) == 3 and all("advertised again in Second week" in m.body for m in told)
    assert [e.details["previous"] for e in _events(db, "advert.readvertised")] == ["AD1"]
    assert _events(db, "advert.withdrawn")[0].details["unsuccessful"] is True

    old_page = visitor.get(PAGE).text
    assert f'href="/admin/adverts/{new.reference}/shortlist">{new.reference}</a> in Second week' in old_page
    assert "Nobody could be verified" in old_page and "Advertise the home again in a later cycle" not in old_page
    public = visitor.get("/adverts/AD1").text  # households following an old link find the new advert
    assert f'<a class="govuk-link" href="/adverts/{new.reference}">advertised again as {new.reference}</a>' in public
    new_page = visitor.get(f"/admin/adverts/{new.reference}/shortlist").text
    assert 'href="/admin/adverts/AD1/shortlist">AD1</a>' in new_page
    # Once is enough for one advert, and the next must be later than it.
    assert visitor.post("/admin/adverts/AD1/readvertise", {"cycle": str(third), "reason": "Again"},
                        form_page=PAGE).status_code == 409
    officer = _staff(db)
    with db.transaction() as s:
        sooner = Cycle(name="Sooner", opens_at=now() + timedelta(days=2), closes_at=now() + timedelta(days=5),
                       status=CycleStatus.SCHEDULED)
        s.add(sooner)
        s.flush()
        sooner_id = sooner.id
    with pytest.raises(InvalidInput, match="choose a later cycle") as earlier:
        db.run(readvertise, officer, new.reference, sooner_id, "Wrong cycle", now())
    assert earlier.value.field == "cycle" and _advert(db, new.reference).status is AdvertStatus.LIVE

    # The second advert's cycle closes with no bid at all: it is advertised again, a second time.
    _close(db, scheme, second)
    assert _advert(db, new.reference).status is AdvertStatus.SHORTLISTED
    page_two = f"/admin/adverts/{new.reference}/shortlist"
    assert visitor.post(f"/admin/adverts/{new.reference}/readvertise", {"cycle": str(third), "reason": "No bids"},
                        form_page=page_two).status_code == 303
    with db.reading() as s:
        chain = s.exec(select(Advert).where(Advert.void_id == old.void_id).order_by(Advert.id)).all()
        assert unsuccessful_cycles(s, old.void_id) == 2
    assert [(a.status, a.unsuccessful) for a in chain] == [
        (AdvertStatus.WITHDRAWN, True), (AdvertStatus.WITHDRAWN, True), (AdvertStatus.LIVE, False)]
    assert [a.previous_advert_id for a in chain] == [None, chain[0].id, chain[1].id]
    latest = visitor.get(f"/admin/adverts/{chain[2].reference}/shortlist").text
    assert "advertised without being let in 2 cycles" in latest


def test_an_advert_withdrawn_while_live_frees_its_bids_and_is_not_an_unsuccessful_cycle(db, scheme, staff, world):
    officer = _staff(db)
    with db.reading() as s:
        household = actors.applicant(s.get(Applicant, world.applicants["HR000001"]))
    from cbl.services.bidding import place_bid
    db.run(place_bid, household, scheme, world.applicants["HR000001"], "AD1", now())
    with pytest.raises(InvalidInput, match="500 characters or fewer"):
        db.run(withdraw_advert, officer, "AD1", "y" * 501, now())
    db.run(withdraw_advert, officer, "AD1", "Criteria were wrong", now())
    advert = _advert(db, "AD1")
    assert (advert.status, advert.unsuccessful, advert.withdrawn_by_id) == (AdvertStatus.WITHDRAWN, False, officer.id)
    with db.reading() as s:
        assert unsuccessful_cycles(s, advert.void_id) == 0
        [message] = s.exec(select(OutboxMessage).where(OutboxMessage.template == "advert_withdrawn")).all()
    assert "Criteria were wrong" in message.body and "no longer counts" in message.body
    with pytest.raises(Conflict, match="only a live or shortlisted advert"):
        db.run(withdraw_advert, officer, "AD1", "Twice", now())


# --- the direct let after unsuccessful cycles -----------------------------------------------------------------

def _verified(db, reference):
    with db.transaction() as s:
        s.exec(select(Applicant).where(Applicant.reference == reference)).one().verified = True


def test_a_direct_let_is_allowed_at_exactly_the_schemes_number_of_unsuccessful_cycles(
        visitor, db, scheme, staff, closed):
    assert scheme.offers.direct_let_after_unsuccessful_cycles == 2
    second, third = _later_cycles(db, closed, "Second week", "Third week")
    _verified(db, "HR000001")
    officer = _staff(db)
    staff_sign_in(visitor, "officer@example.org")
    void_id = _advert(db, "AD1").void_id
    home_page = "/admin/stock/P-AD1"
    ask = {"applicant": "HR000001", "reason_code": "unlet", "reason": "Advertised twice with no let"}

    # One unsuccessful cycle (AD1, shortlisted then withdrawn); the next advert withdrawn while live is not one.
    db.run(readvertise, officer, "AD1", second, "No one eligible", now())
    with db.reading() as s:
        second_ref = s.exec(select(Advert.reference).where(Advert.cycle_id == second)).one()
    db.run(withdraw_advert, officer, second_ref, "Survey found damp", now())
    one = visitor.post(f"/admin/voids/{void_id}/direct-offer", ask, form_page=home_page)
    assert one.status_code == 409
    assert_every_error_shown(one.text, {"reason_code-direct": "in 1 cycle; the scheme allows a direct let after 2"})
    assert read_form(one.text).values["applicant"] == ["HR000001"]

    # A second cycle run to its close without a let: now the direct let may be asked for, and approved.
    db.run(readvertise, officer, second_ref, third, "", now())
    _close(db, scheme, third)
    with db.reading() as s:
        third_ref = s.exec(select(Advert.reference).where(Advert.cycle_id == third)).one()
    db.run(withdraw_advert, officer, third_ref, "No bids again", now())
    with db.reading() as s:
        assert unsuccessful_cycles(s, void_id) == 2
    assert visitor.post(f"/admin/voids/{void_id}/direct-offer", ask, form_page=home_page).status_code == 303
    manager = _staff(db, "manager@example.org")
    with db.reading() as s:
        request_id = s.exec(select(DirectOfferRequest.id).where(DirectOfferRequest.reason_code == "unlet")).one()
    approved = db.run(decide_direct_offer, manager, scheme, request_id, True, "", now())
    with db.reading() as s:
        offer = s.get(Offer, approved.offer_id)
        letter = s.exec(select(OutboxMessage).where(OutboxMessage.template == "offer",
                                                    OutboxMessage.channel == Channel.LETTER)).one()
    assert offer.status is OfferStatus.MADE and "advertised for bidding and not let" in offer.direct_reason
    assert letter.applicant_id == closed.applicants["HR000001"]


def test_a_scheme_that_does_not_allow_a_direct_let_refuses_it_and_does_not_list_it(db, scheme, staff, closed):
    strict = scheme.model_copy(update={"offers": scheme.offers.model_copy(
        update={"direct_let_after_unsuccessful_cycles": 0})})
    from cbl.services.direct_offers import reasons_for
    assert "unlet" in reasons_for(scheme) and "unlet" not in reasons_for(strict)
    _verified(db, "HR000001")
    officer = _staff(db)
    (second,) = _later_cycles(db, closed, "Second week")
    db.run(readvertise, officer, "AD1", second, "No one eligible", now())
    with db.reading() as s:
        second_ref = s.exec(select(Advert.reference).where(Advert.cycle_id == second)).one()
    db.run(withdraw_advert, officer, second_ref, "Withdrawn", now())
    with pytest.raises(InvalidInput, match="does not allow") as refused:
        db.run(request_direct_offer, officer, strict, _advert(db, "AD1").void_id, "HR000001", "unlet", "Unlet",
               False, now())
    assert refused.value.field == "reason_code"


@pytest.mark.parametrize("value, words", [("-1", "greater than or equal to 0"), ("13", "less than or equal to 12"),
                                          ("true", "valid integer"), ('"2"', "valid integer")])
def test_the_schemes_direct_let_setting_is_checked_and_a_mistake_names_the_field(tmp_path, value, words):
    default = (SCHEMES / "default.toml").read_text(encoding="utf-8")
    assert "direct_let_after_unsuccessful_cycles = 2\n" in default
    wrong = tmp_path / "scheme.toml"
    wrong.write_text(default.replace("direct_let_after_unsuccessful_cycles = 2\n",
                                     f"direct_let_after_unsuccessful_cycles = {value}\n"), encoding="utf-8")
    with pytest.raises(SchemeError, match=f"offers.direct_let_after_unsuccessful_cycles: Input should be .*{words}"):
        load_scheme(wrong)


# --- the sign-up ------------------------------------------------------------------------------------------------

def _accepted_offer(db, scheme, world, reference="HR000002"):
    _verified(db, reference)
    officer = _staff(db)
    with db.reading() as s:
        entry = s.exec(select(ShortlistEntry.id).where(
            ShortlistEntry.applicant_id == world.applicants[reference])).one()
        household = actors.applicant(s.get(Applicant, world.applicants[reference]))
    db.run(verify_entry, officer, entry, now())
    db.run(record_check, officer, scheme, entry, "fraud", True, "", now())
    offer = db.run(make_offer, officer, scheme, entry, now())
    db.run(accept_offer, household, offer.id, now())
    return offer.id


def test_the_sign_up_records_the_tenancy_type_rent_and_keys_and_the_clock_and_core_return_follow(
        visitor, db, scheme, staff, closed):
    offer_id = _accepted_offer(db, scheme, closed)
    staff_sign_in(visitor, "officer@example.org")
    path = f"/admin/offers/{offer_id}/tenancy"
    today = local_date(now())
    start = today + timedelta(days=3)

    bad = visitor.post(path, {"tenancy_type": "periodic", "rent_at_let": "lots", "starts_on-day": "31",
                              "starts_on-month": "2", "starts_on-year": str(start.year),
                              "keys_given_on-day": str(today.day), "keys_given_on-month": str(today.month)},
                       form_page=PAGE)
    assert bad.status_code == 422
    form = assert_every_error_shown(bad.text, {
        f"tenancy_type-offer-{offer_id}": "Choose type of tenancy from the list",
        f"starts_on-offer-{offer_id}": "must be a real date",
        f"rent_at_let-offer-{offer_id}": "must be an amount in pounds",
        f"keys_given_on-offer-{offer_id}": "must include a year"})
    assert form.values["rent_at_let"] == ["lots"] and form.values["starts_on-day"] == ["31"]
    future_keys = visitor.post(path, {"tenancy_type": "secure", "rent_at_let": "£104.20",
                                      **date_fields("starts_on", start),
                                      **date_fields("keys_given_on", today + timedelta(days=1))}, form_page=PAGE)
    assert future_keys.status_code == 422
    assert_every_error_shown(future_keys.text, {f"keys_given_on-offer-{offer_id}": "cannot be in the future"})
    with db.reading() as s:
        assert s.get(Offer, offer_id).status is OfferStatus.ACCEPTED

    assert visitor.post(path, {"tenancy_type": "secure", "rent_at_let": "£104.20", **date_fields("starts_on", start),
                               **date_fields("keys_given_on", today)}, form_page=PAGE).status_code == 303
    with db.reading() as s:
        offer = s.get(Offer, offer_id)
        void = s.get(Void, offer.void_id)
        [letter] = s.exec(select(OutboxMessage).where(OutboxMessage.template == "tenancy_started")).all()
        record = core_lets.let_records(s, [void])[void.id]
    assert (offer.status, offer.tenancy_type, offer.rent_at_let_pence) == (OfferStatus.LET, TenancyType.SECURE, 10420)
    assert (void.status, void.tenancy_start_date, void.keys_given_on) == (VoidStatus.LET, start, today)
    assert letter.applicant_id == offer.applicant_id and "secure tenancy" in letter.body and "£104.20" in letter.body
    [event] = _events(db, "tenancy.started")
    assert event.details["tenancy_type"] == "secure" and event.details["rent_at_let_pence"] == 10420
    clock = void_clock(void, 10420, today)
    assert [m.key for m in clock.milestones][-2:] == ["keys_given", "tenancy_start"]
    assert sum(stage.days for stage in clock.stages) == clock.total_days and not clock.live
    assert (record.tenancy_type, record.starter_tenancy, record.weekly_rent_pence) == (
        CoreTenancyType.SECURE_LIFETIME, False, 10420)
    assert "secure tenancy from" in visitor.get(PAGE).text


@pytest.mark.parametrize("kind, core, starter", [
    (TenancyType.SECURE, CoreTenancyType.SECURE_LIFETIME, False),
    (TenancyType.FLEXIBLE, CoreTenancyType.SECURE_FIXED_TERM, False),
    (TenancyType.ASSURED, CoreTenancyType.ASSURED_LIFETIME, False),
    (TenancyType.ASSURED_SHORTHOLD, CoreTenancyType.ASSURED_SHORTHOLD_FIXED_TERM, False),
    (TenancyType.INTRODUCTORY, None, True),  # what follows the trial is the officer's answer to the return
    (TenancyType.STARTER, None, True),
])
def test_each_tenancy_type_goes_to_the_core_return_where_it_maps(kind, core, starter):
    assert core_lets._sign_up(SimpleNamespace(tenancy_type=kind)) == {"tenancy_type": core, "starter_tenancy": starter}
    assert core_lets._sign_up(None) == {}


ODD = ["\x00", "", " ", "abc", "-1", "0", "1e3", "99999999999", "£", "%", "x" * 5000, "<script>", "١٢"]


def test_odd_input_to_the_re_advertise_and_sign_up_forms_gets_a_page_never_a_server_error(
        visitor, db, scheme, staff, closed):
    offer_id = _accepted_offer(db, scheme, closed)
    (second,) = _later_cycles(db, closed, "Second week")
    with db.transaction() as s:  # AD2: shortlisted with no offer, so it can be advertised again
        s.get(Void, s.exec(select(Advert.void_id).where(Advert.reference == "AD2")).one()).ready_to_let_at = now()
    staff_sign_in(visitor, "officer@example.org")
    page_two = "/admin/adverts/AD2/shortlist"
    for odd in ODD:
        for fields in ({"cycle": odd, "reason": "Odd"}, {"cycle": str(second), "reason": odd}):
            answer = visitor.post("/admin/adverts/AD2/readvertise", fields, form_page=page_two)
            assert answer.status_code in (303, 409, 422), (fields, answer.status_code)
        sign_up = {"tenancy_type": odd, "rent_at_let": odd, "starts_on-day": odd, "starts_on-month": "1",
                   "starts_on-year": odd, "keys_given_on-day": odd, "keys_given_on-month": odd,
                   "keys_given_on-year": "2026"}
        assert visitor.post(f"/admin/offers/{offer_id}/tenancy", sign_up, form_page=PAGE).status_code == 422, odd
    with db.reading() as s:
        assert s.get(Offer, offer_id).status is OfferStatus.ACCEPTED
        assert "\x00" not in (s.exec(select(Advert.withdrawal_reason).where(Advert.reference == "AD2")).one() or "")
