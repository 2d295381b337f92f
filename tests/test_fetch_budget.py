"""A host that keeps asking us to wait gets a per-run budget of waiting, then is paused."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from tests.fault_kit import LEGITIMACY, check_here, no_backoff, query, write_config  # noqa: F401
from tests.pages import LegitimacyPage2017
from watcher.config import ConfigError, HttpSettings, parse_config
from watcher.fetch import Fetcher, FetchOutcome, PageRequest, build_client

PAUSED = "paused: the site asked us to wait longer than the run's budget"


@pytest.fixture
def waits() -> list[float]:
    """Every wait the fetcher asked for (recorded instead of slept)."""
    return []


@pytest.fixture
def fetcher(waits: list[float]) -> Iterator[Fetcher]:
    """Three attempts per page, a 2.5 s budget of Retry-After waits per host and run."""
    http = HttpSettings(delay=0.0, timeout=5.0, retries=3, max_wait_per_run=2.5)
    with build_client(http) as client:
        yield Fetcher(client, http, ["127.0.0.1"], sleep=waits.append)


def test_waits_within_the_budget_are_honoured(fake_site: FakeSite, fetcher: Fetcher) -> None:
    """Two 1 s Retry-Afters fit a 2.5 s budget: the page is fetched on the third attempt."""
    fake_site.set_page("/a", b"<html>a</html>")
    fake_site.inject("/a", status=429, retry_after="1", times=2)
    result = fetcher.fetch(PageRequest(fake_site.url("/a")))
    assert (result.outcome, result.attempts) == (FetchOutcome.OK, 3)


def test_host_is_paused_once_its_waits_pass_the_budget(
    fake_site: FakeSite, fetcher: Fetcher, waits: list[float]
) -> None:
    """Past the budget the page fails 'paused', and the host's other pages are not sent."""
    for path in ("/a", "/b", "/c"):
        fake_site.set_page(path, b"<html>ok</html>")
        fake_site.inject(path, status=429, retry_after="2")
    first = fetcher.fetch(PageRequest(fake_site.url("/a")))
    rest = [fetcher.fetch(PageRequest(fake_site.url(p))) for p in ("/b", "/c")]
    assert (first.outcome, first.error, first.attempts) == (FetchOutcome.FAILED, PAUSED, 2)
    assert [(r.outcome, r.error) for r in rest] == [(FetchOutcome.FAILED, PAUSED)] * 2
    assert fake_site.requests_for("/b") == fake_site.requests_for("/c") == []
    assert sum(waits) <= 2.5


def test_a_new_run_has_a_new_budget(fake_site: FakeSite, waits: list[float]) -> None:
    """The budget is per run (per Fetcher): the next run asks the host again."""
    fake_site.set_page("/a", b"<html>a</html>")
    fake_site.inject("/a", status=429, retry_after="5", times=1)
    http = HttpSettings(delay=0.0, timeout=5.0, retries=2, max_wait_per_run=1)
    with build_client(http) as client:
        paused = Fetcher(client, http, ["127.0.0.1"], sleep=waits.append)
        assert paused.fetch(PageRequest(fake_site.url("/a"))).error == PAUSED
        again = Fetcher(client, http, ["127.0.0.1"], sleep=waits.append)
        assert again.fetch(PageRequest(fake_site.url("/a"))).outcome is FetchOutcome.OK


def test_check_reports_the_paused_page_as_unknown_this_time(
    tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack
) -> None:
    """Through `watcher check`: a page paused by the budget keeps its stored grades, no alert."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    config = write_config(tmp_path, fake_site.url("/"), fake_slack.api_url, max_wait_per_run=0.5)
    env = {"SLACK_BOT_TOKEN": fake_slack.token}
    assert check_here(config, env).exit_code == 0
    sent = len(fake_slack.messages)
    fake_site.inject(LEGITIMACY, status=429, retry_after="1")
    result = check_here(config, env)
    assert PAUSED in result.output
    assert len(fake_slack.messages) == sent
    assert len(fake_site.requests_for(LEGITIMACY)) == 2  # the baseline and one 429


@pytest.mark.parametrize("value", [math.nan, math.inf, -1, 3601, "300", True])
def test_max_wait_per_run_must_be_a_finite_number_in_range(value: object) -> None:
    """http.max_wait_per_run is checked: finite, 0 to 3600 seconds; the error names it."""
    with pytest.raises(ConfigError, match=r"http\.max_wait_per_run"):
        parse_config({"http": {"max_wait_per_run": value}})


def test_max_wait_per_run_defaults_to_five_minutes() -> None:
    """Without the key, a host may make a run wait 300 s in all."""
    assert parse_config({}).http.max_wait_per_run == 300.0
