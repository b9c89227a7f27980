"""A council's database at the size of a sub-regional scheme, filled fast, for the page and search benchmarks.

The demo council (cbl.demo: staff of every role, providers and agreements, last week's closed
cycle with its shortlists, this week's open one, offers and nominations) and then, in bulk
inserts: households up to HOUSEHOLDS with their members (named as a register's people are), homes
up to STOCK, WEEKS past weekly cycles that each let LETS_PER_WEEK homes (bids, ranked shortlists,
the let offer), the open cycle's adverts bid for by BIDS_PER_ADVERT households, and SIGNED_IN
households with the demo password, each with three bids on the busiest adverts and an API token
(`bench-token-N`).
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from cbl import demo
from cbl.database import Database, upgrade
from cbl.models import (
    Advert, ApiToken, Applicant, Bid, Cycle, HouseholdMember, Offer, Organisation, Property, ShortlistEntry, StaffUser,
    Void,
)
from cbl.models.states import (
    AdvertStatus, ApplicationStatus, BidStatus, CycleStatus, OfferKind, OfferStatus, PropertyType, Relationship, Sex,
    ShortlistStatus, VoidStatus,
)
from cbl.rules.scheme import load_scheme
from cbl.services.sign_in import digest
from tools import load
from cbl.settings import DEFAULT_SCHEME

HOUSEHOLDS = 150_000
STOCK = 10_000
WEEKS = 52
LETS_PER_WEEK = 50
PAST_BIDS = 150  # bids each past let had
BIDS_PER_ADVERT = 600  # on each of the open cycle's adverts
SIGNED_IN = 30
TOKENS = 5000  # households with an API token and no bid yet
BATCH = 10_000


@dataclass(frozen=True)
class Council:
    applicants: list[str]  # references that sign in with demo.DEMO_PASSWORD
    staff: list[str]  # staff emails, likewise
    tokens: int  # bench-token-0 .. bench-token-(tokens - 1)


def seed(url: str, *, households: int = HOUSEHOLDS, stock: int = STOCK, weeks: int = WEEKS,
         lets_per_week: int = LETS_PER_WEEK, past_bids: int = PAST_BIDS, bids_per_advert: int = BIDS_PER_ADVERT,
         now: datetime | None = None) -> Council:
    upgrade(url)
    now = now or datetime.now(timezone.utc)
    db = Database(url)
    rng = random.Random(17)
    with db.transaction() as s:
        sign_ins = demo.seed(s, load_scheme(DEFAULT_SCHEME), now=now, site_key=load.SITE_KEY)
        _open_a_cycle(s, now)
    with db.transaction() as s:
        first = _households(s, households, now, rng)
        _homes(s, stock, rng)
        _past_lets(s, weeks, lets_per_week, past_bids, now, rng)
        signed_in, tokens = _open_cycle_bids(s, first, bids_per_advert, now)
    if db.dialect == "postgresql":  # statistics, as a database in service has them
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    db.dispose()
    staff = [sign_in.username for sign_in in sign_ins if "@anytown" in sign_in.username]
    return Council(signed_in, staff, tokens)


def _open_a_cycle(s, now: datetime) -> None:  # noqa: ANN001
    """The demo opens this week's cycle only once its window has begun: open it now if it has not."""
    latest = s.execute(sa.select(Cycle).order_by(Cycle.opens_at.desc())).scalars().first()
    if latest.status is CycleStatus.SCHEDULED:
        latest.status, latest.opens_at = CycleStatus.OPEN, now - timedelta(hours=2)


def _households(s, count: int, now: datetime, rng: random.Random) -> int | None:  # noqa: ANN001
    """Households up to `count`, in batches, each with its members (named as a register's people are: common
    surnames often, accented names too, some National Insurance numbers); returns the id of the first added
    (None: none were)."""
    have = s.execute(sa.select(sa.func.count()).select_from(Applicant)).scalar_one()
    password = s.execute(sa.select(StaffUser.password_hash)).scalars().first()  # the demo's one hash
    first = None
    for start in range(have, count, BATCH):
        rows = []
        for n in range(start, min(count, start + BATCH)):
            registered = now.date() - timedelta(days=rng.randint(20, 3650))
            area = rng.choice(demo.AREAS)
            rows.append({
                "reference": f"HR{n + 1:06d}", "status": ApplicationStatus.ACTIVE, "band": rng.choice("ABCCDD"),
                "band_date": registered + timedelta(days=rng.randint(0, 19)), "points": None,
                "registration_date": registered, "bedroom_need": rng.choice([1, 1, 2, 2, 3, 4]),
                "household_size": rng.randint(1, 6), "lead_date_of_birth": date(1950, 1, 1) + timedelta(days=n % 18000),
                "local_connection": [area], "needs": [], "homeless_duty": rng.random() < 0.1,
                "transfer_tenant": rng.random() < 0.15, "housing_debt": False, "verified": rng.random() < 0.8,
                "email": f"hr{n + 1:06d}@example.com", "address": f"{n % 200 + 1} {rng.choice(demo.STREETS)}, {area}",
                "postcode": f"AT{demo.AREAS.index(area) + 1} {n % 9 + 1}XY", "phone": _phone(rng),
                "password_hash": password if n - have < SIGNED_IN else None,
                "review_due": registered.replace(year=now.year + 1) if registered.month != 2 else None,
                "created_at": now})
        ids = s.execute(sa.insert(Applicant).returning(Applicant.id, sort_by_parameter_order=True), rows).scalars()
        ids = list(ids)
        first = first or ids[0]
        members = [member for household, row in zip(ids, rows, strict=True)
                   for member in _members(household, row, now.date(), rng)]
        s.execute(sa.insert(HouseholdMember), members)  # names' search keys: the column's default
    return first


# The register's people: a few surnames are common (Smith ~2.5%, as a bigger town's register has), most rare;
# given names of many origins, some with accents, which the search must find typed without them.
SURNAMES = ["Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
            "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
            "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward",
            "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott",
            "Khan", "Singh", "Begum", "Ali", "Hussain", "Ahmed", "Rahman", "Chowdhury", "Okafor", "Mensah", "Osei",
            "Nowak", "Kowalski", "Wiśniewski", "O'Brien", "O'Connor", "Müller", "García", "Fernández", "Nguyễn",
            "Öztürk", "Yılmaz", "Wu", "Li", "Ng", "Chen", "Wang", "Zhang", "Murphy", "Kelly", "Campbell", "Murray"]
SURNAME_WEIGHTS = [1 / (rank + 5) for rank in range(1, len(SURNAMES) + 1)]
SURNAME_PARTS = (["Ash", "Black", "Brad", "Brook", "Carr", "Crom", "Dal", "East", "Fair", "Green", "Hart", "Hol",
                  "Kings", "Lang", "Mar", "North", "Pem", "Rad", "Sel", "Stan", "Thorn", "West", "Whit", "Wood"],
                 ["ley", "ton", "field", "worth", "wood", "ford", "ham", "by", "well", "more", "stead", "bridge",
                  "man", "son", "croft", "hurst"])
GIVEN_NAMES = ["Mary", "John", "Ahmed", "Fatima", "Olu", "Chen", "Wei", "Anna", "José", "Zoë", "Piotr", "Łukasz",
               "Siobhán", "Aoife", "Kwame", "Amara", "Liam", "Noah", "Olivia", "Emma", "Ava", "Mohammed", "Aisha",
               "Priya", "Arjun", "Grace", "Sophie", "Oliver", "Harry", "Jack", "George", "Leo", "Jacob", "Oscar",
               "Daniel", "Kai", "Samuel", "Adam", "Ethan", "Amelia", "Zara", "Emily", "Maya", "Chloé", "Ruby",
               "Hannah", "Ellie", "Megan", "Renée", "Søren", "Björn", "Inés", "Ioana", "Mihai", "Agnieszka",
               "Tomasz", "Nuno", "Minh", "Yusuf", "Ibrahim", "Hamza", "Ayesha", "Sana", "Omar", "Kofi", "Ngozi",
               "Chidi", "Seán", "Niamh", "Ciarán", "Bartłomiej", "Dorota", "Jiří", "Gülşen", "Thi", "Lakshmi"]
NI_PREFIXES = ["AB", "CE", "JG", "KL", "MP", "NR", "PS", "RT", "SW", "TY", "WZ", "YA"]


def _surname(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    return rng.choice(SURNAME_PARTS[0]) + rng.choice(SURNAME_PARTS[1])


def _phone(rng: random.Random) -> str | None:
    """A mobile number, written as people write them, or none."""
    if rng.random() < 0.15:
        return None
    number = f"7{rng.randint(0, 999_999_999):09d}"
    return rng.choice([f"0{number[:4]} {number[4:]}", f"+44 {number[:4]} {number[4:]}", f"0{number}"])


def _members(household: int, row: dict, today: date, rng: random.Random) -> list[dict]:
    """The household's members: its lead (born on the household's lead date of birth), maybe a partner, then
    children, as many as its size."""
    surname, size = _surname(rng), row["household_size"]
    lead_born = row["lead_date_of_birth"]
    people = [(Relationship.LEAD, lead_born)]
    if size > 1 and rng.random() < 0.5:
        people.append((Relationship.PARTNER, lead_born + timedelta(days=rng.randint(-2000, 2000))))
    people += [(Relationship.CHILD, today - timedelta(days=rng.randint(0, 17 * 365)))
               for _ in range(size - len(people))]
    members = []
    for place, (relationship, born) in enumerate(people):
        adult = relationship is not Relationship.CHILD
        number = (f"{NI_PREFIXES[(household * 7 + place) % len(NI_PREFIXES)]}{(household * 10 + place) % 10**6:06d}"
                  f"{'ABCD'[place % 4]}") if adult and rng.random() < 0.6 else None
        members.append({"applicant_id": household, "name": f"{rng.choice(GIVEN_NAMES)} {surname}",
                        "date_of_birth": born, "national_insurance_number": number,
                        "sex": rng.choice([Sex.FEMALE, Sex.MALE]), "relationship": relationship,
                        "needs_own_room": False})
    return members


def _homes(s, count: int, rng: random.Random) -> None:  # noqa: ANN001
    have = s.execute(sa.select(sa.func.count()).select_from(Property)).scalar_one()
    landlords = s.execute(sa.select(Organisation.id)).scalars().all()
    rows = []
    for n in range(have, count):
        bedrooms = rng.choices([0, 1, 2, 3, 4], weights=[3, 35, 35, 22, 5])[0]
        area = rng.choice(demo.AREAS)
        rows.append({
            "landlord_id": landlords[0] if rng.random() < 0.6 else rng.choice(landlords), "reference": f"S{n:06d}",
            "uprn": str(100_000_000_000 + n), "address": f"{n % 180 + 1} {rng.choice(demo.STREETS)}, {area}, Anytown",
            "postcode": f"AT{demo.AREAS.index(area) + 1} 1AA", "area": area,
            "property_type": PropertyType.HOUSE if bedrooms >= 3 else PropertyType.FLAT, "bedrooms": bedrooms,
            "floor": 0 if bedrooms >= 3 else n % 4, "lift": False, "step_free": False, "wheelchair_adapted": False,
            "garden": bedrooms >= 3, "sheltered": False, "weekly_rent_pence": 8500 + 1800 * bedrooms,
            "weekly_charges_pence": 0})
    for start in range(0, len(rows), BATCH):
        s.execute(sa.insert(Property), rows[start:start + BATCH])


def _past_lets(s, weeks: int, lets: int, bids: int, now: datetime, rng: random.Random) -> None:  # noqa: ANN001
    """`weeks` closed weekly cycles, each letting `lets` homes to the first of `bids` bidders."""
    empty_now = sa.select(Void.property_id).where(Void.status == VoidStatus.OPEN)
    homes = s.execute(sa.select(Property.id).where(Property.id.not_in(empty_now))).scalars().all()
    adverts = []
    for week in range(1, weeks + 1):
        closes_at = datetime.combine(now.date() - timedelta(weeks=week), time(23, 59), tzinfo=timezone.utc)
        cycle_id = s.execute(sa.insert(Cycle).returning(Cycle.id), {
            "name": f"Week {week} ago", "opens_at": closes_at - timedelta(days=4), "closes_at": closes_at,
            "status": CycleStatus.CLOSED, "closed_at": closes_at, "close_report": None}).scalar_one()
        let = rng.sample(homes, lets)
        starts = (closes_at + timedelta(days=14)).date()
        voids = s.execute(sa.insert(Void).returning(Void.id, sort_by_parameter_order=True), [
            {"property_id": home, "status": VoidStatus.LET, "first_let": False, "reason": "relet",
             "tenancy_end_date": (closes_at - timedelta(days=14)).date(), "logged_at": closes_at - timedelta(days=14),
             "advertised_at": closes_at - timedelta(days=4), "tenancy_start_date": starts} for home in let]
        ).scalars().all()
        adverts += [{"reference": f"W{week:02d}-{n:03d}", "cycle_id": cycle_id, "void_id": void, "property_id": home,
                     "status": AdvertStatus.LET, "description": "", "min_bedroom_need": None,
                     "max_bedroom_need": None, "min_household": None, "max_household": None, "min_age": None,
                     "step_free_only": False, "wheelchair_only": False, "transfer_only": False,
                     "preference_groups": [], "agreement_id": None, "created_by_id": None,
                     "created_at": closes_at - timedelta(days=5)}
                    for n, (home, void) in enumerate(zip(let, voids, strict=True))]
    s.execute(sa.insert(Advert), adverts)
    past = Advert.__table__.alias("past")
    history = sa.and_(past.c.status == AdvertStatus.LET.value, past.c.reference.like("W%"))
    # Every past let's bids in one statement: its k-th bidder is a household spread evenly by the
    # advert's id, `bids` of them, all different.
    k = sa.union_all(*(sa.select(sa.literal(n).label("k")) for n in range(bids))).subquery()
    first, count = s.execute(sa.select(sa.func.min(Applicant.id), sa.func.count(Applicant.id))).one()
    s.execute(sa.insert(Bid).from_select(
        ["advert_id", "applicant_id", "cycle_id", "status", "preference", "placed_at", "placed_by"],
        sa.select(past.c.id, first + (past.c.id * 37 + k.c.k * (count // bids)) % count, past.c.cycle_id,
                  sa.literal(BidStatus.ACTIVE.value), 1 + k.c.k % 3, Cycle.opens_at, sa.literal("applicant"))
        .select_from(past).join(Cycle, Cycle.id == past.c.cycle_id).join(k, sa.true()).where(history)))
    # The shortlists as ranked at close: the first bidder housed, the rest not reached.
    position = sa.func.row_number().over(partition_by=Bid.advert_id, order_by=Bid.id)
    ranked = (sa.select(Bid.advert_id, Bid.applicant_id, Bid.id.label("bid_id"), position.label("position"))
              .join(past, past.c.id == Bid.advert_id).where(history).subquery())
    s.execute(sa.insert(ShortlistEntry).from_select(
        ["advert_id", "applicant_id", "bid_id", "position", "eligible", "reasons", "explanation", "proposed", "status"],
        sa.select(ranked.c.advert_id, ranked.c.applicant_id, ranked.c.bid_id, ranked.c.position, sa.true(),
                  sa.literal([], ShortlistEntry.__table__.c.reasons.type), sa.literal(""), ranked.c.position == 1,
                  sa.case((ranked.c.position == 1, ShortlistStatus.HOUSED.value),
                          else_=ShortlistStatus.PENDING.value))))
    s.execute(sa.insert(Offer).from_select(
        ["applicant_id", "void_id", "advert_id", "kind", "status", "final_offer", "made_at", "respond_by",
         "answered_at", "tenancy_start_date"],
        sa.select(ShortlistEntry.applicant_id, past.c.void_id, past.c.id, sa.literal(OfferKind.BIDDING.value),
                  sa.literal(OfferStatus.LET.value), sa.false(), past.c.created_at, Void.tenancy_start_date,
                  past.c.created_at, Void.tenancy_start_date)
        .join(past, past.c.id == ShortlistEntry.advert_id).join(Void, Void.id == past.c.void_id)
        .where(history, ShortlistEntry.position == 1)))


def _open_cycle_bids(s, first: int, per_advert: int, now: datetime) -> tuple[list[str], int]:  # noqa: ANN001
    """Bids on the open cycle's adverts from the added households (one each), the signed-in
    households' three bids on the busiest adverts, and their API tokens."""
    cycle_id, opens_at = s.execute(sa.select(Cycle.id, Cycle.opens_at).where(Cycle.status == CycleStatus.OPEN)
                                   .order_by(Cycle.opens_at.desc())).first()
    live = s.execute(sa.select(Advert.id).where(Advert.cycle_id == cycle_id, Advert.status == AdvertStatus.LIVE)
                     .order_by(Advert.id)).scalars().all()
    last = s.execute(sa.select(sa.func.max(Applicant.id))).scalar_one()
    signed_in = list(range(first, first + SIGNED_IN))
    with_tokens = range(first + SIGNED_IN, first + SIGNED_IN + min(TOKENS, (last - first) // 4))
    bidders = iter(range(with_tokens.stop, last + 1))
    rows = [{"advert_id": advert, "applicant_id": applicant, "cycle_id": cycle_id, "status": BidStatus.ACTIVE,
             "preference": 1, "placed_at": opens_at, "placed_by": "applicant"}
            # Each advert takes the next per_advert bidders of one longer run.
            for advert in live for applicant, _ in zip(bidders, range(per_advert), strict=False)]
    rows += [{"advert_id": advert, "applicant_id": applicant, "cycle_id": cycle_id, "status": BidStatus.ACTIVE,
              "preference": preference, "placed_at": opens_at, "placed_by": "applicant"}
             for applicant in signed_in for preference, advert in enumerate(live[:3], start=1)]
    for start in range(0, len(rows), BATCH):
        s.execute(sa.insert(Bid), rows[start:start + BATCH])
    # Tokens for households that have not bid yet, for the API's bids.
    tokens = [{"applicant_id": applicant, "token_hash": digest(f"bench-token-{n}"), "created_at": now,
               "expires_at": now + timedelta(days=1)} for n, applicant in enumerate(with_tokens)]
    s.execute(sa.insert(ApiToken), tokens)
    references = s.execute(sa.select(Applicant.reference).where(Applicant.id.in_(signed_in)).order_by(Applicant.id))
    return list(references.scalars()), len(tokens)
