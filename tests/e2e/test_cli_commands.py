"""The commands a newcomer types after `cbl up`: provider keys, the provider list, the demo's sign-ins."""

import os
import subprocess
import sys

import pytest
from sqlmodel import func, select

from cbl.cli import main
from cbl.models import Organisation
from tests.support.databases import ADMIN_URL, postgres_reachable
from tests.support.factories import make_world


def _cbl(*args: str, cwd, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CBL_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "cbl", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("args", [["provider-key", "RHA"], ["provider-key", "--list"], ["demo", "--sign-ins"]])
def test_with_no_database_the_command_says_so_in_one_line_and_makes_none(tmp_path, args):
    missing = tmp_path / "nowhere.sqlite3"
    done = _cbl(*args, cwd=tmp_path, url=f"sqlite:///{missing}")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"There is no database at {missing}: run `cbl up` (or `cbl db upgrade`) first."]
    assert not missing.exists()


def test_a_postgresql_database_that_is_not_there_is_one_line_too(tmp_path):
    if not postgres_reachable():
        pytest.skip("no PostgreSQL server answers")
    url = ADMIN_URL.rsplit("/", 1)[0] + "/cbl_no_such_database"
    done = _cbl("provider-key", "--list", cwd=tmp_path, url=url)
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert "Cannot reach the database" in line and "cbl_no_such_database" in line


def test_an_empty_database_file_is_reported_not_used(tmp_path):
    (tmp_path / "empty.sqlite3").touch()
    done = _cbl("provider-key", "RHA", cwd=tmp_path, url=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert "empty (no tables)" in line and "cbl db upgrade" in line


def test_provider_key_list_shows_the_codes_and_names_and_which_have_keys(db, scheme, tmp_path, monkeypatch, capsys):
    with db.transaction() as s:
        make_world(s, scheme)
        s.add(Organisation(code="NGH", name="Northgate Homes", kind="provider"))
    monkeypatch.setenv("CBL_DATABASE_URL", db.url)
    monkeypatch.chdir(tmp_path)

    assert main(["provider-key", "RHA"]) == 0
    assert "cblp_" in capsys.readouterr().out
    assert main(["provider-key", "--list"]) == 0
    listed = [line.split(maxsplit=1) for line in capsys.readouterr().out.splitlines()]
    assert [code for code, _ in listed] == ["NGH", "RHA"]  # providers only: the council is not one
    assert "Northgate Homes" in listed[0][1] and "no key yet" in listed[0][1]
    assert "Riverside Housing Association" in listed[1][1] and "has a key" in listed[1][1]

    assert main(["provider-key", "XYZ"]) == 1
    assert capsys.readouterr().err.strip() == (
        "There is no registered provider XYZ. (`cbl provider-key --list` shows them).")
    assert main(["provider-key"]) == 2


def test_demo_sign_ins_are_printed_again_without_seeding(db, scheme, tmp_path, monkeypatch, capsys):
    from datetime import datetime, timezone

    from cbl import demo

    monkeypatch.setenv("CBL_DATABASE_URL", db.url)
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--sign-ins"]) == 1  # nothing seeded yet: nothing to print
    assert "holds no demo council" in capsys.readouterr().err

    with db.transaction() as s:
        seeded = demo.seed(s, scheme, seed=3, applicants=120, properties=40,
                           now=datetime(2026, 10, 21, 12, tzinfo=timezone.utc))
    with db.reading() as s:
        organisations = s.exec(select(func.count()).select_from(Organisation)).one()
    assert main(["demo", "--sign-ins"]) == 0
    printed = capsys.readouterr().out
    for sign_in in seeded:
        assert sign_in.username in printed
    assert "HR000001" in printed and "manager@anytown.example" in printed and demo.DEMO_PASSWORD in printed
    with db.reading() as s:
        assert s.exec(select(func.count()).select_from(Organisation)).one() == organisations


def test_a_system_administrator_no_one_else_can_reset_is_reset_from_the_command_line(db, staff, world, monkeypatch,
                                                                                      tmp_path, capsys):
    from cbl.models import AuditEvent, StaffSecondFactor, StaffUser
    from tests.support.second_factor import code_for

    monkeypatch.setenv("CBL_DATABASE_URL", db.url)
    monkeypatch.chdir(tmp_path)
    code_for(db, "admin@example.org")
    assert main(["reset-second-factor", "Admin@Example.org"]) == 0
    assert "set up an authenticator app again" in capsys.readouterr().out
    with db.reading() as s:
        admin = s.exec(select(StaffUser).where(StaffUser.email == "admin@example.org")).one()
        assert s.get(StaffSecondFactor, admin.id) is None
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "staff.second_factor_reset")).one()
        assert event.subject_id == admin.id and event.actor_kind == "system"
    assert main(["reset-second-factor", "admin@example.org"]) == 1  # nothing left to reset
    assert "has no second factor to reset" in capsys.readouterr().err
    assert main(["reset-second-factor", "nobody@example.org"]) == 1
    assert "no member of staff" in capsys.readouterr().err
