"""Another program writing the state file at the same moment (a `sqlite3` shell, a copy
being made) is waited out, not a failed run; one that holds it too long stops the run
with what to do, and nothing is lost."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from tests.fault_kit import (  # noqa: F401 -- no_backoff is an autouse fixture
    LEGITIMACY,
    check_here,
    message_text,
    no_backoff,
    query,
    state_path,
    write_config,
)
from tests.pages import LegitimacyPage2017
from watcher.store import schema


@contextmanager
def write_locked(path: Path, seconds: float) -> Iterator[None]:
    """Another connection holds the file's write lock for `seconds`, then lets go."""
    held = threading.Event()

    def hold() -> None:
        db = sqlite3.connect(path, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("insert into runs (started_at, outcome) values ('elsewhere', 'x')")
            held.set()
            time.sleep(seconds)
            db.execute("ROLLBACK")
        finally:
            db.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(5)
    try:
        yield
    finally:
        thread.join()


@pytest.fixture
def config(tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack) -> Path:
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    return write_config(tmp_path, fake_site.url("/"), fake_slack.api_url)


@pytest.fixture
def env(fake_slack: FakeSlack) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": fake_slack.token, "SLACK_WEBHOOK_URL": ""}


def test_a_write_lock_held_for_a_moment_is_waited_out(
    config: Path, env: dict[str, str], fake_slack: FakeSlack
) -> None:
    assert check_here(config, env, "--dry-run").exit_code == 0  # nothing stored yet
    schema.open_database(state_path(config)).close()  # the file exists, as after a run
    with write_locked(state_path(config), 1.5):
        started = time.monotonic()
        result = check_here(config, env)
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 1.0  # it waited for the lock, then ran
    [baseline] = fake_slack.messages
    assert "Now watching" in message_text(baseline)
    assert [r["outcome"] for r in query(config, "select outcome from runs")] == ["ok"]


def test_a_write_lock_held_too_long_stops_the_run_and_loses_nothing(
    config: Path, env: dict[str, str], fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert check_here(config, env).exit_code == 0
    before = query(config, "select * from pages order by url")
    sent = len(fake_slack.messages)
    monkeypatch.setattr(schema, "BUSY_TIMEOUT", 0.3)
    with write_locked(state_path(config), 1.5):
        result = check_here(config, env)
    assert result.exit_code == 2, result.output
    assert "stayed locked by another program" in result.output
    assert "nothing was lost" in result.output
    assert query(config, "select * from pages order by url") == before
    assert len(fake_slack.messages) == sent

    monkeypatch.setattr(schema, "BUSY_TIMEOUT", 30.0)
    again = check_here(config, env)
    assert again.exit_code == 0, again.output
    assert len(fake_slack.messages) == sent  # unchanged pages: nothing to say
