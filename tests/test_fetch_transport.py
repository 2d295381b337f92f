"""The client's transport is built per URL scheme, when first needed: plain http never
loads a trust store, https always verifies, and a broken trust store is a failed page."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.fake_site import FakeSite
from tests.tls_kit import KentPage, certificate
from watcher.config import HttpSettings
from watcher.fetch import Fetcher, FetchOutcome, PageRequest, build_client
from watcher.fetch.client import SchemeTransport

HTTP = HttpSettings(delay=0.0, timeout=5.0, retries=1)


def test_an_http_run_builds_only_the_http_transport(fake_site: FakeSite) -> None:
    fake_site.set_page("/peel/kent", b"<html><body><p>Kent</p></body></html>")
    transport = SchemeTransport()
    with httpx.Client(transport=transport) as client:
        result = Fetcher(client, HTTP, ["127.0.0.1"]).fetch(
            PageRequest(fake_site.url("/peel/kent"))
        )
        assert result.outcome is FetchOutcome.OK
        assert b"Kent" in result.body
        assert transport.built() == {"http"}
    assert transport.built() == set()  # closing the client closed what was built


def test_http_needs_no_trust_store_and_https_refuses_to_go_without_one(
    fake_site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An unreadable trust store: https must not fall back to trusting anyone.
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent/ca-bundle.pem")
    fake_site.set_page("/peel/kent", b"<html><body><p>Kent</p></body></html>")
    page = fake_site.url("/peel/kent")
    with build_client(HTTP) as client:
        fetcher = Fetcher(client, HTTP, ["127.0.0.1"], sleep=lambda _: None)
        plain = fetcher.fetch(PageRequest(page))
        secure = fetcher.fetch(PageRequest(page.replace("http://", "https://", 1)))
    assert plain.outcome is FetchOutcome.OK
    assert secure.outcome is FetchOutcome.FAILED  # unknown this time, not an exception
    assert secure.error is not None
    assert "cannot set up TLS" in secure.error


def test_https_verifies_certificates(fake_site: FakeSite) -> None:
    """A TLS handshake with a server that is not who it says it is never succeeds: here,
    a plain-http server answering on the https URL fails the handshake, as a failed page."""
    fake_site.set_page("/peel/kent", b"<html><body><p>Kent</p></body></html>")
    secure = fake_site.url("/peel/kent").replace("http://", "https://", 1)
    transport = SchemeTransport()
    with httpx.Client(transport=transport) as client:
        result = Fetcher(client, HTTP, ["127.0.0.1"], sleep=lambda _: None).fetch(
            PageRequest(secure)
        )
        assert result.outcome is FetchOutcome.FAILED
        assert transport.built() == {"https"}
        ssl_context = transport.for_scheme("https").ssl_context
        assert ssl_context is not None
        assert ssl_context.check_hostname
        assert ssl_context.verify_mode is ssl.CERT_REQUIRED


@pytest.fixture
def tls_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An https server on 127.0.0.1 with a certificate of its own; and that certificate."""
    cert, key = certificate(tmp_path, "127.0.0.1")
    server = ThreadingHTTPServer(("127.0.0.1", 0), KentPage)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    KentPage.connections = 0
    yield f"https://127.0.0.1:{server.server_address[1]}/peel/kent", cert
    server.shutdown()
    server.server_close()


def test_https_reads_a_page_from_a_server_it_trusts_over_one_connection(
    tls_site: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, cert = tls_site
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    with build_client(HTTP) as client:
        fetcher = Fetcher(client, HTTP, ["127.0.0.1"], sleep=lambda _: None)
        results = [fetcher.fetch(PageRequest(url)) for _ in range(3)]
    assert [r.outcome for r in results] == [FetchOutcome.OK] * 3
    assert all(b"Kent" in r.body for r in results)
    assert KentPage.connections == 1  # the TLS connection was kept alive


def test_https_refuses_a_certificate_it_does_not_trust_or_for_another_host(
    tls_site: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = tls_site
    other, _ = certificate(tmp_path, "127.0.0.2")  # trusted, but names another address
    for trusted in (None, other):
        if trusted is None:
            monkeypatch.delenv("SSL_CERT_FILE", raising=False)  # the usual trust store
        else:
            monkeypatch.setenv("SSL_CERT_FILE", str(trusted))
        with build_client(HTTP) as client:
            result = Fetcher(client, HTTP, ["127.0.0.1"], sleep=lambda _: None).fetch(
                PageRequest(url)
            )
        assert result.outcome is FetchOutcome.FAILED
        assert result.body == b""
