"""Staff's second factor in tests: a known authenticator-app secret, and the code it gives now.

The secret is kept sealed under the site's secret key: KEY is the one the e2e tests' app has.

Tests that are not about the second factor sign staff in through helpers (tests/e2e/conftest.py,
tests/browser/conftest.py) that give the member of staff this secret if they have none and type its
current code, as the person would read it from their app.
"""

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlmodel import select

from cbl.database import Database
from cbl.models import StaffSecondFactor, StaffUser
from cbl.services import second_factor

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
KEY = "test-secret-key-" * 3  # CBL_SECRET_KEY of the e2e tests' app (tests/e2e/conftest.py)


def code_for(db: Database, email: str, key: str = KEY) -> str:
    """The current code of the member of staff's app, set up with SECRET if they have none.

    The step last used is forgotten first: a test signing the same person in several times within
    30 seconds is not testing replay (tests/e2e/test_second_factor.py does), and a person would wait.
    """
    now = datetime.now(timezone.utc)
    with db.transaction() as session:
        user_id = session.exec(select(StaffUser.id).where(sa.func.lower(StaffUser.email) == email.lower())).one()
        factor = session.get(StaffSecondFactor, user_id)
        if factor is None or factor.enrolled_at is None:
            if factor is not None:
                session.delete(factor)
                session.flush()
            factor = StaffSecondFactor(staff_user_id=user_id, secret=second_factor.seal(SECRET, key), created_at=now,
                                       enrolled_at=now)
        factor.last_step = None
        session.add(factor)
    return second_factor.current_code(second_factor.unsealed(factor.secret, key), now)
