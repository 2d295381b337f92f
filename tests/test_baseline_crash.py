"""The "now watching" note survives a crash in the first run, and is sent once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from tests.fault_kit import (  # noqa: F401 -- no_backoff is an autouse fixture
    LEGITIMACY,
    check_here,
    check_process,
    no_backoff,
    query,
    write_config,
)
from tests.pages import LegitimacyPage2017
from watcher.faults import Stage


def _notes(fake_slack: FakeSlack) -> list[str]:
    return [json.dumps(m["blocks"]) for m in fake_slack.messages if "Now watching" in json.dumps(m)]


@pytest.mark.parametrize("stage", [Stage.ASSESSMENT_STORED, Stage.CHANGES_STORED])
def test_note_survives_a_crash_in_the_first_run(
    tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack, stage: Stage
) -> None:
    """First run SIGKILLed around storing the page: the next run still says 'Now watching'."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    config = write_config(tmp_path, fake_site.url("/"), fake_slack.api_url)
    env = {"SLACK_BOT_TOKEN": fake_slack.token}
    crashed = check_process(config, env, crash_at=stage)
    assert crashed.returncode == -9, crashed.stderr
    assert fake_slack.messages == []
    assert check_here(config, env).exit_code == 0
    [note] = _notes(fake_slack)
    assert "Now watching 1 page" in note
    assert check_here(config, env).exit_code == 0
    assert len(_notes(fake_slack)) == 1, "the note was sent again"
    assert query(config, "select * from baseline_pending") == []


def test_a_page_is_in_one_note_only(
    tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack
) -> None:
    """Two good runs: the page is named in one note, queued once, not again the next run."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    config = write_config(tmp_path, fake_site.url("/"), fake_slack.api_url)
    env = {"SLACK_BOT_TOKEN": fake_slack.token}
    assert check_here(config, env).exit_code == 0
    assert check_here(config, env).exit_code == 0
    assert len(_notes(fake_slack)) == 1
    [row] = query(config, "select count(*) as n from outbox where kind = 'baseline'")
    assert row["n"] == 1
