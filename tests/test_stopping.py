"""Stopping: `watcher check` and `watcher run` stop soon after SIGTERM / SIGINT, even while
Slack is timing out. The page in progress is finished, delivery stops after the message
in flight, and the rest stays queued for the next run. Real processes, real sockets.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from tests.fault_kit import (  # noqa: F401 -- no_backoff is an autouse fixture
    LEGITIMACY,
    REPO,
    check_here,
    no_backoff,
    process_env,
    query,
    state_path,
    write_config,
)
from tests.pages import AFI_STOP_SEARCH, LegitimacyPage2017
from watcher.notify import Message
from watcher.store import Store, open_database

CHANGED = LegitimacyPage2017(pillar_grade="Good", afis={1: [AFI_STOP_SEARCH]}).html()
# Generous: the bound is 10 s; the watcher's own is one Slack timeout (5 s) after the signal.
STOP_BOUND = 10


@pytest.fixture
def config(tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack) -> Path:
    return write_config(tmp_path, fake_site.url("/"), fake_slack.api_url)


@pytest.fixture
def env(fake_slack: FakeSlack) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": fake_slack.token}


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes started by a test, killed at the end if one was left running."""
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.communicate()


def start(config: Path, env: dict[str, str], command: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "watcher", "--config", str(config), command],
        env=process_env(env),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the process never got that far"
        time.sleep(0.05)


def posts(fake_slack: FakeSlack) -> int:
    return sum(1 for a in fake_slack.attempts if a["path"] == "/api/chat.postMessage")


def prepare(fake_site: FakeSite, config: Path, env: dict[str, str]) -> None:
    """A baseline run, then a change and an older queued note: two messages to send.

    The last run is made old, so `watcher run` catches up at once.
    """
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    assert check_here(config, env).exit_code == 0
    fake_site.set_page(LEGITIMACY, CHANGED)
    store = Store(open_database(state_path(config)))
    earlier = datetime(2020, 1, 1, tzinfo=UTC)
    store.queue_baseline(9999, Message("A note queued earlier").to_dict(), earlier)
    store.db.execute(
        "update runs set started_at = ?, finished_at = ?", ["2020-01-01T00:00:00+00:00"] * 2
    )
    store.db.conn.commit()
    store.db.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("command", ["check", "run"])
def test_signal_while_slack_hangs_stops_after_the_message_in_flight(
    fake_site: FakeSite,
    fake_slack: FakeSlack,
    config: Path,
    env: dict[str, str],
    started: list[subprocess.Popen[str]],
    command: str,
    signum: int,
) -> None:
    """Slack hangs mid-delivery; a signal ends the process, nothing retried, the rest queued."""
    prepare(fake_site, config, env)
    fake_slack.hang = 60
    process = start(config, env, command)
    started.append(process)
    wait_for(lambda: posts(fake_slack) >= 2, process)  # the baseline's post, then the note

    process.send_signal(signum)
    _, err = process.communicate(timeout=STOP_BOUND)

    assert process.returncode in (0, 1), err  # it exited by itself, not by the signal
    assert posts(fake_slack) == 2  # the message in flight was not retried, no other sent
    pending = query(config, "select id from outbox where state = 'pending'")
    assert len(pending) == 5  # the note and the digest's four changes stay queued
    [run] = query(config, "select outcome from runs order by id desc limit 1")
    assert run["outcome"] == "stopped"


def test_queued_alerts_go_out_on_the_next_run_after_a_stop(
    fake_site: FakeSite,
    fake_slack: FakeSlack,
    config: Path,
    env: dict[str, str],
    started: list[subprocess.Popen[str]],
) -> None:
    """What a stop left queued is delivered, once each, by the next run."""
    prepare(fake_site, config, env)
    fake_slack.hang = 60
    process = start(config, env, "check")
    started.append(process)
    wait_for(lambda: posts(fake_slack) >= 2, process)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=STOP_BOUND)
    fake_slack.hang = 0

    assert check_here(config, env).exit_code == 0
    assert query(config, "select id from outbox where state = 'pending'") == []
    texts = [m["text"] or "" for m in fake_slack.messages]
    assert sum("A note queued earlier" in t for t in texts) == 1
    assert sum("Kent" in t for t in texts[1:]) == 1  # the digest, once
