"""Who is acting: a member of staff, an applicant, a provider's system, or the scheduler."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cbl.models.states import ActorKind, StaffRole

from .errors import NotAllowed
from cbl.services.rights import Right

if TYPE_CHECKING:  # for the annotations only: actors imports no model at run time, as before
    from cbl.models import Applicant, HouseholdAccount, Organisation, StaffUser

# What each staff role may do. Rules are named for the action, so a check reads as the rule.
ROLE_RIGHTS: dict[StaffRole, frozenset[Right]] = {
    StaffRole.OFFICER: frozenset({
        Right.REGISTER_READ, Right.REGISTER_WRITE, Right.BAND_SET, Right.STOCK_READ, Right.STOCK_WRITE,
        Right.ADVERT_WRITE, Right.BID_ON_BEHALF, Right.SHORTLIST_WORK, Right.OFFER_MAKE, Right.OFFER_RECORD,
        Right.NOMINATION_SEND, Right.REVIEW_LOG, Right.LETTERS_ISSUE, Right.OFFER_FINAL_ASSESS,
        Right.ELIGIBILITY_DECIDE, Right.PANEL_REFER, Right.PANEL_DECIDE, Right.CYCLE_REPORT_READ, Right.EQUALITY_RECORD,
        Right.CASE_TAKE, Right.MOVES_MANAGE, Right.EXCHANGE_CONSENT, Right.EXCHANGE_MATCH,
    }),
    StaffRole.REVIEW_OFFICER: frozenset({
        Right.REGISTER_READ, Right.STOCK_READ, Right.REVIEW_LOG, Right.REVIEW_WORK, Right.REVIEW_DECIDE,
        Right.LETTERS_ISSUE,
    }),
    StaffRole.MANAGER: frozenset({
        Right.REGISTER_READ, Right.STOCK_READ, Right.REPORTS_READ, Right.REPORTS_EXPORT, Right.REVIEW_LOG,
        Right.REVIEW_WORK, Right.REVIEW_DECIDE, Right.REVIEW_READ_ALL, Right.OFFER_APPROVE_DIRECT,
        Right.AGREEMENTS_MANAGE, Right.DATA_SUBJECT_ACCESS, Right.REGISTRATION_BACKDATE, Right.REGISTER_IMPORT,
        Right.AUDIT_READ, Right.CYCLE_REPORT_READ, Right.CYCLE_OVERRIDE, Right.EQUALITY_REPORT, Right.CASE_ALLOCATE,
        Right.MOVES_MANAGE, Right.PAYMENT_APPROVE, Right.EXCHANGE_MATCH,
    }),
    # The system administrator manages the system (staff, the scheme, cycles, the audit trail), not
    # cases: no reading or changing households' applications (so no suspending them), no stock changes,
    # no subject access reports (a whole case file). Reports are figures, not cases.
    StaffRole.ADMIN: frozenset({
        Right.STAFF_MANAGE, Right.SCHEME_MANAGE, Right.CYCLE_MANAGE, Right.AUDIT_VERIFY, Right.STOCK_READ,
        Right.REPORTS_READ, Right.REPORTS_EXPORT, Right.AGREEMENTS_MANAGE,
    }),
    # An auditor (internal audit, or the council's information governance) reads what was done and changes
    # nothing: the audit trail, cycles' close reports, the figures and the homes (their void clocks).
    StaffRole.AUDITOR: frozenset({
        Right.AUDIT_READ, Right.CYCLE_REPORT_READ, Right.REPORTS_READ, Right.STOCK_READ,
    }),
    StaffRole.PROVIDER: frozenset({
        Right.PROVIDER_PORTAL, Right.PROVIDER_VOIDS, Right.PROVIDER_NOMINATIONS, Right.PROVIDER_EXCHANGES,
    }),
}


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: int | None
    name: str
    role: StaffRole | None = None
    organisation_id: int | None = None
    grade: int = 0

    def may(self, right: Right) -> bool:
        if self.kind is ActorKind.SYSTEM:
            return True
        if self.kind is ActorKind.STAFF and self.role is not None:
            return right in ROLE_RIGHTS[self.role]
        if self.kind is ActorKind.PROVIDER_API:
            return right in ROLE_RIGHTS[StaffRole.PROVIDER]
        return False

    @property
    def provider_id(self) -> int | None:
        """The registered provider this actor works for, if any: it sees that provider's work and no other."""
        if self.kind is ActorKind.PROVIDER_API or self.role is StaffRole.PROVIDER:
            return self.organisation_id
        return None

    def require(self, right: Right) -> None:
        if not self.may(right):
            raise NotAllowed("You do not have permission to do that.")


SYSTEM = Actor(ActorKind.SYSTEM, None, "system")


def staff(user: "StaffUser") -> Actor:
    return Actor(ActorKind.STAFF, user.id, user.name, user.role, user.organisation_id, user.grade)


def provider_system(organisation: "Organisation") -> Actor:
    """A provider's housing system calling the API with its key."""
    return Actor(ActorKind.PROVIDER_API, None, f"{organisation.name} (API)", None, organisation.id)


def applicant(row: "Applicant") -> Actor:
    return Actor(ActorKind.APPLICANT, row.id, row.reference)


def household(account: "HouseholdAccount") -> Actor:
    """A household acting through its online account: as its application once it is on the register."""
    return Actor(ActorKind.APPLICANT, account.applicant_id, f"online account {account.id}")
