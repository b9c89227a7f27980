"""Delivery settings are checked at start-up: a bad key, template id or SMTP URL stops the app with a
message naming the setting."""

import pytest

from cbl.messages import phones
from cbl.messages.config import DeliveryConfigError, load_delivery
from tests.support.notify_standin import API_KEY, EMAIL_TEMPLATE, TEMPLATES


def test_notify_needs_a_template_for_every_message_or_one_per_channel():
    with pytest.raises(DeliveryConfigError, match="no Notify template for sms messages"):
        load_delivery({"CBL_NOTIFY_API_KEY": API_KEY, "CBL_NOTIFY_TEMPLATES": f"email={EMAIL_TEMPLATE}"})
    settings = load_delivery({"CBL_NOTIFY_API_KEY": API_KEY, "CBL_NOTIFY_TEMPLATES": TEMPLATES + ","
                              "email:offer_made=0d7c5a41-1111-4222-8333-944455556666"})
    assert settings.notify_template("email", "offer_made") == "0d7c5a41-1111-4222-8333-944455556666"
    assert settings.notify_template("email", "shortlisted") == EMAIL_TEMPLATE
    assert settings.warning() is None and settings.notify_base_url == "https://api.notifications.service.gov.uk"


@pytest.mark.parametrize("env, problem", [
    ({"CBL_NOTIFY_API_KEY": "not-a-key", "CBL_NOTIFY_TEMPLATES": TEMPLATES}, "not a Notify API key"),
    ({"CBL_NOTIFY_API_KEY": API_KEY, "CBL_NOTIFY_TEMPLATES": "email=123,sms=456"}, "not a Notify template id"),
    ({"CBL_NOTIFY_TEMPLATES": "fax=0d7c5a41-1111-4222-8333-944455556666"}, "fax"),
    ({"CBL_SMTP_URL": "http://mail.example"}, "smtp://"),
    ({"CBL_SMTP_URL": "smtp://user:secret@mail.example:587"}, "CBL_MAIL_FROM"),
])
def test_a_setting_that_cannot_work_is_refused_by_name(env, problem):
    with pytest.raises(DeliveryConfigError, match=problem):
        load_delivery(env)


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
