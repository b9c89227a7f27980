"""What the downsizing and decants pages read: a household's moves, the regeneration schemes and their households,
and the payments waiting for a decision or to be paid. Each page a fixed number of statements."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, select

from cbl.models import (
    Applicant, DecantHousehold, DownsizingMark, MovePayment, PaymentReceipt, RegenerationScheme, SocialTenancy,
    StaffUser,
)
from cbl.services.errors import NotFound

LISTED = 200  # payments on the list at most: the oldest first, so none waits unseen behind newer ones


@dataclass
class PaymentRow:
    payment: MovePayment
    reference: str
    requested_by: str
    regeneration: str | None
    receipts: list[PaymentReceipt] = field(default_factory=list)


@dataclass
class CaseMoves:
    applicant: Applicant
    tenancy: SocialTenancy | None
    mark: DownsizingMark | None  # the newest, open or ended
    decants: list[tuple[DecantHousehold, RegenerationScheme]]
    payments: list[PaymentRow]


def _payment_rows(session: Session, condition: sa.ColumnElement[bool]) -> list[PaymentRow]:
    asker = sa.orm.aliased(StaffUser)
    rows = session.exec(select(MovePayment, Applicant.reference, asker.name, RegenerationScheme.name)
                        .where(condition)
                        .join(Applicant, Applicant.id == MovePayment.applicant_id)
                        .join(asker, asker.id == MovePayment.requested_by_id)
                        .outerjoin(RegenerationScheme, RegenerationScheme.id == MovePayment.regeneration_scheme_id)
                        .order_by(MovePayment.id).limit(LISTED)).all()
    found = [PaymentRow(payment, reference, asker_name, regeneration)
             for payment, reference, asker_name, regeneration in rows]
    by_id = {row.payment.id: row for row in found}
    if by_id:
        for receipt in session.exec(select(PaymentReceipt).where(PaymentReceipt.payment_id.in_(list(by_id)))
                                    .order_by(PaymentReceipt.id)):
            by_id[receipt.payment_id].receipts.append(receipt)
    return found


def case_moves(session: Session, reference: str) -> CaseMoves:
    applicant = session.exec(select(Applicant).where(Applicant.reference == reference)).first()
    if applicant is None:
        raise NotFound("No such application.")
    tenancy = session.get(SocialTenancy, applicant.id)
    mark = session.exec(select(DownsizingMark).where(DownsizingMark.applicant_id == applicant.id)
                        .order_by(DownsizingMark.id.desc())).first()
    decants = list(session.exec(select(DecantHousehold, RegenerationScheme)
                                .join(RegenerationScheme, RegenerationScheme.id == DecantHousehold.scheme_id)
                                .where(DecantHousehold.applicant_id == applicant.id).order_by(DecantHousehold.id)))
    payments = _payment_rows(session, MovePayment.applicant_id == applicant.id)
    return CaseMoves(applicant, tenancy, mark, [tuple(row) for row in decants], payments)


def regeneration_schemes(session: Session) -> list[tuple[RegenerationScheme, int]]:
    households = (select(DecantHousehold.scheme_id, sa.func.count().label("households"))
                  .group_by(DecantHousehold.scheme_id).subquery())
    return [(scheme, count or 0) for scheme, count in session.exec(
        select(RegenerationScheme, households.c.households)
        .outerjoin(households, households.c.scheme_id == RegenerationScheme.id)
        .order_by(RegenerationScheme.decant_date, RegenerationScheme.id))]


@dataclass
class RegenerationPage:
    scheme: RegenerationScheme
    households: list[tuple[DecantHousehold, str, str | None]]  # the household, its reference and band now


def regeneration_page(session: Session, regeneration_id: int) -> RegenerationPage:
    scheme = session.get(RegenerationScheme, regeneration_id)
    if scheme is None:
        raise NotFound("No such regeneration scheme.")
    households = session.exec(select(DecantHousehold, Applicant.reference, Applicant.band)
                              .join(Applicant, Applicant.id == DecantHousehold.applicant_id)
                              .where(DecantHousehold.scheme_id == scheme.id).order_by(Applicant.reference)).all()
    return RegenerationPage(scheme, [tuple(row) for row in households])


def payments_to_work(session: Session) -> list[PaymentRow]:
    """Payments waiting for a manager's decision, then those approved and not yet recorded paid."""
    return _payment_rows(session, sa.or_(
        MovePayment.decided_at.is_(None),
        sa.and_(MovePayment.approved.is_(True), MovePayment.paid_on.is_(None))))
