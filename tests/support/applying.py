"""Applications sent online, made through the services (the pages are walked in tests/e2e/test_applying_online.py)."""

from datetime import datetime

from cbl.models import HouseholdAccount
from cbl.services import applying
from cbl.services.applying import Owner
from tests.support.factories import PASSWORD_HASH


def answers(*, name="Ada Online", born="1990-04-02", years=5, income=18_500_00, savings=400_00, priorities=(),
            people=(), **more) -> dict:
    given = {
        "lead": {"name": name, "date_of_birth": born, "sex": "F"},
        "joint": {"joint": "no"}, "people": list(people), "members": {"more": "no"},
        "address": {"address": "1 Flat Lane, Anytown", "postcode": "AT1 2BC"},
        "tenure": {"tenure": "private_tenant"}, "area": {"years": years, "connections": []},
        "immigration": {"british_or_irish": "yes", "leave": "", "resident": "yes"},
        "circumstances": {"priorities": list(priorities), "detail": ""},
        "money": {"income": income, "savings": savings},
        "contact": {"ways": ["by_email"], "email": "", "phone": "", "large_print": False},
        "evidence": {"seen": True},
    }
    return {**given, **more}


def send_application(db, scheme, now: datetime, contact: str = "ada@example.net", **given) -> tuple[int, int]:
    """A confirmed account whose application is sent: (its online application's id, the applicant's id)."""
    with db.transaction() as s:
        account = HouseholdAccount(email=contact, password_hash=PASSWORD_HASH, confirmed_at=now, created_at=now)
        s.add(account)
        s.flush()
        owner = Owner(account_id=account.id)
        for key, value in answers(**given).items():
            found = applying.save_answer(s, owner, key, value, now)
        applicant = applying.submit_application(s, scheme, account.id, True, now)
        return found.id, applicant.id
