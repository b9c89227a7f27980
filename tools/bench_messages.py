"""Messages benchmark: `python -m tools.bench_messages`.

Fills a fresh database (SQLite file, or PostgreSQL) with N pending e-mails and texts to households,
starts the GOV.UK Notify stand-in (tests/support/notify_standin.py) as a process of its own, and runs
the dispatcher (`python -m cbl.messages`, as the scheduler does) until the outbox is empty. Prints
messages a second and how many the stand-in received more than once (which must be 0).

    python -m tools.bench_messages [--messages 20000] [--database sqlite|postgresql] [--dispatchers 1]

Notify itself accepts 3,000 messages a minute per API key (50 a second); a council's busiest day
(a cycle closing: a shortlist message to each of a few thousand bidders) is well inside that.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import date

import sqlalchemy as sa

from cbl.database import Database, upgrade
from cbl.models import Applicant, OutboxMessage
from cbl.models.states import ApplicationStatus, Channel, OutboxStatus
from tests.support.databases import database
from tests.support.notify_standin import API_KEY, TEMPLATES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fill(db: Database, messages: int) -> None:
    with db.transaction() as s:
        households = [Applicant(reference=f"HR{n:06d}", status=ApplicationStatus.ACTIVE, band="C",
                                registration_date=date(2024, 1, 1), email=f"household{n}@example.org",
                                phone=f"07700{n:06d}") for n in range(1000)]
        s.add_all(households)
        s.flush()
        ids = [h.id for h in households]
    rows = [{"channel": (Channel.SMS if n % 4 == 0 else Channel.EMAIL).value, "template": "shortlisted",
             "applicant_id": ids[n % len(ids)], "subject": "You are on a shortlist",
             "body": f"You are number {n % 40 + 1} on the shortlist for AD{n % 300:05d}.",
             "status": OutboxStatus.PENDING.value, "personalisation": {}, "large_print": False, "attempts": 0}
            for n in range(messages)]
    with db.engine.begin() as connection:
        from cbl.models.columns import utcnow

        now = utcnow()
        for start in range(0, len(rows), 5000):
            connection.execute(sa.insert(OutboxMessage.__table__), [{**row, "created_at": now}
                                                                    for row in rows[start:start + 5000]])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--dispatchers", type=int, default=1, help="dispatcher processes side by side")
    args = parser.parse_args()
    standin = subprocess.Popen([sys.executable, "-m", "tests.support.notify_standin"], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    try:
        base_url = f"http://127.0.0.1:{standin.stdout.readline().strip()}"
        with database(args.database, prefix="cbl_bench_messages") as url:
            upgrade(url)
            db = Database(url)
            fill(db, args.messages)
            env = {**os.environ, "CBL_DATABASE_URL": url, "CBL_SECRET_KEY": "bench", "CBL_NOTIFY_API_KEY": API_KEY,
                   "CBL_NOTIFY_BASE_URL": base_url, "CBL_NOTIFY_TEMPLATES": TEMPLATES}
            started = time.perf_counter()
            dispatchers = [subprocess.Popen([sys.executable, "-m", "cbl.messages"], cwd=ROOT, env=env,
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                           for _ in range(args.dispatchers)]
            outputs = [d.communicate()[0].strip() for d in dispatchers]
            elapsed = time.perf_counter() - started
            with db.reading() as s:
                statuses = Counter(s.execute(sa.select(OutboxMessage.status)).scalars())
            db.dispose()
        with urllib.request.urlopen(f"{base_url}/_records") as answer:
            received = json.load(answer)["notifications"]
    finally:
        standin.terminate()
        standin.wait()
    references = Counter(reference for _, reference, _ in received)
    twice = sum(count - 1 for count in references.values() if count > 1)
    print(f"{args.messages} messages, {args.database}, {args.dispatchers} dispatcher(s): {elapsed:.1f} s, "
          f"{args.messages / elapsed:.0f} messages a second")
    print(f"stand-in received {len(received)}; sent more than once: {twice}; "
          f"outbox: {', '.join(f'{status.value} {count}' for status, count in sorted(statuses.items()))}")
    for output in outputs:
        print("dispatcher:", output)
    return 0 if twice == 0 and statuses.get(OutboxStatus.SENT) == args.messages else 1


if __name__ == "__main__":
    sys.exit(main())
