"""Who is acting: a member of staff, an applicant, a provider's system, or the scheduler."""

from dataclasses import dataclass

from cbl.models.states import ActorKind, StaffRole

from .errors import NotAllowed

# What each staff role may do. Rules are named for the action, so a check reads as the rule.
ROLE_RIGHTS: dict[StaffRole, frozenset[str]] = {
    StaffRole.OFFICER: frozenset({
        "register.read", "register.write", "band.set", "stock.read", "stock.write", "advert.write",
        "bid.on_behalf", "shortlist.work", "offer.make", "offer.record", "nomination.send",
        "review.log", "letters.issue",
    }),
    StaffRole.REVIEW_OFFICER: frozenset({
        "register.read", "stock.read", "review.log", "review.work", "review.decide", "letters.issue",
    }),
    StaffRole.MANAGER: frozenset({
        "register.read", "stock.read", "reports.read", "reports.export", "review.log", "review.work",
        "review.decide", "review.read_all", "offer.approve_direct", "agreements.manage", "data.subject_access",
    }),
    StaffRole.ADMIN: frozenset({
        "register.read", "register.write", "stock.read", "stock.write", "staff.manage",
        "scheme.manage", "reports.read", "reports.export", "cycle.manage", "audit.verify", "agreements.manage",
        "data.subject_access",
    }),
    StaffRole.PROVIDER: frozenset({
        "provider.portal", "provider.voids", "provider.nominations",
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

    def may(self, right: str) -> bool:
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

    def require(self, right: str) -> None:
        if not self.may(right):
            raise NotAllowed("You do not have permission to do that.")


SYSTEM = Actor(ActorKind.SYSTEM, None, "system")


def staff(user) -> Actor:  # noqa: ANN001 - a StaffUser row
    return Actor(ActorKind.STAFF, user.id, user.name, user.role, user.organisation_id, user.grade)


def provider_system(organisation) -> Actor:  # noqa: ANN001 - an Organisation row
    """A provider's housing system calling the API with its key."""
    return Actor(ActorKind.PROVIDER_API, None, f"{organisation.name} (API)", None, organisation.id)


def applicant(row) -> Actor:  # noqa: ANN001 - an Applicant row
    return Actor(ActorKind.APPLICANT, row.id, row.reference)
