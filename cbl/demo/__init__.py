"""A believable council to explore and test with: `cbl demo [--seed N]`.

Anytown Council with its own stock and three housing associations, ~2,000 households on the
register across the bands, ~300 homes of which some are empty, a year of weekly cycles let
(history.py), last week's cycle closed with its ranked shortlists, this week's open with bids
coming in whatever the day (see demo_windows), and a sign-in for every staff role (their authenticator
apps set up with one known key, DEMO_SECOND_FACTOR). The same seed
and the same "now" give the same council.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlmodel import Session, func, select

from cbl.rules.working_days import LONDON
from cbl.rules.cycle_windows import current_or_next_window, window_opening_on
from cbl.models import (
    Advert, AgreementQuota, Applicant, BandAssessment, Bid, Cycle, HouseholdMember, NominationAgreement,
    Organisation, Property, ShortlistEntry, StaffSecondFactor, StaffUser, Void,
)
from cbl.models.states import (
    AdvertStatus, ApplicationStatus, BidPlacedBy, CycleStatus, OrganisationKind, PropertyType, Relationship, Sex,
    StaffRole,
)
from cbl.services.passwords import hash_password
from cbl.rules.scheme import CyclePattern, Scheme
from cbl.services import actors, second_factor
from cbl.services.actors import SYSTEM
from cbl.services.audit import audit
from cbl.services.cycles import close_cycle
from cbl.services.nominations import send_nomination
from cbl.services.register import apply_household
from cbl.services.shortlisting import verify_entry

from . import history
from .equality import seed_equality_answers

AREAS = ["Northgate", "Riverside", "Castlefields", "Old Town", "Millbrook", "Eastfield", "Hillcrest", "Southmead"]
# Most households want the central areas; the outer estates get fewer bids.
AREA_POPULARITY = [10, 8, 7, 6, 4, 3, 2, 1]
STREETS = ["Church Lane", "Station Road", "Victoria Street", "Mill Road", "Park View", "Queens Avenue",
           "Chapel Street", "Orchard Close", "The Crescent", "Albert Road", "Willow Court", "Brook Street"]
FIRST_NAMES = {"F": ["Amelia", "Olivia", "Aisha", "Grace", "Sophie", "Zara", "Emily", "Maya", "Chloe", "Fatima",
                     "Jessica", "Ruby", "Hannah", "Priya", "Ellie", "Megan"],
               "M": ["Oliver", "Harry", "Mohammed", "Jack", "George", "Noah", "Leo", "Jacob", "Oscar", "Arjun",
                     "Thomas", "Daniel", "Kai", "Samuel", "Adam", "Ethan"]}
SURNAMES = ["Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Khan", "Patel",
            "Thomas", "Roberts", "Johnson", "Walker", "Wright", "Ali", "Hughes", "Green", "Hall", "Begum"]
BAND_MIX = [("A", 5), ("B", 20), ("C", 40), ("D", 35)]

STAFF = [
    ("officer@anytown.example", "Olu Okafor", StaffRole.OFFICER, 2),
    ("officer2@anytown.example", "Priya Shah", StaffRole.OFFICER, 2),
    ("reviews@anytown.example", "Rachel Moore", StaffRole.REVIEW_OFFICER, 4),
    ("manager@anytown.example", "Martin Hale", StaffRole.MANAGER, 5),
    ("audit@anytown.example", "Aisha Rahman", StaffRole.AUDITOR, 5),
    ("admin@anytown.example", "Ada Lewis", StaffRole.ADMIN, 3),
]
PROVIDERS = [
    ("RHA", "Riverside Housing Association", 50),
    ("NGH", "Northgate Homes", None),
    ("MHT", "Meadow Housing Trust", 30),
]
DEMO_PASSWORD = "demo-password-2026"
# Every demo member of staff's authenticator app is set up with this key (printed with the sign-ins), so the
# demo's staff sign-ins work at once: add it to an app, or take the current code from `cbl demo --code`.
DEMO_SECOND_FACTOR = "DEMOANYTOWNLETTINGSADMINSECRETAB"  # 32 base32 letters: 160 bits, as apps expect
# The households who can sign in (the rest have no password).
DEMO_APPLICANTS = [f"HR{number:06d}" for number in range(1, 6)]
Window = tuple[datetime, datetime]
Person = tuple[Relationship, int, str]  # (relationship to the lead, age, sex)
Household = tuple[Applicant, int, int]  # (the applicant, the lead's age, the household's size)


@dataclass(frozen=True)
class SignIn:
    who: str
    username: str
    password: str


def is_empty(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Organisation)).one() == 0


def seed(session: Session, scheme: Scheme, *, seed: int = 2026, applicants: int = 2000,
         properties: int = 300, now: datetime | None = None, zone: ZoneInfo = LONDON,
         site_key: str | None = None) -> list[SignIn]:
    """Fill an empty database with the demo council; returns the sign-ins to print.

    With the site's secret key (CBL_SECRET_KEY), which keeps authenticator-app secrets sealed, every demo
    member of staff's app is set up with DEMO_SECOND_FACTOR; without, they set one up at their first sign-in.
    """
    rng = random.Random(seed)
    now = now or datetime.now(timezone.utc)
    today = now.date()
    password = hash_password(DEMO_PASSWORD)  # one hash: argon2 is slow on purpose
    council = Organisation(code="ATC", name="Anytown Council", kind=OrganisationKind.COUNCIL,
                           contact_details="Town Hall, Market Square, Anytown AN1 1AA\n01632 960000\n"
                                           "lettings@anytown.example")
    session.add(council)
    session.flush()
    _staff(session, council, password, site_key)
    providers, agreements = _providers(session, rng, password, today, site_key)
    homes = _properties(session, rng, [council, *providers], properties)
    # The demo officers share the register, so each has cases, and tasks on them, on "My work".
    officers = list(session.exec(select(StaffUser.id).where(StaffUser.role == StaffRole.OFFICER)
                                 .order_by(StaffUser.id)).all())
    households = _applicants(session, rng, scheme, applicants, today, password, officers)
    empty = rng.sample(homes, k=max(2, len(homes) // 3))
    last_week, this_week = demo_windows(now, scheme.cycle, zone)
    # History first: the households it houses leave the register before this week's bidding.
    chosen = set(map(id, empty))
    history.seed_past_lets(session, rng, scheme, zone, last_week[0].astimezone(zone).date() + timedelta(weeks=1),
                           [home for home in homes if id(home) not in chosen],
                           [a for a, _, _ in households
                            if a.band and a.verified and a.reference not in DEMO_APPLICANTS], agreements)
    waiting = [h for h in households if h[0].status is ApplicationStatus.ACTIVE]
    _cycles_with_bids(session, rng, scheme, now, zone, (last_week, this_week), empty, waiting, agreements)
    # Drawn apart from the rest (a generator of their own), so that the rest of the demo is as it was.
    seed_equality_answers(session, random.Random(seed + 1), [a for a, _, _ in households])
    audit(session, SYSTEM, "demo.seeded", council, {"seed": seed, "applicants": applicants})
    return sign_ins(session)


def demo_windows(now: datetime, pattern: CyclePattern, zone: ZoneInfo) -> tuple[Window, Window]:
    """(last week's window, this week's) in UTC, the second always open at `now`.

    Between two of the scheme's windows (with the default scheme, from Monday's close at 23:59 to
    Thursday's opening), last week's is the one that has just closed, and this week's runs from
    that close to the next window's close, so that a newcomer has homes to bid for on any day. The
    scheduler plans no other cycle over it (see services.cycles.plan_next_cycle).
    """
    opens_at, closes_at = current_or_next_window(now, pattern, zone)
    opening_day = opens_at.astimezone(zone).date()
    last_week = window_opening_on(opening_day - timedelta(weeks=1), pattern, zone)
    if opens_at <= now:
        return last_week, (opens_at, closes_at)
    return last_week, (last_week[1], closes_at)


def sign_ins(session: Session) -> list[SignIn]:
    """The demo's sign-ins found in the database (none if it holds no demo council)."""
    found = []
    staff = {user.email: user for user in session.exec(select(StaffUser).where(StaffUser.email.in_(
        [email for email, *_ in STAFF] + [_provider_email(code) for code, *_ in PROVIDERS])))}
    for email, _name, role, _grade in STAFF:
        if email in staff:
            found.append(SignIn(f"{role.value.replace('_', ' ')} (admin site)", email, DEMO_PASSWORD))
    for code, name, _share in PROVIDERS:
        if _provider_email(code) in staff:
            found.append(SignIn(f"provider staff, {name} (provider portal)", _provider_email(code), DEMO_PASSWORD))
    for applicant in session.exec(select(Applicant).where(Applicant.reference.in_(DEMO_APPLICANTS),
                                                          Applicant.password_hash.is_not(None))
                                  .order_by(Applicant.reference)):
        found.append(SignIn(f"applicant, band {applicant.band} (public site)", applicant.reference, DEMO_PASSWORD))
    return found


def _provider_email(code: str) -> str:
    return f"lettings@{code.lower()}.example"


def _staff(session: Session, council: Organisation, password: str, site_key: str | None) -> None:
    for email, name, role, grade in STAFF:
        user = StaffUser(organisation_id=council.id, email=email, name=name, role=role, grade=grade,
                         password_hash=password)
        session.add(user)
        _second_factor(session, user, site_key)


def _second_factor(session: Session, user: StaffUser, site_key: str | None) -> None:
    if site_key is None:
        return
    session.flush()
    session.add(StaffSecondFactor(staff_user_id=user.id, secret=second_factor.seal(DEMO_SECOND_FACTOR, site_key),
                                  enrolled_at=user.created_at))


def _providers(session: Session, rng: random.Random, password: str, today: date,
               site_key: str | None) -> tuple[list[Organisation], dict[int, NominationAgreement]]:
    providers: list[Organisation] = []
    agreements: dict[int, NominationAgreement] = {}
    for code, name, homeless_share in PROVIDERS:
        provider = Organisation(code=code, name=name, kind=OrganisationKind.PROVIDER,
                                lettings_email=f"lettings@{code.lower()}.example")
        session.add(provider)
        session.flush()
        providers.append(provider)
        lettings = StaffUser(organisation_id=provider.id, email=_provider_email(code), name=f"{name} lettings",
                             role=StaffRole.PROVIDER, grade=1, password_hash=password)
        session.add(lettings)
        _second_factor(session, lettings, site_key)
        agreement = NominationAgreement(
            provider_id=provider.id, name=f"{name} nominations agreement", first_let_share=100,
            relet_share=rng.choice([50, 75]), nominate_within_days=5, respond_within_days=rng.choice([3, 5]),
            decline_grounds=["arrears", "anti_social_behaviour", "affordability", "support_needs"],
            starts_on=date(today.year - 2, 4, 1),
        )
        session.add(agreement)
        session.flush()
        if homeless_share:
            session.add(AgreementQuota(agreement_id=agreement.id, group="homeless", min_share_pct=homeless_share))
        agreements[provider.id] = agreement
    return providers, agreements


def _properties(session: Session, rng: random.Random, landlords: list[Organisation], count: int) -> list[Property]:
    homes = []
    for number in range(1, count + 1):
        landlord = landlords[0] if rng.random() < 0.6 else rng.choice(landlords[1:])
        bedrooms = rng.choices([0, 1, 2, 3, 4], weights=[3, 35, 35, 22, 5])[0]
        kind = (PropertyType.BEDSIT if bedrooms == 0 else
                rng.choice([PropertyType.FLAT, PropertyType.FLAT, PropertyType.MAISONETTE]) if bedrooms <= 2 else
                rng.choice([PropertyType.HOUSE, PropertyType.HOUSE, PropertyType.BUNGALOW]))
        flat = kind in (PropertyType.FLAT, PropertyType.BEDSIT, PropertyType.MAISONETTE)
        floor = rng.choice([0, 1, 2, 3, 4, 7]) if flat else 0
        lift = flat and floor >= 3 and rng.random() < 0.7
        area = rng.choices(AREAS, weights=AREA_POPULARITY)[0]
        home = Property(
            landlord_id=landlord.id, reference=f"{landlord.code}-{number:05d}",
            address=f"{rng.randint(1, 180)} {rng.choice(STREETS)}, {area}, Anytown",
            postcode=f"AT{AREAS.index(area) + 1} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                     f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
            area=area, property_type=kind, bedrooms=bedrooms, floor=floor, lift=lift,
            step_free=floor == 0 or lift, wheelchair_adapted=floor == 0 and rng.random() < 0.08,
            garden=not flat and rng.random() < 0.8, sheltered=kind is PropertyType.BUNGALOW and rng.random() < 0.5,
            weekly_rent_pence=8500 + 1800 * bedrooms + rng.randint(0, 1500),
            weekly_charges_pence=rng.choice([0, 0, 450, 1200]) if flat else 0,
        )
        session.add(home)
        homes.append(home)
    session.flush()
    return homes


def _household(rng: random.Random, today: date) -> list[Person]:
    """(lead sex, list of (relationship, age, sex)) for a believable household."""
    kind = rng.choices(["single", "couple", "lone_parent", "family", "older"], weights=[42, 12, 20, 18, 8])[0]
    lead_sex = rng.choice("FM")
    lead_age = rng.randint(65, 88) if kind == "older" else rng.randint(18, 60)
    people = [(Relationship.LEAD, lead_age, lead_sex)]
    if kind in ("couple", "family", "older"):
        people.append((Relationship.PARTNER, max(18, lead_age + rng.randint(-6, 6)), "M" if lead_sex == "F" else "F"))
    if kind in ("lone_parent", "family"):
        for _ in range(rng.choices([1, 2, 3, 4], weights=[40, 35, 18, 7])[0]):
            people.append((Relationship.CHILD, rng.randint(0, min(17, max(0, lead_age - 17))), rng.choice("FM")))
    return people


def _applicants(session: Session, rng: random.Random, scheme: Scheme, count: int, today: date,
                password: str, officers: list[int]) -> list[Household]:
    bands = [band for band, _ in BAND_MIX]
    households = []
    details: list[tuple[list[tuple[str, date, Sex, Relationship]], str]] = []
    for number in range(1, count + 1):
        registered = today - timedelta(days=rng.randint(20, 3650))
        band = rng.choices(bands, weights=[w for _, w in BAND_MIX])[0]
        band_date = registered + timedelta(days=rng.randint(0, max(0, (today - registered).days - 1)))
        home_area = rng.choices(AREAS, weights=AREA_POPULARITY)[0]
        people = _household(rng, today)
        surname = rng.choice(SURNAMES)
        applicant = Applicant(
            reference=applicant_reference(number), status=ApplicationStatus.ACTIVE, band=band, band_date=band_date,
            registration_date=registered, local_connection=[home_area] if rng.random() < 0.85 else [],
            needs=(["step_free"] if people[0][1] >= 65 or rng.random() < 0.06 else [])
                  + (["wheelchair"] if rng.random() < 0.02 else []),
            homeless_duty=band == "A" and rng.random() < 0.5 or band == "B" and rng.random() < 0.25,
            transfer_tenant=rng.random() < 0.15, housing_debt=rng.random() < 0.07,
            verified=rng.random() < 0.8, email=f"hr{number:06d}@example.com",
            address=f"{rng.randint(1, 200)} {rng.choice(STREETS)}, {home_area}, Anytown",
            postcode=f"AT{AREAS.index(home_area) + 1} {rng.randint(1, 9)}XY",
            password_hash=password if applicant_reference(number) in DEMO_APPLICANTS else None,
            review_due=_next_anniversary(registered, today), case_officer_id=officers[number % len(officers)],
        )
        members = []  # (name, date of birth, sex, relationship): stored once the household has its id
        for relationship, age, sex in people:
            born = today - timedelta(days=365 * age + rng.randint(0, 364))
            members.append((f"{rng.choice(FIRST_NAMES[sex])} {surname}", born, Sex(sex), relationship))
        reason = "Assessed on application" if band_date == registered else "Change of circumstances"
        households.append((applicant, people[0][1], len(people)))
        details.append((members, reason))
    session.add_all([applicant for applicant, _, _ in households])
    session.flush()  # the households in batched inserts, for their ids; then their members and bands
    for (applicant, _, _), (members, reason) in zip(households, details, strict=True):
        assert applicant.id is not None
        stored = [HouseholdMember(applicant_id=applicant.id, name=name, date_of_birth=born, sex=sex,
                                  relationship=relationship) for name, born, sex, relationship in members]
        apply_household(applicant, stored, scheme, today)
        session.add_all([*stored, BandAssessment(applicant_id=applicant.id, band=applicant.band,
                                                 effective_date=applicant.band_date, reason=reason)])
    session.flush()
    return households


def applicant_reference(number: int) -> str:
    return f"HR{number:06d}"


def _next_anniversary(registered: date, today: date) -> date:
    """The annual review falls on the anniversary of registration (29 February on 1 March)."""
    for year in (today.year, today.year + 1):
        try:
            due = registered.replace(year=year)
        except ValueError:
            due = date(year, 3, 1)
        if due > today:
            return due
    raise AssertionError("unreachable")  # pragma: no cover


def _fits(advert: Advert, applicant: Applicant, age: int) -> bool:
    """The demo's households bid only where they could be eligible, as real ones mostly do."""
    return ((advert.min_bedroom_need or 0) <= applicant.bedroom_need <= (advert.max_bedroom_need or 99)
            and (advert.min_age is None or age >= advert.min_age)
            and (not advert.wheelchair_only or "wheelchair" in applicant.needs)
            and (not advert.step_free_only or "step_free" in applicant.needs))


def _cycles_with_bids(session: Session, rng: random.Random, scheme: Scheme, now: datetime, zone: ZoneInfo,
                      windows: tuple[Window, Window], empty: list[Property], households: list[Household],
                      agreements: dict[int, NominationAgreement]) -> None:
    """Last week's cycle, closed with its shortlists, and this week's, open with bids coming in."""
    (last_opens, last_closes), (opens_at, closes_at) = windows
    split = len(empty) * 2 // 5
    last_week = _cycle(session, zone, last_opens, last_closes, CycleStatus.OPEN)
    adverts = _adverts(session, rng, last_week, empty[:split], agreements, now - timedelta(weeks=1), [])
    _bids(session, rng, scheme, last_week, adverts, households, last_week.closes_at)
    close_cycle(session, SYSTEM, scheme, last_week.id, last_week.closes_at)
    _nominate_some(session, adverts, now)
    this_week = _cycle(session, zone, opens_at, closes_at, CycleStatus.OPEN)
    adverts = _adverts(session, rng, this_week, empty[split:], agreements, now, adverts)
    _bids(session, rng, scheme, this_week, adverts, households, now)


def _nominate_some(session: Session, adverts: list[tuple[Advert, Property]], now: datetime) -> None:
    """The top verified household nominated for a few of last week's providers' homes, so that the
    provider portal has work in it."""
    officer = session.exec(select(StaffUser).where(StaffUser.role == StaffRole.OFFICER)).first()
    actor = actors.staff(officer)
    nominated = 0
    for advert, _home in adverts:
        if advert.agreement_id is None or nominated == 3:
            continue
        entry = session.exec(select(ShortlistEntry)
                             .where(ShortlistEntry.advert_id == advert.id, ShortlistEntry.eligible)
                             .order_by(ShortlistEntry.position)).first()
        applicant = session.get(Applicant, entry.applicant_id) if entry else None
        if applicant is None or not applicant.verified:
            continue
        verify_entry(session, actor, entry.id, now)
        send_nomination(session, actor, entry.id, now)
        nominated += 1


def _cycle(session: Session, zone: ZoneInfo, opens_at: datetime, closes_at: datetime, status: CycleStatus) -> Cycle:
    cycle = Cycle(name=f"Cycle {opens_at.astimezone(zone):%Y-%m-%d}", opens_at=opens_at, closes_at=closes_at,
                  status=status)
    session.add(cycle)
    session.flush()
    return cycle


def _adverts(session: Session, rng: random.Random, cycle: Cycle, homes: list[Property],
             agreements: dict[int, NominationAgreement], now: datetime,
             earlier: list[tuple[Advert, Property]]) -> list[tuple[Advert, Property]]:
    """Voids for the homes; most are ready and advertised in the cycle, some still in works."""
    adverts: list[tuple[Advert, Property]] = []
    for home in homes:
        ended = now.date() - timedelta(days=rng.randint(3, 60))
        keys_returned = datetime.combine(ended, datetime.min.time(), tzinfo=timezone.utc)
        void = Void(property_id=home.id, tenancy_end_date=ended, reason="relet", first_let=False,
                    keys_returned_at=keys_returned)
        session.add(void)
        session.flush()
        if rng.random() < 0.35:
            continue  # still in works
        void.ready_to_let_at = keys_returned + timedelta(days=rng.randint(1, 20))
        void.advertised_at = cycle.opens_at
        agreement = agreements.get(home.landlord_id)
        advert = Advert(
            reference=f"AD{len(earlier) + len(adverts) + 1:05d}", cycle_id=cycle.id, void_id=void.id,
            property_id=home.id, status=AdvertStatus.LIVE,
            description=f"A {home.bedrooms}-bedroom {home.property_type.value} in {home.area}.",
            min_bedroom_need=max(0, home.bedrooms - 1) if home.bedrooms <= 2 else home.bedrooms - 1,
            max_bedroom_need=home.bedrooms, min_age=60 if home.sheltered else None,
            step_free_only=home.wheelchair_adapted, wheelchair_only=home.wheelchair_adapted and rng.random() < 0.5,
            preference_groups=[f"local:{home.area}"] if rng.random() < 0.5 else [],
            agreement_id=agreement.id if agreement else None,
        )
        session.add(advert)
        adverts.append((advert, home))
    session.flush()
    return adverts


def _bids(session: Session, rng: random.Random, scheme: Scheme, cycle: Cycle, adverts: list[tuple[Advert, Property]],
          households: list[Household], until: datetime) -> None:
    """About a third of households bid, mostly for homes they could get, more for popular areas."""
    for applicant, age, _size in households:
        if rng.random() > 0.35:
            continue
        fitting = [(a, home) for a, home in adverts if _fits(a, applicant, age)]
        fits = [a for a, _ in fitting]
        weights = [AREA_POPULARITY[AREAS.index(home.area)] for _, home in fitting]
        chosen: list[Advert] = []
        for _ in range(min(len(fits), rng.randint(1, scheme.bidding.bids_per_cycle))):
            pick = rng.choices(fits, weights=weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        for preference, advert in enumerate(chosen, start=1):
            session.add(Bid(advert_id=advert.id, applicant_id=applicant.id, cycle_id=cycle.id, preference=preference,
                            placed_at=cycle.opens_at + (until - cycle.opens_at) * rng.random(),
                            placed_by=BidPlacedBy.APPLICANT))
    session.flush()
