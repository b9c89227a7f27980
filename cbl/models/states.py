"""The states and kinds the tables may hold. Each is stored as its value under a CHECK constraint."""

from enum import Enum


class OrganisationKind(str, Enum):
    COUNCIL = "council"
    PROVIDER = "provider"


class StaffRole(str, Enum):
    OFFICER = "officer"
    REVIEW_OFFICER = "review_officer"
    MANAGER = "manager"
    ADMIN = "admin"
    PROVIDER = "provider"
    AUDITOR = "auditor"  # reads what the system and its users did: the audit trail, cycles' close reports


class ApplicationStatus(str, Enum):
    PENDING = "pending"  # registered, not yet assessed
    ACTIVE = "active"
    SUSPENDED = "suspended"
    HOUSED = "housed"
    CLOSED = "closed"


class Sex(str, Enum):
    FEMALE = "F"
    MALE = "M"


class Relationship(str, Enum):
    LEAD = "lead"
    PARTNER = "partner"
    CHILD = "child"
    PARENT = "parent"
    OTHER_ADULT = "other_adult"
    OTHER_CHILD = "other_child"


class PropertyType(str, Enum):
    FLAT = "flat"
    HOUSE = "house"
    BUNGALOW = "bungalow"
    MAISONETTE = "maisonette"
    BEDSIT = "bedsit"


class VoidStatus(str, Enum):
    OPEN = "open"  # empty, not yet let
    LET = "let"
    WITHDRAWN = "withdrawn"  # taken out of letting (sale, demolition, decant)


class CycleStatus(str, Enum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSING = "closing"  # claimed by one process running the close
    CLOSED = "closed"


class AdvertStatus(str, Enum):
    DRAFT = "draft"
    LIVE = "live"
    WITHDRAWN = "withdrawn"
    SHORTLISTED = "shortlisted"
    LET = "let"


class BidPlacedBy(str, Enum):
    APPLICANT = "applicant"
    OFFICER = "officer"
    AUTO = "auto"


class BidStatus(str, Enum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class ShortlistStatus(str, Enum):
    PENDING = "pending"
    VERIFIED = "verified"
    SKIPPED = "skipped"
    OFFERED = "offered"
    NOMINATED = "nominated"
    HOUSED = "housed"


class NominationStatus(str, Enum):
    SENT = "sent"
    VIEWING_ARRANGED = "viewing_arranged"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    LET = "let"


class OfferKind(str, Enum):
    BIDDING = "bidding"
    DIRECT = "direct"


class OfferStatus(str, Enum):
    MADE = "made"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"
    LET = "let"


class TenancyType(str, Enum):
    """The tenancy a household signs for (what the CORE return maps where it can: cbl/queries/core_lets.py)."""

    INTRODUCTORY = "introductory"  # a council's trial year, before a secure tenancy
    STARTER = "starter"  # a provider's trial period, before an assured tenancy
    FLEXIBLE = "flexible"  # a council's flexible, fixed-term secure tenancy
    SECURE = "secure"
    ASSURED = "assured"
    ASSURED_SHORTHOLD = "assured_shorthold"


class AnswerChannel(str, Enum):
    """How a household gave its answer to an offer: online itself, or to a member of staff who recorded it."""

    ONLINE = "online"
    PHONE = "phone"
    IN_PERSON = "in_person"
    EMAIL = "email"


class ReviewType(str, Enum):
    """The decisions a household may ask us to review; cbl/rules/decision_types.py gives each its provision."""

    SUITABILITY = "suitability"  # Part 7: suitability of a s193(7) final offer
    FINAL_OFFER_DUTY = "final_offer_duty"  # Part 7: refusing a final offer ended the s193 duty
    ELIGIBILITY = "eligibility"  # Part 6 from here on
    QUALIFICATION = "qualification"
    BAND = "band"
    BEDROOM_NEED = "bedroom_need"
    SUSPENSION = "suspension"
    REFUSAL = "refusal"  # a refusal judged unreasonable, counting towards the scheme's penalty
    SKIP = "skip"  # passed over on a shortlist, where the scheme treats the skip as a decision
    CLOSURE = "closure"  # the application closed (for example, no answer to the annual review)
    PANEL = "panel"  # a medical, welfare or OT panel's decision on band, access needs, a carer's room, areas


class ReviewStatus(str, Enum):
    REQUESTED = "requested"
    ACKNOWLEDGED = "acknowledged"
    MINDED_TO = "minded_to"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


class ReviewOutcome(str, Enum):
    UPHELD = "upheld"
    OVERTURNED = "overturned"
    WITHDRAWN = "withdrawn"


class EnquiryKind(str, Enum):
    MEMBER = "member"  # an elected member's enquiry
    COMPLAINT = "complaint"


class ActorKind(str, Enum):
    STAFF = "staff"
    APPLICANT = "applicant"
    PROVIDER_API = "provider_api"
    SYSTEM = "system"


class PasswordLinkPurpose(str, Enum):
    INVITATION = "invitation"  # a new member of staff, invited by the system administrator
    GIVEN = "given"  # made by an officer for a household to set its password
    RESET = "reset"  # asked for on a forgotten-password page


class Channel(str, Enum):
    LETTER = "letter"
    EMAIL = "email"
    SMS = "sms"


class OutboxStatus(str, Enum):
    PENDING = "pending"  # waiting for the dispatcher (or for a retry after a temporary failure)
    SENDING = "sending"  # claimed by a dispatcher: handed to the carrier, not yet confirmed
    SENT = "sent"  # the carrier accepted it
    DELIVERED = "delivered"  # the carrier's receipt says it arrived
    FAILED = "failed"  # will not be sent: an officer has to act (see the message's failure)


class AssessmentKind(str, Enum):
    MEDICAL = "medical"
    OCCUPATIONAL_THERAPY = "occupational_therapy"
    WELFARE = "welfare"
    PANEL = "panel"


class PanelKind(str, Enum):
    """The panels a case is referred to: each weighs the evidence and recommends, and its decision is applied."""

    MEDICAL = "medical"
    WELFARE = "welfare"
    OCCUPATIONAL_THERAPY = "occupational_therapy"


class PanelStatus(str, Enum):
    REFERRED = "referred"  # waiting for its panel (one may be arranged)
    DECIDED = "decided"  # the panel's decision is applied to the case and the household told


class CheckKind(str, Enum):
    HOUSING_DEBT = "housing_debt"
    AFFORDABILITY = "affordability"
    FRAUD = "fraud"


class OnlineKind(str, Enum):
    """What a household sends online: an application to join the register, or a change to one it is on."""

    APPLICATION = "application"
    CHANGE = "change"


class OnlineStatus(str, Enum):
    DRAFT = "draft"  # being filled in; kept for the scheme's draft days after it was last saved
    SUBMITTED = "submitted"  # in the officers' queue
    EVIDENCE_REQUESTED = "evidence_requested"  # an officer asked for more; the household can upload it
    ACCEPTED = "accepted"  # on the register with a band (a change: assessed and the band set again)
    REFUSED = "refused"  # not eligible, or not a qualifying person: the letter says why


class OfferCheckKind(str, Enum):
    """The checks made on a shortlist place before its household is offered the home (cbl/rules/pre_offer_checks.py)."""

    VERIFICATION = "verification"  # the household's circumstances checked against the advert
    FRAUD = "fraud"  # identity, residence and tenancy-fraud checks


class ImportStatus(str, Enum):
    CHECKING = "checking"  # the file is being read and checked, nothing written
    REFUSED = "refused"  # the check found problems: nothing can be written
    CHECKED = "checked"  # the file would import: waiting for a manager to confirm
    IMPORTING = "importing"
    DONE = "done"
    FAILED = "failed"  # stopped by a fault or by problems found while importing: nothing written


class ExchangeTenancy(str, Enum):
    """The tenancy a household offering a mutual exchange holds (cbl/rules/exchange_listings.py says who may list)."""

    SECURE = "secure"  # a council's secure tenancy: Housing Act 1985 s92
    FLEXIBLE = "flexible"  # a council's flexible tenancy, which is a secure tenancy (HA 1985 s107A)
    ASSURED = "assured"  # a provider's assured tenancy: the exchange right in its tenancy agreement
    INTRODUCTORY_OR_STARTER = "introductory_or_starter"  # a trial tenancy: no right to exchange


class ListingStatus(str, Enum):
    ACTIVE = "active"  # in the pool the matcher reads
    MATCHED = "matched"  # in a live match: out of the pool until the match ends
    WITHDRAWN = "withdrawn"  # taken off by the household
    CLOSED = "closed"  # the exchange took effect, or the household's landlord refused it


class ExchangeMatchStatus(str, Enum):
    PROPOSED = "proposed"  # waiting for every household to say whether it is interested
    WITH_LANDLORDS = "with_landlords"  # all interested: each household's application for its landlord's consent
    AGREED = "agreed"  # every landlord consented (or may no longer refuse, s92(4))
    ENDED = "ended"  # a household was not interested, or a landlord refused
    COMPLETED = "completed"  # the assignments took effect


class ConsentDecision(str, Enum):
    """A landlord's answer to one household's application for consent to assign by way of exchange."""

    PENDING = "pending"
    CONSENTED = "consented"
    REFUSED = "refused"  # on Schedule 3 grounds, by a notice within the 42 days (s92(4))
    UNREFUSABLE = "unrefusable"  # the 42 days passed without a notice: it may no longer be refused (s92(4))
