"""APScheduler 3 with its job store in the project's database.

Run one scheduler per deployment: embedded in `cbl up`, or alone with `cbl scheduler` when the
web server runs several workers. The jobs guard themselves in the database, so a second
scheduler started by mistake still closes nothing twice.
"""

import logging
from datetime import timezone

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from cbl.database import Database
from cbl.rules.scheme import Scheme
from cbl.settings import Settings

from . import jobs

log = logging.getLogger("cbl.scheduler")


def start(db: Database, scheme: Scheme, settings: Settings, *, blocking: bool = False) -> BaseScheduler:
    kind = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = kind(
        jobstores={"default": SQLAlchemyJobStore(engine=db.engine)},
        # misfire_grace_time=None: a job late for any reason still runs (APScheduler would
        # otherwise drop it); coalesce: a backlog of the same job runs once.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=timezone.utc,
    )
    jobs.configure(jobs.Runtime(db, scheme, settings.time_zone, scheduler, settings.delivery, settings.uploads_dir))
    for job_id, (function, trigger, arguments) in jobs.RECURRING.items():
        scheduler.add_job(function, trigger, id=job_id, replace_existing=True, **arguments)
    # Catch up before anything else: closes missed while no scheduler ran happen now.
    try:
        jobs.reconcile()
    except Exception:  # logged; the recurring reconcile tries again in a minute
        log.exception("catching up with the cycles failed at start-up")
    log.info("scheduler starting")
    scheduler.start()
    return scheduler
