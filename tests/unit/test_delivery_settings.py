"""Delivery settings are checked at start-up: a bad key, template id or SMTP URL stops the app with a
message naming the setting."""

import ast
from pathlib import Path

import pytest

import cbl
from cbl.messages import phones
from cbl.messages.config import EMAIL_TEMPLATES, SMS_TEMPLATES, DeliveryConfigError, load_delivery
from tests.support.notify_standin import API_KEY, EMAIL_TEMPLATE, TEMPLATES


def test_notify_needs_a_template_for_every_message_or_one_per_channel():
    with pytest.raises(DeliveryConfigError, match="no Notify template for sms messages"):
        load_delivery({"CBL_NOTIFY_API_KEY": API_KEY, "CBL_NOTIFY_TEMPLATES": f"email={EMAIL_TEMPLATE}"})
    settings = load_delivery({"CBL_NOTIFY_API_KEY": API_KEY, "CBL_NOTIFY_TEMPLATES": TEMPLATES + ","
                              "email:offer_made=0d7c5a41-1111-4222-8333-944455556666"})
    assert settings.notify_template("email", "offer_made") == "0d7c5a41-1111-4222-8333-944455556666"
    assert settings.notify_template("email", "shortlisted") == EMAIL_TEMPLATE
    assert settings.warning() is None and settings.notify_base_url == "https://api.notifications.service.gov.uk"


def _messages_made_in_the_code() -> set[tuple[str, str]]:
    """(channel, template) of each message the code makes with a template named in it: OutboxMessage(...),
    tell_household(...) (e-mail, and a text when it has one) and text_to_number(...)."""
    made = set()
    for path in Path(cbl.__file__).parent.rglob("*.py"):
        for call in (node for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Call)):
            name = getattr(call.func, "id", getattr(call.func, "attr", None))
            keywords = {keyword.arg: keyword.value for keyword in call.keywords}
            if name == "OutboxMessage" and isinstance(keywords.get("template"), ast.Constant):
                channel = ast.unparse(keywords["channel"])
                channels = [c for c in ("email", "sms") if f"Channel.{c.upper()}" in channel] or ["email", "sms"]
                made |= {(c, keywords["template"].value) for c in channels}
            elif name in {"tell_household", "text_to_number"} and isinstance(call.args[2], ast.Constant):
                texted = name == "text_to_number" or "text" in keywords
                channels = ["sms"] if name == "text_to_number" else ["email", "sms"] if texted else ["email"]
                made |= {(c, call.args[2].value) for c in channels}
    return made


def test_every_message_the_code_makes_is_one_notify_needs_a_template_for():
    made = _messages_made_in_the_code()
    assert {("email", "account_code"), ("sms", "text_reply"), ("sms", "evidence_requested")} <= made  # read well
    listed = {("email", name) for name in EMAIL_TEMPLATES} | {("sms", name) for name in SMS_TEMPLATES}
    assert made - listed == set()


def test_a_message_of_a_kind_without_a_notify_template_fails_with_what_to_set():
    from cbl.messages.carriers import Parcel, PermanentFailure
    from cbl.messages.notify import NotifyCarrier

    settings = load_delivery({"CBL_NOTIFY_API_KEY": API_KEY, "CBL_NOTIFY_TEMPLATES": ",".join(
        f"{channel}:{name}={EMAIL_TEMPLATE}" for channel, names in (("email", EMAIL_TEMPLATES), ("sms", SMS_TEMPLATES))
        for name in names)})
    stray = Parcel(reference="1", channel="sms", template="made_elsewhere", recipient="447700900123", subject="s",
                   body="b")
    with pytest.raises(PermanentFailure, match="CBL_NOTIFY_TEMPLATES"):
        NotifyCarrier(settings).send(stray)


@pytest.mark.parametrize("env, problem", [
    ({"CBL_NOTIFY_API_KEY": "not-a-key", "CBL_NOTIFY_TEMPLATES": TEMPLATES}, "not a Notify API key"),
    ({"CBL_NOTIFY_API_KEY": API_KEY, "CBL_NOTIFY_TEMPLATES": "email=123,sms=456"}, "not a Notify template id"),
    ({"CBL_NOTIFY_TEMPLATES": "fax=0d7c5a41-1111-4222-8333-944455556666"}, "fax"),
    ({"CBL_SMTP_URL": "http://mail.example"}, "smtp://"),
    ({"CBL_SMTP_URL": "smtp://user:secret@mail.example:587"}, "CBL_MAIL_FROM"),
    ({"CBL_OUTBOX_SHOWS_SECRETS": "1", "CBL_SMTP_URL": "smtp://mail.example", "CBL_MAIL_FROM": "a@b.example"},
     "CBL_OUTBOX_SHOWS_SECRETS is for a demo that delivers nothing"),
])
def test_a_setting_that_cannot_work_is_refused_by_name(env, problem):
    with pytest.raises(DeliveryConfigError, match=problem):
        load_delivery(env)


def test_codes_and_password_links_are_shown_to_staff_only_in_a_demo_that_delivers_nothing():
    said = "Your code is 123456."
    assert load_delivery({}).shown_to_staff("account_code", said).startswith("Not shown")
    assert load_delivery({}).shown_to_staff("shortlisted", "You are 3rd for AD1.") == "You are 3rd for AD1."
    assert load_delivery({"CBL_OUTBOX_SHOWS_SECRETS": "1"}).shown_to_staff("account_code", said) == said


def test_smtp_alone_delivers_email_and_says_letters_and_texts_wait():
    settings = load_delivery({"CBL_SMTP_URL": "smtp://u%40x:p%3Aw@mail.example", "CBL_MAIL_FROM": "a@b.example"})
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.username, settings.smtp.password) == (
        "mail.example", 587, "u@x", "p:w")
    assert settings.smtp.starttls and settings.channels() == {"email"}
    assert "letters and text messages wait" in settings.warning()


@pytest.mark.parametrize("typed, stored", [("07700 900123", "447700900123"), ("+44 7700 900123", "447700900123"),
                                           ("447700900123", "447700900123"), ("01632 960000", None), ("7700", None)])
def test_mobile_numbers_are_written_one_way(typed, stored):
    assert phones.mobile(typed) == stored
