"""Process faults: `python -m watcher check` killed (SIGKILL) at each boundary of a run,
and two runs started at once. Real processes, real sockets, a real SQLite file.

The crash switch is the library's own (`WATCHER_CRASH_AT`, see `watcher.faults`). After
every crash the next run must alert every change exactly once, with one documented
exception: killed after Slack took a message but before the store marked it sent, a
webhook (or a bot token without the history scope) posts that one message again (at
most once per crash); a bot token reads the channel back and posts nothing twice.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from tests.fault_kit import (  # noqa: F401 -- no_backoff is an autouse fixture
    GRADE_CHANGE,
    LEGITIMACY,
    Tally,
    check_here,
    check_process,
    integrity,
    no_backoff,
    query,
    record,
    start_process,
    tally,
    write_config,
)
from tests.pages import AFI_STOP_SEARCH, LegitimacyPage2017
from watcher.cli import main
from watcher.faults import Stage

CHANGED = LegitimacyPage2017(pillar_grade="Good", afis={1: [AFI_STOP_SEARCH]}).html()
# The changed page alerts a grade, a new area for improvement and two resolved ones.
EXPECTED = [GRADE_CHANGE, "reasonable grounds for stop and search", "IPCC", "vetting"]
ALARMS_LEFT = ("withdrawn", "no grade shown", "unreachable")


@pytest.fixture
def config(tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack) -> Path:
    return write_config(tmp_path, fake_site.url("/"), fake_slack.api_url, timeout=5.0)


@pytest.fixture
def env(fake_slack: FakeSlack) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": fake_slack.token}


@pytest.fixture
def baseline(fake_site: FakeSite, fake_slack: FakeSlack, config: Path, env: dict[str, str]) -> int:
    """The page is watched; returns how many messages Slack has (the baseline note)."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    assert check_here(config, env).exit_code == 0
    return len(fake_slack.messages)


@pytest.mark.parametrize("stage", list(Stage))
def test_crash_at_any_stage_loses_nothing(
    stage: Stage,
    fake_site: FakeSite,
    fake_slack: FakeSlack,
    config: Path,
    env: dict[str, str],
    baseline: int,
) -> None:
    """Killed at `stage` (bot token), the next run alerts each change exactly once."""
    fake_site.set_page(LEGITIMACY, CHANGED)
    crashed = check_process(config, env, crash_at=stage)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert integrity(config) == "ok"

    recovered = check_process(config, env)
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert check_here(config, env).exit_code == 0  # and nothing more after that
    assert integrity(config) == "ok"
    assert query(config, "select id from outbox where state = 'pending'") == []

    counts = tally(fake_slack.messages[baseline:], EXPECTED, ALARMS_LEFT)
    outcome = (
        f"killed (exit {crashed.returncode}); next run exit {recovered.returncode}, "
        f"integrity_check {integrity(config)}, nothing pending"
    )
    record("process", f"SIGKILL at {stage}", outcome, counts)
    # Killed between Slack taking the message and the store marking it sent, the next
    # run reads the channel back (the message's metadata names its outbox rows).
    assert counts == Tally(expected=4, delivered=4, duplicates=0, false_alerts=0)


def test_crash_after_slack_accepted_without_history_scope_repeats_once(
    fake_site: FakeSite,
    fake_slack: FakeSlack,
    config: Path,
    env: dict[str, str],
    baseline: int,
) -> None:
    """Without channels:history, a crash in the window reposts once, and status says why."""
    fake_slack.history_scope = False
    fake_site.set_page(LEGITIMACY, CHANGED)
    crashed = check_process(config, env, crash_at=Stage.SLACK_ACCEPTED)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    recovered = check_process(config, env)
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    counts = tally(fake_slack.messages[baseline:], EXPECTED, ALARMS_LEFT)
    record(
        "process", "SIGKILL at slack_accepted, no history scope", "sent again", counts, window=True
    )
    assert counts == Tally(expected=4, delivered=4, duplicates=4, false_alerts=0)
    notices = query(config, "select message from delivery_notices")
    assert len(notices) == 1
    assert "channels:history" in notices[0]["message"]
    status = status_here(config)
    assert "channels:history" in " ".join(status.output.split())


def test_crash_after_webhook_accepted_repeats_once(
    fake_site: FakeSite, fake_slack: FakeSlack, config: Path
) -> None:
    """A webhook cannot be read back: killed in the window, its one message goes again."""
    env = {"SLACK_WEBHOOK_URL": fake_slack.webhook_url}
    config.write_text(config.read_text().replace('channel = "C0TEST"\n', ""))
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    assert check_here(config, env).exit_code == 0
    baseline = len(fake_slack.messages)
    fake_site.set_page(LEGITIMACY, CHANGED)
    crashed = check_process(config, env, crash_at=Stage.SLACK_ACCEPTED)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert check_process(config, env).returncode == 0
    counts = tally(fake_slack.messages[baseline:], EXPECTED, ALARMS_LEFT)
    record("process", "SIGKILL at slack_accepted (webhook)", "sent again", counts, window=True)
    assert counts == Tally(expected=4, delivered=4, duplicates=4, false_alerts=0)


def status_here(config: Path) -> Result:
    return CliRunner().invoke(main, ["--config", str(config), "status"], catch_exceptions=False)


def test_two_checks_at_once_one_runs_and_one_exits(
    fake_site: FakeSite, fake_slack: FakeSlack, config: Path, env: dict[str, str], baseline: int
) -> None:
    """Two `watcher check` started together: one runs, the other exits 2 saying why."""
    fake_site.set_page(LEGITIMACY, CHANGED)
    fake_site.inject(LEGITIMACY, delay=1.5)  # the first run holds the lock meanwhile
    runs = [start_process(config, env), start_process(config, env)]
    outputs = [run.communicate(timeout=30) for run in runs]
    codes = sorted(run.returncode for run in runs)
    assert codes == [0, 2], outputs
    loser = next(err for run, (_, err) in zip(runs, outputs, strict=True) if run.returncode == 2)
    assert "another watcher run is in progress" in loser
    assert integrity(config) == "ok"
    counts = tally(fake_slack.messages[baseline:], EXPECTED, ALARMS_LEFT)
    said = loser.strip().splitlines()[-1]
    record("process", "two checks started together", f"exit codes {codes}; {said}", counts)
    assert counts == Tally(expected=4, delivered=4, duplicates=0, false_alerts=0)
