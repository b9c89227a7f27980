"""A dispatcher killed with SIGKILL in the middle of a batch, and started again: every message
reaches GOV.UK Notify (the stand-in) exactly once, and the outbox says so."""

import os
import subprocess
import sys
import time
from collections import Counter

from sqlmodel import select

from cbl.models import OutboxMessage
from cbl.models.states import Channel, OutboxStatus
from tests.support.factories import add_applicant, make_world
from tests.support.notify_standin import API_KEY, TEMPLATES, NotifyStandIn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
MESSAGES = 240
LEASE_SECONDS = 2


def _dispatcher(db_url: str, base_url: str) -> subprocess.Popen:
    env = {**os.environ, "CBL_DATABASE_URL": db_url, "CBL_SECRET_KEY": "fault-test-secret",
           "CBL_NOTIFY_API_KEY": API_KEY, "CBL_NOTIFY_BASE_URL": base_url, "CBL_NOTIFY_TEMPLATES": TEMPLATES}
    return subprocess.Popen([sys.executable, "-m", "cbl.messages", "--batch", "20", "--lease", str(LEASE_SECONDS)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_a_dispatcher_killed_mid_batch_and_restarted_sends_every_message_once(db, scheme):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=1)
        applicant = add_applicant(s, scheme, world, "HR000001", email="ann@example.org", phone="07700900123")
        s.add_all(OutboxMessage(channel=Channel.EMAIL if n % 3 else Channel.SMS, template="shortlisted",
                                applicant_id=applicant.id, subject=f"Message {n}", body=f"Body {n}")
                  for n in range(MESSAGES))
    # Past a third of the messages Notify accepts sends but its answers never arrive, so the kill
    # lands with requests in flight whose messages exist at Notify and are unconfirmed here.
    with NotifyStandIn(delay=0.002) as notify:
        notify.stall_answers_after(MESSAGES // 3)
        first = _dispatcher(db.url, notify.base_url)
        while len(notify.sent()) <= MESSAGES // 3:
            assert first.poll() is None, first.stdout.read()
            time.sleep(0.005)
        time.sleep(0.2)  # the other senders reach Notify too
        first.kill()
        first.wait()
        notify.release_answers()
        assert len(notify.sent()) < MESSAGES
        with db.reading() as s:
            claimed = s.exec(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENDING)).all()
        accepted_unheard = {str(m.id) for m in claimed} & {n.reference for n in notify.sent()}
        assert accepted_unheard, "the kill should leave messages Notify has but this side never heard of"
        time.sleep(LEASE_SECONDS + 0.5)  # the dead dispatcher's claims run out
        second = _dispatcher(db.url, notify.base_url)
        output, _ = second.communicate(timeout=120)
        assert second.returncode == 0, output
        references = Counter(n.reference for n in notify.sent())
    assert len(references) == MESSAGES
    assert set(references.values()) == {1}, {ref: count for ref, count in references.items() if count > 1}
    with db.reading() as s:
        rows = s.exec(select(OutboxMessage)).all()
        assert {row.status for row in rows} == {OutboxStatus.SENT}
        assert {row.carrier_id for row in rows} == {n.id for n in notify.sent()}
