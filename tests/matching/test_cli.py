"""The file interface: python -m matching solve INSTANCE.json [-o RESULT.json]."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from matching import InstanceError, load_instance

ROOT = Path(__file__).resolve().parents[2]

INSTANCE = {
    "applicants": [
        {
            "id": "HR-1", "band": "A", "band_date": "2025-03-03", "registration_date": "2019-06-01",
            "bedroom_need": 1, "household_size": 1, "age": 40,
            "needs": [], "local_connection": ["Northgate"], "groups": ["homeless"],
        },
        {
            "id": "HR-2", "band": "B", "band_date": "2024-01-01", "registration_date": "2018-01-01",
            "bedroom_need": 2, "household_size": 3, "age": 30,
            "needs": ["step_free"], "local_connection": [], "groups": [],
        },
        {
            "id": 3, "band": "A", "band_date": "2025-03-01", "registration_date": "2020-01-01",
            "bedroom_need": 1, "household_size": 2, "age": 66,
            "needs": [], "local_connection": [], "groups": ["transfer"],
        },
    ],
    "adverts": [
        {
            "id": "AD-1", "bedrooms": 1, "area": "Northgate", "landlord": "Council",
            "criteria": {"max_bedroom_need": 1}, "preference_groups": ["local:Northgate"], "agreement": None,
        },
        {
            "id": "AD-2", "bedrooms": 2, "area": "Southbank", "landlord": "Harbour Homes",
            "criteria": {"min_bedroom_need": 1, "max_bedroom_need": 2, "step_free": True},
            "preference_groups": ["group:working"], "agreement": "NA-HARBOUR",
        },
        {
            "id": "AD-3", "bedrooms": 1, "area": "Southbank", "landlord": "Harbour Homes",
            "criteria": {"min_age": 60}, "preference_groups": [], "agreement": "NA-HARBOUR",
        },
    ],
    "bids": [
        {"applicant": "HR-1", "advert": "AD-1", "preference": 1},
        {"applicant": "HR-1", "advert": "AD-3", "preference": 2},
        {"applicant": "HR-2", "advert": "AD-2", "preference": 1},
        {"applicant": "HR-2", "advert": "AD-3", "preference": 2},
        {"applicant": 3, "advert": "AD-1", "preference": 1},
        {"applicant": "3", "advert": "AD-3", "preference": 2},
    ],
    "policy": {"bands": ["A", "B", "C", "D"], "tie_breakers": ["band", "band_date", "registration_date"]},
    "agreements": [{"id": "NA-HARBOUR", "quotas": [{"group": "homeless", "min_share": 0.5}]}],
}  # fmt: skip


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "matching", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def write(tmp_path, data, name="cycle.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_solving_a_file_writes_the_result_file(tmp_path):
    out = tmp_path / "result.json"
    completed = run("solve", str(write(tmp_path, INSTANCE)), "-o", str(out))
    assert completed.returncode == 0, completed.stderr
    result = json.loads(out.read_text())
    assert set(result) >= {"status", "allocation", "shortlists", "quota_shortfalls", "timings"}
    assert result["status"] == "optimal"
    assert result["allocation"] == [
        {"advert": "AD-1", "applicant": "HR-1"},
        {"advert": "AD-2", "applicant": "HR-2"},
        {"advert": "AD-3", "applicant": "3"},
    ]
    ad3 = next(s for s in result["shortlists"] if s["advert"] == "AD-3")
    assert [(e["applicant"], e["position"], e["eligible"]) for e in ad3["entries"]] == [
        ("3", 1, True), ("HR-1", None, False), ("HR-2", None, False),
    ]  # fmt: skip
    assert ad3["entries"][1]["reasons"][0]["code"] == "under_min_age"
    assert ad3["entries"][0]["explanation"].startswith("1st of 1 eligible bid.")
    # The only homeless bidder is too young for AD-3 and did not bid for AD-2: the agreement's
    # 50% cannot be met, and the shortfall is reported.
    assert result["quota_shortfalls"] == [
        {"agreement": "NA-HARBOUR", "group": "homeless", "required": 1, "achieved": 0, "shortfall": 1}
    ]
    assert "optimal" in completed.stderr


def test_without_an_output_file_the_result_goes_to_standard_output(tmp_path):
    completed = run("solve", str(write(tmp_path, INSTANCE)))
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["status"] == "optimal"


def broken(change) -> dict:
    data = json.loads(json.dumps(INSTANCE))
    change(data)
    return data


BAD_INPUTS = [
    (
        lambda d: d["bids"][2].update(advert="AD-5"),
        "bids[2] (applicant 'HR-2', advert 'AD-5'): unknown advert 'AD-5'",
    ),
    (
        lambda d: d["bids"][1].update(preference=1),
        "bids[1] (applicant 'HR-1', advert 'AD-3'): duplicate preference 1 for applicant 'HR-1'",
    ),
    (
        lambda d: d["applicants"][1].update(band_date="2025-13-01"),
        "applicants[1] ('HR-2'): band_date must be an ISO date (YYYY-MM-DD), got '2025-13-01'",
    ),
    (lambda d: d["bids"][0].update(applicant="HR-9"), "bids[0] (applicant 'HR-9', advert 'AD-1'): unknown applicant"),
    (lambda d: d["applicants"][0].update(band="E"), "applicants[0] ('HR-1'): band 'E' is not one of the policy's"),
    (lambda d: d["applicants"][2].update(id="HR-1"), "applicants[2] ('HR-1'): duplicate applicant id 'HR-1'"),
    (
        lambda d: d["adverts"][0]["criteria"].update(min_bedrooms=1),
        "adverts[0] ('AD-1'): criteria: unknown field 'min_bedrooms'",
    ),
    (lambda d: d["adverts"][1].update(agreement="NA-NONE"), "adverts[1] ('AD-2'): unknown agreement 'NA-NONE'"),
    (lambda d: d["adverts"][0].update(preference_groups=["near:X"]), "adverts[0] ('AD-1'): preference group 'near:X'"),
    (lambda d: d["applicants"][0].update(age="forty"), "applicants[0] ('HR-1'): age must be an integer"),
    (lambda d: d["policy"].update(tie_breakers=["band", "age"]), "policy: unknown tie-breaker 'age'"),
    (
        lambda d: d["agreements"][0]["quotas"][0].update(min_share=1.5),
        "agreements[0] ('NA-HARBOUR'): quotas[0] min_share must be a number from 0 to 1",
    ),
    (lambda d: d.pop("bids"), "the instance needs a list 'bids'"),
]


@pytest.mark.parametrize("change, message", BAD_INPUTS)
def test_bad_input_is_refused_with_a_message_naming_the_record(change, message):
    with pytest.raises(InstanceError) as raised:
        load_instance(broken(change))
    assert message in str(raised.value)


@pytest.mark.parametrize("change, message", BAD_INPUTS[:3])
def test_the_command_exits_non_zero_naming_the_record(tmp_path, change, message):
    completed = run("solve", str(write(tmp_path, broken(change))))
    assert completed.returncode != 0
    assert message in completed.stderr
    assert completed.stdout == ""


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "cycle.json"
    path.write_text("{not json")
    completed = run("solve", str(path))
    assert completed.returncode != 0 and "is not valid JSON" in completed.stderr


def test_an_instance_round_trips_through_json():
    from matching import instance_to_json

    instance = load_instance(INSTANCE)
    assert load_instance(json.loads(json.dumps(instance_to_json(instance)))) == instance
