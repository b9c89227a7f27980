"""The household's bids of closed cycles through the JSON API, on both databases: each with the place its
shortlist recorded at close and what became of the home, a page at a time, as the schema documents."""

from sqlmodel import select

from cbl.models import Applicant, ShortlistEntry, StaffUser
from cbl.services import actors
from cbl.services.lettings import make_offer
from cbl.services.pre_offer_checks import record_check
from cbl.services.shortlisting import skip_entry, verify_entry
from cbl.web.auth import now
from tests.support.factories import PASSWORD


def _token(client, reference):
    answer = client.post("/api/v1/tokens", json={"reference": reference, "password": PASSWORD})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _closed_bids(client, reference, query=""):
    answer = client.get(f"/api/v1/me/bids/closed{query}", headers=_token(client, reference))
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_after_close_each_household_reads_its_place_and_the_outcome_of_each_bid(visitor, db, scheme, closed):
    with db.transaction() as s:
        for applicant in s.exec(select(Applicant)):
            applicant.verified = True
        officer = actors.staff(s.get(StaffUser, closed.officer))
        places = {ref: s.exec(select(ShortlistEntry.id).where(ShortlistEntry.applicant_id == applicant_id)).one()
                  for ref, applicant_id in closed.applicants.items()}
    db.run(verify_entry, officer, places["HR000002"], now())
    db.run(record_check, officer, scheme, places["HR000002"], "fraud", True, "", now())
    db.run(make_offer, officer, scheme, places["HR000002"], now())
    db.run(skip_entry, officer, scheme, places["HR000003"], "no_contact", "Phoned three times", now())
    client = visitor.client

    first = _closed_bids(client, "HR000002")
    assert (first["total"], first["page"], first["pages"]) == (1, 1, 1)
    [bid] = first["bids"]
    assert (bid["advert"], bid["eligible"], bid["position"], bid["eligible_bids"]) == ("AD1", True, 1, 3)
    assert bid["place"] == "You came 1st of 3 eligible bids" and bid["passed_over"] is None
    assert (bid["outcome"], bid["result"]) == ("offered", "Offered to you: your answer is awaited.")
    [skipped] = _closed_bids(client, "HR000003")["bids"]
    assert (skipped["position"], skipped["passed_over"], skipped["outcome"]) == (
        2, "Could not be contacted", "not_let_yet")
    [third] = _closed_bids(client, "HR000001")["bids"]
    assert third["place"] == "You came 3rd of 3 eligible bids" and third["cycle_closed_at"]
    # The open cycle's bids are another list: none now; a page past the end is empty, not an error.
    assert client.get("/api/v1/me/bids", headers=_token(client, "HR000001")).json() == []
    assert _closed_bids(client, "HR000001", "?page=2")["bids"] == []
    wrong = client.get("/api/v1/me/bids/closed?page=first", headers=_token(client, "HR000001"))
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "invalid_input"
    assert client.get("/api/v1/me/bids/closed").status_code == 401


def test_the_schema_documents_the_closed_bids_with_their_constraints(visitor):
    schema = visitor.client.get("/api/v1/schema/openapi.json").json()
    operation = schema["paths"]["/api/v1/me/bids/closed"]["get"]
    assert operation["security"] == [{"applicantToken": []}] and {"401", "422"} <= set(operation["responses"])
    [page] = operation["parameters"]
    assert page["name"] == "page" and page["schema"]["pattern"] and "10000" in page["description"]
    components = schema["components"]["schemas"]
    bid = next(value for name, value in components.items() if name.endswith("ClosedBidOut"))
    assert bid["properties"]["position"]["minimum"] == 1
    [outcome] = bid["properties"]["outcome"]["allOf"]
    assert {"let_to_you", "offered", "offer_lapsed", "advert_withdrawn"} <= set(
        components[outcome["$ref"].rsplit("/", 1)[1]]["enum"])
    assert all(field.get("description") for field in bid["properties"].values())
