"""Households of a small world listing their homes for mutual exchange, for the exchange tests."""

from datetime import date, datetime, timedelta

from sqlmodel import Session

from cbl.database import Database
from cbl.models import Applicant, ExchangeListing, ExchangeMatch, ExchangeMember
from cbl.models.states import ExchangeMatchStatus, ExchangeTenancy, ListingStatus, PropertyType
from cbl.rules.scheme import Scheme
from cbl.services import actors
from cbl.services.exchanges import ListingDetails, save_listing

# Three homes that form a three-way ring and no two-way exchange: A (council, Northgate) wants Riverside, B
# (provider, Riverside) wants Castlefields, C (council, Castlefields) wants Northgate; all one-bedroom flats.
RING = {
    "HRX1": ("ATC", ExchangeTenancy.SECURE, "Northgate", "Riverside"),
    "HRX2": ("RHA", ExchangeTenancy.ASSURED, "Riverside", "Castlefields"),
    "HRX3": ("ATC", ExchangeTenancy.SECURE, "Castlefields", "Northgate"),
}


def details(reference: str, landlord: str, tenancy: ExchangeTenancy, area: str, wants: str, *, bedrooms: int = 1,
            want_min: int = 1, want_max: int = 2) -> ListingDetails:
    return ListingDetails(landlord, tenancy, f"1 {reference} Road", "AT1 1AA", area, bedrooms, PropertyType.FLAT,
                          9500, [wants], want_min, want_max, [PropertyType.FLAT.value])


def list_ring(db: Database, scheme: Scheme, applicants: dict[str, int], now: datetime) -> dict[str, int]:
    """List the ring's three homes, each by its household; the listings' ids by reference."""
    listed = {}
    for reference, (landlord, tenancy, area, wants) in RING.items():
        with db.reading() as session:
            actor = actors.applicant(session.get(Applicant, applicants[reference]))
        listed[reference] = db.run(save_listing, actor, scheme, details(reference, landlord, tenancy, area, wants),
                                   now).id
    return listed


def two_way_with_landlords(session: Session, council_tenant: int, council: int, provider_tenant: int,
                           provider: int) -> tuple[int, int]:
    """A council tenant and a provider's tenant in a two-way exchange, both interested, their applications for
    consent dated today: each one's place (its application) in it, the council tenant's first."""
    homes = [ExchangeListing(applicant_id=applicant, landlord_id=landlord, tenancy=tenancy, address=f"{n} Road",
                             postcode="AT1 1AA", area=area, bedrooms=1, property_type=PropertyType.FLAT,
                             weekly_rent_pence=9000, want_areas=[wants], want_min_bedrooms=1, want_max_bedrooms=2,
                             want_types=["flat"], status=ListingStatus.MATCHED)
             for n, (applicant, landlord, tenancy, area, wants) in enumerate([
                 (council_tenant, council, ExchangeTenancy.SECURE, "Northgate", "Riverside"),
                 (provider_tenant, provider, ExchangeTenancy.ASSURED, "Riverside", "Northgate")])]
    match = ExchangeMatch(status=ExchangeMatchStatus.WITH_LANDLORDS, applied_on=date.today())
    session.add_all([*homes, match])
    session.flush()
    members = [ExchangeMember(match_id=match.id, listing_id=a.id, applicant_id=a.applicant_id,
                              landlord_id=a.landlord_id, moves_into_id=b.id, position=p, interested=True,
                              consent_by=date.today() + timedelta(days=42))
               for p, (a, b) in enumerate([(homes[0], homes[1]), (homes[1], homes[0])])]
    session.add_all(members)
    session.flush()
    return members[0].id, members[1].id  # type: ignore[return-value]
