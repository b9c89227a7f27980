"""The README's first command works: migrate, seed the demo council, serve, and /health answers."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient
from sqlmodel import func, select

from cbl.app import create_app
from cbl.cli import main
from cbl.database import Database
from cbl.models import Advert, Applicant, Bid, Cycle, NominationAgreement, Organisation, ShortlistEntry, StaffUser
from cbl.models.states import CycleStatus, OrganisationKind, StaffRole
from cbl.services.actors import SYSTEM
from cbl.services.audit_check import verify_lets
from cbl.settings import load_settings
from tests.e2e.conftest import Browser
from tests.support.databases import free_port


def _settings(url: str, tmp_path: Path):
    return load_settings({"CBL_DATABASE_URL": url}, workdir=tmp_path)


def test_cbl_demo_seeds_a_believable_council_and_the_app_reports_healthy(database_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CBL_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    assert main(["db", "upgrade"]) == 0
    assert main(["demo", "--seed", "7", "--applicants", "600"]) == 0
    printed = capsys.readouterr().out
    assert "officer@anytown.example" in printed and "demo-password-2026" in printed
    assert "add the key DEMO ANYT OWNL" in printed  # the demo staff's authenticator app
    assert main(["demo"]) == 1  # a second seed would duplicate the council

    db = Database(database_url)
    try:
        with db.reading() as s:
            count = lambda model, *where: s.exec(select(func.count()).select_from(model).where(*where)).one()  # noqa: E731
            assert count(Applicant) == 600
            assert count(Organisation, Organisation.kind == OrganisationKind.PROVIDER) == 3
            assert count(NominationAgreement) == 3
            assert {u.role for u in s.exec(select(StaffUser))} == set(StaffRole)
            assert count(Advert) > 20
            *history, last_week, this_week = s.exec(select(Cycle).order_by(Cycle.opens_at)).all()
            assert history and all(c.status is CycleStatus.CLOSED for c in history)  # months of past lets
            checked, gaps = verify_lets(s, SYSTEM)  # the seeded history has its audit trail too
            assert checked >= 20 and gaps == []
            assert last_week.status is CycleStatus.CLOSED and last_week.close_report["proposed_lets"] > 5
            last_week_adverts = select(Advert.id).where(Advert.cycle_id == last_week.id)
            assert count(ShortlistEntry, ShortlistEntry.proposed, ShortlistEntry.advert_id.in_(last_week_adverts)
                         ) == last_week.close_report["proposed_lets"]
            assert this_week.status is CycleStatus.OPEN  # whatever the day of the week
            assert count(Bid, Bid.cycle_id == this_week.id) > 100
            bands = dict(s.exec(select(Applicant.band, func.count()).group_by(Applicant.band)).all())
            assert set(bands) == {"A", "B", "C", "D"} and bands["A"] < bands["C"]
        with TestClient(create_app(_settings(database_url, tmp_path), db=db)) as client:
            health = client.get("/health")
            assert health.status_code == 200
            assert health.json()["status"] == "ok"
            assert "Find a council or housing association home" in client.get("/").text
            assert client.get("/adverts").text.count('href="/adverts/AD') >= 10
            assert client.get("/results").text.count("(AH") >= 20  # a year of past lets
            # A demo officer signs in with the printed password and the code `cbl demo --code` prints.
            visitor = Browser(client)
            first = visitor.post("/admin/sign-in", {"email": "officer@anytown.example",
                                                    "password": "demo-password-2026"}, form_page="/admin/sign-in")
            assert first.headers["location"].startswith("/admin/sign-in/code")
            assert main(["demo", "--code"]) == 0
            code = capsys.readouterr().out.split()[0]
            second = visitor.post("/admin/sign-in/code", {"code": code}, form_page="/admin/sign-in/code")
            assert second.status_code == 303 and second.headers["location"] == "/admin"
    finally:
        db.dispose()


def test_the_demo_is_the_same_for_the_same_seed(tmp_path, scheme, migrated):
    from datetime import datetime, timezone

    from cbl import demo
    from tests.conftest import copy_of_migrated

    snapshots = []
    for run in ("a", "b"):
        url = f"sqlite:///{tmp_path / run}.sqlite3"
        copy_of_migrated(url, migrated("sqlite"))
        db = Database(url)
        with db.transaction() as s:
            demo.seed(s, scheme, seed=11, applicants=200, properties=60,
                      now=datetime(2026, 11, 20, 12, tzinfo=timezone.utc))
        with db.reading() as s:
            snapshots.append((
                [(a.reference, a.band, a.band_date, a.bedroom_need)
                 for a in s.exec(select(Applicant).order_by(Applicant.id))],
                [(b.applicant_id, b.advert_id, b.preference) for b in s.exec(select(Bid).order_by(Bid.id))],
            ))
        db.dispose()
    assert snapshots[0] == snapshots[1]
    assert snapshots[0][1], "the demo's open cycle has bids"


def test_cbl_up_serves_the_site_with_demo_data_on_sqlite(tmp_path):
    port = free_port()
    env = {**os.environ, "CBL_PORT": str(port), "CBL_DATABASE_URL": f"sqlite:///{tmp_path / 'up.sqlite3'}"}
    env.pop("CBL_SCHEME", None)
    server = subprocess.Popen([sys.executable, "-m", "cbl", "up"], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None:
                    pytest.fail(f"cbl up exited: {server.stdout.read()}")
                time.sleep(0.5)
        else:
            pytest.fail("cbl up did not answer within 120 s")
        assert answer.status_code == 200 and answer.json()["database"] == "sqlite"
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.status_code == 200 and "<h1" in page.text
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
    assert "HR000001" in output and "officer@anytown.example" in output
    assert (tmp_path / ".cbl-secret").exists()
