"""The database tables. Importing this package registers every table on `SQLModel.metadata`."""

from sqlmodel import SQLModel

# Stable constraint names, so that Alembic migrations name the same things on every database.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

from .access import (  # noqa: E402
    ApiToken, PasswordLink, StaffRecoveryCode, StaffSecondFactor, Throttle, WebSession,
)
from .applying import EvidenceFile, HouseholdAccount, OnlineApplication  # noqa: E402
from .core import CoreLog  # noqa: E402
from .equality import EqualityAnswers  # noqa: E402
from .exchanges import ExchangeListing, ExchangeMatch, ExchangeMember  # noqa: E402
from .imports import ImportRun  # noqa: E402
from .lettings import Advert, Bid, Cycle, ShortlistEntry  # noqa: E402
from .moves import (  # noqa: E402
    DecantHousehold, DownsizingMark, MovePayment, PaymentReceipt, RegenerationScheme, SocialTenancy,
)
from .nominations import AgreementQuota, Nomination, NominationAgreement  # noqa: E402
from .offers import DirectOfferRequest, Offer, PreOfferCheck, Refusal, SuitabilityAssessment  # noqa: E402
from .organisations import Organisation, StaffUser  # noqa: E402
from .panels import PanelDecision, PanelEvidence, PanelMember, PanelReferral  # noqa: E402
from .records import AuditEvent, ContactPreference, OutboxMessage, ReceivedText  # noqa: E402
from .register import (  # noqa: E402
    Applicant,
    Assessment,
    BandAssessment,
    BiddingPreference,
    CaseCheck,
    CaseNote,
    HouseholdMember,
    RegistrationBackdating,
)
from .reviews import Enquiry, Review  # noqa: E402
from .search_keys import listen as _keep_search_keys_in_step  # noqa: E402
from .states import *  # noqa: E402,F403
from .stock import Property, Void  # noqa: E402
from .viewings import Viewing, ViewingInvitation  # noqa: E402

metadata = SQLModel.metadata
_keep_search_keys_in_step(Applicant, HouseholdMember, Property)

__all__ = [
    "ApiToken", "PasswordLink", "StaffRecoveryCode", "StaffSecondFactor", "Throttle", "WebSession",
    "Advert", "AgreementQuota", "ImportRun", "Applicant", "Assessment", "AuditEvent", "BandAssessment", "Bid",
    "BiddingPreference", "CaseCheck", "CaseNote", "ContactPreference", "CoreLog", "Cycle", "DirectOfferRequest",
    "Enquiry", "EqualityAnswers",
    "ExchangeListing", "ExchangeMatch", "ExchangeMember", "EvidenceFile", "HouseholdAccount", "HouseholdMember",
    "Nomination",
    "OnlineApplication", "NominationAgreement", "Offer", "Organisation", "OutboxMessage", "PanelDecision",
    "PanelEvidence", "PanelMember", "PanelReferral", "PreOfferCheck", "Property", "ReceivedText",
    "Refusal",
    "RegistrationBackdating", "Review",
    "DecantHousehold", "DownsizingMark", "MovePayment", "PaymentReceipt", "RegenerationScheme", "SocialTenancy",
    "ShortlistEntry", "StaffUser", "SuitabilityAssessment", "Viewing", "ViewingInvitation", "Void", "metadata",
]
