"""`watcher run`: the cron trigger, catch-up after downtime, and a clean stop on signals.

The unit tests ask the trigger for fire times. The process tests start `watcher run`
as a real subprocess against the fake site and stop it with a real signal.

How the process test gets a run within seconds: the config's [schedule] names the
hour and minute a few seconds from now (in UTC, no jitter), and `watcher run`'s
hidden `--second` option sets the second of that minute, so the real CronTrigger
built from the config fires. The database already holds a successful run, so no
catch-up fires first; the test checks the first request came at the scheduled time.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fake_site import FakeSite
from tests.pages import LegitimacyPage2017
from watcher.config import ScheduleSettings
from watcher.schedule import is_overdue, make_trigger, next_check
from watcher.store import Store, open_database

LONDON = ZoneInfo("Europe/London")
REPO = Path(__file__).resolve().parents[1]
LEGITIMACY = "/peel-assessments/peel-2017/kent/legitimacy/"
KENT_2017 = [
    f"/peel-assessments/peel-2017/kent/{pillar}"
    for pillar in ("", "effectiveness/", "efficiency/", "legitimacy/", "leadership/")
]
WEEKDAYS = ScheduleSettings(days=("mon", "tue", "wed", "thu", "fri"), jitter=0)


def london(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


# -- the trigger ------------------------------------------------------------------


def test_trigger_fires_on_the_named_days_at_local_time() -> None:
    """Hour and minute are London time, summer or winter; only the named days fire."""
    trigger = make_trigger(WEEKDAYS)
    friday_evening = london(2025, 7, 4, 20, 0)
    monday = trigger.get_next_fire_time(None, friday_evening)
    assert monday == london(2025, 7, 7, 7, 0)
    assert monday.astimezone(UTC).hour == 6  # British Summer Time
    winter = trigger.get_next_fire_time(None, london(2025, 12, 1, 8, 0))
    assert winter.astimezone(UTC) == datetime(2025, 12, 2, 7, 0, tzinfo=UTC)


def test_trigger_adds_at_most_the_jitter() -> None:
    """With jitter the run comes at the scheduled time plus up to that many seconds."""
    trigger = make_trigger(replace(WEEKDAYS, jitter=300))
    start = london(2025, 7, 7, 6, 0)
    for _ in range(20):
        fire = trigger.get_next_fire_time(None, start)
        assert london(2025, 7, 7, 7, 0) <= fire <= london(2025, 7, 7, 7, 5)


def test_next_check_is_the_schedule_before_jitter() -> None:
    """`status` shows the scheduled time itself, not one random draw of the jitter."""
    settings = replace(WEEKDAYS, jitter=300, hour=9, minute=30)
    assert next_check(settings, london(2025, 7, 7, 6, 0)) == london(2025, 7, 7, 9, 30)


def test_a_missed_scheduled_time_is_overdue() -> None:
    """Last success before a scheduled time that has passed: catch up now."""
    trigger = make_trigger(WEEKDAYS)
    tuesday_last_run = london(2025, 7, 8, 7, 3)
    assert is_overdue(trigger, tuesday_last_run, london(2025, 7, 9, 9, 0))


def test_a_run_since_the_last_scheduled_time_is_not_overdue() -> None:
    """Last success after the latest scheduled time (weekends skipped): nothing to catch up."""
    trigger = make_trigger(WEEKDAYS)
    assert not is_overdue(trigger, london(2025, 7, 9, 7, 3), london(2025, 7, 9, 23, 0))
    friday_run = london(2025, 7, 4, 7, 3)
    assert not is_overdue(trigger, friday_run, london(2025, 7, 6, 23, 0))  # Sunday night


def test_no_run_ever_is_overdue() -> None:
    """An empty database: the first start checks at once."""
    assert is_overdue(make_trigger(WEEKDAYS), None, london(2025, 7, 9, 9, 0))


# -- `watcher run` as a real process ------------------------------------------------


def write_config(tmp_path: Path, site: FakeSite, fire_at: datetime) -> Path:
    """A config for Kent's 2017 pages whose daily schedule is `fire_at`'s hour and minute."""
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[site]
base_url = "{site.url("/").rstrip("/")}"
allowed_hosts = ["127.0.0.1"]
[watch]
forces = ["kent"]
cycles = ["peel-2017"]
[http]
delay = 0.0
timeout = 5.0
retries = 1
max_concurrency = 1
[state]
path = "{tmp_path / "state" / "watcher.db"}"
[schedule]
hour = {fire_at.hour}
minute = {fire_at.minute}
timezone = "UTC"
jitter = 0
""",
        encoding="utf-8",
    )
    return path


class Clock:
    """A `watcher run` subprocess, its output files and a way to wait on them."""

    def __init__(self, tmp_path: Path, config: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
        env["PYTHONPATH"] = str(REPO)
        self.stderr_path = tmp_path / "stderr.log"
        self.db_path = tmp_path / "state" / "watcher.db"
        with self.stderr_path.open("wb") as err, (tmp_path / "stdout.log").open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from watcher.cli import main; main(prog_name='watcher')",
                 "--config", str(config), "run", *args],
                cwd=tmp_path, env=env, stdout=out, stderr=err,
            )  # fmt: skip

    @property
    def log(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Poll until `condition` holds; fail with the process's log if it never does."""
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process.poll() is None, f"watcher run exited early:\n{self.log}"
            assert time.monotonic() < deadline, f"timed out; watcher run said:\n{self.log}"
            time.sleep(0.05)

    def runs(self) -> list[tuple[str | None, str]]:
        """(finished_at, outcome) of every run recorded so far."""
        if not self.db_path.exists():
            return []
        db = sqlite3.connect(self.db_path, timeout=5)
        try:
            return list(db.execute("select finished_at, outcome from runs order by id"))
        except sqlite3.OperationalError:  # tables not created yet
            return []
        finally:
            db.close()

    def stop(self, signum: int = signal.SIGTERM) -> float:
        """Send `signum`, wait for the exit; return how long it took."""
        sent = time.monotonic()
        self.process.send_signal(signum)
        self.process.wait(timeout=10)
        return time.monotonic() - sent


@pytest.fixture
def clocks() -> Iterator[list[Clock]]:
    """Started processes, killed at the end if a failed test left them running."""
    started: list[Clock] = []
    yield started
    for clock in started:
        if clock.process.poll() is None:
            clock.process.kill()
            clock.process.wait()


def test_scheduled_run_fires_then_sigterm_stops_cleanly(
    tmp_path: Path, fake_site: FakeSite, clocks: list[Clock]
) -> None:
    """The cron schedule fires seconds ahead, checks the fake site; SIGTERM: exit 0 at once."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    store = Store(open_database(tmp_path / "state" / "watcher.db"))
    run_id = store.start_run(datetime.now(UTC))
    store.finish_run(run_id, datetime.now(UTC), outcome="ok")  # a recent success: no catch-up
    store.db.close()
    fire_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=4)
    fire_monotonic = time.monotonic() + (fire_at - datetime.now(UTC)).total_seconds()
    clock = Clock(tmp_path, write_config(tmp_path, fake_site, fire_at), "--second",
                  str(fire_at.second))  # fmt: skip
    clocks.append(clock)

    clock.wait_for(lambda: "next check at" in clock.log)
    assert fake_site.requests == []  # nothing before the scheduled time
    clock.wait_for(lambda: len(clock.runs()) == 2 and clock.runs()[-1][0] is not None)
    took = clock.stop(signal.SIGTERM)

    assert clock.process.returncode == 0, clock.log
    assert took < 3
    assert {r.path for r in fake_site.requests} == set(KENT_2017)
    assert min(r.at for r in fake_site.requests) >= fire_monotonic - 0.5
    assert clock.runs()[-1][1] == "ok"
    assert f"next check at {fire_at.isoformat()}" in clock.log
    assert "scheduler stopped" in clock.log


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_catch_up_on_start_and_a_signal_mid_run_leave_whole_state(
    tmp_path: Path, fake_site: FakeSite, clocks: list[Clock], signum: int
) -> None:
    """An empty database runs at once; a signal mid-run finishes the page and records the run."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    for path in KENT_2017:
        fake_site.inject(path, delay=0.4)  # slow pages, so the run is still going
    far_off = datetime.now(UTC) + timedelta(hours=12)
    clock = Clock(tmp_path, write_config(tmp_path, fake_site, far_off))
    clocks.append(clock)

    clock.wait_for(lambda: len(fake_site.requests) >= 1)
    took = clock.stop(signum)

    assert clock.process.returncode == 0, clock.log
    assert took < 3
    assert "running now to catch up" in clock.log
    assert len(fake_site.requests) < len(KENT_2017)  # stopped between pages
    [(finished_at, outcome)] = clock.runs()
    assert finished_at is not None
    assert outcome == "stopped"
