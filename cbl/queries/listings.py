"""What applicants see of adverts: the public list with its filters, one advert in plain words, let results."""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select
from sqlmodel.sql.expression import Select

from cbl.rules.digits import only_digits
from cbl.models import Advert, Applicant, Bid, Cycle, Organisation, Property, ShortlistEntry, Void
from cbl.models.states import AdvertStatus, BidStatus, CycleStatus, PropertyType, ShortlistStatus
from cbl.rules.scheme import Scheme
from cbl.services.bidding import BidOption, QueuePosition, bid_options, queue_position
from cbl.services.errors import InvalidInput, NotFound
from cbl.rules.wording import floor_words, money

PER_PAGE = 20
AREA_MAX, LANDLORD_MAX, PAGE_MAX = 100, 32, 10_000  # the advert filters' limits (declared in the API schema too)
GROUP_WORDS = {
    "homeless": "households the council owes the main homelessness duty",
    "transfer": "existing council and housing association tenants moving home",
    "working": "households in work",
    "downsizer": "tenants moving to a smaller home",
    "housing_debt": "households with housing-related debt",
}
NEED_WORDS = {"step_free": "households who need a home without steps", "wheelchair": "wheelchair users"}


def preference_group_words(group: str) -> str:
    kind, _, name = group.partition(":")
    if kind == "local":
        return f"households with a local connection to {name}"
    if kind == "group":
        return GROUP_WORDS.get(name, f"households in the group “{name.replace('_', ' ')}”")
    if kind == "need":
        return NEED_WORDS.get(name, f"households who need {name.replace('_', ' ')}")
    return group


def criteria_words(advert: Advert) -> list[str]:
    """Who may bid, as sentences an applicant understands."""
    words = [*_bedroom_need_words(advert.min_bedroom_need, advert.max_bedroom_need),
             *_household_size_words(advert.min_household, advert.max_household)]
    if advert.min_age is not None:
        words.append(f"The applicant must be {advert.min_age} or older")
    if advert.wheelchair_only:
        words.append("For a household with a wheelchair user")
    elif advert.step_free_only:
        words.append("For a household who needs a home without steps")
    if advert.transfer_only:
        words.append("Only for existing council or housing association tenants")
    return words or ["Any household on the register"]


def _bedroom_need_words(low: int | None, high: int | None) -> list[str]:
    if low is not None and high is not None:
        return [f"Households who need {low} bedroom{'s' * (low != 1)}" if low == high
                else f"Households who need {low} to {high} bedrooms"]
    if low is not None:
        return [f"Households who need at least {low} bedroom{'s' * (low != 1)}"]
    if high is not None:
        return [f"Households who need no more than {high} bedroom{'s' * (high != 1)}"]
    return []


def _household_size_words(low: int | None, high: int | None) -> list[str]:
    if low is not None and high is not None:
        return [f"Households of {low} to {high} people" if low != high else f"Households of {low} people"]
    if low is not None:
        return [f"Households of at least {low} people"]
    if high is not None:
        return [f"Households of no more than {high} people"]
    return []


@dataclass(frozen=True)
class AdvertCard:
    reference: str
    bedrooms: int
    property_type: str
    area: str
    address: str
    landlord: str
    landlord_code: str
    weekly_rent: str
    weekly_charges: str
    weekly_total: str
    floor: str
    lift: bool
    step_free: bool
    garden: bool
    sheltered: bool
    description: str
    opens_at: datetime
    closes_at: datetime
    open_for_bids: bool
    bids: int
    criteria: list[str] = field(default_factory=list)
    preference_groups: list[str] = field(default_factory=list)
    by_registration_date: bool = False  # bids ranked by registration date alone (the scheme's share)
    advert: Advert | None = None

    @property
    def title(self) -> str:
        size = "Studio" if self.bedrooms == 0 else f"{self.bedrooms} bedroom"
        return f"{size} {self.property_type} in {self.area}"


def _card(advert: Advert, home: Property, landlord: Organisation, cycle: Cycle, bids: int) -> AdvertCard:
    return AdvertCard(
        reference=advert.reference, bedrooms=home.bedrooms, property_type=home.property_type.value,
        area=home.area, address=home.address.split(",")[0].lstrip("0123456789 ") + ", " + home.area,
        landlord=landlord.name, landlord_code=landlord.code,
        weekly_rent=money(home.weekly_rent_pence), weekly_charges=money(home.weekly_charges_pence),
        weekly_total=money(home.weekly_rent_pence + home.weekly_charges_pence),
        floor=floor_words(home.floor), lift=home.lift, step_free=home.step_free, garden=home.garden,
        sheltered=home.sheltered, description=advert.description, opens_at=cycle.opens_at,
        closes_at=cycle.closes_at,
        open_for_bids=cycle.status is CycleStatus.OPEN and advert.status is AdvertStatus.LIVE,
        bids=bids, criteria=criteria_words(advert),
        preference_groups=[] if advert.by_registration_date else [preference_group_words(g)
                                                                  for g in advert.preference_groups],
        by_registration_date=advert.by_registration_date, advert=advert,
    )


@dataclass(frozen=True)
class AdvertFilters:
    bedrooms: int | None = None
    area: str | None = None
    property_type: str | None = None
    landlord: str | None = None
    page: int = 1

    @classmethod
    def parse(cls, bedrooms: str | None, area: str | None, property_type: str | None, landlord: str | None,
              page: str | None) -> "AdvertFilters":
        """Read the filters from a query string, refusing values that cannot be right."""
        def number(text: str | None, name: str, low: int, high: int) -> int | None:
            text = (text or "").strip()
            if not text:
                return None
            if not only_digits(text) or not low <= int(text) <= high:
                raise InvalidInput(f"{name} must be a whole number from {low} to {high}.", field=name.lower())
            return int(text)

        kind = property_type or None
        if kind is not None and kind not in {t.value for t in PropertyType}:
            raise InvalidInput("Property type must be one of: " + ", ".join(t.value for t in PropertyType) + ".",
                               field="property_type")
        def name(text: str | None, label: str, field: str, longest: int) -> str | None:
            text = (text or "").strip()
            if len(text) > longest:  # refused, not cut: a cut name would filter by something not asked for
                raise InvalidInput(f"{label} can be {longest} characters at most.", field=field)
            if "\x00" in text:  # no name holds one, and PostgreSQL cannot compare with one
                raise InvalidInput(f"{label} has a character no name holds.", field=field)
            return text or None

        return cls(number(bedrooms, "Bedrooms", 0, 10), name(area, "Area", "area", AREA_MAX), kind,
                   name(landlord, "Landlord", "landlord", LANDLORD_MAX), number(page, "Page", 1, PAGE_MAX) or 1)


def page_link(filters: AdvertFilters, page: int) -> str:
    """The list's address for another page, with the same filters."""
    from urllib.parse import urlencode

    values = {"bedrooms": filters.bedrooms, "area": filters.area, "property_type": filters.property_type,
              "landlord": filters.landlord, "page": page}
    return "/adverts?" + urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _public_query() -> "Select[Advert, Property, Organisation, Cycle, int]":
    # Counted for each advert shown, through the index on bid.advert_id: a count of every
    # advert's bids joined in took 0.8 s on a database holding a year's bids.
    bids = (select(func.count()).select_from(Bid).where(Bid.advert_id == Advert.id, Bid.status == BidStatus.ACTIVE)
            .correlate(Advert).scalar_subquery())
    return (
        select(Advert, Property, Organisation, Cycle, bids)
        .join(Property, Property.id == Advert.property_id)
        .join(Organisation, Organisation.id == Property.landlord_id)
        .join(Cycle, Cycle.id == Advert.cycle_id)
    )


def search_adverts(session: Session, filters: AdvertFilters) -> tuple[list[AdvertCard], int]:
    """The live adverts of the open cycle that match the filters, a page at a time."""
    query = _public_query().where(Advert.status == AdvertStatus.LIVE, Cycle.status == CycleStatus.OPEN)
    if filters.bedrooms is not None:
        query = query.where(Property.bedrooms == filters.bedrooms)
    if filters.area:
        query = query.where(Property.area == filters.area)
    if filters.property_type:
        query = query.where(Property.property_type == PropertyType(filters.property_type))
    if filters.landlord:
        query = query.where(Organisation.code == filters.landlord)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(Advert.reference).offset((filters.page - 1) * PER_PAGE).limit(PER_PAGE)
    ).all()
    return [_card(*row) for row in rows], total


def filter_choices(session: Session) -> dict[str, list]:
    live = (select(Property.area, Organisation.code, Organisation.name)
            .join(Advert, Advert.property_id == Property.id)
            .join(Organisation, Organisation.id == Property.landlord_id)
            .join(Cycle, Cycle.id == Advert.cycle_id)
            .where(Advert.status == AdvertStatus.LIVE, Cycle.status == CycleStatus.OPEN))
    rows = session.exec(live).all()
    return {
        "areas": sorted({area for area, _, _ in rows}),
        "landlords": sorted({(code, name) for _, code, name in rows}, key=lambda pair: pair[1]),
        "property_types": [t.value for t in PropertyType],
    }


def advert_cards(session: Session, advert_ids: list[int]) -> dict[int, AdvertCard]:
    """The cards of these adverts (drafts too, for staff), by advert id, in one query."""
    if not advert_ids:
        return {}
    rows = session.exec(_public_query().where(Advert.id.in_(set(advert_ids)))).all()
    return {row[0].id: _card(*row) for row in rows}


def advert_card(session: Session, reference: str) -> AdvertCard:
    row = session.exec(_public_query().where(Advert.reference == reference,
                                             Advert.status != AdvertStatus.DRAFT)).first()
    if row is None:
        raise NotFound(f"There is no advert {reference}.")
    return _card(*row)


@dataclass(frozen=True)
class AdvertPage:
    card: AdvertCard
    position: QueuePosition | None  # the signed-in household's place in the queue, if it has bid
    option: BidOption | None  # for a signed-in household: whether it can bid, and why not


def advert_with_place(session: Session, scheme: Scheme, reference: str, applicant_id: int | None,
                      at: datetime) -> AdvertPage:
    """An advert's card and, for a signed-in household, whether it can bid for it (and why not) and,
    once it has bid, its place in the queue."""
    card = advert_card(session, reference)
    applicant = session.get(Applicant, applicant_id) if applicant_id is not None else None
    if applicant is None:
        return AdvertPage(card, None, None)
    option = next(iter(bid_options(session, scheme, applicant, at, [card.advert.id])), None)
    try:
        return AdvertPage(card, queue_position(session, scheme, card.advert, applicant, at), option)
    except NotFound:
        return AdvertPage(card, None, option)


def bid_marks(session: Session, scheme: Scheme, applicant_id: int | None, cards: list[AdvertCard],
              at: datetime) -> dict[str, BidOption]:
    """For a signed-in household, by advert reference: whether it has bid for each of these adverts,
    or can, and why not. Read for the cards shown only, in a fixed number of statements."""
    applicant = session.get(Applicant, applicant_id) if applicant_id is not None else None
    if applicant is None or not cards:
        return {}
    options = bid_options(session, scheme, applicant, at, [card.advert.id for card in cards if card.advert])
    return {option.advert.reference: option for option in options}


@dataclass(frozen=True)
class LetResult:
    reference: str
    title: str
    let_on: date | None
    band: str | None
    band_date: date | None
    bids: int


def let_results(session: Session, today: date, limit: int = 50) -> list[LetResult]:
    """Past lets, without personal data: the band and effective date of the household housed.

    A let is published once its tenancy has started (`today`, the council's local date): a tenancy
    signed to start next week is not yet a let, and may still fall through.
    """
    housed = sa.and_(ShortlistEntry.advert_id == Advert.id, ShortlistEntry.status == ShortlistStatus.HOUSED)
    newest_first = (Void.tenancy_start_date.desc(), Advert.reference)
    # The lets shown are chosen among the adverts and their voids alone (a few thousand rows a year) before the
    # households housed are joined in: joined first, PostgreSQL read all 150,000 households to find 50. The
    # bids are counted for the lets shown only: a year of lets holds hundreds of thousands of shortlist entries.
    shown = (select(Advert.id).join(Void, Void.id == Advert.void_id)
             .where(Advert.status == AdvertStatus.LET, Void.tenancy_start_date <= today, sa.exists().where(housed))
             .order_by(*newest_first).limit(limit).subquery())
    # The bids on each home shown: its shortlist holds every bid still standing when bidding closed.
    entry = aliased(ShortlistEntry)
    bids = select(func.count()).where(entry.advert_id == Advert.id).correlate(Advert).scalar_subquery()
    rows = session.exec(
        select(Advert.reference, Property.bedrooms, Property.property_type, Property.area,
               Void.tenancy_start_date, Applicant.band, Applicant.band_date, bids.label("bids"))
        .join(shown, shown.c.id == Advert.id)
        .join(Property, Property.id == Advert.property_id)
        .join(Void, Void.id == Advert.void_id)
        .join(ShortlistEntry, housed)
        .join(Applicant, Applicant.id == ShortlistEntry.applicant_id)
        .order_by(*newest_first)
    ).all()
    results = []
    for row in rows:
        size = "Studio" if row.bedrooms == 0 else f"{row.bedrooms} bedroom"
        results.append(LetResult(row.reference, f"{size} {row.property_type.value} in {row.area}",
                                 row.tenancy_start_date, row.band, row.band_date, row.bids))
    return results


def advertised_again(session: Session, reference: str) -> str | None:
    """The live advert that advertises again the home of advert `reference`, for anyone who follows an old link."""
    old = aliased(Advert)
    return session.exec(select(Advert.reference).join(old, old.id == Advert.previous_advert_id)
                        .where(old.reference == reference, Advert.status == AdvertStatus.LIVE)).first()
