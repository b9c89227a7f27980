"""What the nomination agreement pages read: the agreements with their providers and quotas, one agreement
to change, and the providers one can be made with."""

from dataclasses import dataclass

from sqlmodel import Session, select

from cbl.models import AgreementQuota, NominationAgreement, Organisation
from cbl.models.states import OrganisationKind
from cbl.services.errors import NotFound


@dataclass(frozen=True)
class AgreementTerms:
    agreement: NominationAgreement
    provider_code: str
    provider_name: str
    quotas: list[AgreementQuota]  # by group


def agreements(session: Session) -> list[AgreementTerms]:
    """Every agreement, by provider, the latest first."""
    rows = session.exec(select(NominationAgreement, Organisation.code, Organisation.name)
                        .join(Organisation, Organisation.id == NominationAgreement.provider_id)
                        .order_by(Organisation.name, NominationAgreement.starts_on.desc())).all()
    quotas = session.exec(select(AgreementQuota).order_by(AgreementQuota.group)).all()
    return [AgreementTerms(agreement, code, name, [q for q in quotas if q.agreement_id == agreement.id])
            for agreement, code, name in rows]


def agreement(session: Session, agreement_id: int) -> AgreementTerms:
    row = session.exec(select(NominationAgreement, Organisation.code, Organisation.name)
                       .join(Organisation, Organisation.id == NominationAgreement.provider_id)
                       .where(NominationAgreement.id == agreement_id)).first()
    if row is None:
        raise NotFound("There is no such nomination agreement.")
    quotas = session.exec(select(AgreementQuota).where(AgreementQuota.agreement_id == agreement_id)
                          .order_by(AgreementQuota.group)).all()
    return AgreementTerms(*row, list(quotas))


def providers(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every registered provider, by name."""
    return [(o.code, o.name) for o in session.exec(select(Organisation).where(
        Organisation.kind == OrganisationKind.PROVIDER).order_by(Organisation.name))]
