"""What the stock pages read: homes standing empty or found by a search, one home with its voids (each with its
void clock) and adverts, a void to advertise, and the landlords a home can belong to."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from cbl.models import Advert, Cycle, Organisation, Property, Void
from cbl.models.states import CycleStatus, VoidStatus
from cbl.rules.wording import money
from cbl.services.errors import NotFound
from cbl.services.void_clock import VoidClock, void_clock, weekly_charge_pence

SHOWN = 200


def homes(session: Session, text: str) -> list[tuple[Property, str, Void | None]]:
    """Homes whose reference, address or postcode contains the text, or with no text the homes standing
    empty; each with its landlord's name and its open void, the longest empty first."""
    query = (select(Property, Organisation.name, Void).join(Organisation, Organisation.id == Property.landlord_id)
             .outerjoin(Void, (Void.property_id == Property.id) & (Void.status == VoidStatus.OPEN)))
    if text:
        like = f"%{text.lower()}%"
        query = query.where(Property.reference.ilike(like) | Property.address.ilike(like)
                            | Property.postcode.ilike(like))
    else:
        query = query.where(Void.id.is_not(None))
    return list(session.exec(query.order_by(Void.tenancy_end_date, Property.reference).limit(SHOWN)).all())


def home(session: Session, reference: str) -> Property:
    found = session.exec(select(Property).where(Property.reference == reference)).first()
    if found is None:
        raise NotFound(f"There is no property {reference}.")
    return found


@dataclass(frozen=True)
class HomeRecord:
    home: Property
    landlord: Organisation
    voids: list[Void]  # the latest first
    adverts: list[Advert]  # the latest first


def home_record(session: Session, reference: str) -> HomeRecord:
    row = session.exec(select(Property, Organisation).join(Organisation, Organisation.id == Property.landlord_id)
                       .where(Property.reference == reference)).first()
    if row is None:
        raise NotFound(f"There is no property {reference}.")
    found, landlord = row
    voids = session.exec(select(Void).where(Void.property_id == found.id).order_by(Void.tenancy_end_date.desc())).all()
    adverts = session.exec(select(Advert).where(Advert.property_id == found.id).order_by(Advert.id.desc())).all()
    return HomeRecord(found, landlord, list(voids), list(adverts))


def void_clocks(record: HomeRecord, today: date) -> list[tuple[Void, VoidClock, str]]:
    """Each void of the home (the latest first) with its clock as of today (a UK date), and the rent it lost, or
    has lost so far, as money: at the home's weekly rent and service charges (cbl/services/void_clock.py)."""
    weekly = weekly_charge_pence(record.home)
    return [(void, clock, money(clock.rent_lost_pence)) for void in record.voids
            for clock in [void_clock(void, weekly, today)]]


def home_of_void(session: Session, void_id: int) -> Property | None:
    return session.exec(select(Property).join(Void, Void.property_id == Property.id).where(Void.id == void_id)).first()


@dataclass(frozen=True)
class VoidToAdvertise:
    void: Void
    home: Property
    cycles: list[Cycle]  # the cycles it can be advertised in: scheduled or open, soonest first


def void_to_advertise(session: Session, void_id: int) -> VoidToAdvertise:
    row = session.exec(select(Void, Property).join(Property, Property.id == Void.property_id)
                       .where(Void.id == void_id)).first()
    if row is None:
        raise NotFound("No such void.")
    cycles = session.exec(select(Cycle).where(Cycle.status.in_([CycleStatus.SCHEDULED, CycleStatus.OPEN]))
                          .order_by(Cycle.opens_at)).all()
    return VoidToAdvertise(*row, list(cycles))


def landlords(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the council and every provider, the council first."""
    return [(o.code, o.name) for o in session.exec(select(Organisation).order_by(Organisation.kind, Organisation.name))]
