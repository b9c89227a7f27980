"""The bridge between the register's tables and the engine's plain data (matching/)."""

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from itertools import product
from operator import attrgetter

import sqlalchemy as sa

import matching
from cbl.database import read_json
from cbl.rules.bedroom_need import age_on
from cbl.models import Advert, AgreementQuota, Applicant, Property
from cbl.models.states import ApplicationStatus
from cbl.rules.scheme import Scheme

# The flags an officer records, as the group names the engine and the scheme's preference groups use.
GROUP_FLAGS = {"homeless": "homeless_duty", "transfer": "transfer_tenant", "housing_debt": "housing_debt"}

# The applicant's columns to_applicant reads. A live ranking reads them for every bidder on an
# advert, and a close for every bidder in the cycle, so they select these and not the whole row (contact
# details, password hash and all).
RANKED_COLUMNS = ("id", "reference", "status", "band", "band_date", "registration_date", "bedroom_need",
                  "household_size", "lead_date_of_birth", "needs", "local_connection", "points", "suspended_until",
                  *GROUP_FLAGS.values())
_JSON_LISTS = ("needs", "local_connection")


def ranked_columns() -> list[sa.ColumnElement]:
    """RANKED_COLUMNS to select, the JSON lists as their text: to_applicant decodes each distinct text once
    (a register has a few dozen), where reading them as JSON decoded two for every household."""
    columns = Applicant.__table__.c
    return [sa.cast(columns[name], sa.Text).label(name) if name in _JSON_LISTS else columns[name]
            for name in RANKED_COLUMNS]


def policy(scheme: Scheme) -> matching.Policy:
    return matching.Policy(bands=tuple(scheme.bands.order), tie_breakers=tuple(scheme.ranking.tie_breakers))


# Each combination of the flags as its set of groups, made once: every record of a flag combination shares it.
_GROUP_SETS = {flags: frozenset(group for group, on in zip(GROUP_FLAGS, flags, strict=True) if on)
               for flags in product((False, True), repeat=len(GROUP_FLAGS))}


_flags = attrgetter(*GROUP_FLAGS.values())


def applicant_groups(applicant: Applicant) -> frozenset[str]:
    return _GROUP_SETS[_flags(applicant)]


@lru_cache(maxsize=4096)
def _shared_set(values: tuple[str, ...]) -> frozenset[str]:
    """One frozenset for each distinct list of needs or areas (a register has a few dozen): a record
    holds the shared one, not its own 216 bytes, when thousands are memoised or a cycle is closed."""
    return frozenset(values)


@lru_cache(maxsize=4096)
def _shared_set_of_text(text: str) -> frozenset[str]:
    return _shared_set(tuple(read_json(text)))


def _as_set(values: list[str] | str) -> frozenset[str]:
    """A list of needs or areas, as read from the model or as its JSON text (ranked_columns)."""
    return _shared_set_of_text(values) if isinstance(values, str) else _shared_set(tuple(values))


def to_applicant(applicant: Applicant, scheme: Scheme, today: date) -> matching.Applicant:
    # Only an active, banded application can be ranked; the engine reports anything else as not active.
    # A household suspended from bidding (an officer's suspension or a refusal penalty) keeps its bids, but
    # they are not ranked until the suspension ends.
    order = scheme.bands.order
    band, status, until = applicant.band, applicant.status, applicant.suspended_until
    born = applicant.lead_date_of_birth
    suspended = until is not None and until > today
    banded = band in order
    active = status is ApplicationStatus.ACTIVE and banded and not suspended
    return matching.Applicant(
        id=applicant.reference,
        band=band if banded else order[-1],
        band_date=applicant.band_date or applicant.registration_date,
        registration_date=applicant.registration_date,
        bedroom_need=applicant.bedroom_need,
        household_size=applicant.household_size,
        age=age_on(born, today) if born else 0,
        needs=_as_set(applicant.needs),
        local_connection=_as_set(applicant.local_connection),
        groups=applicant_groups(applicant),
        points=applicant.points,
        status="active" if active else "suspended" if suspended else status.value,
    )


def to_advert(advert: Advert, home: Property, landlord_code: str) -> matching.Advert:
    return matching.Advert(
        id=advert.reference,
        bedrooms=home.bedrooms,
        area=home.area,
        landlord=landlord_code,
        criteria=matching.Criteria(
            min_bedroom_need=advert.min_bedroom_need, max_bedroom_need=advert.max_bedroom_need,
            min_household=advert.min_household, max_household=advert.max_household, min_age=advert.min_age,
            step_free=advert.step_free_only, wheelchair=advert.wheelchair_only, transfer_only=advert.transfer_only,
        ),
        preference_groups=tuple(advert.preference_groups),
        agreement=str(advert.agreement_id) if advert.agreement_id else None,
        by_registration_date=advert.by_registration_date,
    )


def to_agreements(agreement_ids: Iterable[int], quotas: Iterable[AgreementQuota]) -> tuple[matching.Agreement, ...]:
    """Every agreement the adverts fall under, with its group quotas (often none)."""
    by_agreement: dict[int, list[matching.Quota]] = {agreement: [] for agreement in agreement_ids}
    for quota in quotas:
        by_agreement.setdefault(quota.agreement_id, []).append(matching.Quota(quota.group, quota.min_share_pct / 100))
    return tuple(matching.Agreement(str(agreement), tuple(q)) for agreement, q in sorted(by_agreement.items()))
