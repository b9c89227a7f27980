"""`python -m cbl.messages`: send what waits in the outbox now, then stop (the scheduler does this
every few seconds; this is for operators and for the fault tests)."""

import argparse
import logging
import sys

from cbl.database import Database, check_schema
from cbl.settings import load_settings

from datetime import timedelta

from .dispatch import LEASE, Dispatcher, carriers_for


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m cbl.messages", description=__doc__)
    parser.add_argument("--batch", type=int, default=50, help="messages claimed at a time")
    parser.add_argument("--lease", type=float, default=LEASE.total_seconds(),
                        help="seconds a claim lasts before another dispatcher may take the message over")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    settings = load_settings()
    carriers = carriers_for(settings.delivery)
    if not carriers:
        print(settings.delivery.warning(), file=sys.stderr)
        return 1
    db = Database(settings.database_url)
    try:
        check_schema(db)
        outcome = Dispatcher(db, carriers, batch=args.batch, lease=timedelta(seconds=args.lease)).run()
    finally:
        db.dispose()
    print(f"sent {outcome.sent}, retrying {outcome.retrying}, failed {outcome.failed}"
          + (" (paused: a carrier refuses messages for now)" if outcome.paused else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
