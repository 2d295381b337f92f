"""Fetch limits: which hosts and ports may be contacted, and the largest body read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest

from watcher.config import ConfigError, HttpSettings, parse_config
from watcher.fetch import Fetcher, FetchOutcome, PageRequest, build_client
from watcher.hosts import host_allowed

if TYPE_CHECKING:
    from tests.fake_site import FakeSite

SITE = "hmicfrs.justiceinspectorates.gov.uk"
CAP = 4096


def _mock_fetcher(allowed: list[str], sent: list[str]) -> Fetcher:
    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return httpx.Response(200, content=b"<html>ok</html>")

    client = httpx.Client(transport=httpx.MockTransport(answer))
    return Fetcher(client, HttpSettings(delay=0.0), allowed, sleep=lambda _: None)


@pytest.mark.parametrize(
    ("allowed", "url"),
    [
        ([SITE], "https://HMICFRS.Justiceinspectorates.GOV.uk/peel/kent"),
        (["HMICFRS.justiceinspectorates.gov.uk"], f"https://{SITE}/peel/kent"),
        ([SITE], f"https://{SITE}:443/peel/kent"),
        ([SITE], f"http://{SITE}:80/peel/kent"),
        ([f"{SITE}:8443"], f"https://{SITE}:8443/peel/kent"),
        ([f"{SITE}."], f"https://{SITE}/peel/kent"),
    ],
)
def test_allowed_host_matches_any_case_and_default_port(allowed: list[str], url: str) -> None:
    """Host names match whatever their case; an entry without a port covers 80/443."""
    sent: list[str] = []
    result = _mock_fetcher(allowed, sent).fetch(PageRequest(url))
    assert result.outcome is FetchOutcome.OK, result.error
    assert len(sent) == 1


@pytest.mark.parametrize(
    ("allowed", "url", "error"),
    [
        ([SITE], f"https://{SITE}:8443/peel", f"{SITE}:8443 not allowed"),
        ([SITE], f"http://{SITE}:443/peel", f"{SITE}:443 not allowed"),
        ([f"{SITE}:8443"], f"https://{SITE}/peel", f"{SITE} not allowed"),
        ([f"{SITE}:8443"], f"https://{SITE}:9443/peel", f"{SITE}:9443 not allowed"),
        ([SITE], "https://evil.example:443/peel", "evil.example not allowed"),
    ],
)
def test_a_port_no_entry_names_is_refused_unsent(allowed: list[str], url: str, error: str) -> None:
    """`host:8443` is refused unless an entry names that port, and nothing is sent."""
    sent: list[str] = []
    result = _mock_fetcher(allowed, sent).fetch(PageRequest(url))
    assert (result.outcome, result.error, result.attempts) == (FetchOutcome.FAILED, error, 0)
    assert sent == []


def test_loopback_entry_without_port_covers_local_servers() -> None:
    """A portless loopback entry allows any port (local test and demo servers only)."""
    assert host_allowed(["127.0.0.1"], "http", "127.0.0.1", 54321)
    assert host_allowed(["localhost"], "http", "LOCALHOST", 8080)
    assert not host_allowed(["127.0.0.1:5000"], "http", "127.0.0.1", 5001)


def test_config_normalises_hosts_and_checks_base_url_port() -> None:
    """allowed_hosts are stored lower-case; base_url's port must be covered by an entry."""
    base_url = f"https://{SITE}:8443"
    config = parse_config(
        {
            "site": {
                "base_url": base_url,
                "allowed_hosts": ["HMICFRS.Justiceinspectorates.gov.uk:8443"],
            }
        }
    )
    assert config.site.allowed_hosts == (f"{SITE}:8443",)
    with pytest.raises(ConfigError, match=r"site\.allowed_hosts must include"):
        parse_config({"site": {"base_url": base_url, "allowed_hosts": [SITE]}})


@pytest.mark.parametrize("entry", ["https://x.example", "x.example/peel", "x.example:99999", ""])
def test_config_refuses_an_entry_that_is_not_host_or_host_port(entry: str) -> None:
    """An entry with a scheme, a path or a bad port names the key and is refused."""
    with pytest.raises(ConfigError, match=r"site\.allowed_hosts"):
        parse_config({"site": {"allowed_hosts": [SITE, entry]}})


@pytest.fixture
def capped() -> Iterator[Fetcher]:
    """A fetcher for 127.0.0.1 whose body cap is CAP bytes."""
    http = HttpSettings(delay=0.0, timeout=5.0, max_body_bytes=CAP)
    with build_client(http) as client:
        yield Fetcher(client, http, ["127.0.0.1"], sleep=lambda _: None)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_a_body_of_exactly_max_body_bytes_is_read(
    fake_site: FakeSite, capped: Fetcher, declared: bool
) -> None:
    """The largest page readable is exactly max_body_bytes, declared or streamed."""
    if declared:
        fake_site.set_page("/edge", b"x" * CAP)
    else:
        fake_site.inject("/edge", oversize=CAP)
    result = capped.fetch(PageRequest(fake_site.url("/edge")))
    assert (result.outcome, len(result.body)) == (FetchOutcome.OK, CAP)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_one_byte_over_max_body_bytes_is_refused(
    fake_site: FakeSite, capped: Fetcher, declared: bool
) -> None:
    """A body one byte longer than max_body_bytes is refused, declared or streamed."""
    if declared:
        fake_site.set_page("/edge", b"x" * (CAP + 1))
    else:
        fake_site.inject("/edge", oversize=CAP + 1)
    result = capped.fetch(PageRequest(fake_site.url("/edge")))
    assert (result.outcome, result.error) == (FetchOutcome.FAILED, f"body over {CAP} bytes")
