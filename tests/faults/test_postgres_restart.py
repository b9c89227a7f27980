"""PostgreSQL restarted under a bid load: while it is down, requests get a clear 503 (never a 500);
afterwards they succeed again; and every bid answered as accepted is in the database."""

import asyncio
import concurrent.futures
import os
import subprocess
import sys
import time
from datetime import datetime, timezone

import httpx
import pytest
from sqlmodel import func, select

from cbl.database import Database, upgrade
from cbl.models import Applicant, AuditEvent, Bid
from cbl.rules.scheme import load_scheme
from cbl.services import sign_in
from cbl.settings import load_settings
from tests.support import private_postgres
from tests.support.databases import free_port
from tests.support.factories import add_applicant, make_world

CLIENTS = 12


pytestmark = pytest.mark.skipif(not private_postgres.available(),
                                reason="needs PostgreSQL's initdb and pg_ctl to run a server of its own")


async def _client_loop(base: str, token: str, adverts: list[str], stop: asyncio.Event, log: list) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as client:
        n = 0
        while not stop.is_set():
            advert = adverts[n % len(adverts)]
            n += 1
            try:
                placed = await client.post("/api/v1/me/bids", json={"advert": advert})
            except httpx.TransportError:
                log.append(("transport", None, time.monotonic()))
                await asyncio.sleep(0.05)
                continue
            log.append((placed.status_code, placed.json(), time.monotonic()))
            if placed.status_code == 201:
                await client.delete(f"/api/v1/me/bids/{placed.json()['id']}")


def test_bids_survive_a_postgresql_restart_with_clear_503s_while_it_is_down(tmp_path):
    scheme = load_scheme(load_settings({}).scheme_path)
    with private_postgres.private_postgres() as postgresql:
        url = postgresql.url
        upgrade(url)
        db = Database(url)
        now = datetime.now(timezone.utc)
        with db.transaction() as s:
            world = make_world(s, scheme, adverts=4, now=now)
            for n in range(1, CLIENTS + 1):
                add_applicant(s, scheme, world, f"HR{n:06d}", band="B")
        tokens = []
        for n in range(1, CLIENTS + 1):
            with db.reading() as s:
                applicant_id = s.exec(select(Applicant.id).where(Applicant.reference == f"HR{n:06d}")).one()
            tokens.append(db.run(lambda s, i=applicant_id: sign_in.issue_api_token(s, s.get(Applicant, i), now))[0])
        port = free_port()
        env = {**os.environ, "CBL_DATABASE_URL": url, "CBL_SECRET_KEY": "k" * 40, "CBL_EMBED_SCHEDULER": "0"}
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "cbl.asgi:create", "--port", str(port),
                                   "--log-level", "warning"], cwd=tmp_path, env=env)
        base = f"http://127.0.0.1:{port}"
        log: list = []
        try:
            for _ in range(100):
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)

            async def load() -> tuple[float, float]:
                stop = asyncio.Event()
                tasks = [asyncio.create_task(_client_loop(base, token, ["AD1", "AD2", "AD4"], stop, log))
                         for token in tokens]
                await asyncio.sleep(2)
                down = time.monotonic()
                await asyncio.to_thread(postgresql.stop)
                await asyncio.sleep(2)
                await asyncio.to_thread(postgresql.start)
                up = time.monotonic()
                await asyncio.sleep(4)
                stop.set()
                await asyncio.gather(*tasks)
                return down, up

            # In a thread of its own: an event loop left running by another test must not matter here.
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                down, up = pool.submit(asyncio.run, load()).result(timeout=120)
        finally:
            server.terminate()
            server.wait(timeout=20)
            if not postgresql.running():
                postgresql.start()
        statuses = [status for status, _, _ in log]
        assert 500 not in statuses and all(s in (201, 409, 422, 503, "transport") for s in statuses), set(statuses)
        unavailable = [body for status, body, _ in log if status == 503]
        assert unavailable and all("try again" in body["error"]["message"] for body in unavailable)
        accepted = {body["id"] for status, body, _ in log if status == 201}
        assert any(status == 201 and at > up + 1 for status, _, at in log), "bidding did not recover"
        db.engine.dispose()  # this test's own connections did not survive the restart either
        with db.reading() as s:
            stored = set(s.exec(select(Bid.id).where(Bid.id.in_(accepted))).all())
            # Each accepted bid wrote its audit event in the same transaction: one event per 201, no more.
            placed_events = s.exec(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.action == "bid.placed")).one()
        db.dispose()
        assert stored == accepted
        assert placed_events == sum(status == 201 for status, _, _ in log)
        answered = sum(status == 201 for status, _, _ in log)
        print(f"{len(log)} bid requests, {answered} accepted (bids {len(accepted)}) and all stored, "
              f"{len(unavailable)} answered 503 while PostgreSQL was down for {up - down:.1f} s")
