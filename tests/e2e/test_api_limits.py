"""The JSON API declares its inputs' limits and lists in the schema and refuses what breaks them, naming the field."""

import pytest

from tests.e2e.test_offers_page import _offer
from tests.support.factories import PASSWORD


@pytest.fixture
def api(visitor, world):
    client = visitor.client
    token = client.post("/api/v1/tokens", json={"reference": "HR000001", "password": PASSWORD})
    client.headers["Authorization"] = f"Bearer {token.json()['token']}"
    return client


def _field_refused(answer, field: str) -> str:
    assert 400 <= answer.status_code < 500, answer.text
    details = answer.json()["error"].get("details")
    named = details if isinstance(details, list) else [details]
    hit = [d for d in named if d and (str(d.get("key", "")).startswith(field) or d.get("field") == field)]
    assert hit, answer.json()
    return str(hit[0].get("message", answer.json()["error"]["message"]))


def test_the_schema_declares_lengths_and_lists(visitor):
    schema = visitor.client.get("/api/v1/schema/openapi.json").json()
    refusal = schema["components"]["schemas"]["RefusalRequest"]["properties"]
    assert refusal["detail"]["maxLength"] == 1500 and refusal["reason"]["maxLength"] == 200
    # Each outcome declares what it needs: a let its tenancy start, a decline its ground.
    outcomes = {name: schema["components"]["schemas"][name] for name in
                ("LetIn", "DeclinedIn", "AttendedIn", "MissedIn", "WithdrewIn")}
    assert {kind["properties"]["outcome"]["const"] for kind in outcomes.values()} == {
        "let", "declined", "attended", "missed", "withdrew"}
    assert "tenancy_start" in outcomes["LetIn"]["required"] and "ground" in outcomes["DeclinedIn"]["required"]
    bid = schema["components"]["schemas"]["BidRequest"]["properties"]["advert"]
    assert bid["minLength"] == 1 and bid["maxLength"] == 32 and bid["pattern"]
    preferences = schema["components"]["schemas"]["PreferencesIO"]["properties"]
    assert preferences["areas"]["maxItems"] == 50
    kinds = preferences["property_types"]["items"]
    kinds = schema["components"]["schemas"][kinds["$ref"].rsplit("/", 1)[1]] if "$ref" in kinds else kinds
    assert set(kinds["enum"]) == {"flat", "house", "bungalow", "maisonette", "bedsit"}


def test_an_over_long_refusal_detail_is_refused_not_cut(api, db, world):
    offer_id = _offer(db, world, "HR000001")
    answer = api.post(f"/api/v1/me/offers/{offer_id}/refuse", json={"reason": "Affordability", "detail": "x" * 1501})
    assert "1500" in _field_refused(answer, "detail")


def test_unknown_areas_and_home_types_are_refused_by_name(api):
    assert "Atlantis" in api.put("/api/v1/me/preferences", json={"areas": ["Atlantis"]}).text
    _field_refused(api.put("/api/v1/me/preferences", json={"areas": ["Atlantis"]}), "areas")
    _field_refused(api.put("/api/v1/me/preferences", json={"property_types": ["castle"]}), "property_types")
    assert api.put("/api/v1/me/preferences",
                   json={"areas": ["Northgate"], "property_types": ["flat"]}).status_code == 200
