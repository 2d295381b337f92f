"""Random kills during delivery: one trial, and a tally of many (for both Slack modes).

A trial queues a number of distinct messages, starts a real `python -m watcher check`
against the fake site and the fake Slack, waits until delivery has begun, SIGKILLs the
process at a random instant during it, then runs `watcher check` again until nothing is
pending, and counts each message's arrivals in Slack: 0 is lost, more than 1 duplicated.
`tests/test_random_kills.py` runs a handful; `scripts/random_kills.py` runs many and
writes the figures into `docs/reliability.md`.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.fake_site import serve_fake_site
from tests.fake_slack import FakeSlack
from tests.fault_kit import LEGITIMACY, REPO, check_here, process_env, state_path, write_config
from tests.pages import LegitimacyPage2017
from watcher.notify import Message
from watcher.store import Store, open_database

MESSAGES = 12  # queued per trial
POST_DELAY = 0.03  # seconds Slack takes to answer after taking a message (the window)
SPREAD = 0.6  # the kill lands uniformly within this many seconds after delivery began


@dataclass(frozen=True)
class Trial:
    """What one random kill came to."""

    killed: bool  # False: the run finished before the kill landed
    lost: int  # queued messages that never reached Slack
    duplicated: int  # extra arrivals of messages Slack already had


@dataclass(frozen=True)
class Figures:
    """Many trials of one mode, summed."""

    mode: str
    trials: int
    killed: int
    lost: int
    duplicated: int
    trials_with_duplicates: int


def _queue(config: Path, count: int) -> list[str]:
    """Queue `count` distinct one-message alerts; return the text that names each."""
    store = Store(open_database(state_path(config)))
    texts = [f"random-kill alert {i:03d}" for i in range(count)]
    try:
        for i, text in enumerate(texts):
            store.queue_baseline(100_000 + i, Message(text).to_dict(), datetime.now(UTC))
    finally:
        store.db.close()
    return texts


def _posts(slack: FakeSlack) -> int:
    return sum(
        1 for a in slack.attempts if a["path"] in ("/api/chat.postMessage", slack.webhook_path)
    )


def _kill_during_delivery(
    process: subprocess.Popen[str], slack: FakeSlack, before: int, at: float
) -> bool:
    deadline = time.monotonic() + 30
    while _posts(slack) <= before and process.poll() is None:
        if time.monotonic() > deadline:
            break
        time.sleep(0.005)
    time.sleep(at)
    killed = process.poll() is None
    if killed:
        process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    return killed


def trial(mode: str, rng: random.Random, directory: Path) -> Trial:
    """One random kill during delivery, in `mode` ("bot" or "webhook")."""
    with serve_fake_site() as site, FakeSlack() as slack:
        slack.post_delay = POST_DELAY
        config = write_config(directory, site.url("/"), slack.api_url)
        if mode == "bot":
            env = {"SLACK_BOT_TOKEN": slack.token}
        else:
            env = {"SLACK_WEBHOOK_URL": slack.webhook_url}
            config.write_text(config.read_text().replace('channel = "C0TEST"\n', ""))
        site.set_page(LEGITIMACY, LegitimacyPage2017().html())
        assert check_here(config, env).exit_code == 0
        texts = _queue(config, MESSAGES)
        process = subprocess.Popen(
            [sys.executable, "-m", "watcher", "--config", str(config), "check"],
            env=process_env(env),
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        killed = _kill_during_delivery(process, slack, _posts(slack), rng.uniform(0, SPREAD))
        for _ in range(3):  # a recovering run that itself failed gets another go
            if check_here(config, env).exit_code == 0:
                break
        arrivals = [sum(text in (m["text"] or "") for m in slack.messages) for text in texts]
    return Trial(
        killed=killed,
        lost=sum(1 for n in arrivals if n == 0),
        duplicated=sum(max(0, n - 1) for n in arrivals),
    )


def trials(mode: str, count: int, seed: int) -> Figures:
    """`count` trials of `mode`, each in a fresh directory, from one random seed."""
    rng = random.Random(seed)
    results = []
    for _ in range(count):
        with tempfile.TemporaryDirectory() as directory:
            results.append(trial(mode, rng, Path(directory)))
    return Figures(
        mode=mode,
        trials=count,
        killed=sum(r.killed for r in results),
        lost=sum(r.lost for r in results),
        duplicated=sum(r.duplicated for r in results),
        trials_with_duplicates=sum(1 for r in results if r.duplicated),
    )
