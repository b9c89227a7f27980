"""A scheme lets a share of each cycle's homes by date of registration: an advert is designated as it is
published (two published at once take the share's last place once), the public page and the API say so
before anyone bids, and at the close the long waiter in a low band comes first there, with an explanation
naming the rule."""

import threading
from datetime import date, timedelta

from sqlmodel import select

from cbl.models import Advert, Applicant, AuditEvent, Cycle, Property, ShortlistEntry, StaffUser, Void
from cbl.services import actors
from cbl.services.actors import SYSTEM
from cbl.services.bidding import place_bid, queue_position
from cbl.services.cycles import close_cycle
from cbl.services.stock import advertise
from cbl.web.auth import now
from matching.wording import REGISTRATION_DATE_RULE
from tests.support.factories import add_applicant

SHARE_PCT = 10  # the world's cycle has 6 adverts not so let: the 7th published needs to be, the 8th not


def _ready_void(db, world, reference: str) -> int:
    with db.transaction() as s:
        home = Property(landlord_id=world.council, reference=reference, address=f"{reference} Elm Road",
                        postcode="AT2 2BB", area="Riverside", property_type="flat", bedrooms=1, weekly_rent_pence=9000)
        s.add(home)
        s.flush()
        void = Void(property_id=home.id, tenancy_end_date=date(2026, 10, 1), ready_to_let_at=now())
        s.add(void)
        s.flush()
        return void.id


def _publish_two_at_once(db, world) -> tuple[Advert, Advert]:
    """Two adverts published at the same moment (the share's last place is taken once, under the
    cycle's lock): (the one let by date of registration, the other)."""
    voids = [_ready_void(db, world, f"P-R{n}") for n in (1, 2)]
    with db.reading() as s:
        officer = actors.staff(s.get(StaffUser, world.officer))
    barrier = threading.Barrier(2)
    published, errors = [], []

    def publish(void):
        barrier.wait()
        try:
            published.append(db.run(advertise, officer, void, world.cycle, {}, ["local:Riverside"], "A flat.", now(),
                                    registration_date_share_pct=SHARE_PCT))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=publish, args=(void,)) for void in voids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(a.by_registration_date for a in published) == [False, True]
    return tuple(sorted(published, key=lambda a: not a.by_registration_date))


def test_a_share_of_homes_is_let_by_date_of_registration_from_publication_to_the_close(db, scheme, world, visitor):
    by_date, usual = _publish_two_at_once(db, world)
    with db.reading() as s:
        created = s.exec(select(AuditEvent).where(AuditEvent.action == "advert.created")).all()
        assert sorted(e.details["by_registration_date"] for e in created) == [False, True]

    # Before bidding: the advert says so, on its page, in the list and through the API.
    page = visitor.get(f"/adverts/{by_date.reference}").text
    assert "Let by date of registration" in page and "whatever their band" in page
    assert "Let by date of registration" not in visitor.get(f"/adverts/{usual.reference}").text
    assert "Let by date of registration" in visitor.get("/adverts?area=Riverside").text
    listed = {a["reference"]: a for a in visitor.get("/api/v1/adverts?area=Riverside").json()["adverts"]}
    assert listed[by_date.reference]["let_by_registration_date"] is True
    assert listed[usual.reference]["let_by_registration_date"] is False

    # A household in band A registered in 2024 and one in band D registered in 2012 bid for both.
    with db.transaction() as s:
        add_applicant(s, scheme, world, "HR000010", band="A", registered=date(2024, 6, 1))
        add_applicant(s, scheme, world, "HR000011", band="D", registered=date(2012, 3, 4))
    for reference in ("HR000010", "HR000011"):
        with db.reading() as s:
            actor = actors.applicant(s.get(Applicant, world.applicants[reference]))
        for advert in (by_date, usual):
            db.run(place_bid, actor, scheme, world.applicants[reference], advert.reference, now())
    with db.reading() as s:
        live = queue_position(s, scheme, s.get(Advert, by_date.id), s.get(Applicant, world.applicants["HR000011"]),
                              now())
        assert live.position == 1 and REGISTRATION_DATE_RULE in live.explanation

    with db.reading() as s:
        closes_at = s.get(Cycle, world.cycle).closes_at
    assert db.run(close_cycle, SYSTEM, scheme, world.cycle, closes_at + timedelta(minutes=1))
    by_id = {v: k for k, v in world.applicants.items()}
    with db.reading() as s:
        def shortlist(advert):
            return s.exec(select(ShortlistEntry).where(ShortlistEntry.advert_id == advert.id)
                          .order_by(ShortlistEntry.position)).all()

        first, second = shortlist(by_date)
        assert [by_id[first.applicant_id], by_id[second.applicant_id]] == ["HR000011", "HR000010"]
        assert first.explanation == (f"1st of 2 eligible bids. {REGISTRATION_DATE_RULE} Registered 4 March 2012. "
                                     "Ahead of the 2nd on registration date.")
        assert first.proposed
        assert [by_id[e.applicant_id] for e in shortlist(usual)] == ["HR000010", "HR000011"]
