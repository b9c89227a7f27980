"""Checks that a cycle hangs together: references resolve, preferences are unique, bands and
preference groups are ones the engine understands. Each error names the record at fault."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .types import PREFERENCE_GROUP_KINDS, InstanceError

if TYPE_CHECKING:
    from .types import Advert, Instance


def check_instance(instance: Instance) -> None:
    agreement_ids = _check_agreements(instance)
    advert_ids = _check_adverts(instance, agreement_ids)
    applicant_ids = _check_applicants(instance)
    if not _bids_hold(instance):
        _find_bad_bid(instance, applicant_ids, advert_ids)


def _check_agreements(instance: Instance) -> set[str]:
    seen: set[str] = set()
    for i, agreement in enumerate(instance.agreements):
        where = f"agreements[{i}] ({agreement.id!r})"
        if agreement.id in seen:
            raise InstanceError(f"{where}: duplicate agreement id {agreement.id!r}")
        seen.add(agreement.id)
        for quota in agreement.quotas:
            if not quota.group:
                raise InstanceError(f"{where}: a quota has no group")
            if not 0 <= quota.min_share <= 1:
                raise InstanceError(
                    f"{where}: quota for {quota.group!r} has min_share {quota.min_share}; it must be between 0 and 1"
                )
    return seen


def _check_adverts(instance: Instance, agreement_ids: set[str]) -> set[str]:
    seen: set[str] = set()
    for i, advert in enumerate(instance.adverts):
        where = f"adverts[{i}] ({advert.id!r})"
        if advert.id in seen:
            raise InstanceError(f"{where}: duplicate advert id {advert.id!r}")
        seen.add(advert.id)
        if advert.agreement is not None and advert.agreement not in agreement_ids:
            raise InstanceError(f"{where}: unknown agreement {advert.agreement!r}")
        problem = advert_problem(advert)
        if problem:
            raise InstanceError(f"{where}: {problem}")
    return seen


def advert_problem(advert: Advert) -> str | None:
    """What is wrong with an advert's own fields, or None."""
    criteria = advert.criteria
    for low, high in (("min_bedroom_need", "max_bedroom_need"), ("min_household", "max_household")):
        lo, hi = getattr(criteria, low), getattr(criteria, high)
        if lo is not None and hi is not None and lo > hi:
            return f"criteria {low} ({lo}) is greater than {high} ({hi})"
    for group in advert.preference_groups:
        kind, _, name = group.partition(":")
        if kind not in PREFERENCE_GROUP_KINDS or not name:
            return (
                f"preference group {group!r} is not one of "
                + ", ".join(f"'{k}:NAME'" for k in PREFERENCE_GROUP_KINDS)
            )
    return None


def _check_applicants(instance: Instance) -> set[str]:
    applicants = instance.applicants
    ids = {a.id for a in applicants}
    bands = set(instance.policy.bands)
    needs_points = "points" in instance.policy.tie_breakers
    # The common case checked in bulk (a cycle has 150,000 applicants); the loop below finds
    # and names the first record at fault.
    if (
        len(ids) == len(applicants)
        and {a.band for a in applicants} <= bands
        and not (needs_points and any(a.points is None for a in applicants))
    ):
        return ids
    seen: set[str] = set()
    for i, applicant in enumerate(applicants):
        if applicant.id in seen:
            raise InstanceError(f"applicants[{i}] ({applicant.id!r}): duplicate applicant id {applicant.id!r}")
        seen.add(applicant.id)
        if applicant.band not in bands:
            raise InstanceError(
                f"applicants[{i}] ({applicant.id!r}): band {applicant.band!r} is not one of the policy's bands "
                f"{list(instance.policy.bands)}"
            )
        if needs_points and applicant.points is None:
            raise InstanceError(
                f"applicants[{i}] ({applicant.id!r}): the policy ranks by points but this applicant has none"
            )
    return seen


def _bids_hold(instance: Instance) -> bool:
    """Whether every bid is sound, checked in bulk (a cycle has 450,000 bids): applicants and
    adverts are numbered and pairs coded as integers, whose sets are several times quicker to
    make than sets of pairs of strings."""
    bids = instance.bids
    preferences = [b.preference for b in bids]
    if preferences and min(preferences) < 1:
        return False
    applicant_number = {a.id: n for n, a in enumerate(instance.applicants)}
    advert_number = {h.id: n for n, h in enumerate(instance.adverts)}
    try:
        applicants = [applicant_number[b.applicant] for b in bids]
        adverts = [advert_number[b.advert] for b in bids]
    except KeyError:
        return False
    most, count = max(preferences, default=0) + 1, len(advert_number)
    choices = {a * most + p for a, p in zip(applicants, preferences, strict=True)}
    pairs = {a * count + h for a, h in zip(applicants, adverts, strict=True)}
    return len(choices) == len(pairs) == len(bids)


def _find_bad_bid(instance: Instance, applicant_ids: set[str], advert_ids: set[str]) -> None:
    """Raise the error naming the first bid at fault."""
    preferences_seen: set[tuple[str, int]] = set()
    pairs_seen: set[tuple[str, str]] = set()
    for i, bid in enumerate(instance.bids):
        applicant, advert, preference = bid.applicant, bid.advert, bid.preference
        pair, choice = (applicant, advert), (applicant, preference)
        if (
            applicant in applicant_ids
            and advert in advert_ids
            and preference >= 1
            and choice not in preferences_seen
            and pair not in pairs_seen
        ):
            preferences_seen.add(choice)
            pairs_seen.add(pair)
            continue
        where = f"bids[{i}] (applicant {applicant!r}, advert {advert!r})"
        if applicant not in applicant_ids:
            raise InstanceError(f"{where}: unknown applicant {applicant!r}")
        if advert not in advert_ids:
            raise InstanceError(f"{where}: unknown advert {advert!r}")
        if preference < 1:
            raise InstanceError(f"{where}: preference must be 1 or more, got {preference}")
        if choice in preferences_seen:
            raise InstanceError(f"{where}: duplicate preference {preference} for applicant {applicant!r}")
        raise InstanceError(f"{where}: applicant {applicant!r} already bid on advert {advert!r}")
