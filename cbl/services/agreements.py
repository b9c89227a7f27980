"""Nomination agreements with registered providers: the shares of lets the council may nominate to,
group quotas, the working days each side has, and the grounds on which a provider may decline."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from cbl.services.engine_input import GROUP_FLAGS
from cbl.models import AgreementQuota, NominationAgreement, Organisation
from cbl.models.states import OrganisationKind
from cbl.rules.scheme import Scheme

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound, within
from .nominations import SHAREABLE
from cbl.services.rights import Right

QUOTA_GROUPS = {"homeless": "Homeless households", "transfer": "Transfer tenants"}
NAME_LIMIT = 200  # an agreement's name, as both sides know it


@dataclass(frozen=True)
class AgreementTerms:
    provider_code: str
    name: str
    first_let_share: int
    relet_share: int
    nominate_within_days: int
    respond_within_days: int
    decline_grounds: tuple[str, ...]
    shared_details: tuple[str, ...]
    starts_on: date
    ends_on: date | None
    quotas: tuple[tuple[str, int], ...] = ()  # (group, minimum share in percent)


def _checked(session: Session, scheme: Scheme, terms: AgreementTerms) -> Organisation:
    """The agreement's provider, once every term is one the scheme allows (the first term wrong is refused)."""
    provider = _registered_provider(session, terms.provider_code)
    if not within(terms.name, NAME_LIMIT, "name", "The agreement's name"):
        raise InvalidInput("Name the agreement, as it is known to both sides.", field="name")
    _check_shares_and_days(terms)
    _check_listed_terms(scheme, terms)
    if terms.ends_on is not None and terms.ends_on < terms.starts_on:
        raise InvalidInput("The agreement must end after it starts.", field="ends_on")
    _check_quotas(terms)
    return provider


def _registered_provider(session: Session, code: str) -> Organisation:
    provider = session.exec(select(Organisation).where(Organisation.code == code,
                                                       Organisation.kind == OrganisationKind.PROVIDER)).first()
    if provider is None:
        raise InvalidInput("Choose the registered provider.", field="provider")
    return provider


def _check_shares_and_days(terms: AgreementTerms) -> None:
    for field, share in (("first_let_share", terms.first_let_share), ("relet_share", terms.relet_share)):
        if not 0 <= share <= 100:
            raise InvalidInput("A share is a percentage from 0 to 100.", field=field)
    for field, days in (("nominate_within_days", terms.nominate_within_days),
                        ("respond_within_days", terms.respond_within_days)):
        if not 1 <= days <= 60:
            raise InvalidInput("Give the working days as a whole number from 1 to 60.", field=field)


def _check_listed_terms(scheme: Scheme, terms: AgreementTerms) -> None:
    """Decline grounds come from the scheme's list, shared details from the list of what may be shared."""
    allowed = {item.code for item in scheme.nominations.decline_grounds}
    if not set(terms.decline_grounds) <= allowed:
        raise InvalidInput("Choose decline grounds from the scheme's list.", field="decline_grounds")
    if not set(terms.shared_details) <= set(SHAREABLE):
        raise InvalidInput("Choose what may be shared from the list.", field="shared_details")


def _check_quotas(terms: AgreementTerms) -> None:
    groups = [group for group, _ in terms.quotas]
    if len(set(groups)) != len(groups) or not set(groups) <= set(GROUP_FLAGS) & set(QUOTA_GROUPS):
        raise InvalidInput("Give each quota group once, from the list.", field="quotas")
    if any(not 1 <= share <= 100 for _, share in terms.quotas):
        raise InvalidInput("A quota is a percentage from 1 to 100.", field="quotas")


def _agreement_to_change(session: Session, agreement_id: int, provider: Organisation) -> NominationAgreement:
    agreement = session.exec(select(NominationAgreement).where(NominationAgreement.id == agreement_id)
                             .with_for_update()).first()
    if agreement is None:
        raise NotFound("No such agreement.")
    if agreement.provider_id != provider.id:
        raise InvalidInput("An agreement stays with its provider; record a new one instead.", field="provider")
    return agreement


def save_agreement(session: Session, actor: Actor, scheme: Scheme, agreement_id: int | None, terms: AgreementTerms,
                   now: datetime) -> NominationAgreement:
    """Record a new agreement or change one; one agreement per provider in force on any day."""
    actor.require(Right.AGREEMENTS_MANAGE)
    provider = _checked(session, scheme, terms)
    if agreement_id is not None:
        agreement = _agreement_to_change(session, agreement_id, provider)
    else:
        agreement = NominationAgreement(provider_id=provider.id, starts_on=terms.starts_on, name=terms.name.strip())
    overlapping = session.exec(select(NominationAgreement.name).where(
        NominationAgreement.provider_id == provider.id, NominationAgreement.id != (agreement_id or 0),
        sa.or_(NominationAgreement.ends_on.is_(None), NominationAgreement.ends_on >= terms.starts_on),
        *([NominationAgreement.starts_on <= terms.ends_on] if terms.ends_on else []))).first()
    if overlapping:
        raise Conflict(f"“{overlapping}” is in force for {provider.name} over some of those dates: end it first.")
    before = {name: getattr(agreement, name) for name in ("first_let_share", "relet_share", "respond_within_days")} \
        if agreement_id else {}
    agreement.name, agreement.first_let_share, agreement.relet_share = (
        terms.name.strip(), terms.first_let_share, terms.relet_share)
    agreement.nominate_within_days, agreement.respond_within_days = (
        terms.nominate_within_days, terms.respond_within_days)
    agreement.decline_grounds, agreement.shared_details = sorted(terms.decline_grounds), sorted(terms.shared_details)
    agreement.starts_on, agreement.ends_on = terms.starts_on, terms.ends_on
    session.add(agreement)
    session.flush()
    for quota in session.exec(select(AgreementQuota).where(AgreementQuota.agreement_id == agreement.id)).all():
        session.delete(quota)
    session.flush()
    session.add_all([AgreementQuota(agreement_id=agreement.id, group=group, min_share_pct=share)
                     for group, share in terms.quotas])
    audit(session, actor, "agreement.changed" if agreement_id else "agreement.made", agreement,
          {"provider": provider.code, "first_let_share": terms.first_let_share, "relet_share": terms.relet_share,
           "respond_within_days": terms.respond_within_days, "quotas": dict(terms.quotas), "before": before})
    return agreement
