"""Registered providers' details the council keeps: where a provider's nominations are e-mailed."""

from sqlmodel import Session, select

from cbl.models import Organisation
from cbl.models.states import OrganisationKind
from cbl.services.actors import Actor
from cbl.services.audit import audit
from cbl.services.errors import InvalidInput, NotFound, within
from cbl.services.rights import Right

EMAIL_LIMIT = 254  # RFC 5321's longest address


def provider(session: Session, code: str) -> Organisation:
    found = session.exec(select(Organisation).where(Organisation.code == code,
                                                    Organisation.kind == OrganisationKind.PROVIDER)).first()
    if found is None:
        raise NotFound(f"There is no registered provider {code}.")
    return found


def set_lettings_email(session: Session, actor: Actor, code: str, email: str) -> Organisation:
    """Where the provider's nominations go (nominations.py e-mails them); empty: none are e-mailed."""
    actor.require(Right.AGREEMENTS_MANAGE)
    email = within(email, EMAIL_LIMIT, "lettings_email", "The lettings e-mail address")
    if email and ("@" not in email.strip("@") or any(c.isspace() for c in email)):
        raise InvalidInput("Enter an e-mail address in the right format, like lettings@provider.org.uk.",
                           field="lettings_email")
    organisation = provider(session, code)
    was = organisation.lettings_email
    organisation.lettings_email = email or None
    session.add(organisation)
    audit(session, actor, "provider.lettings_email", organisation, {"from": was, "to": organisation.lettings_email})
    return organisation
