"""Routing end to end: `watcher check` through the fake site and the fake Slack.

Three forces (Kent and Sussex in the South East, Essex in the Eastern region) and the
Engage page; a commissioner's office channel for Kent (threads), a newsroom channel
(entering Engage and grade declines, with @here), a South East webhook for grades, an
ops channel for page health, and the default channel for the rest. Real sockets, the
real slack-sdk client, a real SQLite file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from tests.fault_kit import check_here, message_text, no_backoff, query  # noqa: F401
from tests.pages import AFI_STOP_SEARCH, ENGAGE_PATH, EngagedForce, LegitimacyPage2017, engage_page

FORCES = {"kent": "Kent", "sussex": "Sussex", "essex": "Essex"}
NAMES = {"kent": "Kent Police", "sussex": "Sussex Police", "essex": "Essex Police"}
ESSEX_ENGAGED = EngagedForce(
    "Essex Police", "November 2026", ["The force doesn’t answer calls quickly enough."]
)
MET_ENGAGED = EngagedForce(
    "Metropolitan Police Service", "June 2022", ["The force isn’t recording crimes accurately."]
)
SE_HOOK = "/services/T0/B0SE/route-secret"


def legitimacy(slug: str) -> str:
    return f"/peel-assessments/peel-2017/{slug}/legitimacy/"


def page(slug: str, **fields: Any) -> bytes:
    return LegitimacyPage2017(force=NAMES[slug], place=FORCES[slug], **fields).html()


def write_routed_config(directory: Path, site: FakeSite, slack: FakeSlack) -> Path:
    path = directory / "config.toml"
    path.write_text(
        f"""
[site]
base_url = "{site.url("/").rstrip("/")}"
allowed_hosts = ["127.0.0.1"]
[watch]
forces = ["kent", "sussex", "essex"]
cycles = ["peel-2017"]
pages = ["{ENGAGE_PATH}"]
[http]
delay = 0.0
timeout = 2.0
retries = 1
[alerts]
unreachable_after = 1
[slack]
channel = "C0DEFAULT"
ops_channel = "C0OPS"
api_url = "{slack.api_url}"

[[slack.routes]]  # the commissioner's office
channel = "C0KENT"
forces = ["kent"]
thread = true

[[slack.routes]]  # the newsroom
channel = "C0NEWS"
kinds = ["monitoring_entered", "grade"]
directions = ["declined"]
mention = "here"

[[slack.routes]]  # the region's collaboration, by webhook
webhook_env = "SLACK_WEBHOOK_URL_SE"
regions = ["south-east"]
kinds = ["grade"]

[state]
path = "{directory / "state" / "watcher.db"}"
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def routed(
    tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack
) -> tuple[Path, dict[str, str]]:
    config = write_routed_config(tmp_path, fake_site, fake_slack)
    env = {
        "SLACK_BOT_TOKEN": fake_slack.token,
        "SLACK_WEBHOOK_URL": "",
        "SLACK_WEBHOOK_URL_SE": fake_slack.add_webhook(SE_HOOK),
    }
    for slug in FORCES:
        fake_site.set_page(legitimacy(slug), page(slug))
    fake_site.set_page(ENGAGE_PATH, engage_page([MET_ENGAGED]))
    return config, env


def where(slack: FakeSlack, start: int = 0) -> dict[str, list[dict[str, Any]]]:
    """The messages since `start`, by destination: a channel, or "webhook:SE"."""
    found: dict[str, list[dict[str, Any]]] = {}
    for message in slack.messages[start:]:
        key = "webhook:SE" if message.get("path") == SE_HOOK else str(message["channel"])
        found.setdefault(key, []).append(message)
    return found


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n\n".join(message_text(m) for m in messages)


def changed_run(fake_site: FakeSite) -> None:
    """Kent's pillar and a question decline and it gains an AFI; Sussex improves; Essex
    gains an AFI and enters Engage."""
    fake_site.set_page(
        legitimacy("kent"),
        page("kent", pillar_grade="Good", afis={2: [AFI_STOP_SEARCH]}),
    )
    fake_site.set_page(
        legitimacy("sussex"),
        page("sussex", grades={1: "Outstanding", 2: "Outstanding", 3: "Outstanding"}),
    )
    fake_site.set_page(
        legitimacy("essex"),
        page("essex", afis={2: [AFI_STOP_SEARCH]}),
    )
    fake_site.set_page(ENGAGE_PATH, engage_page([MET_ENGAGED, ESSEX_ENGAGED]))


def test_each_destination_gets_exactly_its_changes(
    routed: tuple[Path, dict[str, str]], fake_site: FakeSite, fake_slack: FakeSlack
) -> None:
    config, env = routed
    first = check_here(config, env)
    assert first.exit_code == 0, first.output
    assert list(where(fake_slack)) == ["C0DEFAULT"]  # "now watching": the default only
    assert "Now watching" in texts(fake_slack.messages)

    start = len(fake_slack.messages)
    changed_run(fake_site)
    second = check_here(config, env)
    assert second.exit_code == 0, second.output
    got = where(fake_slack, start)
    assert set(got) == {"C0KENT", "C0NEWS", "webhook:SE", "C0DEFAULT"}  # nothing to ops

    kent = texts(got["C0KENT"])
    assert "Kent Police" in kent
    assert "Outstanding → Good" in kent
    assert "stop and search" in kent
    assert "Sussex" not in kent
    assert "Essex" not in kent
    assert "<!here>" not in kent  # the office asked for no mention
    assert all(m["thread_ts"] is None for m in got["C0KENT"])  # the report's first message

    news = texts(got["C0NEWS"])
    assert "Kent Police" in news
    assert "Outstanding → Good" in news
    assert "Essex Police" in news
    assert "entered enhanced monitoring" in news
    assert "stop and search" not in news  # findings are not the newsroom's
    assert "Sussex" not in news  # an improvement is not a decline
    assert all(m["text"].startswith("<!here>") for m in got["C0NEWS"])

    region = texts(got["webhook:SE"])
    assert "Kent Police" in region
    assert "Sussex Police" in region
    assert "Essex" not in region
    assert "stop and search" not in region
    assert "<!here>" not in region

    default = texts(got["C0DEFAULT"])
    assert "Essex Police" in default
    assert "stop and search" in default
    assert "Kent" not in default
    assert "Sussex" not in default
    assert "<!here>" not in default

    # Nothing went twice to one place, and nothing waits.
    assert query(config, "select id from outbox where state = 'pending'") == []
    third = check_here(config, env)
    assert third.exit_code == 0
    assert len(fake_slack.messages) == start + sum(len(v) for v in got.values())


def test_a_later_change_replies_in_the_reports_thread(
    routed: tuple[Path, dict[str, str]], fake_site: FakeSite, fake_slack: FakeSlack
) -> None:
    config, env = routed
    assert check_here(config, env).exit_code == 0
    changed_run(fake_site)
    assert check_here(config, env).exit_code == 0
    [root] = [m for m in fake_slack.messages if m["channel"] == "C0KENT"]

    start = len(fake_slack.messages)
    # The AFI is resolved (quiet), then a grade declines (loud), on the same report.
    fake_site.set_page(legitimacy("kent"), page("kent", pillar_grade="Good", afis={}))
    assert check_here(config, env).exit_code == 0
    fake_site.set_page(
        legitimacy("kent"),
        page("kent", pillar_grade="Requires improvement", afis={}),
    )
    assert check_here(config, env).exit_code == 0
    replies = where(fake_slack, start)["C0KENT"]
    assert [m["thread_ts"] for m in replies] == [root["ts"], root["ts"]]
    assert [bool(m["reply_broadcast"]) for m in replies] == [False, True]
    assert len(fake_slack.in_channel("C0KENT")) == 2  # the root, and the loud reply


def test_an_opening_message_sent_in_parts_keeps_its_later_parts_in_its_thread(
    routed: tuple[Path, dict[str, str]], fake_site: FakeSite, fake_slack: FakeSlack
) -> None:
    """Slack refuses the report's first message as too big: its halves go out, the
    first opening the thread and the rest replying in it, not loose in the channel."""
    config, env = routed
    assert check_here(config, env).exit_code == 0
    start = len(fake_slack.messages)
    fake_slack.max_blocks = 2  # the digest has a header and two more blocks
    changed_run(fake_site)
    assert check_here(config, env).exit_code == 0
    opener, *rest = where(fake_slack, start)["C0KENT"]
    assert rest, "the digest was not split: the test needs a smaller block limit"
    assert opener["thread_ts"] is None
    assert [m["thread_ts"] for m in rest] == [opener["ts"]] * len(rest)
    assert not any(m["reply_broadcast"] for m in rest)
    assert "Outstanding → Good" in texts([opener, *rest])
    assert len(fake_slack.in_channel("C0KENT")) == 1
    # A destination that does not thread keeps every part in the channel.
    assert all(m["thread_ts"] is None for m in where(fake_slack, start)["C0NEWS"])


def test_page_health_goes_to_the_ops_channel_only(
    routed: tuple[Path, dict[str, str]], fake_site: FakeSite, fake_slack: FakeSlack
) -> None:
    config, env = routed
    assert check_here(config, env).exit_code == 0
    start = len(fake_slack.messages)
    fake_site.inject(legitimacy("sussex"), status=500)
    check_here(config, env)
    got = where(fake_slack, start)
    assert list(got) == ["C0OPS"]
    assert "Sussex" in texts(got["C0OPS"])


def test_a_failing_destination_never_holds_up_the_others(
    routed: tuple[Path, dict[str, str]], fake_site: FakeSite, fake_slack: FakeSlack
) -> None:
    config, env = routed
    assert check_here(config, env).exit_code == 0
    fake_slack.broken_channels["C0NEWS"] = "channel_not_found"
    start = len(fake_slack.messages)
    changed_run(fake_site)
    failed = check_here(config, env)
    assert failed.exit_code != 0
    assert "C0NEWS" in failed.output
    assert "slack.routes[1].channel" in failed.output
    got = where(fake_slack, start)
    assert set(got) == {"C0KENT", "webhook:SE", "C0DEFAULT"}  # the others delivered

    status = check_status(config, env)
    assert "C0NEWS" in status

    del fake_slack.broken_channels["C0NEWS"]
    start = len(fake_slack.messages)
    assert check_here(config, env).exit_code == 0
    assert list(where(fake_slack, start)) == ["C0NEWS"]  # only what waited, once
    news = texts(where(fake_slack, start)["C0NEWS"])
    assert "Essex Police" in news
    assert "Kent Police" in news
    assert query(config, "select id from outbox where state = 'pending'") == []


def check_status(config: Path, env: dict[str, str]) -> str:
    from click.testing import CliRunner

    from watcher.cli import main

    result = CliRunner().invoke(main, ["--config", str(config), "status"], env=env)
    return result.output


@pytest.mark.parametrize(
    ("drop", "named"),
    [
        ("SLACK_WEBHOOK_URL_SE", "slack.routes[2].webhook_env"),
        ("SLACK_BOT_TOKEN", "slack.routes[0].channel"),
    ],
)
def test_a_route_that_cannot_be_served_stops_the_run_naming_it(
    routed: tuple[Path, dict[str, str]], fake_slack: FakeSlack, drop: str, named: str
) -> None:
    """A webhook variable not set, or a channel route with only a webhook: exit 2, the
    route's key named, nothing posted and nothing lost."""
    config, env = routed
    env = {**env, drop: ""}
    if drop == "SLACK_BOT_TOKEN":
        env["SLACK_WEBHOOK_URL"] = fake_slack.webhook_url
    result = check_here(config, env)
    assert result.exit_code == 2
    assert named in result.output
    assert fake_slack.messages == []


def test_webhooks_only_route_per_force(
    tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack
) -> None:
    """No bot token: the default webhook and a Kent webhook, each its own changes."""
    config = tmp_path / "config.toml"
    text = write_routed_config(tmp_path, fake_site, fake_slack).read_text(encoding="utf-8")
    head = text.split("[[slack.routes]]", 1)[0].replace('ops_channel = "C0OPS"\n', "")
    config.write_text(
        head
        + f"""
[[slack.routes]]
webhook_env = "SLACK_WEBHOOK_URL_KENT"
forces = ["kent"]

[state]
path = "{tmp_path / "state" / "watcher.db"}"
""",
        encoding="utf-8",
    )
    env = {
        "SLACK_BOT_TOKEN": "",
        "SLACK_WEBHOOK_URL": fake_slack.webhook_url,
        "SLACK_WEBHOOK_URL_KENT": fake_slack.add_webhook("/services/T0/B0KENT/kent-secret"),
    }
    for slug in FORCES:
        fake_site.set_page(legitimacy(slug), page(slug))
    fake_site.set_page(ENGAGE_PATH, engage_page([MET_ENGAGED]))
    assert check_here(config, env).exit_code == 0
    start = len(fake_slack.messages)
    changed_run(fake_site)
    assert check_here(config, env).exit_code == 0
    by_path: dict[str, str] = {}
    for message in fake_slack.messages[start:]:
        by_path[message["path"]] = by_path.get(message["path"], "") + message_text(message)
    kent, rest = by_path["/services/T0/B0KENT/kent-secret"], by_path[fake_slack.webhook_path]
    assert "Kent Police" in kent
    assert "Essex" not in kent
    assert "Kent Police" not in rest
    assert "Essex Police" in rest
    assert "Sussex Police" in rest
    assert "kent-secret" not in check_status(config, env)
