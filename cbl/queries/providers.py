"""Registered providers as staff and the command line list them."""

from dataclasses import dataclass

from sqlmodel import Session, select

from cbl.models import Organisation
from cbl.models.states import OrganisationKind


@dataclass(frozen=True)
class ProviderListing:
    code: str
    name: str
    has_key: bool  # whether an API key has been issued for /api/v1/provider


def registered_providers(session: Session) -> list[ProviderListing]:
    rows = session.exec(select(Organisation.code, Organisation.name, Organisation.api_key_hash)
                        .where(Organisation.kind == OrganisationKind.PROVIDER).order_by(Organisation.code))
    return [ProviderListing(code, name, key_hash is not None) for code, name, key_hash in rows]
