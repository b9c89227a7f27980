"""A cycle close killed with SIGKILL half way runs again when the scheduler comes back: it completes once,
and the shortlists are exactly those of a close that was never interrupted."""

import os
import signal
import subprocess
import sys

import pytest

from cbl.database import Database, upgrade
from cbl.models import Cycle
from cbl.models.states import CycleStatus
from cbl.services.actors import SYSTEM
from cbl.services.cycles import close_cycle
from tests.support.databases import database as throwaway
from tests.faults.closing import close_time, prepare, shortlists

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


def _reference_shortlists(kind: str, scheme) -> list[tuple]:
    """The same cycle closed without interruption, in a database of its own."""
    with throwaway(kind, prefix="cbl_fault") as url:
        upgrade(url)
        db = Database(url)
        try:
            cycle_id = prepare(db, scheme)
            assert db.run(close_cycle, SYSTEM, scheme, cycle_id, close_time(db, cycle_id), time_limit=30)
            return shortlists(db)
        finally:
            db.dispose()


def test_a_close_killed_mid_way_completes_once_on_restart_with_the_same_shortlists(db, scheme):
    cycle_id = prepare(db, scheme)
    closer = subprocess.Popen([sys.executable, "-m", "tests.faults.closing", db.url, str(cycle_id)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    assert closer.stdout.readline().strip() == "closing"
    assert closer.stdout.readline().strip() == "ranked"  # in the close: bids frozen and ranked, nothing stored
    closer.send_signal(signal.SIGKILL)
    closer.wait(timeout=30)
    if closer.returncode == 0:
        pytest.fail("the close finished before it could be killed; give it more to do")
    with db.reading() as s:
        assert s.get(Cycle, cycle_id).status is CycleStatus.OPEN  # nothing half-done was kept
    assert shortlists(db) == []

    # The scheduler comes back: the close runs, once.
    assert db.run(close_cycle, SYSTEM, scheme, cycle_id, close_time(db, cycle_id), time_limit=30)
    assert not db.run(close_cycle, SYSTEM, scheme, cycle_id, close_time(db, cycle_id), time_limit=30)
    with db.reading() as s:
        assert s.get(Cycle, cycle_id).status is CycleStatus.CLOSED
    after_restart = shortlists(db)
    assert len(after_restart) == 1200  # every bid ranked
    assert after_restart == _reference_shortlists(db.dialect, scheme)
