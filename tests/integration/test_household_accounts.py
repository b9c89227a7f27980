"""Households' accounts: confirmed by a one-time code, whose tries, lifetime and sending are limited, and signed
in to by e-mail address or mobile number."""

from datetime import timedelta

import pytest
from sqlmodel import select

from cbl.models import HouseholdAccount, OutboxMessage
from cbl.models.states import Channel
from cbl.services import accounts
from cbl.services.errors import Conflict, InvalidInput
from cbl.services.throttling import TooManyAttempts
from tests.support.factories import NOW, PASSWORD


def _code(db, account_id):
    with db.reading() as s:
        account = s.get(HouseholdAccount, account_id)
        contact = account.email or account.mobile
        message = s.exec(select(OutboxMessage).where(OutboxMessage.recipient == contact)
                         .order_by(OutboxMessage.id.desc())).first()
    return message, message.body.split("Your code is ")[1][:6]


def _made(db, contact="ada@example.net", address="192.0.2.1", at=NOW):
    return db.run(accounts.create_account, contact, PASSWORD, PASSWORD, address, at).id


def test_a_mobile_number_gets_its_code_by_text_and_the_right_code_confirms_the_account(db):
    account_id = _made(db, "07700 900123")
    message, code = _code(db, account_id)
    assert message.channel is Channel.SMS and message.recipient == "447700900123"
    assert db.run(accounts.confirm, account_id, "000000" if code != "000000" else "111111", NOW) is False
    assert db.run(accounts.confirm, account_id, code[:3] + " " + code[3:], NOW + timedelta(minutes=29))
    with db.reading() as s:
        assert s.get(HouseholdAccount, account_id).confirmed_at is not None
    signed_in = db.run(accounts.authenticate, "+44 7700 900123", PASSWORD, "192.0.2.1", NOW)
    assert signed_in is not None and signed_in.id == account_id


def test_a_code_stops_working_after_30_minutes_or_five_wrong_tries(db):
    late = _made(db)
    _, code = _code(db, late)
    with pytest.raises(InvalidInput, match="expired"):
        db.run(accounts.confirm, late, code, NOW + timedelta(minutes=30))
    guessed = _made(db, "bob@example.net")
    _, code = _code(db, guessed)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(accounts.CODE_TRIES):
        assert db.run(accounts.confirm, guessed, wrong, NOW) is False
    with pytest.raises(InvalidInput, match="too many times"):
        db.run(accounts.confirm, guessed, code, NOW)


def test_codes_and_accounts_asked_for_are_limited(db):
    account_id = _made(db)
    for _ in range(accounts.CODES_PER_ACCOUNT - 1):  # the first went when the account was made
        db.run(lambda s: accounts.send_code(s, s.get(HouseholdAccount, account_id), NOW))
    with pytest.raises(TooManyAttempts, match="several codes"):
        db.run(lambda s: accounts.send_code(s, s.get(HouseholdAccount, account_id), NOW))
    db.run(lambda s: accounts.send_code(s, s.get(HouseholdAccount, account_id), NOW + timedelta(hours=1)))
    for number in range(accounts.ACCOUNTS_PER_ADDRESS):
        _made(db, f"person{number}@example.net", address="198.51.100.7")
    with pytest.raises(TooManyAttempts, match="Too many accounts"):
        _made(db, "one-more@example.net", address="198.51.100.7")


def test_a_confirmed_address_cannot_be_taken_again_but_an_unconfirmed_one_gives_way(db):
    _made(db)
    second = _made(db)  # the first was never confirmed: nothing is lost
    with db.reading() as s:
        assert s.exec(select(HouseholdAccount.id).where(HouseholdAccount.email == "ada@example.net")).all() == [second]
    _, code = _code(db, second)
    db.run(accounts.confirm, second, code, NOW)
    with pytest.raises(Conflict, match="already an account"):
        _made(db, " ADA@example.net ")


@pytest.mark.parametrize("typed", ["ada", "ada@", "@example.net", "ada@example", "01632 960000"])
def test_what_is_neither_an_e_mail_address_nor_a_uk_mobile_is_refused(db, typed):
    with pytest.raises(InvalidInput):
        _made(db, typed)
