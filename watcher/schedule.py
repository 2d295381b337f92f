"""`watcher run`: the long-running clock process that checks on a cron schedule.

APScheduler 3's BlockingScheduler with one job: a CronTrigger from `[schedule]`,
an hour's misfire grace, coalescing, and never two runs at once. SIGTERM and
SIGINT stop it between pages; a run in progress finishes its current page.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from types import FrameType
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from watcher.config import ScheduleSettings

log = logging.getLogger(__name__)

MISFIRE_GRACE_SECONDS = 3600


def make_trigger(settings: ScheduleSettings) -> CronTrigger:
    return CronTrigger(
        day_of_week=",".join(settings.days),
        hour=settings.hour,
        minute=settings.minute,
        timezone=ZoneInfo(settings.timezone),
        jitter=settings.jitter or None,
    )


def is_overdue(trigger: CronTrigger, last_success: datetime | None, now: datetime) -> bool:
    """Whether a scheduled time has passed since the last successful run (or none ever ran)."""
    if last_success is None:
        return True
    missed: datetime | None = trigger.get_next_fire_time(None, last_success)
    return missed is not None and missed <= now


def run_forever(
    settings: ScheduleSettings,
    job: Callable[[threading.Event], object],
    last_success: Callable[[], datetime | None],
    now: Callable[[], datetime],
) -> None:
    """Run `job` on the schedule until SIGTERM or SIGINT; the job gets the stop event."""
    stop = threading.Event()
    scheduler = BlockingScheduler(timezone=ZoneInfo(settings.timezone))
    trigger = make_trigger(settings)
    job_options = {
        "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        "coalesce": True,
        "max_instances": 1,
    }
    scheduler.add_job(job, trigger, args=[stop], id="check", **job_options)
    if is_overdue(trigger, last_success(), now()):
        log.info("last successful run is older than one period: running now to catch up")
        scheduler.add_job(job, args=[stop], id="catch-up", **job_options)

    def _stop(signum: int, frame: FrameType | None) -> None:
        log.info("received %s: stopping after the current page", signal.Signals(signum).name)
        stop.set()
        threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    scheduler.add_listener(
        lambda _event: _log_next(scheduler), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR
    )
    first = trigger.get_next_fire_time(None, now())
    log.info("scheduler started; next check at %s", first.isoformat() if first else "never")
    scheduler.start()
    log.info("scheduler stopped")


def _log_next(scheduler: BlockingScheduler) -> None:
    job = scheduler.get_job("check")
    if job is not None and job.next_run_time is not None:
        log.info("next check at %s", job.next_run_time.isoformat())
