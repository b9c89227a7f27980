"""Every route of the public site and the APIs, for every kind of visitor: the answer each should get.

Admin routes declare their right and are checked role by role in test_admin.py; here every other route
must have a rule below, so a new route without one fails this test."""

import re
from datetime import date, timedelta

import pytest
from litestar.testing import TestClient
from sqlmodel import select

from cbl.models import (
    Advert, ApiToken, Applicant, Bid, Nomination, Offer, Organisation, Property, Review, StaffUser, Void,
)
from cbl.models.states import NominationStatus, OrganisationKind, ReviewStatus, ReviewType, StaffRole
from cbl.messages.letters import issue_letter
from cbl.services import sign_in
from cbl.services.actors import SYSTEM
from cbl.services.applying import Owner, save_answer
from cbl.services.evidence import add_evidence
from cbl.web.auth import now
from tests.e2e.conftest import Browser, staff_sign_in
from tests.support.exchanges import two_way_with_landlords
from tests.support.factories import PASSWORD, PASSWORD_HASH

ROLES = ["anonymous", "applicant", "other_applicant", *(r.value for r in StaffRole if r is not StaffRole.PROVIDER),
         "provider", "other_provider"]
STAFF = {r.value for r in StaffRole}

# Each route's kind: who may use it is decided by the kind.
KINDS = {
    "public": ["GET /", "GET /health", "GET /adverts", "GET /adverts/{reference:str}", "GET /results",
               "GET /sign-in", "POST /sign-in", "GET /forgotten-password", "POST /forgotten-password",
               "GET /api/v1/adverts", "GET /api/v1/adverts/{reference:str}",
               "POST /api/v1/tokens", "GET /api/v1/refusal-reasons",
               "GET /apply", "GET /apply/account", "POST /apply/account", "GET /apply/sign-in", "POST /apply/sign-in",
               "GET /apply/forgotten-password", "POST /apply/forgotten-password"],
    # A household's own account, applying: an application on the register goes to its own pages instead.
    "household_page": ["GET /apply/confirm", "POST /apply/confirm", "GET /apply/application",
                       "GET /apply/application/{page:str}", "POST /apply/application/{page:str}"],
    "sign_out": ["POST /sign-out"],  # everyone is sent on to sign in
    # A made-up link is not found, whoever follows it.
    "one_time_link": ["GET /set-password/{token:str}", "POST /set-password/{token:str}",
                      "GET /apply/set-password/{token:str}", "POST /apply/set-password/{token:str}"],
    "applicant_page": ["POST /adverts/{reference:str}/bid", "GET /account", "GET /account/bids", "GET /account/homes",
                       "GET /account/preferences", "POST /account/preferences", "GET /account/offers",
                       "GET /account/reviews", "POST /account/reviews", "GET /account/letters",
                       "GET /account/contact", "POST /account/contact", "GET /account/changes", "GET /account/tokens",
                       "GET /account/changes/{page:str}", "POST /account/changes/{page:str}", "GET /account/evidence",
                       "POST /account/evidence", "GET /account/equality", "POST /account/equality",
                       "GET /account/exchange", "POST /account/exchange", "POST /account/exchange/withdrawal"],
    "applicant_own_page": ["POST /account/bids/{bid_id:int}/withdraw", "POST /account/offers/{offer_id:int}/accept",
                           "POST /account/offers/{offer_id:int}/refuse", "GET /account/letters/{letter_id:int}",
                           "GET /account/letters/{letter_id:int}/pdf", "GET /apply/evidence/{file_id:int}",
                           "POST /account/tokens/{token_id:int}/revoke",
                           "POST /account/reviews/{review_id:int}/withdrawal",
                           "POST /account/exchange/{member_id:int}/interest"],
    "applicant_api": ["GET /api/v1/me", "GET /api/v1/me/bids", "GET /api/v1/me/bids/closed", "POST /api/v1/me/bids",
                      "GET /api/v1/me/offers",
                      "GET /api/v1/me/preferences", "PUT /api/v1/me/preferences", "GET /api/v1/me/tokens"],
    "applicant_own_api": ["DELETE /api/v1/me/bids/{bid_id:int}", "POST /api/v1/me/offers/{offer_id:int}/accept",
                          "POST /api/v1/me/offers/{offer_id:int}/refuse", "DELETE /api/v1/me/tokens/{token_id:int}"],
    # Notify's callbacks answer only Notify's own bearer token; none is set up here, so they are not found.
    "notify_callback": ["POST /api/v1/notify/callback", "POST /api/v1/notify/inbound"],
    "provider_api": ["GET /api/v1/provider/nominations", "GET /api/v1/provider/exchanges"],
    "provider_own_api": ["POST /api/v1/provider/voids",  # the body names the provider's own home
                         "GET /api/v1/provider/nominations/{nomination_id:int}",
                         "POST /api/v1/provider/nominations/{nomination_id:int}/viewing",
                         "POST /api/v1/provider/nominations/{nomination_id:int}/outcome",
                         "POST /api/v1/provider/voids/{void_id:int}/ready",
                         "POST /api/v1/provider/exchanges/{application_id:int}/decision"],
}
# A body of the right shape for each API call, so that the answer is about who asks, not what was sent.
BODIES = {
    "POST /api/v1/tokens": {"reference": "HR000003", "password": PASSWORD},
    "POST /api/v1/me/bids": {"advert": "AD2"},
    "POST /api/v1/me/offers/{offer_id:int}/refuse": {"reason": "Other", "detail": "Too far"},
    "POST /api/v1/provider/nominations/{nomination_id:int}/viewing": {"at": "2030-01-07T10:00:00+00:00"},
    "POST /api/v1/provider/nominations/{nomination_id:int}/outcome": {"outcome": "attended"},
    "POST /api/v1/provider/voids": {"property": "P-AD3", "tenancy_end": "2026-11-01"},
    "POST /api/v1/provider/exchanges/{application_id:int}/decision": {"decision": "consent"},
    "POST /api/v1/notify/callback": {"id": "n-1", "reference": "1", "status": "delivered"},
    "POST /api/v1/notify/inbound": {"id": "in-1", "source_number": "447700900123", "message": "BIDS"},
}
RULE = {route: kind for kind, routes in KINDS.items() for route in routes}
DOCS = re.compile(r"^/(static|api/v1/schema)")


def _expected(kind: str, role: str, method: str) -> str:
    """What the role should get: "ok" (served, or refused on its merits with a 4xx other than 401/403/404),
    "sign_in" (sent to sign in), "unauthorised" (401), "not_found" (404: someone else's)."""
    applicant = role in ("applicant", "other_applicant")
    provider = role in ("provider", "other_provider")
    if kind == "public":
        return "ok"
    if kind == "sign_out":
        return "sign_in"
    if kind in ("one_time_link", "notify_callback"):
        return "not_found"
    if kind == "household_page":
        return "ok" if applicant else "sign_in"
    if kind.startswith("applicant") and kind.endswith("page"):
        if not applicant:
            return "sign_in"
        return "not_found" if kind == "applicant_own_page" and role == "other_applicant" else "ok"
    if kind.startswith("applicant"):
        if not applicant:
            return "unauthorised"
        return "not_found" if kind == "applicant_own_api" and role == "other_applicant" else "ok"
    if not provider:
        return "unauthorised"
    return "not_found" if kind == "provider_own_api" and role == "other_provider" else "ok"


@pytest.fixture
def ids(db, scheme, world, staff, tmp_path):
    """Things that belong to HR000001 and to the provider RHA, for the routes with an id in them."""
    with db.transaction() as s:
        other = Organisation(code="NGH", name="Northgate Homes", kind=OrganisationKind.PROVIDER)
        s.add(other)
        s.flush()
        s.add(StaffUser(organisation_id=other.id, email="other@ngh.example", name="Nia", role=StaffRole.PROVIDER,
                        password_hash=PASSWORD_HASH))
        owner = world.applicants["HR000001"]
        save_answer(s, Owner(applicant_id=owner), "change", {"what": "new_address", "on": "2026-10-01"}, now())
        ad1 = s.exec(select(Advert).where(Advert.reference == "AD1")).one()
        ad3 = s.exec(select(Advert).where(Advert.reference == "AD3")).one()
        bid = Bid(advert_id=ad1.id, applicant_id=owner, cycle_id=world.cycle, preference=1)
        offer = Offer(applicant_id=owner, void_id=ad1.void_id, advert_id=ad1.id, respond_by=date.today() + timedelta(5))
        nomination = Nomination(advert_id=ad3.id, applicant_id=world.applicants["HR000002"], provider_id=world.provider,
                                agreement_id=world.agreement, respond_by=date.today() + timedelta(5),
                                status=NominationStatus.SENT)
        letter = issue_letter(s, owner, "suspension", "Your application is suspended from bidding", now(),
                              until=None, reason="Arrears", rights=_suspension_rights())
        review = Review(applicant_id=owner, decision_type=ReviewType.SUSPENSION, subject_type="audit_event",
                        subject_id=1, notified_on=date.today(), requested_on=date.today(),
                        decide_by=date.today() + timedelta(55), status=ReviewStatus.ACKNOWLEDGED)
        s.add_all([bid, offer, nomination, review])
        s.flush()
        rha_void = s.exec(select(Void).join(Property).where(Property.landlord_id == world.provider)).first()
        evidence_file = add_evidence(s, Owner(applicant_id=owner), tmp_path / "uploads", "passport.pdf",
                                     b"%PDF-1.4\n%%EOF\n", "identity", now())
        member_id, application_id = two_way_with_landlords(s, owner, world.council, world.applicants["HR000002"],
                                                           world.provider)
        found = {"member_id": member_id, "application_id": application_id,
                 "bid_id": bid.id, "offer_id": offer.id, "nomination_id": nomination.id, "void_id": rha_void.id,
                 "letter_id": letter.id, "file_id": evidence_file.id, "review_id": review.id}
    # A token of HR000001's other than the one its requests carry: revoking it leaves them signed in.
    db.run(lambda s: sign_in.issue_api_token(s, s.get(Applicant, owner), now(), "phone app"))
    with db.reading() as s:
        found["token_id"] = s.exec(select(ApiToken.id).where(ApiToken.applicant_id == owner)).one()
    return found


def _credentials(app, db, staff, role: str) -> tuple[TestClient, Browser, dict]:
    client = TestClient(app)
    client.__enter__()
    visitor = Browser(client)
    headers: dict = {}
    if role in ("applicant", "other_applicant"):
        reference = "HR000001" if role == "applicant" else "HR000002"
        assert visitor.sign_in(reference).status_code == 303
        with db.reading() as s:
            applicant = s.exec(select(Applicant).where(Applicant.reference == reference)).one()
        token, _ = db.run(lambda s: sign_in.issue_api_token(s, s.get(Applicant, applicant.id), now()))
        headers = {"Authorization": f"Bearer {token}"}
    elif role in ("provider", "other_provider"):
        email = staff[StaffRole.PROVIDER] if role == "provider" else "other@ngh.example"
        assert staff_sign_in(visitor, email).status_code == 303
        key = db.run(sign_in.issue_provider_key, SYSTEM, "RHA" if role == "provider" else "NGH")
        headers = {"Authorization": f"Bearer {key}"}
    elif role in STAFF:
        assert staff_sign_in(visitor, staff[StaffRole(role)]).status_code == 303
    return client, visitor, headers


def _outcome(answer) -> str:
    if answer.status_code == 303 and answer.headers["location"].startswith(("/sign-in", "/apply/sign-in")):
        return "sign_in"
    return {401: "unauthorised", 403: "forbidden", 404: "not_found"}.get(answer.status_code, "ok")


def test_every_route_for_every_role_gets_the_answer_its_rule_gives(app, db, staff, world, ids):
    routes = []
    for route in app.routes:
        if route.path.startswith("/admin") or DOCS.match(route.path):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                routes.append((method, route.path))
    routes.sort(key=lambda route: route == ("POST", "/sign-out"))  # signing out last, or the rest are anonymous
    unruled = [f"{m} {p}" for m, p in routes if f"{m} {p}" not in RULE]
    assert not unruled, f"routes without an access rule: {unruled}"
    checked = 0
    for role in ROLES:
        client, visitor, headers = _credentials(app, db, staff, role)
        try:
            for method, template in routes:
                path = template.replace("{reference:str}", "AD1").replace("{token:str}", "not-a-token") \
                    .replace("{page:str}", "evidence")
                for name, value in ids.items():
                    path = path.replace(f"{{{name}:int}}", str(value))
                if path.startswith("/api/"):
                    answer = client.request(method, path, headers=headers, follow_redirects=False,
                                            json=BODIES.get(f"{method} {template}", {}))
                else:
                    answer = visitor.post(path, {}, form_page="/sign-in") if method == "POST" else \
                        client.get(path, follow_redirects=False)
                assert answer.status_code < 500, (role, method, path, answer.status_code)
                expected = _expected(RULE[f"{method} {template}"], role, method)
                assert _outcome(answer) == expected, (role, method, path, answer.status_code, expected)
                checked += 1
        finally:
            client.__exit__(None, None, None)
    assert checked == len(ROLES) * len(routes)
    print(f"{checked} answers checked: {len(routes)} routes x {len(ROLES)} roles")


def test_every_form_post_without_its_csrf_token_is_refused(app, staff, world):
    with TestClient(app) as client:
        visitor = Browser(client)
        visitor.sign_in("HR000001")
        posts = [route.path for route in app.routes if not route.path.startswith("/api")
                 for handler in route.route_handlers if "POST" in handler.http_methods]
        assert len(posts) > 60
        for path in posts:
            path = re.sub(r"\{\w+:int\}", "1", path.replace("{reference:str}", "AD1").replace("{token:str}", "x"))
            answer = client.post(path, data={"reason": "no token"}, follow_redirects=False)
            assert answer.status_code == 403, (path, answer.status_code)


def test_names_and_contact_details_stay_out_of_addresses_and_logs(app, db, staff, world, caplog):
    import logging

    with db.transaction() as s:
        applicant = s.exec(select(Applicant).where(Applicant.reference == "HR000003")).one()
        applicant.email, applicant.phone = "ada.lovelace@example.net", "07700 900123"
    caplog.set_level(logging.DEBUG)
    addresses = []
    with TestClient(app) as client:
        officer = Browser(client)
        staff_sign_in(officer, staff[StaffRole.OFFICER])
        found = officer.post("/admin/applicants/search", {"name": "Lead HR000003", "email": "ada.lovelace@example.net",
                                                          "phone": "07700 900123"}, form_page="/admin/applicants")
        assert "/admin/applicants/HR000003" in found.text
        addresses += [str(r.url) for r in [*found.history, found]]
        addresses += re.findall(r'(?:href|action)="([^"]+)"', found.text)
        case = client.get("/admin/applicants/HR000003")
        addresses += re.findall(r'(?:href|action)="([^"]+)"', case.text)
        client.post("/sign-in", data={"reference": "HR000003", "password": "a wrong password"})
    for secret in ("Lead HR000003", "ada.lovelace", "07700 900123", "a wrong password"):
        assert secret not in caplog.text, secret
        assert not any(secret.replace(" ", "+") in a or secret.replace(" ", "%20") in a for a in addresses), secret


def _suspension_rights():
    """The review right a suspension letter states, as the default scheme gives it today."""
    from datetime import date

    from cbl.models.states import ReviewType
    from cbl.rules.decision_types import review_rights
    from cbl.rules.scheme import load_scheme
    from tests.conftest import SCHEMES

    return review_rights(ReviewType.SUSPENSION, load_scheme(SCHEMES / "default.toml").reviews, date.today())
