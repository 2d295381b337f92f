"""`watcher demo`: the bundled archive replayed through the real check, end to end.

The expected alerts are the archive's design (scripts/demo_pages.py, `STEPS`), written
out here run by run; they are never copied from the demo's output.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from io import StringIO
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from rich.console import Console
from rich.emoji import Emoji

from tests.fake_slack import FakeSlack
from watcher.cli import main
from watcher.demo import DemoNotifier, ReplaySite, load_archive, replay
from watcher.demo.html_report import RunRecord, alert_label, render_report
from watcher.demo.slack_html import mrkdwn_html
from watcher.models import Assessment, Change, ChangeKind, Direction, Grade, Judgement, PageKind
from watcher.notify import ConsoleNotifier, Message
from watcher.store import Store, open_database

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# What each run is designed to alert, from the story of the archive.
EXPECTED_BY_RUN: list[dict[str, int]] = [
    {},  # run 1: every published page becomes the baseline; Kent 2025–27 is a 404
    {
        "area for improvement reworded": 1,  # Kent 2017 legitimacy: IPCC → IOPC
        "grade improved": 2,  # Hereford & Worcester: efficiency and its question RI → good
    },
    {
        "first grade": 1,  # Cumbria 2016: legitimacy, not yet graded → good
        "new area for improvement": 1,  # Kent 2017 effectiveness: body-worn video
        "grade declined": 1,  # Essex 2018/19: protecting vulnerable people good → RI
        "new cause of concern": 1,  # ... with its cause of concern
        "new recommendation": 2,  # ... and the two recommendations that address it
    },
    {
        "grade declined": 1,  # Hampshire 2023–25 corrected: responding adequate → RI
        "new report": 1,  # Kent 2025–27 published where there was a 404 ...
        "first grade": 8,  # ... with its eight graded areas ...
        "new area for improvement": 2,  # ... and its two areas for improvement
        "area for improvement resolved": 1,  # Kent 2017 legitimacy: vetting
    },
    {
        "entered enhanced monitoring": 1,  # Engage: Essex Police enters
        "left enhanced monitoring": 1,  # ... and Cumbria Constabulary leaves
    },
]
# Pages whose bytes change without a judgement changing: banner, dates, menu.
COSMETIC_BY_RUN = [0, 2, 1, 1, 2]
EXPECTED = sum((Counter(run) for run in EXPECTED_BY_RUN), Counter())


@dataclass(frozen=True)
class DemoRun:
    result: Result
    html: Path
    state: Path


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """`watcher demo --html --state` once, from a folder with no config.toml, Slack unset."""
    folder = tmp_path_factory.mktemp("demo")
    html, state = folder / "demo.html", folder / "demo.db"
    env: dict[str, str | None] = {"SLACK_BOT_TOKEN": None, "SLACK_WEBHOOK_URL": None}
    env |= {"WATCHER_CONFIG": None, "COLUMNS": "200"}  # no lines cut in the middle
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        result = CliRunner().invoke(
            main, ["demo", "--html", str(html), "--state", str(state)], env=env
        )
    return DemoRun(result, html, state)


def summary_counts(output: str) -> dict[str, int]:
    """The "alert  count" table of the demo's summary, as a dict."""
    summary = output.split("Summary", 1)[1]
    rows = re.findall(r"^([a-z][a-z ]+?)\s{2,}(\d+)\s*$", summary, re.MULTILINE)
    return {kind: int(count) for kind, count in rows}


def test_demo_reports_each_alert_kind_of_the_design(demo_run: DemoRun) -> None:
    """The demo's summary counts exactly the alerts the archive was designed to produce."""
    assert demo_run.result.exit_code == 0, demo_run.result.output
    assert summary_counts(demo_run.result.output) == dict(EXPECTED)
    total = sum(EXPECTED.values())
    assert f"8 pages, 5 runs, {total} alerts" in demo_run.result.output


def test_demo_counts_cosmetic_changes_it_ignored(demo_run: DemoRun) -> None:
    """Banners, dates and menus that changed are counted as ignored, never alerted."""
    assert f"{sum(COSMETIC_BY_RUN)} cosmetic changes ignored" in demo_run.result.output


def test_demo_shows_alerts_as_slack_would(demo_run: DemoRun) -> None:
    """Headers, grade lines, quoted findings and links appear in the terminal."""
    output = demo_run.result.output
    assert "Cumbria Constabulary: inspection changes" in output
    assert "Legitimacy: Not yet graded → Good" in output
    assert "│ Essex Police isn’t always assessing the risk" in output
    assert "Essex Police: entered enhanced monitoring" in output
    assert "View the page (http://127.0.0.1:" in output


def test_demo_keeps_its_state_where_asked(demo_run: DemoRun) -> None:
    """`--state` leaves a database with five runs and the changes found."""
    db = open_database(demo_run.state)
    try:
        assert db["runs"].count == 5
        assert db["changes"].count == sum(EXPECTED.values())
    finally:
        db.close()


def test_state_path_must_be_new(tmp_path: Path) -> None:
    """An existing `--state` file is never overwritten: the demo refuses to start."""
    existing = tmp_path / "mine.db"
    existing.write_text("precious")
    result = CliRunner().invoke(main, ["demo", "--state", str(existing)])
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert existing.read_text() == "precious"


def test_replay_alerts_each_run_as_designed(tmp_path: Path) -> None:
    """Run by run, the real check over the replay finds the designed alerts and no others."""
    db = open_database(tmp_path / "watcher.db")
    console = Console(file=StringIO())
    try:
        played = replay(load_archive(), Store(db), DemoNotifier(ConsoleNotifier(console)), console)
    finally:
        db.close()
    found = [dict(Counter(alert_label(c) for c in run.changes)) for run in played.runs]
    assert found == EXPECTED_BY_RUN
    assert [run.cosmetic for run in played.runs] == COSMETIC_BY_RUN
    assert [r.count("absent") for r in played.reports] == [1, 1, 1, 0, 0]
    assert [r.count("published") for r in played.reports] == [0, 0, 0, 1, 0]
    assert not any(r.failed for r in played.reports)
    assert played.not_modified > 0  # unchanged pages were answered 304


def test_replay_site_answers_like_the_real_site() -> None:
    """ETag and Last-Modified on pages, 304 when they still match, 404 before publication."""
    site = ReplaySite(load_archive())
    report = "/peel-reports/kent-2025-27/"
    legitimacy = "/peel-assessments/peel-2017/kent/legitimacy/"
    with site.running(), httpx.Client(base_url=site.base_url) as client:
        assert client.get(report).status_code == 404
        first = client.get(legitimacy)
        assert first.status_code == 200
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert client.get(legitimacy, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(legitimacy, headers={"If-Modified-Since": modified}).status_code == 304
        site.step = 3
        assert client.get(report).status_code == 200
        assert client.get(legitimacy, headers={"If-None-Match": etag}).status_code == 200


def test_archive_is_what_the_builder_writes() -> None:
    """The committed archive is exactly the builder script's output, and small."""
    script = REPO / "scripts" / "build_demo_archive.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    files = [p for p in (REPO / "watcher" / "demo" / "archive").rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 1_000_000


def test_archive_ships_as_package_data() -> None:
    """Every archive file matches a package-data pattern, so a plain install has it."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["watcher"]
    package = REPO / "watcher"
    names = [p.relative_to(package).as_posix() for p in (package / "demo" / "archive").rglob("*")]
    missing = [
        name
        for name in names
        if (package / name).is_file() and not any(fnmatch.fnmatch(name, p) for p in patterns)
    ]
    assert names
    assert not missing


def test_alerts_also_go_to_slack_when_configured(tmp_path: Path, fake_slack: FakeSlack) -> None:
    """With --slack, a bot token and --channel, Slack gets every message the terminal shows."""
    config = tmp_path / "config.toml"
    config.write_text(f'[slack]\napi_url = "{fake_slack.api_url}"\n', encoding="utf-8")
    env = {"SLACK_BOT_TOKEN": fake_slack.token, "SLACK_WEBHOOK_URL": "", "COLUMNS": "200"}
    args = ["--config", str(config), "demo", "--slack", "--channel", "C0DEMO"]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    headers = [m["blocks"][0]["text"]["text"] for m in fake_slack.messages]
    assert {m["channel"] for m in fake_slack.messages} == {"C0DEMO"}
    assert len(headers) == 10  # one baseline note, then one digest per force per run
    assert headers[0] == "[DEMO] Now watching 7 pages"
    shown = [header.removeprefix("[DEMO] ") for header in headers]
    assert all(Emoji.replace(header) in result.output for header in shown)


def test_console_lays_fields_out_side_by_side() -> None:
    """A section's fields show two to a line in the terminal, as in Slack."""
    fields = [{"type": "mrkdwn", "text": f"*Field {n}*"} for n in range(1, 4)]
    message = Message("fields", ({"type": "section", "fields": fields},))
    out = StringIO()
    ConsoleNotifier(Console(file=out, width=80, color_system=None)).send(message)
    lines = out.getvalue().splitlines()
    assert any("Field 1" in line and "Field 2" in line for line in lines)
    assert any("Field 3" in line and "Field 2" not in line for line in lines)


def test_report_colours_and_marks_a_changed_grade() -> None:
    """A heatmap cell is coloured by its grade and marked in the run where it declined."""
    url = "https://example.org/peel-reports/kent-2023-25/"

    def reading(grade: Grade) -> Assessment:
        judgement = Judgement("responding", "Responding to the public", grade)
        return Assessment(
            "kent", "peel-2023-25", PageKind.PEEL_REPORT, url, judgements=(judgement,)
        )

    decline = Change(
        ChangeKind.GRADE, url, "kent", "peel-2023-25", "responding", "Responding to the public",
        "adequate", "requires_improvement", Direction.DECLINED,
    )  # fmt: skip
    runs = [
        RunRecord("Run 1", date(2025, 6, 2), (), (reading(Grade.ADEQUATE),), (), ()),
        RunRecord("Run 2", date(2025, 6, 3), (), (reading(Grade.REQUIRES_IMPROVEMENT),),
                  (decline,), ()),
    ]  # fmt: skip
    html = render_report(runs, names={}, title="t", note="n", pages=1)
    assert '<td class="cell g-adequate">Adequate</td>' in html
    assert 'class="cell g-requires-improvement changed"' in html
    assert '<b class="mark">▼</b>' in html
    assert "<script" not in html
    assert "<link" not in html


def test_page_text_stays_text_in_the_report() -> None:
    """Escaped page text renders as the page wrote it, never as markup."""
    rendered = mrkdwn_html("> A &amp; B &lt;script&gt;alert(1)&lt;/script&gt; ∗x∗\n*bold*")
    assert "<script>" not in rendered
    assert "A &amp; B &lt;script&gt;" in rendered
    assert "<blockquote>" in rendered
    assert "<strong>bold</strong>" in rendered


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium: apt-get install chromium")
def test_html_report_renders_in_chromium(demo_run: DemoRun, tmp_path: Path) -> None:
    """Headless Chromium draws the report: heatmap cells in its DOM, a real screenshot."""
    assert CHROMIUM is not None
    flags = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2000",
    ]  # fmt: skip
    url = demo_run.html.resolve().as_uri()
    dom = subprocess.run(
        [*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert dom.count('class="cell g-') > 100
    assert 'class="cell g-good changed"' in dom  # Cumbria's first grade
    assert 'class="cell g-requires-improvement changed"' in dom  # Hampshire's correction
    assert "Hereford &amp; Worcester Fire and Rescue Service" in dom
    screenshot = tmp_path / "report.png"
    subprocess.run(
        [*flags, f"--screenshot={screenshot}", url], capture_output=True, timeout=120, check=True
    )
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 50_000


def test_demo_ignores_slack_in_the_environment_without_the_flag(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    """SLACK_BOT_TOKEN set but no --slack: the demo posts nothing to any workspace."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[slack]\napi_url = "{fake_slack.api_url}"\nchannel = "C0REAL"\n', encoding="utf-8"
    )
    env = {"SLACK_BOT_TOKEN": fake_slack.token, "SLACK_WEBHOOK_URL": "", "COLUMNS": "200"}
    result = CliRunner().invoke(main, ["--config", str(config), "demo"], env=env)
    assert result.exit_code == 0, result.output
    assert fake_slack.messages == []
    assert "Slack" not in result.output.split("\n", 3)[2]


def test_every_demo_message_in_slack_is_marked_as_demo_data(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    """With --slack, each message's text, header and body say it is demo data."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[slack]\napi_url = "{fake_slack.api_url}"\nchannel = "C0DEMO"\n', encoding="utf-8"
    )
    env = {"SLACK_BOT_TOKEN": fake_slack.token, "SLACK_WEBHOOK_URL": "", "COLUMNS": "200"}
    result = CliRunner().invoke(main, ["--config", str(config), "demo", "--slack"], env=env)
    assert result.exit_code == 0, result.output
    assert fake_slack.messages
    for message in fake_slack.messages:
        assert message["text"].startswith("[DEMO] ")
        contexts = [b for b in message["blocks"] if b["type"] == "context"]
        assert any("made-up" in e["text"] for b in contexts for e in b["elements"])


def test_demo_slack_without_a_destination_cannot_run() -> None:
    """--slack with no token or webhook in the environment: exit 2 saying what to set."""
    env = {"SLACK_BOT_TOKEN": "", "SLACK_WEBHOOK_URL": "", "WATCHER_CONFIG": "/nonexistent"}
    result = CliRunner().invoke(main, ["demo", "--slack"], env=env)
    assert result.exit_code == 2
    assert "SLACK_WEBHOOK_URL" in result.output
