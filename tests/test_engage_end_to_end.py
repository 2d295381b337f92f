"""Enhanced monitoring end to end: forces entering and leaving Engage, the last one too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from tests.pages import ENGAGE_PATH, EngagedForce, engage_page
from watcher.cli import main

DEVON = EngagedForce(
    "Devon and Cornwall Police",
    "October 2022",
    ["The force doesn’t answer emergency and non-emergency calls quickly enough."],
)
MET = EngagedForce(
    "Metropolitan Police Service",
    "June 2022",
    ["The force isn’t recording crimes accurately enough."],
)
WILTSHIRE = EngagedForce(
    "Wiltshire Police",
    "March 2025",
    ["The force doesn’t supervise investigations well enough."],
)


def headers(messages: list[dict[str, Any]]) -> list[str]:
    return [m["blocks"][0]["text"]["text"] for m in messages]


def test_forces_entering_and_leaving_engage(
    tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack
) -> None:
    """Each entry and exit is one loud alert for that force; the last force leaving counts."""
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[site]
base_url = "{fake_site.url("/").rstrip("/")}"
allowed_hosts = ["127.0.0.1"]
[watch]
forces = []
pages = ["{ENGAGE_PATH}"]
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

    def check_with(*forces: EngagedForce) -> list[str]:
        before = len(fake_slack.messages)
        fake_site.set_page(ENGAGE_PATH, engage_page(list(forces)))
        result = CliRunner().invoke(main, ["--config", str(config), "check"], env=env)
        assert result.exit_code == 0, result.output
        return headers(fake_slack.messages[before:])

    assert check_with(DEVON, MET) == ["Now watching 1 page"]
    baseline = str(fake_slack.messages[0]["blocks"])
    assert "Police forces in Engage" in baseline  # the page, not one of its forces
    assert "Devon and Cornwall" not in baseline
    assert check_with(DEVON, MET, WILTSHIRE) == [
        ":rotating_light: Wiltshire Police: entered enhanced monitoring"
    ]
    entered = fake_slack.messages[-1]["text"] + str(fake_slack.messages[-1]["blocks"])
    assert "March 2025" in entered
    assert check_with(MET, WILTSHIRE) == ["Devon and Cornwall Police: left enhanced monitoring"]
    assert "Left enhanced monitoring" in str(fake_slack.messages[-1]["blocks"])
    assert sorted(check_with()) == [
        "Metropolitan Police Service: left enhanced monitoring",
        "Wiltshire Police: left enhanced monitoring",
    ]
    assert check_with() == []
    assert check_with(WILTSHIRE) == [
        ":rotating_light: Wiltshire Police: entered enhanced monitoring"
    ]
