"""Fire and rescue services end to end: opted in by config, alerted under their own name."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from watcher.cli import main

PAGES = Path(__file__).parent / "fixtures" / "pages"
EFFICIENCY = "/frs-assessment/frs-2021/essex/efficiency/"


def test_fire_service_grade_change_is_alerted(
    tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack
) -> None:
    """A service's improved pillar reaches Slack under the service's name, not a force's."""
    page = (PAGES / "essex-frs-2021-efficiency-names-police.h2.html").read_bytes()
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[site]
base_url = "{fake_site.url("/").rstrip("/")}"
allowed_hosts = ["127.0.0.1"]
[watch]
forces = []
services = ["essex"]
cycles = ["frs-2021"]
[http]
delay = 0.0
[slack]
channel = "C0TEST"
api_url = "{fake_slack.api_url}"
[state]
path = "{tmp_path / "watcher.db"}"
""",
        encoding="utf-8",
    )
    env = {"SLACK_BOT_TOKEN": fake_slack.token, "SLACK_WEBHOOK_URL": ""}

    def check() -> None:
        result = CliRunner().invoke(main, ["--config", str(config), "check"], env=env)
        assert result.exit_code == 0, result.output

    fake_site.set_page(EFFICIENCY, page)
    check()
    assert len(fake_slack.messages) == 1  # the baseline
    paths = {r.path for r in fake_site.requests}
    assert EFFICIENCY in paths
    assert all(p.startswith("/frs-assessment/frs-2021/essex/") for p in paths)

    improved = page.replace(
        b'<p class="grade">Requires improvement</p>', b'<p class="grade">Good</p>', 1
    )
    fake_site.set_page(EFFICIENCY, improved)
    check()
    [digest] = fake_slack.messages[1:]
    header = digest["blocks"][0]["text"]["text"]
    assert header == "Essex County Fire and Rescue Service: inspection changes"
    assert "Requires improvement → Good" in str(digest["blocks"])


REPORT = "/frs-assessment/frs-2023-25/kent/"


def test_fire_2023_25_service_report_is_watched(
    tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack
) -> None:
    """A service's 2023-25 report is fetched beside the table, and a regrade is alerted."""
    page = (PAGES / "kent-frs-2023-25-report.h2.html").read_bytes()
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[site]
base_url = "{fake_site.url("/").rstrip("/")}"
allowed_hosts = ["127.0.0.1"]
[watch]
forces = []
services = ["kent"]
cycles = ["frs-2023-25"]
[http]
delay = 0.0
[slack]
channel = "C0TEST"
api_url = "{fake_slack.api_url}"
[state]
path = "{tmp_path / "watcher.db"}"
""",
        encoding="utf-8",
    )
    env = {"SLACK_BOT_TOKEN": fake_slack.token, "SLACK_WEBHOOK_URL": ""}
    fake_site.set_page(REPORT, page)
    CliRunner().invoke(main, ["--config", str(config), "check"], env=env)
    paths = {r.path for r in fake_site.requests}
    assert REPORT in paths
    assert "/frs-assessment/frs-2023-25/service-assessment-data-table/" in paths

    # Both readings regraded alike: a real change, alerted under the service's name.
    regraded = page.replace(b">Outstanding<", b">Good<")
    assert regraded.count(b">Good<") == page.count(b">Good<") + 2
    fake_site.set_page(REPORT, regraded)
    CliRunner().invoke(main, ["--config", str(config), "check"], env=env)
    digest = fake_slack.messages[-1]
    assert digest["blocks"][0]["text"]["text"].startswith("Kent Fire and Rescue Service")
    assert "Outstanding → Good" in str(digest["blocks"])
