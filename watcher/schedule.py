"""`watcher run`: the long-running clock process that checks on a cron schedule.

APScheduler 3's BlockingScheduler with one job: a CronTrigger from `[schedule]`,
an hour's misfire grace, coalescing, and never two runs at once. SIGTERM and
SIGINT stop it between pages; a run in progress finishes its current page and its
delivery stops after the message in flight (`stop_on_signals` does the same for one
`watcher check`).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import datetime, timedelta
from types import FrameType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from watcher.config import ScheduleSettings

if TYPE_CHECKING:  # APScheduler is imported where used: `watcher check` never loads it
    from apscheduler.events import SchedulerEvent
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

log = logging.getLogger(__name__)

MISFIRE_GRACE_SECONDS = 3600


def make_trigger(settings: ScheduleSettings, *, second: int = 0) -> CronTrigger:
    """The cron trigger of `[schedule]`: the days, hour and minute, in its time zone.

    `second` is not a config key: it lets a test (through `watcher run`'s hidden
    `--second`) fire a real schedule a few seconds ahead instead of a minute.
    """
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger(
        day_of_week=",".join(settings.days),
        hour=settings.hour,
        minute=settings.minute,
        second=second,
        timezone=ZoneInfo(settings.timezone),
        jitter=settings.jitter or None,
    )


def next_check(settings: ScheduleSettings, now: datetime, *, second: int = 0) -> datetime | None:
    """When the schedule next fires after `now`, before its random jitter is added."""
    trigger = make_trigger(replace(settings, jitter=0), second=second)
    fire: datetime | None = trigger.get_next_fire_time(None, now)
    return fire


def is_overdue(trigger: CronTrigger, last_success: datetime | None, now: datetime) -> bool:
    """Whether a scheduled time has passed since the last successful run (or none ever ran)."""
    if last_success is None:
        return True
    missed: datetime | None = trigger.get_next_fire_time(None, last_success)
    return missed is not None and missed <= now


def is_stale(
    settings: ScheduleSettings, last_success: datetime | None, now: datetime, *, periods: int = 2
) -> bool:
    """Whether `periods` scheduled times have passed since the last complete run.

    One missed time may be a run about to start; two mean the clock is not running.
    """
    if last_success is None:
        return False  # nothing ran yet: status says "No run yet", not "stale"
    trigger = make_trigger(replace(settings, jitter=0))
    fire = last_success
    for _ in range(periods):
        following: datetime | None = trigger.get_next_fire_time(None, fire + timedelta(seconds=1))
        if following is None:
            return False  # a schedule that never fires again cannot be late
        fire = following
    # The last of those runs may still be going: allow it its jitter and the grace.
    slack = timedelta(seconds=settings.jitter + MISFIRE_GRACE_SECONDS)
    return fire + slack <= now


def run_forever(
    settings: ScheduleSettings,
    job: Callable[[threading.Event], object],
    last_success: Callable[[], datetime | None],
    now: Callable[[], datetime],
    *,
    second: int = 0,
) -> None:
    """Run `job` on the schedule until SIGTERM or SIGINT; the job gets the stop event.

    One job, never two instances at once: a catch-up after downtime is the same job
    brought forward to now, so it cannot overlap the next scheduled run.
    """
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
    from apscheduler.schedulers.blocking import BlockingScheduler

    stop = threading.Event()
    scheduler = BlockingScheduler(timezone=ZoneInfo(settings.timezone))
    steady = make_trigger(replace(settings, jitter=0), second=second)
    options: dict[str, Any] = {
        "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        "coalesce": True,
        "max_instances": 1,
    }
    if is_overdue(steady, last_success(), now()):
        log.info("last successful run is older than one period: running now to catch up")
        options["next_run_time"] = now()
    trigger = make_trigger(settings, second=second)
    scheduler.add_job(job, trigger, args=[stop], id="check", **options)
    _stop_on_signals(scheduler, stop)

    def after_job(event: SchedulerEvent) -> None:
        # Not scheduler.get_job(): this runs on the job's thread, and a shutdown
        # waiting for that thread holds the job store's lock.
        _log_next("next", settings, now(), second)

    scheduler.add_listener(after_job, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    _log_next("scheduler started; next", settings, now(), second)
    scheduler.start()
    log.info("scheduler stopped")


def _stop_on_signals(scheduler: BlockingScheduler, stop: threading.Event) -> None:
    """SIGTERM / SIGINT: tell the running job to stop after its page, then shut down.

    The shutdown waits for the job on another thread: a signal handler must return.
    """
    from apscheduler.events import EVENT_SCHEDULER_START
    from apscheduler.schedulers import SchedulerNotRunningError

    def shut_down() -> None:
        with suppress(SchedulerNotRunningError):
            scheduler.shutdown(wait=True)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            return  # already stopping
        log.info("received %s: stopping after the current page", signal.Signals(signum).name)
        stop.set()
        threading.Thread(target=shut_down, name="watcher-shutdown").start()

    def on_start(event: SchedulerEvent) -> None:
        if stop.is_set():  # the signal came before the scheduler was running
            threading.Thread(target=shut_down, name="watcher-shutdown").start()

    scheduler.add_listener(on_start, EVENT_SCHEDULER_START)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """For one `watcher check`: SIGTERM / SIGINT set the event instead of killing it.

    The run finishes its page, sends no further message after the one in flight and
    records itself as stopped; what is queued waits for the next run. The previous
    handlers come back afterwards. Only the main thread may install handlers: elsewhere
    (an embedding program) the event is simply never set by a signal.
    """
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if not stop.is_set():
            log.info("received %s: stopping after the current page", signal.Signals(signum).name)
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _log_next(prefix: str, settings: ScheduleSettings, now: datetime, second: int) -> None:
    upcoming = next_check(settings, now, second=second)
    log.info(
        "%s check at %s (plus up to %d s of jitter)",
        prefix,
        upcoming.isoformat() if upcoming else "never",
        settings.jitter,
    )
