"""Households choose how they hear from us; Notify's receipts and received texts reach the right
message and household; bidding by text follows the site's rules; staff see what is not delivered."""

import pytest
from litestar.testing import TestClient
from sqlmodel import select

from cbl.app import create_app
from cbl.models import Applicant, AuditEvent, Bid, ContactPreference, OutboxMessage, ReceivedText
from cbl.models.states import Channel, OutboxStatus
from cbl.settings import load_settings
from tests.e2e.conftest import Browser, staff_sign_in

CALLBACK, INBOUND = "receipt-token-0123456789", "inbound-token-0123456789"


@pytest.fixture
def app(db, scheme, tmp_path):
    settings = load_settings({"CBL_DATABASE_URL": db.url, "CBL_SECRET_KEY": "test-secret-key-" * 3,
                              "CBL_NOTIFY_CALLBACK_TOKEN": CALLBACK, "CBL_NOTIFY_INBOUND_TOKEN": INBOUND},
                             workdir=tmp_path)
    return create_app(settings, db=db, scheme=scheme)


@pytest.fixture
def visitor(app):
    with TestClient(app) as client:
        yield Browser(client)


def texts_to(db, number: str) -> list[str]:
    with db.reading() as s:
        return [m.body for m in s.exec(select(OutboxMessage).where(OutboxMessage.recipient == number,
                                                                   OutboxMessage.channel == Channel.SMS)
                                       .order_by(OutboxMessage.id))]


def inbound(visitor, notify_id: str, number: str, text: str, token: str = INBOUND):
    return visitor.client.post("/api/v1/notify/inbound", json={
        "id": notify_id, "source_number": number, "destination_number": "07700900000", "message": text,
        "date_received": "2026-12-02T10:00:00.000000Z"}, headers={"Authorization": f"Bearer {token}"})


def confirm_mobile(db, visitor, world, reference="HR000001", number="07700 900123"):
    with db.transaction() as s:
        s.get(Applicant, world.applicants[reference]).email = "ann@example.org"
    visitor.sign_in(reference)
    answer = visitor.post("/account/contact", {"by_email": "yes", "by_text": "yes", "by_post": "yes",
                                               "mobile": number}, form_page="/account/contact")
    assert answer.status_code == 303
    normalised = "44" + number.replace(" ", "")[1:]
    assert "Reply YES" in texts_to(db, normalised)[-1]
    assert inbound(visitor, f"in-yes-{reference}", normalised, "yes").status_code == 204
    return normalised


def test_a_household_confirms_its_mobile_and_bids_by_text_with_its_place_in_reply(db, world, visitor):
    number = confirm_mobile(db, visitor, world)
    assert "confirmed" in texts_to(db, number)[-1]
    assert inbound(visitor, "in-1", number, "BID ad1").status_code == 204
    assert "Your bid for AD1 is placed. You are 1st of 1" in texts_to(db, number)[-1]
    with db.reading() as s:
        assert s.exec(select(Bid).where(Bid.applicant_id == world.applicants["HR000001"])).one()
    inbound(visitor, "in-2", number, "BID AD1")
    assert "not placed: You have already bid for this home." in texts_to(db, number)[-1]
    inbound(visitor, "in-3", number, "bids")
    assert texts_to(db, number)[-1].startswith("Your bids: AD1: You are 1st of 1")
    inbound(visitor, "in-4", number, "hello")
    assert texts_to(db, number)[-1].startswith("To bid for a home, text BID")


def test_notify_sending_the_same_text_again_places_one_bid_and_one_reply(db, world, visitor):
    number = confirm_mobile(db, visitor, world)
    replies = len(texts_to(db, number))
    inbound(visitor, "in-same", number, "BID AD2")
    inbound(visitor, "in-same", number, "BID AD2")
    assert len(texts_to(db, number)) == replies + 1
    with db.reading() as s:
        assert len(s.exec(select(Bid)).all()) == 1


def test_a_number_nobody_confirmed_learns_nothing(db, world, visitor):
    with db.transaction() as s:
        s.get(Applicant, world.applicants["HR000002"]).phone = "07700 900555"  # on the case, never confirmed
    inbound(visitor, "in-x", "447700900555", "BIDS")
    [reply] = texts_to(db, "447700900555")
    assert "not set up for bidding by text" in reply and "HR000002" not in reply
    inbound(visitor, "in-y", "447700900555", "BID AD1")
    with db.reading() as s:
        assert s.exec(select(Bid)).all() == []


def test_callbacks_refuse_a_wrong_or_missing_token(db, world, visitor):
    assert inbound(visitor, "in-1", "447700900123", "BIDS", token="wrong").status_code == 401
    answer = visitor.client.post("/api/v1/notify/callback", json={"id": "x", "reference": "1", "status": "delivered"})
    assert answer.status_code == 401 and "token" in answer.json()["error"]["message"]
    with db.reading() as s:
        assert s.exec(select(ReceivedText)).all() == []


def test_a_delivery_receipt_marks_the_message_delivered_or_failed_for_the_officer(db, world, visitor):
    with db.transaction() as s:
        delivered = OutboxMessage(channel=Channel.EMAIL, template="shortlisted", subject="s", body="b",
                                  applicant_id=world.applicants["HR000001"], status=OutboxStatus.SENT,
                                  carrier="notify", carrier_id="n-1")
        bounced = OutboxMessage(channel=Channel.EMAIL, template="shortlisted", subject="Shortlisted", body="b",
                                applicant_id=world.applicants["HR000001"], status=OutboxStatus.SENT,
                                carrier="notify", carrier_id="n-2")
        s.add_all([delivered, bounced])
        s.flush()
        ids = delivered.id, bounced.id
    headers = {"Authorization": f"Bearer {CALLBACK}"}
    for reference, notify_id, status in ((ids[0], "n-1", "delivered"), (ids[1], "n-2", "permanent-failure"),
                                         (ids[1], "n-other", "delivered")):
        answer = visitor.client.post("/api/v1/notify/callback", headers=headers, json={
            "id": notify_id, "reference": str(reference), "to": "ann@example.org", "status": status,
            "notification_type": "email"})
        assert answer.status_code == 204
    with db.reading() as s:
        assert s.get(OutboxMessage, ids[0]).status is OutboxStatus.DELIVERED
        assert s.get(OutboxMessage, ids[1]).status is OutboxStatus.FAILED  # the stray receipt changed nothing
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "message.failed")).one()
    assert visitor.client.post("/api/v1/notify/callback", headers=headers, json={"id": 5}).status_code == 400


def test_post_is_kept_unless_the_household_agrees_to_notices_by_email(db, world, visitor):
    with db.transaction() as s:
        s.get(Applicant, world.applicants["HR000001"]).email = "ann@example.org"
    visitor.sign_in("HR000001")
    refused = visitor.post("/account/contact", {"by_email": "yes", "large_print": "yes"}, form_page="/account/contact")
    assert refused.status_code == 422 and "unless you agree" in refused.text
    assert 'id="large_print" name="large_print" type="checkbox" value="yes" checked' in refused.text  # kept
    saved = visitor.post("/account/contact", {"by_email": "yes", "email_consent": "yes", "large_print": "yes"},
                         form_page="/account/contact")
    assert saved.status_code == 303
    with db.reading() as s:
        chosen = s.get(ContactPreference, world.applicants["HR000001"])
        assert chosen.email_consent_at is not None and not chosen.by_post and chosen.large_print


def test_staff_are_warned_nothing_is_delivered_see_the_outbox_and_send_a_failed_message_again(db, world, visitor):
    with db.transaction() as s:
        s.add(OutboxMessage(channel=Channel.EMAIL, template="shortlisted", subject="Waiting message", body="b",
                            applicant_id=world.applicants["HR000002"]))
        failed = OutboxMessage(channel=Channel.SMS, template="shortlisted", subject="Shortlisted for AD1", body="b",
                               applicant_id=world.applicants["HR000001"], status=OutboxStatus.FAILED,
                               recipient="447700900999", failure="phone_number Not a UK mobile number")
        s.add(failed)
        s.flush()
        failed_id = failed.id
    staff_sign_in(visitor, "officer@example.org")
    home = visitor.get("/admin")
    assert "Messages are not being delivered" in home.text
    page = visitor.get("/admin/outbox?status=pending")
    assert "Waiting message" in page.text and "Shortlisted for AD1" not in page.text
    assert visitor.get("/admin/outbox?status=lost").status_code == 422
    case = visitor.get("/admin/applicants/HR000001")
    assert "Messages that could not be delivered" in case.text and "Check the mobile number" in case.text
    again = visitor.post(f"/admin/outbox/{failed_id}/send-again", form_page="/admin/applicants/HR000001")
    assert again.status_code == 303
    with db.reading() as s:
        message = s.get(OutboxMessage, failed_id)
        assert message.status is OutboxStatus.PENDING and message.recipient is None
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "message.sent_again")).one()
    assert "Messages that could not be delivered" not in visitor.get("/admin/applicants/HR000001").text


def _secret_messages(db, world, staff) -> dict[str, str]:
    """A household's password link, a staff invitation and an account's one-time code, made as the site
    makes them; the words each carries that only its recipient may read."""
    import re

    from cbl.services import accounts, actors, password_reset
    from cbl.services.staff import Invitee, invite
    from cbl.models import StaffUser
    from cbl.models.states import StaffRole
    from cbl.web.auth import now

    with db.transaction() as s:
        s.get(Applicant, world.applicants["HR000001"]).email = "ann@example.org"
        administrator = actors.staff(s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.ADMIN])).one())
    link = "https://homes.anytown.example{}".format
    db.run(password_reset.ask_as_applicant, "HR000001", "ann@example.org", "203.0.113.9", False, link, now())
    db.run(invite, administrator, Invitee("Nia New", "nia@anytown.example", StaffRole.OFFICER, 1), link, now())
    db.run(accounts.create_account, "new@example.org", "walnut harbour velvet compass",
           "walnut harbour velvet compass", "203.0.113.9", now())
    with db.reading() as s:
        bodies = {m.template: m.body for m in s.exec(select(OutboxMessage).where(
            OutboxMessage.template.in_(["password_reset", "staff_invitation", "account_code"])))}
    secret = {"password_reset": r"/set-password/[\w-]+", "staff_invitation": r"/admin/set-password/[\w-]+",
              "account_code": r"(?<=Your code is )\d{6}"}
    return {template: re.search(secret[template], body).group(0) for template, body in bodies.items()}


def test_staff_read_what_messages_said_but_never_a_code_or_password_link_which_still_go_out(db, world, staff,
                                                                                            visitor):
    from cbl.messages.dispatch import Dispatcher, carriers_for
    from tests.support.messages import notify_settings
    from tests.support.notify_standin import NotifyStandIn

    secrets = _secret_messages(db, world, staff)
    assert set(secrets) == {"password_reset", "staff_invitation", "account_code"}
    with db.transaction() as s:
        s.get(Applicant, world.applicants["HR000002"]).email = "bo@example.org"
        s.add(OutboxMessage(channel=Channel.EMAIL, template="shortlisted", applicant_id=world.applicants["HR000002"],
                            subject="You are 2nd on the shortlist for AD1",
                            body="Bidding has closed. You are 2nd on the shortlist for the home advertised as AD1."))
    staff_sign_in(visitor, "officer@example.org")
    page = visitor.get("/admin/outbox").text
    assert "You are 2nd on the shortlist for the home advertised as AD1" in page  # what it said
    assert page.count("Not shown: it carries a one-time code or a link to set a password") == 3
    for secret in secrets.values():
        assert secret not in page
    # The dispatcher sends each as written: only its recipient reads it.
    with NotifyStandIn() as notify:
        assert Dispatcher(db, carriers_for(notify_settings(notify.base_url))).run().sent == 4
        said = " ".join(n.personalisation["body"] for n in notify.sent())
    assert all(secret in said for secret in secrets.values())


def test_a_password_link_that_failed_is_not_sent_again_by_staff_nor_put_in_a_subject_access_export(db, world, staff,
                                                                                                   visitor):
    import io
    import zipfile

    from cbl.models import StaffUser
    from cbl.models.states import StaffRole
    from cbl.reports.subject_access import subject_access_archive
    from cbl.services import actors
    from cbl.web.auth import now

    link = _secret_messages(db, world, staff)["password_reset"]
    with db.transaction() as s:
        message = s.exec(select(OutboxMessage).where(OutboxMessage.template == "password_reset")).one()
        message.status, message.failure = OutboxStatus.FAILED, "The provider says the address does not exist."
        manager = actors.staff(s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.MANAGER])).one())
    staff_sign_in(visitor, "officer@example.org")
    case = visitor.get("/admin/applicants/HR000001").text
    undelivered = case.split('id="messages"')[1].split("</div>\n</div>")[0]
    assert "Set a new password" in undelivered and "ask for a new link" in undelivered
    assert "Send again" not in undelivered
    # Were the address on the case changed, sending it again would hand the link to whoever changed it.
    refused = visitor.post(f"/admin/outbox/{message.id}/send-again", form_page="/admin/applicants/HR000001")
    assert refused.status_code == 409 and "cannot be sent again" in refused.text
    with db.reading() as s:
        assert s.get(OutboxMessage, message.id).status is OutboxStatus.FAILED
    _, archive = db.run(subject_access_archive, manager, "HR000001", now())
    with zipfile.ZipFile(io.BytesIO(archive)) as files:
        [name] = [n for n in files.namelist() if n.endswith("password_reset.txt")]
        kept = files.read(name).decode()
    assert link not in kept and "Not shown" in kept
