"""Households of a small world listing their homes for mutual exchange, for the exchange tests."""

from datetime import datetime

from cbl.database import Database
from cbl.models import Applicant
from cbl.models.states import ExchangeTenancy, PropertyType
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
