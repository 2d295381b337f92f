"""`watcher backfill` end to end: a fake archive, a fake site and a fake Slack over real
sockets, a real SQLite file; the kill test runs the real command in a subprocess.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.fake_archive import FakeArchive
from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from tests.pages import AFI_IPCC, AFI_VETTING, LegitimacyPage2017
from tests.test_end_to_end import block_texts
from watcher.cli import main

PATH = "/peel-assessments/peel-2017/kent/legitimacy/"
OLD = f"http://www.justiceinspectorates.gov.uk/hmic{PATH}"
MIDDLE = f"https://www.justiceinspectorates.gov.uk/hmicfrs{PATH}"
TODAY = f"https://hmicfrs.justiceinspectorates.gov.uk{PATH}"
UNGRADED = {1: "Not yet graded", 2: "Not yet graded", 3: "Not yet graded"}
MID_YEAR = LegitimacyPage2017(pillar_grade="Not yet graded", grades=UNGRADED, afis={})
FINAL = LegitimacyPage2017()  # Outstanding, with two areas for improvement

Runner = Callable[..., Result]


@pytest.fixture
def config_path(
    tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack, fake_archive: FakeArchive
) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[site]
base_url = "{fake_site.url("/").rstrip("/")}"
allowed_hosts = ["127.0.0.1"]
[watch]
forces = ["kent"]
cycles = ["peel-2017"]
pages = []
[http]
delay = 0.0
timeout = 5.0
retries = 3
[slack]
channel = "C0TEST"
api_url = "{fake_slack.api_url}"
[state]
path = "{tmp_path / "state" / "watcher.db"}"
[archive]
base_url = "{fake_archive.url}"
rate = 0
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def watcher(config_path: Path, fake_slack: FakeSlack) -> Runner:
    env = {"SLACK_BOT_TOKEN": fake_slack.token, "SLACK_WEBHOOK_URL": ""}

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(
            main, ["--config", str(config_path), *args], env=env, catch_exceptions=False
        )

    return invoke


def _archive_two_steps(archive: FakeArchive) -> None:
    """A mid-year and a final capture, plus captures backfill must not read."""
    archive.add(MIDDLE, "20170601090000", MID_YEAR.html())
    archive.add(MIDDLE, "20170615090000", MID_YEAR.html())  # the same digest again
    archive.add(OLD, "20170301090000", b"", status=301, location=MIDDLE)
    archive.add(TODAY, "20171001090000", b"not found", status=404)
    archive.add(TODAY, "20171212090000", FINAL.html())


def history_rows(config_path: Path) -> list[tuple[str, str, str, str]]:
    db = sqlite3.connect(config_path.parent / "state" / "watcher.db")
    try:
        return list(
            db.execute(
                "select fetched_at, source, source_url, hash from assessments "
                "order by fetched_at, id"
            )
        )
    finally:
        db.close()


def test_mid_year_and_final_captures_become_two_history_steps(
    fake_archive: FakeArchive, fake_slack: FakeSlack, watcher: Runner, tmp_path: Path
) -> None:
    """Two distinct readable captures: two steps dated by capture; skips and 429s handled."""
    _archive_two_steps(fake_archive)
    fake_archive.form = "plain"
    fake_archive.page_size = 1  # every answer paged with resume keys
    fake_archive.fail_next("/cdx/", status=429, retry_after="0")
    fake_archive.fail_next("/web/", status=429, retry_after="0")
    report_file = tmp_path / "report.json"

    result = watcher("backfill", "--report", str(report_file))

    assert result.exit_code == 0, result.output
    rows = history_rows(tmp_path / "config.toml")
    assert [(r[0][:10], r[1]) for r in rows] == [
        ("2017-06-01", "archive"),
        ("2017-12-12", "archive"),
    ]
    assert rows[1][2] == f"{fake_archive.url}/web/20171212090000id_/{TODAY}"
    fetched = fake_archive.capture_requests()
    assert not [p for p in fetched if "20170615" in p or "20170301" in p or "20171001" in p]
    assert any("resumeKey=" in p for p in fake_archive.cdx_requests())
    family = json.loads(report_file.read_text())["families"][
        "/peel-assessments/peel-2017/{force}/legitimacy/"
    ]
    assert (family["full"], family["anomalies"], family["unreadable"]) == (2, 0, 0)
    assert "Read fully" in result.output  # the per-family table
    assert fake_slack.messages == []

    history = watcher("history", "kent")
    assert history.exit_code == 0, history.output
    assert "archived" in history.output  # the steps are marked as the archive's copies
    assert "2017-06-01" in history.output


def test_rerun_adds_nothing_and_fetches_no_capture_again(
    fake_archive: FakeArchive, watcher: Runner, config_path: Path
) -> None:
    """A second backfill stores nothing new and downloads no capture it has read."""
    _archive_two_steps(fake_archive)
    assert watcher("backfill").exit_code == 0
    before, fetched = history_rows(config_path), len(fake_archive.capture_requests())
    again = watcher("backfill")
    assert again.exit_code == 0, again.output
    assert history_rows(config_path) == before
    assert len(fake_archive.capture_requests()) == fetched


def test_dry_run_stores_nothing(
    fake_archive: FakeArchive, watcher: Runner, config_path: Path
) -> None:
    """--dry-run reads every capture and prints the table, but writes no reading."""
    _archive_two_steps(fake_archive)
    result = watcher("backfill", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    assert len(fake_archive.capture_requests()) == 2
    assert history_rows(config_path) == []


def test_unreadable_capture_counted_with_its_address_not_stored(
    fake_archive: FakeArchive, watcher: Runner, config_path: Path, tmp_path: Path
) -> None:
    """A maintenance page's capture is not history; the report names its address."""
    fake_archive.add(TODAY, "20170901000000", b"<html><body><p>Down for maintenance</p></html>")
    fake_archive.add(TODAY, "20171212090000", FINAL.html())
    report_file = tmp_path / "r.json"
    result = watcher("backfill", "--report", str(report_file))
    assert result.exit_code == 0, result.output
    [row] = history_rows(config_path)
    assert row[0].startswith("2017-12-12")
    family = json.loads(report_file.read_text())["families"][
        "/peel-assessments/peel-2017/{force}/legitimacy/"
    ]
    assert family["unreadable"] == 1
    [bad] = family["unreadable_captures"]
    assert bad["capture"] == f"{fake_archive.url}/web/20170901000000id_/{TODAY}"


def test_archive_down_is_unknown_this_time(
    fake_archive: FakeArchive, watcher: Runner, config_path: Path
) -> None:
    """An archive answering 503 to every try: nothing stored, exit 1; a later run reads it."""
    _archive_two_steps(fake_archive)
    fake_archive.fail_next("/cdx/", status=503, retry_after="0", times=10_000)
    failed = watcher("backfill")
    assert failed.exit_code == 1, failed.output
    assert history_rows(config_path) == []
    fake_archive.recover()
    assert watcher("backfill").exit_code == 0
    assert len(history_rows(config_path)) == 2


def test_killed_half_way_then_rerun_ends_with_the_same_history(
    fake_archive: FakeArchive, config_path: Path, tmp_path: Path
) -> None:
    """SIGKILL after the first capture is stored; the next run carries on to the same end."""
    _archive_two_steps(fake_archive)
    command = [sys.executable, "-m", "watcher", "--config", str(config_path), "backfill"]
    env = {**os.environ, "WATCHER_CRASH_AT": "capture_stored"}
    killed = subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)
    assert killed.returncode == -signal.SIGKILL
    assert len(history_rows(config_path)) == 1
    env.pop("WATCHER_CRASH_AT")
    rerun = subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)
    assert rerun.returncode == 0, rerun.stderr
    rows = history_rows(config_path)
    assert [(r[0][:10], r[2].rsplit("/web/", 1)[1][:8]) for r in rows] == [
        ("2017-06-01", "20170601"),
        ("2017-12-12", "20171212"),
    ]
    assert len(fake_archive.capture_requests()) == 2  # the stored capture was not fetched again


def test_first_live_check_alerts_only_what_differs_from_the_newest_capture(
    fake_archive: FakeArchive,
    fake_site: FakeSite,
    fake_slack: FakeSlack,
    watcher: Runner,
    config_path: Path,
) -> None:
    """What the archive already showed is not alerted; the change says since which copy."""
    _archive_two_steps(fake_archive)
    assert watcher("backfill").exit_code == 0
    fake_site.set_page(PATH, LegitimacyPage2017(pillar_grade="Good").html())
    result = watcher("check")
    assert result.exit_code == 0, result.output
    [digest] = fake_slack.messages
    text = block_texts(digest)
    assert "Outstanding → Good" in text
    assert "since the archived copy of 12 Dec 2017" in text
    assert AFI_IPCC[:40] not in text
    assert AFI_VETTING[:40] not in text
    db = sqlite3.connect(config_path.parent / "state" / "watcher.db")
    try:
        assert list(db.execute("select kind, unit from changes")) == [("grade", "legitimacy")]
    finally:
        db.close()


def test_older_archived_reading_never_becomes_the_latest(
    fake_archive: FakeArchive,
    fake_site: FakeSite,
    fake_slack: FakeSlack,
    watcher: Runner,
    config_path: Path,
) -> None:
    """Backfill after live checks: the live reading stays the one compared with."""
    fake_site.set_page(PATH, FINAL.html())
    assert watcher("check").exit_code == 0  # the baseline
    fake_archive.add(TODAY, "20170601090000", MID_YEAR.html())
    assert watcher("backfill").exit_code == 0
    fake_site.set_page(PATH, LegitimacyPage2017(banner="Planned website downtime").html())
    result = watcher("check")
    assert result.exit_code == 0, result.output
    assert len(fake_slack.messages) == 1  # the baseline only: nothing changed since the live one
    sources = [r[1] for r in history_rows(config_path)]
    assert sources == ["archive", "live"]
