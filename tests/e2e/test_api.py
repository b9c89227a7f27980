"""The JSON API: token sign-in, bids with live positions, and errors that are always a clear 4xx JSON body."""

import pytest

from tests.support.factories import PASSWORD


@pytest.fixture
def api(app):
    from litestar.testing import TestClient

    with TestClient(app) as client:
        yield client


def _token(api, reference="HR000001", password=PASSWORD):
    answer = api.post("/api/v1/tokens", json={"reference": reference, "password": password})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _error(answer, status):
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error"} and body["error"]["message"] and body["error"]["code"]
    return body["error"]


def test_bidding_through_the_api_shows_the_live_position(api, world):
    me, them = _token(api), _token(api, "HR000002")
    bid = api.post("/api/v1/me/bids", json={"advert": "AD2"}, headers=me)
    assert bid.status_code == 201 and bid.json()["advert"] == "AD2" and bid.json()["placed_by"] == "applicant"
    assert api.get("/api/v1/me/bids", headers=me).json()[0]["position_words"] == "You are 1st of 1 eligible bid"
    api.post("/api/v1/me/bids", json={"advert": "AD2"}, headers=them)
    mine = api.get("/api/v1/me/bids", headers=me).json()
    assert [(b["advert"], b["position"], b["eligible_bids"]) for b in mine] == [("AD2", 2, 2)]
    assert api.delete(f"/api/v1/me/bids/{bid.json()['id']}", headers=me).status_code == 200
    assert api.get("/api/v1/me/bids", headers=me).json() == []


def test_public_adverts_need_no_token_and_filter(api, world):
    page = api.get("/api/v1/adverts?bedrooms=3").json()
    assert page["total"] == 1 and page["adverts"][0]["reference"] == "FAM1"
    assert api.get("/api/v1/adverts/FAM1").json()["criteria"] == ["Households who need 2 to 3 bedrooms"]


@pytest.mark.parametrize(("request_args", "status", "code"), [
    (("get", "/api/v1/me/bids", {}), 401, "unauthorised"),
    (("get", "/api/v1/me/bids", {"headers": {"Authorization": "Bearer nonsense"}}), 401, "unauthorised"),
    (("post", "/api/v1/tokens", {"json": {"reference": "HR000001", "password": "wrong"}}), 401, "unauthorised"),
    (("post", "/api/v1/tokens", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
     400, "invalid_request"),
    (("post", "/api/v1/tokens", {"json": {"reference": 7}}), 400, "invalid_request"),
    (("get", "/api/v1/adverts?bedrooms=-1", {}), 422, "invalid_input"),
    (("get", "/api/v1/adverts/NOPE", {}), 404, "not_found"),
    (("get", "/api/v1/nothing-here", {}), 404, "not_found"),
])
def test_bad_requests_get_a_json_error_with_a_4xx(api, world, request_args, status, code):
    method, path, kwargs = request_args
    assert _error(getattr(api, method)(path, **kwargs), status)["code"] == code


def test_each_refused_bid_says_why(api, world):
    me = _token(api)
    assert _error(api.post("/api/v1/me/bids", json={"advert": "NOPE"}, headers=me), 404)
    refused = _error(api.post("/api/v1/me/bids", json={"advert": "FAM1"}, headers=me), 409)
    assert "at least 2 bedrooms" in refused["message"]
    for advert in ("AD1", "AD2", "AD3"):
        assert api.post("/api/v1/me/bids", json={"advert": advert}, headers=me).status_code == 201
    assert "already bid" in _error(api.post("/api/v1/me/bids", json={"advert": "AD1"}, headers=me), 409)["message"]
    assert "used all 3" in _error(api.post("/api/v1/me/bids", json={"advert": "AD4"}, headers=me), 409)["message"]
    # A reference the schema rules out (empty, or not letters, digits and dashes) is not read at all.
    for wrong in ("", "AD1; DROP", "A" * 33):
        refused = _error(api.post("/api/v1/me/bids", json={"advert": wrong}, headers=me), 400)
        assert refused["code"] == "invalid_request" and refused["details"][0]["key"] == "advert"


def test_another_households_bid_cannot_be_withdrawn(api, world):
    mine = api.post("/api/v1/me/bids", json={"advert": "AD1"}, headers=_token(api)).json()
    _error(api.delete(f"/api/v1/me/bids/{mine['id']}", headers=_token(api, "HR000002")), 404)


def test_the_openapi_schema_is_served(api, world):
    schema = api.get("/api/v1/schema/openapi.json").json()
    assert "/api/v1/me/bids" in schema["paths"] and "/api/v1/adverts" in schema["paths"]
    assert not any(path.startswith("/account") for path in schema["paths"])


def test_offers_and_preferences_through_the_api(api, db, world):
    from datetime import timedelta

    from sqlmodel import select

    from cbl.models import Advert, Offer
    from cbl.web.auth import now

    with db.transaction() as s:
        void_id = s.exec(select(Advert.void_id).where(Advert.reference == "AD1")).one()
        s.add(Offer(applicant_id=world.applicants["HR000001"], void_id=void_id,
                    respond_by=now().date() + timedelta(days=2)))
    me = _token(api)
    offers = api.get("/api/v1/me/offers", headers=me).json()
    assert len(offers) == 1 and offers[0]["status"] == "made"
    reasons = api.get("/api/v1/refusal-reasons").json()
    bad = api.post(f"/api/v1/me/offers/{offers[0]['id']}/refuse", json={"reason": "I just don't"}, headers=me)
    assert _error(bad, 422)["message"].startswith("Choose the main reason")
    done = api.post(f"/api/v1/me/offers/{offers[0]['id']}/refuse", json={"reason": reasons[0]}, headers=me)
    assert done.status_code == 200
    assert api.get("/api/v1/me/offers", headers=me).json()[0]["status"] == "refused"

    assert api.get("/api/v1/me/preferences", headers=me).json()["auto_bid"] is False
    saved = api.put("/api/v1/me/preferences", json={"areas": ["Northgate"], "max_floor": 3, "auto_bid": True},
                    headers=me)
    assert saved.status_code == 200
    assert api.get("/api/v1/me/preferences", headers=me).json() == {
        "areas": ["Northgate"], "property_types": [], "max_floor": 3, "needs_lift": False, "wants_garden": False,
        "auto_bid": True}
    # Beyond the schema's declared range: refused like any body that breaks the schema, naming the field.
    refused = _error(api.put("/api/v1/me/preferences", json={"max_floor": 99}, headers=me), 400)
    assert refused["details"][0]["key"] == "max_floor"
    assert _error(api.put("/api/v1/me/preferences", json={"max_floor": "top"}, headers=me), 400)
    castle = _error(api.put("/api/v1/me/preferences", json={"property_types": ["castle"]}, headers=me), 400)
    assert "castle" in castle["details"][0]["message"] and castle["details"][0]["key"] == "property_types[0]"
