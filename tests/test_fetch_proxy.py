"""Pages are fetched through the proxy the environment names (HTTP_PROXY, HTTPS_PROXY,
ALL_PROXY, NO_PROXY), as curl and browsers do; a proxy that fails is a failed page.

The fake proxy resolves every `.test` host to 127.0.0.1 itself, and this machine cannot
resolve them: a page read at a `.test` address was read through the proxy."""

from __future__ import annotations

import logging
import ssl
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from tests.fake_proxy import FakeProxy, running_proxy
from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from tests.fault_kit import state_path, write_config
from tests.pages import LegitimacyPage2017
from tests.tls_kit import KentPage, certificate
from watcher.cli import main
from watcher.config import HttpSettings
from watcher.fetch import Fetcher, FetchOutcome, FetchResult, PageRequest, build_client
from watcher.fetch.client import SchemeTransport

HTTP = HttpSettings(delay=0.0, timeout=5.0, retries=1)
KENT = b"<html><body><p>Kent Police</p></body></html>"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxy_from_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sets the variables it means; none leaks in from the machine."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def proxy() -> Iterator[FakeProxy]:
    with running_proxy() as running:
        yield running


def _fetch(url: str) -> FetchResult:
    hosts = (httpx.URL(url).netloc.decode(), "127.0.0.1")
    with build_client(HTTP) as client:
        return Fetcher(client, HTTP, hosts, sleep=lambda _: None).fetch(PageRequest(url))


def _site_url(fake_site: FakeSite, path: str, host: str = "hmicfrs.test") -> str:
    return fake_site.url(path).replace("127.0.0.1", host, 1)


def test_a_page_is_read_through_the_proxy_the_environment_names(
    fake_site: FakeSite, proxy: FakeProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_site.set_page("/peel/kent", KENT)
    url = _site_url(fake_site, "/peel/kent")

    direct = _fetch(url)
    assert direct.outcome is FetchOutcome.FAILED  # no such host without the proxy

    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    result = _fetch(url)
    assert result.outcome is FetchOutcome.OK, result.error
    assert result.body == KENT
    assert proxy.seen == [("GET", url)]  # forwarded, in absolute form


def test_lower_case_and_all_proxy_are_read_too(
    fake_site: FakeSite, proxy: FakeProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_site.set_page("/peel/kent", KENT)
    url = _site_url(fake_site, "/peel/kent")
    for name in ("http_proxy", "ALL_PROXY"):
        with monkeypatch.context() as env:
            env.setenv(name, proxy.url)
            assert _fetch(url).outcome is FetchOutcome.OK
    assert len(proxy.seen) == 2


def test_no_proxy_and_loopback_addresses_go_direct(
    fake_site: FakeSite, proxy: FakeProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_site.set_page("/peel/kent", KENT)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)

    # A proxy cannot reach this machine's own servers: loopback is always direct.
    assert _fetch(fake_site.url("/peel/kent")).outcome is FetchOutcome.OK
    for loopback in ("localhost", "[::1]"):
        transport = SchemeTransport({"http": proxy.url})
        assert transport.proxy_for(httpx.URL(f"http://{loopback}:8080/")) is None
    assert proxy.seen == []

    # NO_PROXY names the host, its domain (with or without the dot) or "*".
    for no_proxy in ("hmicfrs.test", ".test", "test", "other.example, *"):
        with monkeypatch.context() as env:
            env.setenv("NO_PROXY", no_proxy)
            result = _fetch(_site_url(fake_site, "/peel/kent"))
            assert result.outcome is FetchOutcome.FAILED, no_proxy  # direct: no such host
    assert proxy.seen == []

    # A suffix that only ends the same letters, or a port that differs, is proxied.
    port = fake_site.url("/").split(":")[2].rstrip("/")
    for no_proxy in ("frs.test", f"hmicfrs.test:{int(port) + 1}"):
        with monkeypatch.context() as env:
            env.setenv("NO_PROXY", no_proxy)
            assert _fetch(_site_url(fake_site, "/peel/kent")).outcome is FetchOutcome.OK
    assert len(proxy.seen) == 2


def test_a_proxy_that_is_down_or_refuses_is_a_failed_page(
    fake_site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_site.set_page("/peel/kent", KENT)
    url = _site_url(fake_site, "/peel/kent")
    with running_proxy() as stopped:
        address = stopped.url
    monkeypatch.setenv("HTTP_PROXY", address)  # nothing listens there now
    down = _fetch(url)
    assert down.outcome is FetchOutcome.FAILED
    assert down.error is not None
    assert "could not connect" in down.error

    monkeypatch.setenv("HTTP_PROXY", "ftp://127.0.0.1:21")  # not a proxy httpx can use
    unusable = _fetch(url)
    assert unusable.outcome is FetchOutcome.FAILED
    assert unusable.error is not None
    assert "cannot use the http proxy set in the environment" in unusable.error


def test_proxy_credentials_are_sent_and_never_shown(
    fake_site: FakeSite, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fake_site.set_page("/peel/kent", KENT)
    url = _site_url(fake_site, "/peel/kent")
    caplog.set_level(logging.DEBUG)
    with running_proxy(credentials=("watcher", "s3cret-pass")) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url_with("watcher", "s3cret-pass"))
        good = _fetch(url)
        monkeypatch.setenv("HTTP_PROXY", proxy.url_with("watcher", "wrong-pass"))
        refused = _fetch(url)
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        anonymous = _fetch(url)
    assert good.outcome is FetchOutcome.OK, good.error
    assert (refused.outcome, refused.error) == (FetchOutcome.FAILED, "HTTP 407")
    assert (anonymous.outcome, anonymous.error) == (FetchOutcome.FAILED, "HTTP 407")
    assert f"127.0.0.1:{proxy.port}" in caplog.text  # says which proxy is used...
    assert "s3cret" not in caplog.text  # ...not how
    assert "wrong-pass" not in caplog.text
    assert "s3cret" not in repr(good) + repr(refused)


@pytest.fixture
def tls_site_named(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """An https server on 127.0.0.1 whose certificate names hmicfrs.test."""
    cert, key = certificate(tmp_path, "hmicfrs.test", kind="DNS")
    server = ThreadingHTTPServer(("127.0.0.1", 0), KentPage)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], cert
    server.shutdown()
    server.server_close()


def test_https_is_tunnelled_and_the_certificate_still_checked(
    tls_site_named: tuple[int, Path],
    tmp_path: Path,
    proxy: FakeProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port, cert = tls_site_named
    url = f"https://hmicfrs.test:{port}/peel/kent"
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    result = _fetch(url)
    assert result.outcome is FetchOutcome.OK, result.error
    assert b"Kent" in result.body
    assert proxy.seen == [("CONNECT", f"hmicfrs.test:{port}")]  # the proxy saw no page

    other, _ = certificate(tmp_path, "other.test", kind="DNS")  # trusted, another name
    monkeypatch.setenv("SSL_CERT_FILE", str(other))
    assert _fetch(url).outcome is FetchOutcome.FAILED

    monkeypatch.delenv("HTTPS_PROXY")
    monkeypatch.setenv("HTTP_PROXY", proxy.url)  # names only plain http's proxy
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    assert _fetch(url).outcome is FetchOutcome.FAILED  # so https went direct: no such host
    assert len(proxy.seen) == 2


def test_watcher_check_runs_behind_a_proxy(
    fake_site: FakeSite, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """The whole job, site and Slack, on a machine that reaches the site only by a proxy
    that wants a password; the password appears nowhere, even with -v."""
    legitimacy = "/peel-assessments/peel-2017/kent/legitimacy/"
    fake_site.set_page(legitimacy, LegitimacyPage2017().html())
    site = _site_url(fake_site, "/")
    config = write_config(
        tmp_path, site, fake_slack.api_url, allowed_hosts=(httpx.URL(site).netloc.decode(),)
    )
    with running_proxy(credentials=("watcher", "s3cret-pass")) as proxy:
        env = {
            "SLACK_BOT_TOKEN": fake_slack.token,
            "SLACK_WEBHOOK_URL": "",
            "HTTP_PROXY": proxy.url_with("watcher", "s3cret-pass"),
        }
        result = CliRunner().invoke(
            main, ["-v", "--config", str(config), "check"], env=env, catch_exceptions=False
        )
    assert result.exit_code == 0, result.output
    assert ("GET", _site_url(fake_site, legitimacy)) in proxy.seen
    assert any(method == "POST" for method, _ in proxy.seen)  # slack-sdk reads it too
    assert "s3cret" not in result.output
    assert "s3cret" not in state_path(config).read_bytes().decode("latin-1")
    [baseline] = fake_slack.messages
    assert "Now watching" in str(baseline["blocks"])
