"""Messages leave the outbox through GOV.UK Notify (a local stand-in of its API) or a real SMTP
server, once each, with retries on temporary failures and officers told of permanent ones."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from cbl.messages.config import load_delivery
from cbl.messages.dispatch import Dispatcher, carriers_for
from cbl.models import Applicant, AuditEvent, Organisation, OutboxMessage
from cbl.models.states import Channel, OutboxStatus
from tests.support.databases import free_port
from tests.support.factories import add_applicant, make_world
from tests.support.messages import MailServer, notify_settings
from tests.support.notify_standin import EMAIL_TEMPLATE, SERVICE_ID, NotifyStandIn


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def household(db, scheme):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=1)
        applicant = add_applicant(s, scheme, world, "HR000001", email="ann@example.org", phone="07700 900123",
                                  address="Flat 4, 12 High Street, Anytown", postcode="AN1 2BC")
        s.get(Organisation, world.provider).lettings_email = "lettings@riverside.example"
        return applicant.id, world


def add_message(db, channel: Channel, applicant_id: int | None, **fields) -> int:
    with db.transaction() as s:
        message = OutboxMessage(channel=channel, template=fields.pop("template", "shortlisted"),
                                applicant_id=applicant_id, subject=fields.pop("subject", "You are on a shortlist"),
                                body=fields.pop("body", "You are 3rd for AD1."), **fields)
        s.add(message)
        s.flush()
        return message.id


def message(db, message_id: int) -> OutboxMessage:
    with db.reading() as s:
        return s.get(OutboxMessage, message_id)


@pytest.fixture
def notify():
    with NotifyStandIn() as standin:
        yield standin


def test_an_email_and_a_text_go_through_notify_templates_with_the_outbox_id_as_reference(db, household, notify):
    applicant_id, _ = household
    email = add_message(db, Channel.EMAIL, applicant_id)
    text = add_message(db, Channel.SMS, applicant_id)
    outcome = Dispatcher(db, carriers_for(notify_settings(notify.base_url))).run()
    assert outcome.sent == 2
    by_reference = {n.reference: n for n in notify.sent()}
    assert by_reference[str(email)].to == "ann@example.org"
    assert by_reference[str(email)].template_id == EMAIL_TEMPLATE
    assert by_reference[str(email)].personalisation == {"subject": "You are on a shortlist",
                                                         "body": "You are 3rd for AD1."}
    assert by_reference[str(text)].to == "447700900123"
    assert notify.refused_tokens == 0
    assert message(db, email).status is OutboxStatus.SENT
    assert message(db, email).carrier_id == by_reference[str(email)].id


def test_the_stand_in_refuses_a_token_not_signed_with_the_services_key(db, household, notify):
    applicant_id, _ = household
    add_message(db, Channel.EMAIL, applicant_id)
    wrong = load_delivery({"CBL_NOTIFY_API_KEY": f"x-{SERVICE_ID}-11111111-2222-4333-8444-555555555555",
                           "CBL_NOTIFY_BASE_URL": notify.base_url,
                           "CBL_NOTIFY_TEMPLATES": f"email={EMAIL_TEMPLATE},sms={EMAIL_TEMPLATE}"})
    outcome = Dispatcher(db, carriers_for(wrong)).run()
    assert outcome.paused and notify.sent() == [] and notify.refused_tokens == 1


def test_a_letter_goes_by_post_as_a_precompiled_pdf(db, scheme, household, notify):
    from cbl.messages.letters import issue_letter
    from cbl.models.states import ReviewType
    from cbl.rules.decision_types import review_rights

    applicant_id, _ = household
    with db.transaction() as s:
        letter = issue_letter(s, applicant_id, "suspension", "Your application is suspended from bidding",
                              datetime.now(timezone.utc), reason="Rent arrears.", until=None,
                              rights=review_rights(ReviewType.SUSPENSION, scheme.reviews, date.today())).id
    Dispatcher(db, carriers_for(notify_settings(notify.base_url))).run()
    [posted] = notify.sent("letter")
    assert posted.reference == str(letter) and posted.content.startswith(b"%PDF-")
    assert message(db, letter).status is OutboxStatus.SENT


def test_a_rate_limit_pauses_the_dispatcher_and_everything_goes_later_once(db, household, notify):
    applicant_id, _ = household
    ids = [add_message(db, Channel.EMAIL, applicant_id) for _ in range(3)]
    notify.fail_next(429)
    clock = Clock()
    dispatcher = Dispatcher(db, carriers_for(notify_settings(notify.base_url)), clock=clock, senders=1)
    first = dispatcher.run()
    assert first.paused and first.sent == 0 and notify.sent() == []
    assert {message(db, i).status for i in ids} == {OutboxStatus.PENDING}
    assert dispatcher.run().sent == 0  # not due yet
    clock.now += timedelta(minutes=1)
    assert dispatcher.run().sent == 3
    assert sorted(n.reference for n in notify.sent()) == sorted(map(str, ids))


def test_a_rate_limit_met_by_one_of_several_senders_loses_and_repeats_nothing(db, household, notify):
    applicant_id, _ = household
    ids = [add_message(db, Channel.EMAIL, applicant_id) for _ in range(40)]
    notify.fail_next(429)
    clock = Clock()
    dispatcher = Dispatcher(db, carriers_for(notify_settings(notify.base_url)), clock=clock, senders=4)
    assert dispatcher.run().paused
    clock.now += timedelta(minutes=1)
    dispatcher.run()
    assert sorted(n.reference for n in notify.sent()) == sorted(map(str, ids))
    assert {message(db, i).status for i in ids} == {OutboxStatus.SENT}


def test_a_server_error_is_retried_with_backoff_after_checking_it_did_not_arrive(db, household, notify):
    applicant_id, _ = household
    sent = add_message(db, Channel.EMAIL, applicant_id)
    notify.fail_next(500, times=2)
    clock = Clock()
    dispatcher = Dispatcher(db, carriers_for(notify_settings(notify.base_url)), clock=clock)
    assert dispatcher.run().retrying == 1
    first_wait = message(db, sent).next_attempt_at - clock.now
    clock.now += first_wait
    assert dispatcher.run().retrying == 1
    assert message(db, sent).next_attempt_at - clock.now == 2 * first_wait  # backing off
    assert "500" in message(db, sent).failure
    clock.now += 2 * first_wait
    assert dispatcher.run().sent == 1
    assert [n.reference for n in notify.sent()] == [str(sent)]
    assert ("GET", "/v2/notifications") in notify.requests  # asked by reference before sending again


def test_an_invalid_number_fails_for_good_and_the_officer_sees_what_to_do(db, household, notify):
    from cbl.messages.failures import failed_messages

    applicant_id, _ = household
    text = add_message(db, Channel.SMS, applicant_id, recipient="447700900999")
    notify.invalid_numbers.add("447700900999")
    outcome = Dispatcher(db, carriers_for(notify_settings(notify.base_url))).run()
    assert outcome.failed == 1 and notify.sent() == []
    assert message(db, text).status is OutboxStatus.FAILED
    with db.reading() as s:
        [failure] = failed_messages(s, applicant_id)
        assert "Not a UK mobile number" in failure.reason and "mobile number" in failure.advice
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "message.failed",
                                               AuditEvent.applicant_id == applicant_id)).one()


def test_a_message_claimed_by_a_dispatcher_that_died_after_sending_is_not_sent_again(db, household, notify):
    from cbl.messages import claims

    applicant_id, _ = household
    sent = add_message(db, Channel.EMAIL, applicant_id)
    clock = Clock()
    carriers = carriers_for(notify_settings(notify.base_url))
    # A dispatcher claims it and sends it, then dies before recording that it did.
    db.run(claims.claim, frozenset({"email"}), "dead", clock.now, timedelta(minutes=2), 10)
    with db.reading() as s:
        from cbl.messages.parcels import parcel_for

        carriers["email"].send(parcel_for(s, s.get(OutboxMessage, sent)))
    survivor = Dispatcher(db, carriers, clock=clock)
    assert survivor.run().sent == 0  # still claimed by the dead one
    clock.now += timedelta(minutes=3)
    assert survivor.run().sent == 1
    assert [n.reference for n in notify.sent()] == [str(sent)]
    assert message(db, sent).carrier_id == notify.sent()[0].id


def test_a_message_without_an_address_fails_with_advice(db, household, notify):
    applicant_id, _ = household
    with db.transaction() as s:
        s.get(Applicant, applicant_id).email = None
    email = add_message(db, Channel.EMAIL, applicant_id)
    assert Dispatcher(db, carriers_for(notify_settings(notify.base_url))).run().failed == 1
    assert "no e-mail address" in message(db, email).failure


def test_without_notify_or_smtp_nothing_leaves_and_staff_are_warned(db, household):
    applicant_id, _ = household
    email = add_message(db, Channel.EMAIL, applicant_id)
    settings = load_delivery({})
    assert carriers_for(settings) == {}
    assert Dispatcher(db, carriers_for(settings)).run().sent == 0
    assert message(db, email).status is OutboxStatus.PENDING
    assert "not being delivered" in settings.warning()


def test_email_goes_through_a_real_smtp_server_from_the_configured_address(db, household):
    applicant_id, world = household
    port = free_port()
    with MailServer(port, refuse={"gone@example.org"}) as mail:
        settings = load_delivery({"CBL_SMTP_URL": f"smtp://127.0.0.1:{port}?starttls=no",
                                  "CBL_MAIL_FROM": "lettings@anytown.example"})
        nomination = add_message(db, Channel.EMAIL, None, organisation_id=world.provider, template="nomination",
                                 subject="Nomination for P-AD1", body="Please answer by 4 December.")
        bounced = add_message(db, Channel.EMAIL, applicant_id, recipient="gone@example.org")
        text = add_message(db, Channel.SMS, applicant_id)
        outcome = Dispatcher(db, carriers_for(settings)).run()
    assert (outcome.sent, outcome.failed) == (1, 1)
    [(sender, recipients, email)] = mail.messages
    assert sender == "lettings@anytown.example" and recipients == ["lettings@riverside.example"]
    assert email["Subject"] == "Nomination for P-AD1" and "4 December" in email.get_content()
    assert email["Message-ID"] == message(db, nomination).carrier_id
    assert "refused the address" in message(db, bounced).failure
    assert message(db, text).status is OutboxStatus.PENDING  # texts need Notify


def test_a_message_that_cannot_be_made_ready_waits_for_a_later_try_and_the_rest_still_go(db, household, notify,
                                                                                        monkeypatch):
    from cbl.messages import parcels

    def broken_layout(*args, **kwargs):
        raise RuntimeError("the layout engine fell over")

    applicant_id, _ = household
    letter = add_message(db, Channel.LETTER, applicant_id, body="<p>Your band.</p>")
    email = add_message(db, Channel.EMAIL, applicant_id)
    monkeypatch.setattr(parcels, "letter_pdf", broken_layout)
    outcome = Dispatcher(db, carriers_for(notify_settings(notify.base_url)), senders=1).run()
    assert (outcome.sent, outcome.retrying) == (1, 1)
    assert [n.reference for n in notify.sent()] == [str(email)]
    waiting = message(db, letter)
    assert waiting.status is OutboxStatus.PENDING and waiting.next_attempt_at is not None and waiting.attempts == 1


def _text_sizes_in_points(pdf: bytes) -> set[float]:
    """The sizes the PDF's text is set in (WeasyPrint writes CSS pixels: 0.75 of a point each)."""
    import re
    import zlib

    sizes = set()
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            content = zlib.decompress(stream.group(1))
        except zlib.error:
            continue
        sizes |= {round(float(size) * 0.75, 1) for size in re.findall(rb"/\w+ ([\d.]+) Tf", content)}
    return sizes


def test_a_decision_letter_to_a_household_that_chose_post_and_large_print_is_posted_in_large_print(
        db, scheme, household, notify):
    from cbl.messages.letters import issue_letter
    from cbl.models import ContactPreference
    from cbl.models.states import ReviewType
    from cbl.rules.decision_types import review_rights

    applicant_id, world = household
    now = datetime.now(timezone.utc)
    rights = review_rights(ReviewType.SUSPENSION, scheme.reviews, now.date())
    with db.transaction() as s:
        # Post only, in large print: an e-mail address is held, but the household did not choose e-mail.
        s.add(ContactPreference(applicant_id=applicant_id, by_email=False, by_post=True, large_print=True))
        other = add_applicant(s, scheme, world, "HR000002", address="3 Low Road, Anytown", postcode="AN1 3CD").id
        large = issue_letter(s, applicant_id, "suspension", "Your application is suspended from bidding", now,
                             reason="Rent arrears.", until=None, rights=rights).id
        standard = issue_letter(s, other, "suspension", "Your application is suspended from bidding", now,
                                reason="Rent arrears.", until=None, rights=rights).id
    Dispatcher(db, carriers_for(notify_settings(notify.base_url))).run()
    posted = {n.reference: n.content for n in notify.sent("letter")}
    assert set(posted) == {str(large), str(standard)}
    assert notify.sent("email") == [] and notify.sent("sms") == []  # the letter is the one way it chose
    assert 16.0 in _text_sizes_in_points(posted[str(large)])  # large print: 16 point text
    assert 12.0 not in _text_sizes_in_points(posted[str(large)])  # and none of the standard 12 point
    assert 16.0 not in _text_sizes_in_points(posted[str(standard)])
    assert message(db, large).large_print and message(db, large).status is OutboxStatus.SENT


def test_email_goes_over_starttls_to_a_server_that_requires_it_signed_in_as_the_url_says(db, household,
                                                                                          monkeypatch):
    import ssl

    import trustme

    applicant_id, _ = household
    authority = trustme.CA()
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(served)
    port, clock = free_port(), Clock()
    settings = load_delivery({"CBL_SMTP_URL": f"smtp://lettings:p%40ss%3Aword@127.0.0.1:{port}",
                              "CBL_MAIL_FROM": "lettings@anytown.example"})
    with MailServer(port, tls_context=served, logins={"lettings": "p@ss:word"}) as mail, \
            authority.cert_pem.tempfile() as trusted:
        sent = add_message(db, Channel.EMAIL, applicant_id)
        # A certificate no trusted authority signed: nothing is sent, the message waits.
        assert Dispatcher(db, carriers_for(settings), clock=clock).run().paused
        assert "SSLCertVerificationError" in message(db, sent).failure and mail.messages == []
        # The council's own authority, trusted the usual way for OpenSSL: no setting of ours turns checks off.
        monkeypatch.setenv("SSL_CERT_FILE", trusted)
        clock.now += timedelta(minutes=1)
        assert Dispatcher(db, carriers_for(settings), clock=clock).run().sent == 1
        wrong = load_delivery({"CBL_SMTP_URL": f"smtp://lettings:guess@127.0.0.1:{port}",
                               "CBL_MAIL_FROM": "lettings@anytown.example"})
        refused = add_message(db, Channel.EMAIL, applicant_id)
        assert Dispatcher(db, carriers_for(wrong), clock=clock).run().paused  # a wrong password fails nothing
    assert mail.signed_in == ["lettings"]
    [(_, recipients, email)] = mail.messages
    assert recipients == ["ann@example.org"] and email["Message-ID"] == message(db, sent).carrier_id
    assert message(db, refused).status is OutboxStatus.PENDING and "sign in" in message(db, refused).failure
