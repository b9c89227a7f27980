"""A household's API tokens, listed and revoked by the household on its account page and through the API:
never the token itself shown, a revoked token refused at once, no one else's token touched."""

from datetime import timedelta

from sqlmodel import select

from cbl.models import ApiToken, Applicant, AuditEvent
from cbl.services import sign_in
from cbl.web.auth import now


def _token(db, world, reference: str, label: str = "", at=None) -> tuple[str, int]:
    """A new token for the household, and its id."""
    secret, _ = db.run(lambda s: sign_in.issue_api_token(s, s.get(Applicant, world.applicants[reference]),
                                                         at or now(), label))
    with db.reading() as s:
        return secret, s.exec(select(ApiToken.id).order_by(ApiToken.id.desc())).first()


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_household_sees_its_tokens_without_their_secrets_and_a_revoked_one_stops_working_at_once(
        visitor, db, world):
    phone, phone_id = _token(db, world, "HR000001", "phone app", now() - timedelta(days=2))
    laptop, laptop_id = _token(db, world, "HR000001", "laptop <script>")
    theirs, theirs_id = _token(db, world, "HR000002", "someone else's")
    assert visitor.client.get("/api/v1/me", headers=_bearer(phone)).status_code == 200  # its use is noted

    assert visitor.sign_in("HR000001").status_code == 303
    page = visitor.get("/account/tokens")
    assert page.status_code == 200
    rows = page.text.split('id="tokens"')[1]
    assert "phone app" in rows and "laptop &lt;script&gt;" in rows and "someone else" not in rows
    assert rows.index(f'id="token-{laptop_id}"') < rows.index(f'id="token-{phone_id}"')  # newest first
    phone_row = rows.split(f'id="token-{phone_id}"')[1].split("</tr>")[0]
    assert "Not used yet" not in phone_row  # used a moment ago
    assert "Not used yet" in rows.split(f'id="token-{laptop_id}"')[1].split("</tr>")[0]
    assert phone not in page.text and laptop not in page.text

    revoked = visitor.post(f"/account/tokens/{phone_id}/revoke", form_page="/account/tokens")
    assert revoked.status_code == 303 and revoked.headers["location"] == "/account/tokens?revoked=1"
    assert visitor.client.get("/api/v1/me", headers=_bearer(phone)).status_code == 401
    assert visitor.client.get("/api/v1/me", headers=_bearer(laptop)).status_code == 200
    after = visitor.get("/account/tokens?revoked=1").text
    assert "Nothing can use it any more" in after and f'id="token-{phone_id}"' not in after

    # Another household's token is not found, and keeps working; no form without its CSRF token works.
    assert visitor.post(f"/account/tokens/{theirs_id}/revoke", form_page="/account/tokens").status_code == 404
    assert visitor.client.post(f"/account/tokens/{laptop_id}/revoke", follow_redirects=False).status_code == 403
    assert visitor.client.get("/api/v1/me", headers=_bearer(theirs)).status_code == 200
    assert visitor.client.get("/api/v1/me", headers=_bearer(laptop)).status_code == 200
    with db.reading() as s:
        [event] = s.exec(select(AuditEvent).where(AuditEvent.action == "api_token.revoked")).all()
    assert (event.subject_type, event.subject_id, event.applicant_id, event.details) == (
        "api_token", phone_id, world.applicants["HR000001"], {"label": "phone app"})


def test_through_the_api_a_household_lists_its_tokens_and_revokes_one_of_its_own_only(visitor, db, world):
    made = visitor.client.post("/api/v1/tokens", json={"reference": "HR000001", "password": "correct horse battery",
                                                       "label": "bidding bot"})
    assert made.status_code == 201
    bot = made.json()["token"]
    other, other_id = _token(db, world, "HR000001", "spare")
    theirs, theirs_id = _token(db, world, "HR000002")

    listed = visitor.client.get("/api/v1/me/tokens", headers=_bearer(bot))
    assert listed.status_code == 200
    tokens = {t["label"]: t for t in listed.json()}
    assert set(tokens) == {"bidding bot", "spare"}
    assert tokens["bidding bot"]["current"] is True and tokens["spare"]["current"] is False
    assert tokens["bidding bot"]["last_used_at"] is not None and tokens["spare"]["last_used_at"] is None
    assert bot not in listed.text and other not in listed.text and "token_hash" not in listed.text

    assert visitor.client.delete(f"/api/v1/me/tokens/{theirs_id}", headers=_bearer(bot)).status_code == 404
    assert visitor.client.get("/api/v1/me", headers=_bearer(theirs)).status_code == 200
    assert visitor.client.delete(f"/api/v1/me/tokens/{other_id}", headers=_bearer(bot)).json() == {
        "status": "revoked"}
    assert visitor.client.get("/api/v1/me", headers=_bearer(other)).status_code == 401
    mine = visitor.client.get("/api/v1/me/tokens", headers=_bearer(bot)).json()
    assert [t["label"] for t in mine] == ["bidding bot"]
    # A token can revoke itself (signing an app out); from then on it is refused.
    assert visitor.client.delete(f"/api/v1/me/tokens/{mine[0]['id']}", headers=_bearer(bot)).status_code == 200
    assert visitor.client.get("/api/v1/me/tokens", headers=_bearer(bot)).status_code == 401


def test_a_tokens_use_is_written_down_at_most_every_few_minutes(db, world):
    _, token_id = _token(db, world, "HR000001")
    at = now()

    def last_used():
        with db.reading() as s:
            return s.get(ApiToken, token_id).last_used_at

    db.run(sign_in.note_token_use, token_id, at)
    db.run(sign_in.note_token_use, token_id, at + sign_in.LAST_USE_PRECISION - timedelta(seconds=1))
    assert last_used() == at
    later = at + sign_in.LAST_USE_PRECISION
    assert sign_in.use_is_news(at, later) and not sign_in.use_is_news(at, later - timedelta(seconds=1))
    db.run(sign_in.note_token_use, token_id, later)
    assert last_used() == later


def test_a_label_over_its_limit_is_refused_not_cut(visitor, world):
    answer = visitor.client.post("/api/v1/tokens", json={"reference": "HR000001", "password": "correct horse battery",
                                                         "label": "x" * 101})
    assert answer.status_code == 400
    assert answer.json()["error"]["details"] == [{"message": "Expected `str` of length <= 100", "key": "label",
                                                  "source": "body"}]
