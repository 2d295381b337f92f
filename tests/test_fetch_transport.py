"""The client's transport is built per URL scheme, when first needed: plain http never
loads a trust store, https always verifies, and a broken trust store is a failed page."""

from __future__ import annotations

import ssl

import httpx
import pytest

from tests.fake_site import FakeSite
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
