"""Another program writing the state file at the same moment (a `sqlite3` shell, a copy
being made) is waited out, not a failed run; one that holds it too long stops the run
with what to do, and nothing is lost. A full disk, likewise."""

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
from watcher.faults import Stage
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


def _stored(config: Path) -> tuple[object, ...]:
    """What a run writes for a page that changed: its body and validators, its readings,
    its changes and their alerts."""
    return (
        query(config, "select url, body_sha256, etag, last_modified from pages order by url"),
        query(config, "select count(*) as n from assessments"),
        query(config, "select count(*) as n from changes"),
        query(config, "select count(*) as n from outbox"),
    )


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


def test_a_full_disk_stops_the_run_with_what_to_do_and_loses_nothing(
    config: Path,
    env: dict[str, str],
    fake_site: FakeSite,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert check_here(config, env).exit_code == 0
    before = _stored(config)
    sent = len(fake_slack.messages)

    def disk_fills(stage: Stage) -> None:
        # Inside the store's transaction, the reading already written: what SQLite
        # raises when the disk fills (SQLITE_FULL) as it writes the rest.
        if stage is Stage.ASSESSMENT_STORED:
            raise sqlite3.OperationalError("database or disk is full")

    # A real change: its reading and its body need room the disk no longer has.
    changed = LegitimacyPage2017(pillar_grade="Good").html()
    fake_site.set_page(LEGITIMACY, changed)
    with monkeypatch.context() as patch:
        patch.setattr("watcher.store.state.crash_point", disk_fills)
        full = check_here(config, env)
    assert full.exit_code == 2, full.output
    assert "no room to write the state database" in full.output
    assert "nothing was lost" in full.output
    assert _stored(config) == before  # the half-written reading was undone
    assert len(fake_slack.messages) == sent

    room = check_here(config, env)  # space freed: the change is read and alerted, once
    assert room.exit_code == 0, room.output
    assert len(fake_slack.messages) == sent + 1
    assert "Good" in message_text(fake_slack.messages[-1])
