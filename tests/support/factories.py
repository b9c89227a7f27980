"""Small worlds for tests: a council, a provider, homes advertised in a cycle, and households."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlmodel import Session

from cbl.models import (
    Advert, Applicant, Cycle, HouseholdMember, NominationAgreement, Organisation, PreOfferCheck, Property,
    ShortlistEntry, StaffUser, Void,
)
from cbl.models.states import (
    AdvertStatus, ApplicationStatus, CycleStatus, OfferCheckKind, OrganisationKind, PropertyType, Relationship, Sex,
    StaffRole,
)
from cbl.services.passwords import hash_password
from cbl.rules.scheme import Scheme
from cbl.services.register import apply_household

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)  # a Friday, mid-cycle
PASSWORD = "correct horse battery"
PASSWORD_HASH = hash_password(PASSWORD)


@dataclass
class World:
    council: int
    provider: int
    agreement: int
    cycle: int
    officer: int
    adverts: list[str] = field(default_factory=list)
    applicants: dict[str, int] = field(default_factory=dict)


def make_world(session: Session, scheme: Scheme, *, adverts: int = 6, now: datetime = NOW,
               cycle_status: CycleStatus = CycleStatus.OPEN) -> World:
    council = Organisation(code="ATC", name="Anytown Council", kind=OrganisationKind.COUNCIL)
    provider = Organisation(code="RHA", name="Riverside Housing Association", kind=OrganisationKind.PROVIDER)
    session.add_all([council, provider])
    session.flush()
    agreement = NominationAgreement(provider_id=provider.id, name="RHA agreement", starts_on=date(2025, 4, 1))
    officer = StaffUser(organisation_id=council.id, email="officer@example.org", name="Olu Officer",
                        role=StaffRole.OFFICER, password_hash=PASSWORD_HASH)
    cycle = Cycle(name="Test cycle", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=3),
                  status=cycle_status)
    session.add_all([agreement, officer, cycle])
    session.flush()
    world = World(council.id, provider.id, agreement.id, cycle.id, officer.id)
    for number in range(1, adverts + 1):
        add_advert(session, world, f"AD{number}", landlord=provider.id if number % 3 == 0 else council.id)
    return world


def add_advert(session: Session, world: World, reference: str, *, landlord: int | None = None,
               bedrooms: int = 1, area: str = "Northgate", cycle: int | None = None, **criteria) -> Advert:
    landlord = landlord or world.council
    home = Property(landlord_id=landlord, reference=f"P-{reference}", address=f"{reference} High Street",
                    postcode="AT1 1AA", area=area, property_type=PropertyType.FLAT, bedrooms=bedrooms,
                    weekly_rent_pence=9500)
    session.add(home)
    session.flush()
    void = Void(property_id=home.id, tenancy_end_date=date(2026, 10, 30))
    session.add(void)
    session.flush()
    advert = Advert(reference=reference, cycle_id=cycle or world.cycle, void_id=void.id, property_id=home.id,
                    status=AdvertStatus.LIVE, agreement_id=world.agreement if landlord == world.provider else None,
                    **criteria)
    session.add(advert)
    session.flush()
    world.adverts.append(reference)
    return advert


def add_applicant(session: Session, scheme: Scheme, world: World, reference: str, *, band: str = "C",
                  band_date: date = date(2024, 1, 1), registered: date = date(2023, 1, 1),
                  status: ApplicationStatus = ApplicationStatus.ACTIVE, born: date = date(1990, 5, 1),
                  children: int = 0, **fields) -> Applicant:
    applicant = Applicant(reference=reference, status=status, band=band, band_date=band_date,
                          registration_date=registered, password_hash=PASSWORD_HASH, **fields)
    session.add(applicant)
    session.flush()
    members = [HouseholdMember(applicant_id=applicant.id, name=f"Lead {reference}", date_of_birth=born,
                               sex=Sex.FEMALE, relationship=Relationship.LEAD)]
    members += [HouseholdMember(applicant_id=applicant.id, name=f"Child {i}", date_of_birth=date(2018, 1, 1 + i),
                                sex=Sex.MALE, relationship=Relationship.CHILD) for i in range(children)]
    session.add_all(members)
    apply_household(applicant, members, scheme, NOW.date())
    session.flush()
    world.applicants[reference] = applicant.id
    return applicant


def fraud_checked(session: Session, entry_id: int, at: datetime = NOW) -> None:
    """The shortlist place's fraud check before an offer, recorded as passed (the shipped scheme needs it)."""
    entry = session.get(ShortlistEntry, entry_id)
    session.add(PreOfferCheck(entry_id=entry.id, applicant_id=entry.applicant_id, kind=OfferCheckKind.FRAUD,
                              passed=True, recorded_at=at))
