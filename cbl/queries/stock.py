"""What the stock pages read: homes standing empty or found by a search (a page at a time), one home with its
voids (each with its void clock) and adverts, a void to advertise, and the landlords a home can belong to."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, func, select

from cbl.models import Advert, Cycle, Organisation, Property, Void
from cbl.models.states import CycleStatus, VoidStatus
from cbl.rules.wording import money
from cbl.queries.paging import Page
from cbl.queries.search_terms import Holding, holding, postcode_starting, reference_terms, word_terms
from cbl.services.errors import NotFound
from cbl.services.void_clock import VoidClock, void_clock, weekly_charge_pence

HOMES_PER_PAGE = 50


@dataclass(frozen=True)
class HomeSearch:
    """Homes looked for: by reference (or part of it), UPRN, address words and postcode (or its start); all those
    given must hold."""

    reference: str = ""
    uprn: str = ""
    address: str = ""
    postcode: str = ""
    page: int = 1

    def given(self) -> dict[str, str]:
        return {name: value for name, value in (("reference", self.reference), ("uprn", self.uprn),
                                                ("address", self.address), ("postcode", self.postcode)) if value}


@dataclass(frozen=True)
class FoundHome:
    home: Property
    landlord: str  # its name
    void: Void | None  # standing empty since
    reasons: list[str]  # why it was found, as held: "Postcode: AT1 2BC"


def homes(session: Session, wanted: HomeSearch) -> Page[FoundHome]:
    """A page of the homes found, by reference, or with nothing looked for the homes standing empty, the longest
    empty first; each with its landlord's name and its open void. Two statements whatever the stock's size."""
    query = (select(Property, Organisation.name, Void).join(Organisation, Organisation.id == Property.landlord_id)
             .outerjoin(Void, (Void.property_id == Property.id) & (Void.status == VoidStatus.OPEN)))
    counted = (select(func.count()).select_from(Property)
               .outerjoin(Void, (Void.property_id == Property.id) & (Void.status == VoidStatus.OPEN)))
    if wanted.given():
        conditions = _home_conditions(session, wanted)
        order: tuple = (Property.reference,)
    else:
        conditions, order = [Void.id.is_not(None)], (Void.tenancy_end_date, Property.reference)
    total = session.exec(counted.where(*conditions)).one()
    rows = session.exec(query.where(*conditions).order_by(*order)
                        .offset((wanted.page - 1) * HOMES_PER_PAGE).limit(HOMES_PER_PAGE)).all()
    shown = (("reference", "Reference"), ("uprn", "UPRN"), ("address", "Address"), ("postcode", "Postcode"))
    found = [FoundHome(home, landlord, void, [f"{what}: {getattr(home, name) or ''}" for name, what in shown
                                              if name in wanted.given()]) for home, landlord, void in rows]
    return Page(found, wanted.page, HOMES_PER_PAGE, total)


def _home_conditions(session: Session, wanted: HomeSearch) -> list:
    conditions = []
    held = [Holding(column, terms) for column, terms in (
        ("reference", reference_terms(wanted.reference)), ("address_key", word_terms(wanted.address))) if terms]
    if held:
        conditions += holding(session, Property.__table__, *held)
    conditions += postcode_starting(Property.postcode_key, wanted.postcode)
    if wanted.uprn:
        conditions.append(Property.uprn == wanted.uprn)
    return conditions


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
