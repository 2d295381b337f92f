"""Slack faults, over real sockets: the real slack-sdk client against the fake Slack.

Whatever Slack answers, an alert stays pending with the error recorded until a later
run delivers it, and then it is never sent again. A message Slack finds too long is
split, never dropped. Auth and channel errors stop `watcher check` with what to fix.
Runs go through the library (`run_once`) with a notifier whose retries do not sleep,
except the auth tests, which go through the CLI to see its exit code and message.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from tests.fault_kit import (  # noqa: F401 -- no_backoff is an autouse fixture
    ALARM_WORDS,
    GRADE_CHANGE,
    LEGITIMACY,
    Tally,
    check_here,
    no_backoff,
    query,
    record,
    tally,
    write_config,
)
from tests.pages import AFI_IPCC, AFI_VETTING, LegitimacyPage2017
from watcher.catalogue import expand
from watcher.check import RunReport, run_once
from watcher.config import load_config
from watcher.fetch import Fetcher, build_client
from watcher.notify import Notifier, RetryPolicy, notifier_from_env
from watcher.store import Store, open_database

FAST = RetryPolicy(retries=2, backoff=0.01, jitter=False, max_retry_after=2.0)
SLACK_TIMEOUT = 0.5  # seconds the notifier waits for Slack
# Long findings, so one force's digest needs two Slack messages.
LONG_AFIS = [f"AFI-{n}: the force should " + "improve how it records crime " * 90 for n in range(6)]
NEW_AFIS_EXPECTED = tuple(w for w in ALARM_WORDS if w != "New area for")

Check = Callable[..., RunReport]


@pytest.fixture
def config(tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack) -> Path:
    return write_config(tmp_path, fake_site.url("/"), fake_slack.api_url)


@pytest.fixture
def check(config: Path, fake_slack: FakeSlack) -> Check:
    """One run through the library, posting with the bot token (or `env`) to the fake Slack."""

    def run(env: dict[str, str] | None = None) -> RunReport:
        settings = load_config(config, environ={})
        environ = env if env is not None else {"SLACK_BOT_TOKEN": fake_slack.token}
        console = Console(file=io.StringIO())
        notifier = notifier_from_env(
            environ, settings.slack, console, timeout=SLACK_TIMEOUT, retry=FAST
        )
        return _run(settings.state.path, config, notifier)

    return run


def _run(state: Path, config: Path, notifier: Notifier) -> RunReport:
    settings = load_config(config, environ={})
    pages = expand(settings.site.base_url, settings.watch.forces, settings.watch.cycles)
    with closing(open_database(state)) as db, build_client(settings.http) as client:
        return run_once(
            pages,
            fetcher=Fetcher(client, settings.http, settings.site.allowed_hosts),
            store=Store(db),
            notifier=notifier,
            now=lambda: datetime.now(UTC),
        )


@pytest.fixture
def baseline(fake_site: FakeSite, fake_slack: FakeSlack, check: Check) -> int:
    """The page is watched (its baseline posted); returns how many messages Slack has."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    assert check().alerts_sent == 1
    return len(fake_slack.messages)


def pending_errors(config: Path) -> list[str]:
    rows = query(config, "select last_error from outbox where state = 'pending'")
    return [row["last_error"] for row in rows]


FAULTS = {
    # name: (fail_next arguments, error recorded, delivered within the faulty run)
    "429, short Retry-After (waited out)": ({"status": 429, "retry_after": 1}, None),
    "429, long Retry-After": ({"status": 429, "retry_after": 30}, "rate limited by Slack"),
    "500 on every retry": ({"count": 3, "status": 500}, "Slack server error (HTTP 500)"),
    "503 on every retry": ({"count": 3, "status": 503}, "Slack server error (HTTP 503)"),
    "timeout, message not taken": ({"delay": 1.5, "status": 503}, "timed out"),
    "invalid_auth": ({"error": "invalid_auth"}, "SLACK_BOT_TOKEN"),
    "channel_not_found": ({"error": "channel_not_found"}, "set slack.channel"),
    "not_in_channel": ({"error": "not_in_channel"}, "/invite"),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_slack_fault_keeps_the_alert_until_it_is_sent_once(
    name: str,
    fake_site: FakeSite,
    fake_slack: FakeSlack,
    check: Check,
    config: Path,
    baseline: int,
) -> None:
    """The alert survives the fault with its error, is delivered later, and only once."""
    failure, error = FAULTS[name]
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017(pillar_grade="Good").html())
    fake_slack.fail_next(**failure)  # type: ignore[arg-type]
    faulty = check()
    recorded = pending_errors(config)
    if error is None:
        assert faulty.delivery_error is None
    else:
        assert [error in e for e in recorded] == [True]
        assert len(fake_slack.messages) == baseline
    fake_slack.recover()
    check()
    check()
    counts = tally(fake_slack.messages[baseline:], [GRADE_CHANGE])
    record("slack", name, recorded[0] if recorded else "delivered in the same run", counts)
    assert counts == Tally(expected=1, delivered=1, duplicates=0, false_alerts=0)
    assert pending_errors(config) == []


@pytest.mark.parametrize(
    ("name", "failure", "error"),
    [
        ("webhook answers non-ok", {"status": 200, "body": "rollup_error"}, "rollup_error"),
        ("webhook 500", {"count": 3, "status": 500}, "Slack server error (HTTP 500)"),
        ("webhook no_service", {"body": "no_service", "status": 404}, "SLACK_WEBHOOK_URL"),
    ],
)
def test_webhook_fault_keeps_the_alert_until_it_is_sent_once(
    name: str,
    failure: dict[str, object],
    error: str,
    fake_site: FakeSite,
    fake_slack: FakeSlack,
    check: Check,
    config: Path,
    baseline: int,
) -> None:
    """Through an Incoming Webhook too, a refused alert waits for a later run, then goes once."""
    webhook = {"SLACK_WEBHOOK_URL": fake_slack.webhook_url}
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017(pillar_grade="Good").html())
    fake_slack.fail_next(**failure)  # type: ignore[arg-type]
    check(webhook)
    recorded = pending_errors(config)
    assert [error in e for e in recorded] == [True]
    fake_slack.recover()
    check(webhook)
    check(webhook)
    counts = tally(fake_slack.messages[baseline:], [GRADE_CHANGE])
    record("slack", name, recorded[0], counts)
    assert counts == Tally(expected=1, delivered=1, duplicates=0, false_alerts=0)


def test_outage_part_way_through_a_long_digest_repeats_nothing(
    fake_site: FakeSite, fake_slack: FakeSlack, check: Check, config: Path, baseline: int
) -> None:
    """Slack failing after one of two messages: the other follows later, the first never again."""
    page = LegitimacyPage2017(afis={1: LONG_AFIS[:3], 2: [AFI_IPCC, AFI_VETTING, *LONG_AFIS[3:]]})
    fake_site.set_page(LEGITIMACY, page.html())
    fake_slack.fail_next(3, status=500, after=1)
    check()
    assert len(fake_slack.messages) == baseline + 1
    [error] = set(pending_errors(config))
    fake_slack.recover()
    check()
    check()
    counts = tally(fake_slack.messages[baseline:], [a[:6] for a in LONG_AFIS], NEW_AFIS_EXPECTED)
    outcome = f"first message marked sent; the rest pending: {error}"
    record("slack", "500 after the first message of a two-message digest", outcome, counts)
    assert counts == Tally(expected=6, delivered=6, duplicates=0, false_alerts=0)


@pytest.mark.parametrize("error", ["msg_too_long", "msg_blocks_too_long"])
def test_too_long_for_slack_is_split_never_dropped(
    error: str, fake_site: FakeSite, fake_slack: FakeSlack, check: Check, baseline: int
) -> None:
    """A digest Slack refuses as too long arrives in parts that hold every change."""
    page = LegitimacyPage2017(afis={1: LONG_AFIS[:2], 2: [AFI_IPCC, AFI_VETTING, *LONG_AFIS[2:4]]})
    fake_site.set_page(LEGITIMACY, page.html())
    fake_slack.fail_next(1, error=error)
    report = check()
    assert report.delivery_error is None
    headers = [m["blocks"][0]["text"]["text"] for m in fake_slack.messages[baseline:]]
    assert any(header.endswith("(continued)") for header in headers), headers
    markers = [a[:6] for a in LONG_AFIS[:4]]
    counts = tally(fake_slack.messages[baseline:], markers, NEW_AFIS_EXPECTED)
    record("slack", f"{error} on a long digest", "split in two and sent", counts)
    assert counts == Tally(expected=4, delivered=4, duplicates=0, false_alerts=0)


def test_slack_timeout_after_it_took_the_message_resends_at_most_once(
    fake_site: FakeSite, fake_slack: FakeSlack, check: Check, config: Path, baseline: int
) -> None:
    """The documented window: Slack took it but answered too late; at most one repeat."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017(pillar_grade="Good").html())
    fake_slack.fail_next(1, delay=SLACK_TIMEOUT * 3)  # answered (and accepted) too late
    check()
    [error] = pending_errors(config)
    assert "timed out" in error
    check()
    check()
    deadline = time.monotonic() + SLACK_TIMEOUT * 6
    while len(fake_slack.messages) < baseline + 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # the late answer's message lands after the runs are over
    counts = tally(fake_slack.messages[baseline:], [GRADE_CHANGE])
    outcome = f"{error}; sent again on the next run"
    record("slack", "timeout after Slack took the message", outcome, counts, window=True)
    assert counts.delivered == 1
    assert counts.duplicates <= 1
    assert counts.false_alerts == 0


@pytest.mark.parametrize(
    ("failure", "fix"),
    [
        ({"error": "invalid_auth"}, "set SLACK_BOT_TOKEN to a valid bot token"),
        ({"error": "channel_not_found"}, "set slack.channel in config.toml to the channel's ID"),
        ({"error": "not_in_channel"}, "invite it with /invite @your-bot"),
    ],
)
def test_auth_error_stops_check_with_what_to_fix(
    failure: dict[str, str],
    fix: str,
    fake_site: FakeSite,
    fake_slack: FakeSlack,
    config: Path,
) -> None:
    """`watcher check` exits non-zero saying what to fix, and never shows the token."""
    env = {"SLACK_BOT_TOKEN": fake_slack.token, "SLACK_WEBHOOK_URL": ""}
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    fake_slack.fail_next(1, **failure)  # type: ignore[arg-type]
    result = check_here(config, env)
    assert result.exit_code != 0
    assert fix in result.output
    assert fake_slack.token not in result.output
    fake_slack.recover()
    assert check_here(config, env).exit_code == 0
    check_here(config, env)
    counts = tally(fake_slack.messages, ["Now watching 1 page"])
    said = next(line for line in result.output.splitlines() if line.startswith("Error:"))
    record(
        "slack", f"{failure['error']} (watcher check)", f"exit {result.exit_code}: {said}", counts
    )
    assert counts == Tally(expected=1, delivered=1, duplicates=0, false_alerts=0)
