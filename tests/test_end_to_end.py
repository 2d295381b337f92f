"""`watcher check` end to end: a fake site and a fake Slack over real sockets, a real
SQLite file, the real slack-sdk client. Baseline, a real change, a rerun.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from tests.pages import (
    AFI_IPCC,
    AFI_IPCC_REWORDED,
    AFI_STOP_SEARCH,
    LegitimacyPage2017,
)
from watcher.cli import main
from watcher.models import Assessment
from watcher.parse import parser_fingerprint

LEGITIMACY = "/peel-assessments/peel-2017/kent/legitimacy/"

Runner = Callable[..., Result]


def block_texts(message: dict[str, Any]) -> str:
    """Every text of a received Block Kit message, joined, for substring checks."""
    texts = []
    for block in message["blocks"]:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts += [f["text"] for f in block.get("fields", [])]
        texts += [e.get("text", "") for e in block.get("elements", [])]
    return "\n".join(texts)


@pytest.fixture
def config_path(tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack) -> Path:
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
retries = 2
[slack]
channel = "C0TEST"
api_url = "{fake_slack.api_url}"
[state]
path = "{tmp_path / "state" / "watcher.db"}"
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def check(config_path: Path, fake_slack: FakeSlack) -> Runner:
    env = {"SLACK_BOT_TOKEN": fake_slack.token, "SLACK_WEBHOOK_URL": ""}

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(
            main, ["--config", str(config_path), "check", *args], env=env, catch_exceptions=False
        )

    return invoke


def changes_in(config_path: Path) -> list[tuple[str, str]]:
    db = sqlite3.connect(config_path.parent / "state" / "watcher.db")
    try:
        return sorted(db.execute("select kind, unit from changes"))
    finally:
        db.close()


def test_baseline_then_changes_then_quiet(
    fake_site: FakeSite, fake_slack: FakeSlack, check: Runner, config_path: Path
) -> None:
    """First run: one 'now watching'. A real change: exactly its alerts, once. Rerun: none."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())

    first = check()
    assert first.exit_code == 0, first.output
    [baseline] = fake_slack.messages
    assert "Now watching 1 page" in json.dumps(baseline["blocks"])

    fake_site.set_page(
        LEGITIMACY,
        LegitimacyPage2017(
            pillar_grade="Good",
            afis={1: [AFI_STOP_SEARCH], 2: [AFI_IPCC_REWORDED]},
            banner="Planned website downtime on Saturday",
        ).html(),
    )
    second = check()
    assert second.exit_code == 0, second.output
    assert len(fake_slack.messages) == 2
    digest = fake_slack.messages[1]
    assert digest["channel"] == "C0TEST"
    assert digest["blocks"][0]["type"] == "header"
    assert digest["blocks"][0]["text"]["text"].startswith("Kent Police")
    text = block_texts(digest)
    assert "Outstanding → Good" in text
    assert "IOPC" in text
    assert "IPCC" in text
    assert "national vetting standards" in text  # the resolved AFI
    assert "reasonable grounds for stop and search" in text  # the new AFI
    assert "Planned website downtime" not in text
    assert digest["text"]  # the plain-text fallback
    assert changes_in(config_path) == [
        ("finding_added", "legitimacy/q1"),
        ("finding_resolved", "legitimacy/q2"),
        ("finding_reworded", "legitimacy/q2"),
        ("grade", "legitimacy"),
    ]

    third = check()
    assert third.exit_code == 0, third.output
    assert len(fake_slack.messages) == 2
    last = fake_site.requests_for(LEGITIMACY)[-1]
    assert last.headers.get("if-none-match")


def test_not_modified_costs_no_parse(
    fake_site: FakeSite, check: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 304 answer is not parsed, stored or alerted."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    assert check().exit_code == 0

    def no_parse(body: bytes, url: str) -> None:
        raise AssertionError("a 304 must not be parsed")

    monkeypatch.setattr("watcher.parse.parse_all", no_parse)  # where `check` finds it
    result = check()
    assert result.exit_code == 0, result.output
    sent = fake_site.requests_for(LEGITIMACY)[-1].headers
    assert sent.get("if-none-match")
    assert sent.get("if-modified-since")


def test_cosmetic_change_alerts_nothing(
    fake_site: FakeSite, fake_slack: FakeSlack, check: Runner, config_path: Path
) -> None:
    """A new banner and page date change the bytes but not the assessment: no alert."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    check()
    fake_site.set_page(
        LEGITIMACY,
        LegitimacyPage2017(banner="Have your say: consultation", modified="1 May 2026").html(),
    )
    result = check()
    assert result.exit_code == 0, result.output
    assert len(fake_slack.messages) == 1  # the baseline only
    assert changes_in(config_path) == []


def test_each_body_is_stored_as_served_and_its_page_points_at_it(
    fake_site: FakeSite, check: Runner, config_path: Path
) -> None:
    """The body is packed on another thread while the page is parsed: what is stored
    must still be exactly the bytes served, under their hash, for every reading."""
    served = []
    for banner in ("", "Have your say: consultation"):
        body = LegitimacyPage2017(banner=banner).html()
        fake_site.set_page(LEGITIMACY, body)
        assert check().exit_code == 0
        served.append(body if isinstance(body, bytes) else body.encode())
    db = sqlite3.connect(config_path.parent / "state" / "watcher.db")
    try:
        stored = dict(db.execute("select sha256, body from bodies"))
        (pointer,) = db.execute(
            "select body_sha256 from pages where url like ?", [f"%{LEGITIMACY}"]
        )
    finally:
        db.close()
    latest = hashlib.sha256(served[-1]).hexdigest()
    assert pointer[0] == latest
    assert zlib.decompress(stored[latest]) == served[-1]
    assert hashlib.sha256(served[0]).hexdigest() in stored  # the reading's body: history


def test_slack_outage_keeps_alerts_for_next_run(
    fake_site: FakeSite, fake_slack: FakeSlack, check: Runner
) -> None:
    """Slack failing leaves the alert queued; the next run sends it exactly once."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    check()
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017(pillar_grade="Good").html())
    fake_slack.fail_next(10, status=500)
    failed = check()
    assert failed.exit_code == 1
    assert len(fake_slack.messages) == 1
    fake_slack.recover()
    retried = check()
    assert retried.exit_code == 0, retried.output
    assert len(fake_slack.messages) == 2
    assert "Outstanding → Good" in block_texts(fake_slack.messages[1])
    check()
    assert len(fake_slack.messages) == 2


def test_rate_limited_slack_delivers_once(
    fake_site: FakeSite, fake_slack: FakeSlack, check: Runner
) -> None:
    """A 429 with Retry-After is waited out and the alert is posted once."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    fake_slack.fail_next(1, status=429, retry_after=1)
    result = check()
    assert result.exit_code == 0, result.output
    assert len(fake_slack.messages) == 1


def test_dry_run_stores_and_sends_nothing(
    fake_site: FakeSite, fake_slack: FakeSlack, check: Runner, config_path: Path
) -> None:
    """--dry-run prints what would be alerted and leaves state and Slack untouched."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    check()
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017(pillar_grade="Good").html())
    preview = check("--dry-run")
    assert preview.exit_code == 0, preview.output
    assert "Outstanding → Good" in preview.output
    assert len(fake_slack.messages) == 1
    assert changes_in(config_path) == []
    real = check()
    assert real.exit_code == 0
    assert len(fake_slack.messages) == 2


def test_show_prints_the_contract_json(fake_site: FakeSite, config_path: Path) -> None:
    """`watcher show URL --json` fetches, parses and prints the public JSON, storing nothing."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    result = CliRunner().invoke(
        main, ["--config", str(config_path), "show", fake_site.url(LEGITIMACY), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"organisation", "cycle", "kind", "url", "judgements", "findings"}
    assert (data["organisation"], data["cycle"], data["kind"]) == (
        "kent",
        "peel-2017",
        "pillar_page",
    )
    grades = {j["unit"]: j["grade"] for j in data["judgements"]}
    assert grades["legitimacy"] == "outstanding"
    assert grades["legitimacy/q2"] == "good"
    assert {"kind": "afi", "unit": "legitimacy/q2", "text": AFI_IPCC} in data["findings"]
    assert not (config_path.parent / "state" / "watcher.db").exists()


def test_force_limits_the_run(fake_site: FakeSite, check: Runner) -> None:
    """--force kent checks only Kent's pages; an unknown slug cannot run (exit 2)."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    assert check("--force", "kent").exit_code == 0
    assert {r.path for r in fake_site.requests} <= {
        f"/peel-assessments/peel-2017/kent/{p}" for p in ("", "effectiveness/", "efficiency/",
        "legitimacy/", "leadership/")
    }  # fmt: skip
    assert check("--force", "atlantis").exit_code == 2

    fake_site.requests.clear()
    assert check("--force", " Kent ").exit_code == 0  # as typed: any case, spaces trimmed
    assert {r.path for r in fake_site.requests} == {
        f"/peel-assessments/peel-2017/kent/{p}" for p in ("", "effectiveness/", "efficiency/",
        "legitimacy/", "leadership/")
    }  # fmt: skip
    typo = check("--force", "kentt")
    assert typo.exit_code == 2
    assert "--force kentt: unknown force or service (did you mean 'kent'?)" in typo.output


def test_bad_config_cannot_run(tmp_path: Path) -> None:
    """A bad config key exits 2 with a message naming the key."""
    path = tmp_path / "config.toml"
    path.write_text("[http]\ntimeuot = 3\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(path), "check"])
    assert result.exit_code == 2
    assert "http.timeuot" in result.output


# A stored reading made by an earlier version of the parser is not news when it reads
# differently today: the check compares with the stored page read again.


def _as_an_earlier_version_read_it(
    config_path: Path, edit: Callable[[dict[str, Any]], None]
) -> None:
    """Rewrite the page's stored reading (and its hash) as an earlier parser made it."""
    db = sqlite3.connect(config_path.parent / "state" / "watcher.db")
    try:
        with db:
            [(row_id, stored)] = db.execute(
                "select id, assessment from assessments where url like ?", [f"%{LEGITIMACY}"]
            )
            data = json.loads(stored)
            edit(data)
            digest = Assessment.from_dict(data).content_hash()
            db.execute(
                "update assessments set assessment = ?, hash = ?, parser = ? where id = ?",
                [json.dumps(data), digest, "an-earlier-version", row_id],
            )
    finally:
        db.close()


def _rename_units(data: dict[str, Any]) -> None:
    """An earlier slug scheme: every unit named differently."""
    for item in data["judgements"] + data["findings"]:
        item["unit"] = "old-" + item["unit"].replace("/", "-")


def _drop_question_one(data: dict[str, Any]) -> None:
    """An earlier parser that missed the first question's grade."""
    data["judgements"] = [j for j in data["judgements"] if j["unit"] != "legitimacy/q1"]


def test_units_renamed_between_versions_give_the_real_change_only(
    fake_site: FakeSite, fake_slack: FakeSlack, check: Runner, config_path: Path
) -> None:
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    assert check().exit_code == 0
    _as_an_earlier_version_read_it(config_path, _rename_units)

    fake_site.set_page(LEGITIMACY, LegitimacyPage2017(pillar_grade="Good").html())
    result = check()
    assert result.exit_code == 0, result.output
    assert "grades missing" not in result.output
    assert changes_in(config_path) == [("grade", "legitimacy")]
    assert len(fake_slack.messages) == 2
    assert "Outstanding → Good" in block_texts(fake_slack.messages[1])
    db = sqlite3.connect(config_path.parent / "state" / "watcher.db")
    try:
        stamps = [row[0] for row in db.execute("select parser from assessments order by id")]
    finally:
        db.close()
    assert stamps == ["an-earlier-version", parser_fingerprint()]  # the new one: this version's


def test_a_grade_an_earlier_version_missed_is_not_a_first_grade(
    fake_site: FakeSite, fake_slack: FakeSlack, check: Runner, config_path: Path
) -> None:
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    assert check().exit_code == 0
    _as_an_earlier_version_read_it(config_path, _drop_question_one)

    fake_site.set_page(LEGITIMACY, LegitimacyPage2017(banner="Planned website downtime").html())
    result = check()
    assert result.exit_code == 0, result.output
    assert changes_in(config_path) == []
    assert len(fake_slack.messages) == 1  # the baseline only


def test_without_the_stored_page_the_stored_reading_stands(
    fake_site: FakeSite, fake_slack: FakeSlack, check: Runner, config_path: Path
) -> None:
    """No body to read again: compared with the stored reading, which now lacks the
    page's units, so the page is unreadable this time, never "grades removed"."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    assert check().exit_code == 0
    _as_an_earlier_version_read_it(config_path, _rename_units)
    db = sqlite3.connect(config_path.parent / "state" / "watcher.db")
    with db:
        db.execute("delete from bodies")
    db.close()

    fake_site.set_page(LEGITIMACY, LegitimacyPage2017(pillar_grade="Good").html())
    result = check()
    assert "grades missing from the page" in result.output
    assert changes_in(config_path) == []
    assert len(fake_slack.messages) == 1
