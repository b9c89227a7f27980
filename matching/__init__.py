"""The allocation engine of choice-based lettings: eligibility, explained shortlists and a
cycle-wide proposal. Plain data in, plain data out: only the standard library, msgspec (the
types and the JSON file format) and OR-Tools."""

from .deferred import deferred_acceptance
from .eligibility import eligibility
from .io import encode_result, instance_to_json, load_instance, read_instance
from .ranking import rank_advert
from .solve import solve
from .types import (
    Advert,
    Agreement,
    Applicant,
    Bid,
    Criteria,
    CycleResult,
    Instance,
    InstanceError,
    Policy,
    Quota,
    QuotaShortfall,
    Reason,
    ShortlistEntry,
)

__all__ = [
    "Advert",
    "Agreement",
    "Applicant",
    "Bid",
    "Criteria",
    "CycleResult",
    "Instance",
    "InstanceError",
    "Policy",
    "Quota",
    "QuotaShortfall",
    "Reason",
    "ShortlistEntry",
    "deferred_acceptance",
    "eligibility",
    "encode_result",
    "instance_to_json",
    "load_instance",
    "rank_advert",
    "read_instance",
    "solve",
]
