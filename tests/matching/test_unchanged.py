"""The engine's results do not change when its code is made faster.

tests/matching/data/*.json.gz each hold a generated cycle (matching.generate, varied: quotas or
none, bedroom-need and housing-debt tie-breakers, points, no tie-breaker at all, integer ids)
and the result the engine gave for it before issue 25 (at commit d0e023c: the JSON read with the
standard library, the old ranking). Every shortlist entry (order, positions, reasons and
explanations), the allocation, the designations, the shortfalls and the status must be the same,
read through the fast reader as the command line reads a file.
"""

import gzip
import json
from pathlib import Path

import pytest

from matching.io import encode_result, read_instance
from matching.solve import solve

DATA = Path(__file__).parent / "data"
CASES = sorted(DATA.glob("*.json.gz"))


@pytest.mark.parametrize("path", CASES, ids=[p.name.removesuffix(".json.gz") for p in CASES])
def test_every_shortlist_and_allocation_is_as_before(path):
    with gzip.open(path, "rt", encoding="utf-8") as file:
        case = json.load(file)
    result = solve(read_instance(json.dumps(case["instance"]).encode()), time_limit=60)
    written = json.loads(encode_result(result))
    del written["timings"]
    expected = case["result"]
    for mine, theirs in zip(written["shortlists"], expected["shortlists"], strict=True):
        assert mine == theirs, mine["advert"]
    assert written == expected


def test_there_are_cases():
    assert len(CASES) >= 6
