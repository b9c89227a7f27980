"""The fast reader (msgspec, typed) accepts exactly what the careful reader accepts, with the
same values, and refuses the rest with the careful reader's message naming the record."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from matching import InstanceError, load_instance, read_instance

from .test_cli import INSTANCE

# Values that are right for some fields and wrong for others, or wrong in ways a typed decoder
# could let through: empty text, a float that is a whole number, true for 1, a date with a week
# number, a negative number, a number past 64 bits, null for a list, a list holding an empty name.
AWKWARD = [
    None, "", "x", "A", "E", 0, 1, -1, 2.0, 0.5, 1.5, True, False, 10**30, [], [""], ["x"], ["step_free"], {},
    {"x": 1}, "2025-03-03", "2025-02-29", "2025-W01-1", "20250303", "2025-03-03T00:00:00", "HR-1", "AD-1", 3,
    ["band"], ["A", "A"], {"max_bedroom_need": None}, {"step_free": None}, {"min_age": -1},
    [{"group": "homeless", "min_share": 1}], [{"group": "", "min_share": 0.5}],
]  # fmt: skip
SECTIONS = ["applicants", "adverts", "bids", "agreements"]
FIELDS = [
    "id", "band", "band_date", "registration_date", "bedroom_need", "household_size", "age", "needs",
    "local_connection", "groups", "points", "status", "bedrooms", "area", "landlord", "criteria",
    "preference_groups", "agreement", "applicant", "advert", "preference", "quotas", "unknown",
]  # fmt: skip


def string_ids() -> dict:
    """The command-line tests' instance with its one integer id written as a string: a file the
    fast reader reads alone."""
    data = json.loads(json.dumps(INSTANCE))
    data["applicants"][2]["id"] = "3"
    data["adverts"][1]["by_registration_date"] = False
    for bid in data["bids"]:
        bid["applicant"] = str(bid["applicant"])
    return data


def outcome(read, data):
    try:
        return read(data)
    except InstanceError as error:
        return f"error: {error}"


@st.composite
def changed_instances(draw):
    data = string_ids()
    for _ in range(draw(st.integers(0, 3))):
        section = draw(st.sampled_from([*SECTIONS, "policy"]))
        if section == "policy":
            data["policy"][draw(st.sampled_from(["bands", "tie_breakers", "other"]))] = draw(st.sampled_from(AWKWARD))
            continue
        record = data[section][draw(st.integers(0, len(data[section]) - 1))]
        field = draw(st.sampled_from(FIELDS))
        if draw(st.booleans()) and field in record:
            del record[field]
        else:
            record[field] = draw(st.sampled_from(AWKWARD))
    if draw(st.integers(0, 4)) == 0:
        data[draw(st.sampled_from(["policy", "agreements", "applicants", "extra"]))] = draw(st.sampled_from(AWKWARD))
    return data


def single_changes():
    """Every field of one record of each kind (and the policy, the quota and the top level) set to
    every awkward value, or removed, or an unknown field added: about 1,300 files."""
    base = string_ids()
    places = [
        ("applicants", 0), ("adverts", 1), ("bids", 0), ("agreements", 0), ("policy", None), (None, None),
    ]  # fmt: skip
    for section, i in places:
        record = base if section is None else base[section] if i is None else base[section][i]
        for field in [*record, "unknown"]:
            for value in [*AWKWARD, REMOVE]:
                data = json.loads(json.dumps(base))
                target = data if section is None else data[section] if i is None else data[section][i]
                if value is REMOVE:
                    target.pop(field, None)
                else:
                    target[field] = value
                yield data
    for value in AWKWARD:
        data = json.loads(json.dumps(base))
        data["agreements"][0]["quotas"][0]["min_share"] = value
        yield data
        data = json.loads(json.dumps(base))
        data["adverts"][1]["criteria"]["min_bedroom_need"] = value
        yield data


REMOVE = object()


def test_each_single_change_is_read_alike_by_both_readers():
    accepted = 0
    for data in single_changes():
        text = json.dumps(data).encode()
        expected = outcome(load_instance, json.loads(text))
        assert outcome(read_instance, text) == expected, text
        accepted += not isinstance(expected, str)
    assert accepted > 100  # many changes are allowed: the fast reader's acceptance is tested too


@settings(max_examples=60, deadline=None)
@given(changed_instances())
def test_the_fast_reader_agrees_with_the_careful_one(data):
    text = json.dumps(data).encode()
    expected = outcome(load_instance, json.loads(text))
    assert outcome(read_instance, text) == expected
    assert outcome(read_instance, text.decode()) == expected


def test_a_valid_file_is_read_by_the_fast_reader_alone(monkeypatch):
    import matching.io

    def careful(data):
        raise AssertionError("the careful reader was used")

    monkeypatch.setattr(matching.io, "_load_instance", careful)
    instance = read_instance(json.dumps(string_ids()).encode())
    assert [a.id for a in instance.applicants] == ["HR-1", "HR-2", "3"]
    assert instance.adverts[1].criteria.step_free
