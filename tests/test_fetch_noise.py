"""Retries are told once, at INFO, naming the page and the reason; `-q` hides them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from tests.fault_kit import LEGITIMACY, check_process, no_backoff, write_config  # noqa: F401
from tests.pages import LegitimacyPage2017
from watcher.config import HttpSettings
from watcher.fetch import Fetcher, FetchOutcome, PageRequest, build_client


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    """A fetcher for 127.0.0.1 with three attempts per page and no waiting."""
    http = HttpSettings(delay=0.0, timeout=5.0, retries=3)
    with build_client(http) as client:
        yield Fetcher(client, http, ["127.0.0.1"], sleep=lambda _: None)


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ({"status": 503}, "HTTP 503"),
        ({"status": 429, "retry_after": "0"}, "HTTP 429"),
        ({"status": 200, "cut_body": True}, "connection broken"),
    ],
)
def test_retry_line_names_the_page_and_the_reason(
    fake_site: FakeSite,
    fetcher: Fetcher,
    caplog: pytest.LogCaptureFixture,
    fault: dict[str, object],
    reason: str,
) -> None:
    """A retried fetch logs 'retrying <url>: <reason> (attempt 2 of 3)' at INFO, no warning."""
    fake_site.set_page("/kent", b"<html><h1>Kent</h1></html>")
    fake_site.inject("/kent", times=1, **fault)
    url = fake_site.url("/kent")
    caplog.set_level(logging.DEBUG)
    assert fetcher.fetch(PageRequest(url)).outcome is FetchOutcome.OK
    retries = [r for r in caplog.records if r.getMessage().startswith("retrying ")]
    assert [r.levelno for r in retries] == [logging.INFO]
    line = retries[0].getMessage()
    assert line.startswith(f"retrying {url}: {reason}")
    assert line.endswith("(attempt 2 of 3)")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_no_retry_line_after_the_last_attempt(
    fake_site: FakeSite, fetcher: Fetcher, caplog: pytest.LogCaptureFixture
) -> None:
    """Three attempts give two retry lines: attempt 2 of 3 and attempt 3 of 3."""
    fake_site.inject("/kent", status=500)
    caplog.set_level(logging.DEBUG)
    assert fetcher.fetch(PageRequest(fake_site.url("/kent"))).outcome is FetchOutcome.FAILED
    retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retrying ")]
    assert [line.rsplit("(", 1)[1] for line in retries] == ["attempt 2 of 3)", "attempt 3 of 3)"]


def test_quiet_check_prints_nothing_when_a_retry_succeeded(
    tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack
) -> None:
    """`watcher -q check` (a real process) is silent when a 503 was retried successfully."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    config = write_config(tmp_path, fake_site.url("/"), fake_slack.api_url)
    env = {"SLACK_BOT_TOKEN": fake_slack.token}
    assert check_process(config, env, "-q").returncode == 0  # the baseline
    fake_site.inject(LEGITIMACY, status=503, times=1)
    quiet = check_process(config, env, "-q")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    assert len(fake_site.requests_for(LEGITIMACY)) == 3  # baseline, the 503, its retry
    loud = check_process(config, env)
    assert "retrying" not in loud.stderr  # nothing failed this time
