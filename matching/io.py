"""The JSON file format (documented in matching/README.md): reading instances, writing results.

Reading is strict: an unknown field, a wrong type or a bad date is an error that names the record,
because a mistyped criterion silently ignored would change who is offered a home.

There are two readers. ``read_instance`` (a file's bytes) decodes with msgspec straight into the
engine's types, whose fields and limits are the format's: a 150,000-applicant cycle in well under
a second. msgspec's own messages give a path (``$.bids[17].advert``), not the record, and it
refuses a few things the format allows (integer ids, null for an empty list), so whenever it
refuses a file the careful reader below reads it again: it accepts exactly what the format allows
and names the record at fault. Everything the fast reader accepts, the careful one accepts with
the same values (tests/matching/test_reading.py checks it), so both give the same instance and the
same errors. ``load_instance`` (JSON-shaped Python data) is the careful reader alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import msgspec

from .collector import collector_paused
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
)

INSTANCE_KEYS = {"applicants", "adverts", "bids", "policy", "agreements"}
APPLICANT_KEYS = {
    "id", "band", "band_date", "registration_date", "bedroom_need", "household_size", "age",
    "needs", "local_connection", "groups", "points", "status",
}  # fmt: skip
ADVERT_KEYS = {
    "id", "bedrooms", "area", "landlord", "criteria", "preference_groups", "agreement", "by_registration_date",
}  # fmt: skip
CRITERIA_INT_KEYS = ("min_bedroom_need", "max_bedroom_need", "min_household", "max_household", "min_age")
CRITERIA_BOOL_KEYS = ("step_free", "wheelchair", "transfer_only")
BID_KEYS = {"applicant", "advert", "preference"}
POLICY_KEYS = {"bands", "tie_breakers"}
AGREEMENT_KEYS = {"id", "quotas"}
QUOTA_KEYS = {"group", "min_share"}


EMPTY: frozenset[str] = frozenset()

# A JSON object, as json.load returns it or as the writers below make it. Its values are Any:
# on reading nothing is known of them until the reader of each field checks it (and names the
# record when it is wrong); on writing they are of many JSON types.
Record = dict[str, Any]
T = TypeVar("T")


class _FieldError(Exception):
    pass


# --- reading ------------------------------------------------------------------------------------


class _InstanceFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The top level of a file, as decoded (the checks of ``Instance`` run when it is made)."""

    applicants: tuple[Applicant, ...]
    adverts: tuple[Advert, ...]
    bids: tuple[Bid, ...]
    policy: Policy = Policy()
    agreements: tuple[Agreement, ...] = ()


_DECODER = msgspec.json.Decoder(_InstanceFile)


def read_instance(raw: bytes | str) -> Instance:
    """An Instance from the text of a JSON file; raises InstanceError naming the offending
    record, or json.JSONDecodeError (or UnicodeDecodeError) if it is not JSON at all."""
    with collector_paused():
        try:
            file = _DECODER.decode(raw)
        except (msgspec.ValidationError, msgspec.DecodeError):
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            return _load_instance(json.loads(text))
        return Instance(file.applicants, file.adverts, file.bids, file.policy, file.agreements)


def load_instance(data: object) -> Instance:
    """An Instance from JSON data (anything json.load returns: every part is checked);
    raises InstanceError naming the offending record."""
    with collector_paused():
        return _load_instance(data)


def _load_instance(data: object) -> Instance:
    if not isinstance(data, dict):
        raise InstanceError("the instance must be a JSON object with applicants, adverts and bids")
    try:
        _no_unknown_keys(data, INSTANCE_KEYS, "the instance")
    except _FieldError as error:
        raise InstanceError(str(error)) from None
    for key in ("applicants", "adverts", "bids"):
        if not isinstance(data.get(key), list):
            raise InstanceError(f"the instance needs a list {key!r}")
    policy = _read_policy(data.get("policy"))
    agreements = tuple(_read_all(data.get("agreements", []), "agreements", _read_agreement))
    applicants = tuple(_read_all(data["applicants"], "applicants", _read_applicant))
    adverts = tuple(_read_all(data["adverts"], "adverts", _read_advert))
    bids = tuple(_read_all(data["bids"], "bids", _read_bid))
    return Instance(applicants, adverts, bids, policy, agreements)


def _read_all(records: object, name: str, read: Callable[[Record], T]) -> list[T]:
    if not isinstance(records, list):
        raise InstanceError(f"{name} must be a list")
    out = []
    for i, record in enumerate(records):
        try:
            if not isinstance(record, dict):
                raise _FieldError("must be a JSON object")
            out.append(read(record))
        except _FieldError as error:
            raise InstanceError(f"{name}[{i}]{_describe(name, record)}: {error}") from None
    return out


def _describe(name: str, record: object) -> str:
    if not isinstance(record, dict):
        return ""
    if name == "bids":
        return f" (applicant {_show(record.get('applicant'))}, advert {_show(record.get('advert'))})"
    return f" ({_show(record.get('id'))})" if "id" in record else ""


def _show(value: object) -> str:
    return repr(str(value)) if isinstance(value, (str, int)) and not isinstance(value, bool) else repr(value)


def _read_applicant(r: Record) -> Applicant:
    _no_unknown_keys(r, APPLICANT_KEYS)
    points = r.get("points")
    return Applicant(
        id=_id(r, "id"),
        band=_text(r, "band"),
        band_date=_date(r, "band_date"),
        registration_date=_date(r, "registration_date"),
        bedroom_need=_int(r, "bedroom_need", minimum=0),
        household_size=_int(r, "household_size", minimum=1),
        age=_int(r, "age", minimum=0),
        needs=_names(r, "needs"),
        local_connection=_names(r, "local_connection"),
        groups=_names(r, "groups"),
        points=None if points is None else _int(r, "points", minimum=None),
        status=_text(r, "status") if "status" in r else "active",
    )


def _read_advert(r: Record) -> Advert:
    _no_unknown_keys(r, ADVERT_KEYS)
    criteria = r.get("criteria") or {}
    if not isinstance(criteria, dict):
        raise _FieldError("criteria must be a JSON object")
    _no_unknown_keys(criteria, set(CRITERIA_INT_KEYS) | set(CRITERIA_BOOL_KEYS), "criteria")
    values: dict[str, Any] = {}
    for key in CRITERIA_INT_KEYS:
        if criteria.get(key) is not None:
            values[key] = _int(criteria, key, minimum=0, label=f"criteria {key}")
    for key in CRITERIA_BOOL_KEYS:
        if key in criteria:
            if not isinstance(criteria[key], bool):
                raise _FieldError(f"criteria {key} must be true or false, got {criteria[key]!r}")
            values[key] = criteria[key]
    groups = r.get("preference_groups", [])
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise _FieldError("preference_groups must be a list of strings")
    agreement = r.get("agreement")
    by_registration_date = r.get("by_registration_date", False)
    if not isinstance(by_registration_date, bool):
        raise _FieldError(f"by_registration_date must be true or false, got {by_registration_date!r}")
    return Advert(
        id=_id(r, "id"),
        bedrooms=_int(r, "bedrooms", minimum=0),
        area=_text(r, "area") if "area" in r else "",
        landlord=_text(r, "landlord") if "landlord" in r else "",
        criteria=Criteria(**values),
        preference_groups=tuple(groups),
        agreement=None if agreement is None else _id(r, "agreement"),
        by_registration_date=by_registration_date,
    )


def _read_bid(r: Record) -> Bid:
    # The common case checked in one go (a cycle has hundreds of thousands of bids).
    if r.keys() == BID_KEYS:
        applicant, advert, preference = r["applicant"], r["advert"], r["preference"]
        if type(applicant) is str and applicant and type(advert) is str and advert and type(preference) is int:
            if preference >= 1:
                return Bid(applicant, advert, preference)
    _no_unknown_keys(r, BID_KEYS)
    return Bid(_id(r, "applicant"), _id(r, "advert"), _int(r, "preference", minimum=1))


def _read_policy(data: object) -> Policy:
    if data is None:
        return Policy()
    if not isinstance(data, dict):
        raise InstanceError("policy must be a JSON object")
    try:
        _no_unknown_keys(data, POLICY_KEYS, "policy")
    except _FieldError as error:
        raise InstanceError(str(error)) from None
    values = {}
    for key in ("bands", "tie_breakers"):
        if key in data:
            if not isinstance(data[key], list) or not all(isinstance(v, str) for v in data[key]):
                raise InstanceError(f"policy: {key} must be a list of strings")
            values[key] = tuple(data[key])
    return Policy(**values)


def _read_agreement(r: Record) -> Agreement:
    _no_unknown_keys(r, AGREEMENT_KEYS)
    quotas = r.get("quotas", [])
    if not isinstance(quotas, list):
        raise _FieldError("quotas must be a list")
    read = []
    for j, q in enumerate(quotas):
        if not isinstance(q, dict):
            raise _FieldError(f"quotas[{j}] must be a JSON object")
        _no_unknown_keys(q, QUOTA_KEYS, f"quotas[{j}]")
        share = q.get("min_share")
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise _FieldError(f"quotas[{j}] min_share must be a number from 0 to 1, got {share!r}")
        read.append(Quota(_text(q, "group", label=f"quotas[{j}] group"), float(share)))
    return Agreement(_id(r, "id"), tuple(read))


def _no_unknown_keys(r: Record, allowed: set[str], where: str | None = None) -> None:
    if not r.keys() <= allowed:
        unknown = sorted(set(r) - allowed)
        message = f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}"
        raise _FieldError(f"{where}: {message}" if where else message)


def _id(r: Record, key: str) -> str:
    value = r.get(key)
    if type(value) is str and value:
        return value
    if type(value) is int:
        return str(value)
    raise _FieldError(f"{key} must be a non-empty string or an integer, got {value!r}")


def _text(r: Record, key: str, label: str | None = None) -> str:
    value = r.get(key)
    if type(value) is str and value:
        return value
    raise _FieldError(f"{label or key} must be a non-empty string, got {value!r}")


def _int(r: Record, key: str, minimum: int | None, label: str | None = None) -> int:
    value = r.get(key)
    if type(value) is int and (minimum is None or value >= minimum):
        return value
    wanted = "an integer" if minimum is None else f"an integer of at least {minimum}"
    raise _FieldError(f"{label or key} must be {wanted}, got {value!r}")


def _date(r: Record, key: str) -> date:
    value = r.get(key)
    if type(value) is str and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _FieldError(f"{key} must be an ISO date (YYYY-MM-DD), got {value!r}")


def _names(r: Record, key: str) -> frozenset[str]:
    value = r.get(key)
    if not value:
        if value is None or value == []:
            return EMPTY
    elif type(value) is list:
        for v in value:
            if type(v) is not str or not v:
                break
        else:
            return frozenset(value)
    raise _FieldError(f"{key} must be a list of non-empty strings, got {value!r}")


# --- writing ------------------------------------------------------------------------------------


def instance_to_json(instance: Instance) -> Record:
    """The JSON form of an instance (what load_instance reads back)."""
    return {
        "applicants": [
            {
                "id": a.id,
                "band": a.band,
                "band_date": a.band_date.isoformat(),
                "registration_date": a.registration_date.isoformat(),
                "bedroom_need": a.bedroom_need,
                "household_size": a.household_size,
                "age": a.age,
                "needs": sorted(a.needs),
                "local_connection": sorted(a.local_connection),
                "groups": sorted(a.groups),
                **({"points": a.points} if a.points is not None else {}),
                "status": a.status,
            }
            for a in instance.applicants
        ],
        "adverts": [
            {
                "id": h.id,
                "bedrooms": h.bedrooms,
                "area": h.area,
                "landlord": h.landlord,
                "criteria": _criteria_json(h.criteria),
                "preference_groups": list(h.preference_groups),
                "agreement": h.agreement,
                **({"by_registration_date": True} if h.by_registration_date else {}),
            }
            for h in instance.adverts
        ],
        "bids": [{"applicant": b.applicant, "advert": b.advert, "preference": b.preference} for b in instance.bids],
        "policy": {"bands": list(instance.policy.bands), "tie_breakers": list(instance.policy.tie_breakers)},
        "agreements": [
            {"id": g.id, "quotas": [{"group": q.group, "min_share": q.min_share} for q in g.quotas]}
            for g in instance.agreements
        ],
    }


def _criteria_json(criteria: Criteria) -> Record:
    out: dict[str, Any] = {}
    for key in CRITERIA_INT_KEYS:
        if getattr(criteria, key) is not None:
            out[key] = getattr(criteria, key)
    for key in CRITERIA_BOOL_KEYS:
        if getattr(criteria, key):
            out[key] = True
    return out


def result_to_json(result: CycleResult) -> Record:
    """The result as JSON-ready plain data (dicts, lists, strings, numbers): what the file holds."""
    return msgspec.json.decode(encode_result(result))  # type: ignore[no-any-return]


def encode_result(result: CycleResult) -> bytes:
    """The result as JSON text (UTF-8), as ``python -m matching solve`` writes it. The shortlist
    entries are encoded as they are (their fields are the format's), not copied into dicts first."""
    return _ENCODER.encode(_result_document(result))


_ENCODER = msgspec.json.Encoder()


def _result_document(result: CycleResult) -> Record:
    return {
        "status": result.status,
        "allocation": [{"advert": h, "applicant": a} for h, a in result.allocation.items()],
        "shortlists": [
            {"advert": h, "designated_for": result.designated.get(h), "entries": entries}
            for h, entries in result.shortlists.items()
        ],
        "quota_shortfalls": result.quota_shortfalls,
        "designated": [{"advert": h, "group": g} for h, g in result.designated.items()],
        "timings": {k: round(v, 4) for k, v in result.timings.items()},
        "stats": result.stats,
    }
