"""Payments to households that move: an officer asks for one with how its amount was worked out (cbl/rules/moves.py),
a manager who did not ask for it approves it (with any rent arrears offset, where the scheme allows) or refuses it
with the reason, and an officer records it paid. Every step is audited and told to the household by letter."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, func, select

from cbl.messages.letters import issue_letter
from cbl.models import DecantHousehold, DownsizingMark, MovePayment, PaymentReceipt, RegenerationScheme, SocialTenancy
from cbl.models.moves import PaymentKind
from cbl.rules.moves import (
    NoAmountInForce, arrears_offset, bedrooms_released, downsizing_incentive, occupied_long_enough,
    one_year_ending_with, tenant_home_loss_pence,
)
from cbl.rules.scheme import Scheme
from cbl.rules.wording import money
from cbl.rules.working_days import local_date

from . import evidence, stored_files
from .actors import Actor
from .approvals import decision_note, open_request
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound
from .moves import decants_of, downsizing_of
from .register import locked_application
from .rights import Right

KIND_WORDS = {
    PaymentKind.DOWNSIZING_INCENTIVE: "downsizing incentive",
    PaymentKind.REMOVAL_COSTS: "payment of removal costs",
    PaymentKind.HOME_LOSS: "home loss payment",
    PaymentKind.DISTURBANCE: "disturbance payment",
}
MOST_RECEIPTS = 20
STATUTORY = (PaymentKind.HOME_LOSS, PaymentKind.DISTURBANCE)


@dataclass(frozen=True)
class Receipt:
    """An uploaded receipt: the name it had and its content."""

    name: str
    content: bytes


def _letter(session: Session, payment: MovePayment, stage: str, now: datetime) -> None:
    words = KIND_WORDS[payment.kind]
    subject = {"requested": f"We have received your claim for a {words}", "approved": f"Your {words} is approved",
               "refused": f"Your claim for a {words} is refused", "paid": f"We have paid your {words}"}[stage]
    issue_letter(session, payment.applicant_id, "move_payment", subject, now, payment=payment, stage=stage,
                 kind_words=words)


def _request(session: Session, actor: Actor, applicant_id: int, kind: PaymentKind, claimed: int, worked_out: str,
             now: datetime, *, regeneration_id: int | None = None, displaced_on: date | None = None) -> MovePayment:
    payment = MovePayment(kind=kind, applicant_id=applicant_id, regeneration_scheme_id=regeneration_id,
                          claimed_pence=claimed, worked_out=worked_out, displaced_on=displaced_on,
                          requested_by_id=actor.id or 0, requested_at=now)
    session.add(payment)
    audit(session, actor, "moves.payment_requested", payment, {"kind": kind, "claimed_pence": claimed,
                                                               "worked_out": worked_out})
    _letter(session, payment, "requested", now)
    return payment


def request_downsizing_payments(session: Session, actor: Actor, scheme: Scheme, applicant_id: int, new_bedrooms: int,
                                removal_claimed_pence: int, now: datetime) -> list[MovePayment]:
    """The downsizing incentive for a household marked as downsizing that moves to a home of `new_bedrooms`: a payment
    for the bedrooms released and one for removal costs, worked out together within the scheme's maximums."""
    actor.require(Right.MOVES_MANAGE)
    policy = downsizing_of(scheme)
    applicant = locked_application(session, applicant_id)
    mark = session.exec(select(DownsizingMark).where(DownsizingMark.applicant_id == applicant.id)
                        .order_by(DownsizingMark.id.desc())).first()
    if mark is None:
        raise Conflict("The household has not been marked as downsizing: mark it first.")
    if not 0 <= new_bedrooms <= 20:
        raise InvalidInput("The new home's bedrooms must be a whole number from 0 to 20.", field="new_bedrooms")
    released = bedrooms_released(mark.bedrooms, new_bedrooms)
    if not released:
        raise InvalidInput(f"The new home must have fewer bedrooms than the {mark.bedrooms} of the home left.",
                           field="new_bedrooms")
    already = session.exec(select(func.count()).select_from(MovePayment).where(
        MovePayment.applicant_id == applicant.id, MovePayment.approved.is_not(False),
        MovePayment.kind.in_([PaymentKind.DOWNSIZING_INCENTIVE, PaymentKind.REMOVAL_COSTS]))).one()
    if already:
        raise Conflict("A downsizing incentive has been asked for already for this household.")
    incentive = downsizing_incentive(released, removal_claimed_pence, per_bedroom_pence=policy.per_bedroom_pence,
                                     removal_maximum_pence=policy.removal_costs_maximum_pence,
                                     overall_maximum_pence=policy.overall_maximum_pence)
    capped = f", at most {money(policy.overall_maximum_pence)} in all" if incentive.capped else ""
    made = [_request(session, actor, applicant.id, PaymentKind.DOWNSIZING_INCENTIVE, incentive.bedrooms_pence,
                     f"{released} bedroom{'s' if released != 1 else ''} given up ({mark.bedrooms} in the home left, "
                     f"{new_bedrooms} in the new home) at {money(policy.per_bedroom_pence)} each{capped}.", now)]
    if removal_claimed_pence:
        made.append(_request(session, actor, applicant.id, PaymentKind.REMOVAL_COSTS, incentive.removal_pence,
                             f"Removal costs of {money(removal_claimed_pence)} claimed, paid up to "
                             f"{money(policy.removal_costs_maximum_pence)}{capped}.", now))
    return made


def _decant(session: Session, applicant_id: int, regeneration_id: int) -> RegenerationScheme:
    regeneration = session.get(RegenerationScheme, regeneration_id)
    member = session.exec(select(DecantHousehold.id).where(DecantHousehold.scheme_id == regeneration_id,
                                                           DecantHousehold.applicant_id == applicant_id)).first()
    if regeneration is None or member is None:
        raise InvalidInput("Choose a regeneration scheme the household is in.", field="regeneration")
    return regeneration


def request_home_loss(session: Session, actor: Actor, scheme: Scheme, applicant_id: int, regeneration_id: int,
                      displaced_on: date, now: datetime) -> MovePayment:
    """A tenant's home loss payment (LCA 1973 s29-s30): owed where the household has lived in the home throughout the
    year ending with the date of displacement; the amount in force on that date."""
    actor.require(Right.MOVES_MANAGE)
    policy = decants_of(scheme)
    applicant = locked_application(session, applicant_id)
    regeneration = _decant(session, applicant.id, regeneration_id)
    tenancy = session.get(SocialTenancy, applicant.id)
    if tenancy is None:
        raise Conflict("Record the household's social home (its tenancy start) first: the payment depends on it.")
    if not occupied_long_enough(tenancy.tenancy_start, displaced_on):
        raise InvalidInput(
            f"No home loss payment is owed: the tenancy began on {tenancy.tenancy_start:%-d %B %Y}, after "
            f"{one_year_ending_with(displaced_on):%-d %B %Y}, so the household has not lived there throughout the year "
            "ending with the date of displacement (section 29(2) of the Land Compensation Act 1973).",
            field="displaced_on")
    if session.exec(select(MovePayment.id).where(MovePayment.applicant_id == applicant.id,
                                                 MovePayment.kind == PaymentKind.HOME_LOSS,
                                                 MovePayment.approved.is_not(False))).first():
        raise Conflict("A home loss payment has been asked for already for this household.")
    try:
        amount = tenant_home_loss_pence(policy.home_loss, displaced_on)
    except NoAmountInForce as error:
        raise InvalidInput(str(error), field="displaced_on") from None
    worked_out = (f"The amount prescribed for a tenant displaced on {displaced_on:%-d %B %Y} (section 30(2) of the "
                  f"Land Compensation Act 1973): {money(amount)}. You have lived in the home since "
                  f"{tenancy.tenancy_start:%-d %B %Y}, throughout the year ending with that date.")
    return _request(session, actor, applicant.id, PaymentKind.HOME_LOSS, amount, worked_out, now,
                    regeneration_id=regeneration.id, displaced_on=displaced_on)


def request_disturbance(session: Session, actor: Actor, scheme: Scheme, uploads: Path, applicant_id: int,
                        regeneration_id: int, displaced_on: date, claimed_pence: int, what: str,
                        receipts: list[Receipt], now: datetime) -> MovePayment:
    """A disturbance payment (LCA 1973 s37-s38): the reasonable expenses of removing, claimed with their receipts."""
    actor.require(Right.MOVES_MANAGE)
    decants_of(scheme)
    if not receipts:
        raise InvalidInput("Upload at least one receipt: a disturbance payment is paid on receipts.",
                           field=evidence.FIELD)
    if len(receipts) > MOST_RECEIPTS:
        raise InvalidInput(f"Upload up to {MOST_RECEIPTS} receipts.", field=evidence.FIELD)
    kinds = [evidence.checked(receipt.content, "other") for receipt in receipts]
    what = what.strip()
    if not what:
        raise InvalidInput("Say what the costs were for (removals, reconnections ...).", field="what")
    if len(what) > 1000:
        raise InvalidInput(f"What the costs were for must be 1,000 characters or fewer (you entered {len(what):,}).",
                           field="what")
    if claimed_pence <= 0:
        raise InvalidInput("Enter the amount claimed.", field="claimed")
    applicant = locked_application(session, applicant_id)
    regeneration = _decant(session, applicant.id, regeneration_id)
    payment = _request(session, actor, applicant.id, PaymentKind.DISTURBANCE, claimed_pence,
                       f"The reasonable expenses of removing (section 38 of the Land Compensation Act 1973), claimed "
                       f"with {len(receipts)} receipt{'s' if len(receipts) != 1 else ''}: {what}", now,
                       regeneration_id=regeneration.id, displaced_on=displaced_on)
    for receipt, kind in zip(receipts, kinds, strict=True):
        stored = secrets.token_hex(16)
        stored_files.write(session, uploads, stored, receipt.content)
        session.add(PaymentReceipt(payment_id=payment.id, stored_name=stored,
                                   original_name=evidence.shown_name(receipt.name), content_type=kind,
                                   size=len(receipt.content), uploaded_by_id=actor.id or 0, uploaded_at=now))
    return payment


def decide_payment(session: Session, actor: Actor, scheme: Scheme, payment_id: int, approve: bool,
                   approved_pence: int | None, arrears_pence: int, arrears_note: str, note: str,
                   now: datetime) -> MovePayment:
    """A manager, never the one who asked, approves the payment (its amount, and any rent arrears offset where the
    scheme allows it, recorded with a note) or refuses it with the reason."""
    actor.require(Right.PAYMENT_APPROVE)
    payment = open_request(session, actor, MovePayment, payment_id, "payment")
    note = decision_note(note, approve, "payment")
    if approve:
        amount = payment.claimed_pence if approved_pence is None else approved_pence
        if amount < 0 or amount > payment.claimed_pence:
            raise InvalidInput(f"The amount approved must be between £0.00 and the {money(payment.claimed_pence)} "
                               "claimed.", field="approved")
        if payment.kind is PaymentKind.HOME_LOSS and amount != payment.claimed_pence:
            raise InvalidInput("A home loss payment is the amount the law prescribes: approve it in full or refuse "
                               "it.", field="approved")
        if amount < payment.claimed_pence and not note:
            raise InvalidInput("Give the reason for approving less than was claimed; the household reads it.",
                               field="note")
        policy = scheme.decants if payment.kind in STATUTORY else scheme.downsizing
        allowed = bool(policy and policy.offset_arrears)
        if arrears_pence and not allowed:
            raise InvalidInput("The allocation scheme does not allow rent arrears to be offset against this payment.",
                               field="arrears")
        if arrears_pence and not arrears_note.strip():
            raise InvalidInput("Say which arrears are offset (the rent account and the period).", field="arrears_note")
        if len(arrears_note.strip()) > 2000:
            raise InvalidInput("The arrears note must be 2,000 characters or fewer.", field="arrears_note")
        payment.approved_pence = amount
        payment.arrears_offset_pence = arrears_offset(amount, arrears_pence, allowed=allowed)
        payment.arrears_note = arrears_note.strip() or None
    payment.approved, payment.decided_by_id, payment.decided_at = approve, actor.id, now
    payment.decision_note = note or None
    session.add(payment)
    audit(session, actor, "moves.payment_approved" if approve else "moves.payment_refused", payment,
          {"kind": payment.kind, "claimed_pence": payment.claimed_pence, "approved_pence": payment.approved_pence,
           "arrears_offset_pence": payment.arrears_offset_pence, "note": note,
           "asked_by_id": payment.requested_by_id})
    _letter(session, payment, "approved" if approve else "refused", now)
    return payment


def record_paid(session: Session, actor: Actor, payment_id: int, paid_on: date, now: datetime) -> MovePayment:
    actor.require(Right.MOVES_MANAGE)
    payment = session.exec(select(MovePayment).where(MovePayment.id == payment_id).with_for_update()).first()
    if payment is None:
        raise NotFound("No such payment.")
    if payment.approved is not True:
        raise Conflict("Only an approved payment can be recorded as paid.")
    if payment.paid_on is not None:
        raise Conflict(f"This payment was recorded as paid on {payment.paid_on:%-d %B %Y}.")
    if paid_on > local_date(now) or paid_on < local_date(payment.decided_at or now):
        raise InvalidInput("The day paid must be between the day it was approved and today.", field="paid_on")
    payment.paid_on, payment.paid_recorded_by_id = paid_on, actor.id
    session.add(payment)
    audit(session, actor, "moves.payment_paid", payment, {"paid_on": paid_on, "paid_pence": payment.to_pay_pence})
    _letter(session, payment, "paid", now)
    return payment


def receipt_file(session: Session, actor: Actor, payment_id: int, file_id: int) -> PaymentReceipt:
    actor.require(Right.REGISTER_READ)
    found = session.get(PaymentReceipt, file_id)
    if found is None or found.payment_id != payment_id:
        raise NotFound("There is no such receipt.")
    return found
