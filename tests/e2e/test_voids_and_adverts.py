"""A home falls empty and goes out to bid: void logged, ready to let, advertised with a preview, bid for."""

from datetime import timedelta

from sqlmodel import select

from cbl.models import Advert, AuditEvent, Property, Void
from cbl.models.states import AdvertStatus
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.support.factories import add_applicant
from tests.support.forms import date_fields


def test_an_officer_logs_a_void_and_advertises_it_and_a_household_bids(visitor, other_visitor, db, scheme, staff,
                                                                        world):
    with db.transaction() as s:
        home = Property(landlord_id=world.council, reference="P-NEW", address="9 Elm Road", postcode="AT2 2BB",
                        area="Riverside", property_type="house", bedrooms=2, weekly_rent_pence=11000)
        s.add(home)
        add_applicant(s, scheme, world, "HR000009", band="B", children=1)
    staff_sign_in(visitor, "officer@example.org")
    page = "/admin/stock/P-NEW"
    assert "No voids recorded" in visitor.get(page).text

    future = visitor.post(f"{page}/voids", date_fields("tenancy_end", now().date() + timedelta(days=3)),
                          form_page=page)
    assert future.status_code == 422 and "cannot be in the future" in future.text
    nonsense = visitor.post(f"{page}/voids", {"tenancy_end-day": "last", "tenancy_end-month": "Tuesday",
                                              "tenancy_end-year": "2026"}, form_page=page)
    assert nonsense.status_code == 422 and "real date" in nonsense.text
    ended = now().date() - timedelta(days=10)
    assert visitor.post(f"{page}/voids", {**date_fields("tenancy_end", ended), "reason": "Transfer"},
                        form_page=page).status_code == 303
    assert visitor.post(f"{page}/voids", date_fields("tenancy_end", ended), form_page=page).status_code == 409
    with db.reading() as s:
        void = s.exec(select(Void).join(Property).where(Property.reference == "P-NEW")).one()
    advert_page = f"/admin/voids/{void.id}/advert"
    early = visitor.post(advert_page, {"cycle": str(world.cycle), "action": "advertise"}, form_page=advert_page)
    assert early.status_code == 409 and "ready to let" in early.text
    assert visitor.post(f"/admin/voids/{void.id}/ready", form_page=page).status_code == 303

    fields = {"cycle": str(world.cycle), "min_bedroom_need": "2", "max_bedroom_need": "2",
              "preference_groups": "local:Riverside", "description": "A house with a garden."}
    preview = visitor.post(advert_page, {**fields, "action": "preview"}, form_page=advert_page)
    assert "Households who need 2 bedrooms" in preview.text
    assert "households with a local connection to Riverside" in preview.text
    bad = visitor.post(advert_page, {**fields, "preference_groups": "everyone", "action": "advertise"},
                       form_page=advert_page)
    assert bad.status_code == 422 and "is not a preference group" in bad.text
    assert 'value="2"' in bad.text  # what was typed is kept
    done = visitor.post(advert_page, {**fields, "action": "advertise"}, form_page=advert_page)
    assert done.status_code == 303
    reference = done.headers["location"].rsplit("/", 1)[1]
    with db.reading() as s:
        advert = s.exec(select(Advert).where(Advert.reference == reference)).one()
        assert advert.status is AdvertStatus.LIVE and advert.preference_groups == ["local:Riverside"]
        assert s.get(Void, void.id).advertised_at is not None
        assert [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.subject_type == "void"))] == [
            "void.logged", "void.ready_to_let"]

    public = other_visitor.get(f"/adverts/{reference}").text
    assert "A house with a garden." in public and "Households who need 2 bedrooms" in public
    other_visitor.sign_in("HR000009")
    assert other_visitor.post(f"/adverts/{reference}/bid", form_page=f"/adverts/{reference}").status_code == 303
    assert "1st of 1 eligible bid" in other_visitor.get("/account/bids").text


def test_a_withdrawn_advert_frees_its_bidders_and_the_home_can_be_advertised_again(visitor, other_visitor, db, staff,
                                                                                   world):
    from cbl.models import Bid, Cycle, OutboxMessage
    from cbl.models.states import BidStatus, CycleStatus

    other_visitor.sign_in("HR000001")
    other_visitor.post("/adverts/AD1/bid", form_page="/adverts/AD1")
    staff_sign_in(visitor, "officer@example.org")
    page = "/admin/adverts/AD1/shortlist"
    assert visitor.post("/admin/adverts/AD1/withdrawal", {"reason": ""}, form_page=page).status_code == 422
    assert visitor.post("/admin/adverts/AD1/withdrawal", {"reason": "Damp found at inspection"},
                        form_page=page).status_code == 303
    with db.reading() as s:
        advert = s.exec(select(Advert).where(Advert.reference == "AD1")).one()
        assert advert.status is AdvertStatus.WITHDRAWN
        assert s.exec(select(Bid)).one().status is BidStatus.WITHDRAWN
        withdrawn = s.exec(select(OutboxMessage).where(OutboxMessage.template == "advert_withdrawn")).one()
        assert "Damp found" in withdrawn.body
    assert other_visitor.get("/adverts/AD1").status_code == 200
    assert "Bidding for this home has closed" in other_visitor.get("/adverts/AD1").text
    assert "Advertise the home again" in visitor.get(page).text
    with db.transaction() as s:  # next week's cycle, and the void is ready again
        s.add(Cycle(name="Next", opens_at=now() + timedelta(days=6), closes_at=now() + timedelta(days=10),
                    status=CycleStatus.SCHEDULED))
        s.get(Void, advert.void_id).ready_to_let_at = now()
        next_cycle = s.exec(select(Cycle.id).where(Cycle.name == "Next")).one()
    again = visitor.post(f"/admin/voids/{advert.void_id}/advert", {"cycle": str(next_cycle), "action": "advertise"},
                         form_page=f"/admin/voids/{advert.void_id}/advert")
    assert again.status_code == 303
