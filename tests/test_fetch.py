"""The fetch stage against a real HTTP server on 127.0.0.1 (tests/fake_site.py)."""

from __future__ import annotations

import itertools
import time
import tracemalloc
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

import pytest
import stamina

from watcher.config import HttpSettings
from watcher.fetch import Fetcher, FetchOutcome, FetchResult, PageRequest, build_client

if TYPE_CHECKING:
    from tests.fake_site import FakeSite

# Registered as a plugin (not imported) so pytest owns the module: fake_site, other_site.

PAGE = b"<html><body><h1>Kent Police</h1><p>Investigating crime: Adequate</p></body></html>"
MakeFetcher = Callable[..., Fetcher]


@pytest.fixture(autouse=True)
def _no_backoff() -> Iterator[None]:
    """Stamina's test mode: no backoff sleeps; attempts stay as configured."""
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


@pytest.fixture
def sleeps() -> list[float]:
    """Every wait the fetcher asked for (tests record waits instead of sleeping)."""
    return []


@pytest.fixture
def make_fetcher(sleeps: list[float]) -> Iterator[MakeFetcher]:
    """Build a Fetcher for 127.0.0.1 with test settings (delay 0) and a recording sleep."""
    clients = []

    def make(sleep: Callable[[float], None] | None = None, **settings: Any) -> Fetcher:
        http = HttpSettings(**{"delay": 0.0, "timeout": 5.0, **settings})
        clients.append(client := build_client(http))
        return Fetcher(client, http, {"127.0.0.1"}, sleep=sleep or sleeps.append)

    yield make
    for client in clients:
        client.close()


def get(fetcher: Fetcher, url: str, **validators: str | None) -> FetchResult:
    return fetcher.fetch(PageRequest(url, **validators))


def test_200_returns_body_and_validators(fake_site: FakeSite, make_fetcher: MakeFetcher) -> None:
    """A 200 gives the body, the page's ETag and Last-Modified, and its content type."""
    page = fake_site.set_page("/peel/kent", PAGE)
    result = get(make_fetcher(), fake_site.url("/peel/kent"))
    assert result.outcome is FetchOutcome.OK
    assert (result.status, result.body, result.attempts) == (200, PAGE, 1)
    assert (result.etag, result.last_modified) == (page.etag, page.last_modified_http)
    assert result.content_type == "text/html; charset=utf-8"
    assert result.final_url == result.url == fake_site.url("/peel/kent")
    assert result.error is None


def test_second_request_is_conditional_and_not_modified(
    fake_site: FakeSite, make_fetcher: MakeFetcher
) -> None:
    """The stored validators are sent back and an unchanged page is NOT_MODIFIED."""
    fake_site.set_page("/peel/kent", PAGE)
    fetcher = make_fetcher()
    first = get(fetcher, fake_site.url("/peel/kent"))
    second = get(fetcher, first.url, etag=first.etag, last_modified=first.last_modified)
    assert second.outcome is FetchOutcome.NOT_MODIFIED
    assert (second.status, second.body) == (304, b"")
    assert (second.etag, second.last_modified) == (first.etag, first.last_modified)
    sent = fake_site.requests_for("/peel/kent")[-1].headers
    assert sent["if-none-match"] == first.etag
    assert sent["if-modified-since"] == first.last_modified


def test_if_modified_since_alone_gets_not_modified(
    fake_site: FakeSite, make_fetcher: MakeFetcher
) -> None:
    """A page stored with only Last-Modified is still fetched conditionally."""
    page = fake_site.set_page("/peel/kent", PAGE)
    result = get(make_fetcher(), fake_site.url("/peel/kent"), last_modified=page.last_modified_http)
    assert result.outcome is FetchOutcome.NOT_MODIFIED


def test_304_to_an_unconditional_request_is_a_failure(
    fake_site: FakeSite, make_fetcher: MakeFetcher
) -> None:
    """ "Not modified" answered to a request that named no version (a broken cache) says
    nothing about the page: it is unknown this time, never "unchanged"."""
    fake_site.set_page("/peel/kent", PAGE)
    fake_site.inject("/peel/kent", status=304)
    result = get(make_fetcher(), fake_site.url("/peel/kent"))
    assert result.outcome is FetchOutcome.FAILED
    assert result.error == "HTTP 304 to a request that sent no validators"
    assert (result.etag, result.last_modified) == (None, None)  # nothing to send next time


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress", "gzip, br", "xz"])
def test_a_content_encoding_not_asked_for_is_refused(
    fake_site: FakeSite, make_fetcher: MakeFetcher, encoding: str
) -> None:
    """Bytes in an encoding the client never offered are not read as the page's text."""
    fake_site.set_page("/peel/kent", PAGE, headers={"Content-Encoding": encoding})
    result = get(make_fetcher(), fake_site.url("/peel/kent"))
    assert result.outcome is FetchOutcome.FAILED
    assert result.error == f"content encoding {encoding!r}, which was not asked for"
    assert result.body == b""


def test_identity_and_deflate_encodings_are_read(
    fake_site: FakeSite, make_fetcher: MakeFetcher
) -> None:
    fetcher = make_fetcher()
    fake_site.set_page("/peel/kent", PAGE, headers={"Content-Encoding": "identity"})
    assert get(fetcher, fake_site.url("/peel/kent")).body == PAGE
    fake_site.set_page("/peel/kent", zlib.compress(PAGE), headers={"Content-Encoding": "Deflate"})
    assert get(fetcher, fake_site.url("/peel/kent")).body == PAGE


def test_new_version_is_fetched_despite_old_validators(
    fake_site: FakeSite, make_fetcher: MakeFetcher
) -> None:
    """After the page changes, the conditional request gets the new body and validators."""
    fake_site.set_page("/peel/kent", PAGE)
    fetcher = make_fetcher()
    first = get(fetcher, fake_site.url("/peel/kent"))
    v2 = fake_site.set_page("/peel/kent", PAGE.replace(b"Adequate", b"Good"))
    second = get(fetcher, first.url, etag=first.etag, last_modified=first.last_modified)
    assert second.outcome is FetchOutcome.OK
    assert (second.body, second.etag) == (v2.body, v2.etag)
    assert second.last_modified != first.last_modified


def test_server_without_validators_returns_200_again(
    fake_site: FakeSite, make_fetcher: MakeFetcher
) -> None:
    """A server that ignores validators gives OK each time, with no validators to store."""
    fake_site.set_page("/peel/kent", PAGE)
    fake_site.validators = False
    result = get(make_fetcher(), fake_site.url("/peel/kent"), etag='"old"', last_modified="x")
    assert result.outcome is FetchOutcome.OK
    assert (result.body, result.etag, result.last_modified) == (PAGE, None, None)


@pytest.mark.parametrize("status", [404, 410])
def test_404_and_410_are_gone(fake_site: FakeSite, make_fetcher: MakeFetcher, status: int) -> None:
    """404 and 410 mean the page is gone; nothing is retried and validators are dropped."""
    fake_site.inject("/peel/old", status=status)
    result = get(make_fetcher(), fake_site.url("/peel/old"), etag='"a"')
    assert (result.outcome, result.status, result.etag) == (FetchOutcome.GONE, status, None)
    assert len(fake_site.requests_for("/peel/old")) == 1


def test_403_fails_without_retry(fake_site: FakeSite, make_fetcher: MakeFetcher) -> None:
    """403 is FAILED at once, keeping the old validators, after exactly one request."""
    fake_site.inject("/peel/kent", status=403)
    result = get(make_fetcher(), fake_site.url("/peel/kent"), etag='"a"')
    assert (result.outcome, result.status, result.error) == (FetchOutcome.FAILED, 403, "HTTP 403")
    assert (result.attempts, result.etag) == (1, '"a"')
    assert len(fake_site.requests_for("/peel/kent")) == 1


def test_503_then_200_is_retried(fake_site: FakeSite, make_fetcher: MakeFetcher) -> None:
    """A passing 503 is retried and the second attempt's page is returned."""
    fake_site.set_page("/peel/kent", PAGE)
    fake_site.inject("/peel/kent", status=503, times=1)
    result = get(make_fetcher(), fake_site.url("/peel/kent"))
    assert (result.outcome, result.body, result.attempts) == (FetchOutcome.OK, PAGE, 2)
    assert len(fake_site.requests_for("/peel/kent")) == 2


def test_500_forever_fails_after_all_attempts(
    fake_site: FakeSite, make_fetcher: MakeFetcher
) -> None:
    """A page that keeps answering 500 is FAILED after `retries` attempts."""
    fake_site.inject("/peel/kent", status=500)
    result = get(make_fetcher(retries=3), fake_site.url("/peel/kent"))
    assert (result.outcome, result.status) == (FetchOutcome.FAILED, 500)
    assert (result.error, result.attempts) == ("HTTP 500 after 3 attempts", 3)
    assert len(fake_site.requests_for("/peel/kent")) == 3


def test_429_waits_for_retry_after_then_succeeds(
    fake_site: FakeSite, make_fetcher: MakeFetcher, sleeps: list[float]
) -> None:
    """429 with Retry-After: 1 waits about a second before the retry that succeeds."""
    fake_site.set_page("/peel/kent", PAGE)
    fake_site.inject("/peel/kent", status=429, retry_after="1", times=1)
    result = get(make_fetcher(), fake_site.url("/peel/kent"))
    assert (result.outcome, result.attempts) == (FetchOutcome.OK, 2)
    assert len(sleeps) == 1
    assert 0.8 < sleeps[0] <= 1.0


def test_retry_after_as_http_date(
    fake_site: FakeSite, make_fetcher: MakeFetcher, sleeps: list[float]
) -> None:
    """A Retry-After given as an HTTP date is honoured as the time left until then."""
    fake_site.set_page("/peel/kent", PAGE)
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    fake_site.inject("/peel/kent", status=503, retry_after=when, times=1)
    result = get(make_fetcher(), fake_site.url("/peel/kent"))
    assert result.outcome is FetchOutcome.OK
    assert len(sleeps) == 1
    assert 27 < sleeps[0] <= 30


def test_long_retry_after_fails_fast_and_pauses_the_host(
    fake_site: FakeSite, make_fetcher: MakeFetcher, sleeps: list[float]
) -> None:
    """Retry-After: 3600 gives up at once, and later pages on that host are not sent."""
    fake_site.set_page("/peel/essex", PAGE)
    fake_site.inject("/peel/kent", status=429, retry_after="3600")
    fetcher = make_fetcher()
    result = get(fetcher, fake_site.url("/peel/kent"))
    assert (result.outcome, result.attempts) == (FetchOutcome.FAILED, 1)
    assert result.error == "rate limited: Retry-After 3600 s"
    later = get(fetcher, fake_site.url("/peel/essex"))
    assert later.outcome is FetchOutcome.FAILED
    assert str(later.error).startswith("rate limited")
    assert fake_site.requests_for("/peel/essex") == []
    assert sleeps == []


def test_read_timeout_fails(fake_site: FakeSite, make_fetcher: MakeFetcher) -> None:
    """A server slower than the timeout gives FAILED "timed out" after every attempt."""
    fake_site.set_page("/peel/kent", PAGE)
    fake_site.inject("/peel/kent", delay=3.0)
    result = get(make_fetcher(timeout=0.2, retries=2), fake_site.url("/peel/kent"))
    assert (result.outcome, result.status) == (FetchOutcome.FAILED, None)
    assert (result.error, result.attempts) == ("timed out after 2 attempts", 2)
    # Each attempt gave up at the timeout instead of waiting for the 3 s answer: the
    # server saw exactly the two requests (timings are bench/hostile_timing.py's).
    assert len(fake_site.requests_for("/peel/kent")) == 2


def test_connection_closed_mid_body_is_retried_then_fails(
    fake_site: FakeSite, make_fetcher: MakeFetcher
) -> None:
    """A body cut short by the server is a transport error: retried, then FAILED."""
    fake_site.set_page("/peel/kent", PAGE)
    fake_site.inject("/peel/kent", cut_body=True)
    result = get(make_fetcher(retries=3), fake_site.url("/peel/kent"))
    assert (result.outcome, result.attempts) == (FetchOutcome.FAILED, 3)
    assert str(result.error).startswith("connection broken")
    assert len(fake_site.requests_for("/peel/kent")) == 3


def test_streamed_body_over_the_cap_fails_without_holding_it(
    fake_site: FakeSite, make_fetcher: MakeFetcher
) -> None:
    """A 30 MB body with a 1 MB cap is refused and the fetch never holds much more than 1 MB."""
    fake_site.inject("/huge", oversize=30_000_000)
    fetcher = make_fetcher(max_body_bytes=1_000_000)
    tracemalloc.start()
    try:
        result = get(fetcher, fake_site.url("/huge"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (result.outcome, result.error) == (FetchOutcome.FAILED, "body over 1000000 bytes")
    assert result.attempts == 1
    assert peak < 3_000_000


def test_declared_length_over_the_cap_fails_before_reading(
    fake_site: FakeSite, make_fetcher: MakeFetcher
) -> None:
    """A Content-Length above the cap is refused without reading the body."""
    fake_site.set_page("/big", b"x" * 5000)
    result = get(make_fetcher(max_body_bytes=1024), fake_site.url("/big"))
    assert (result.outcome, result.error) == (FetchOutcome.FAILED, "body over 1024 bytes")


def test_redirect_within_allowed_hosts_is_followed(
    fake_site: FakeSite, make_fetcher: MakeFetcher
) -> None:
    """A relative 301 on an allowed host is followed and final_url says where it ended."""
    fake_site.set_page("/new", PAGE)
    fake_site.inject("/old", status=301, location="/new")
    result = get(make_fetcher(), fake_site.url("/old"))
    assert (result.outcome, result.body) == (FetchOutcome.OK, PAGE)
    assert (result.url, result.final_url) == (fake_site.url("/old"), fake_site.url("/new"))


def test_redirect_to_foreign_host_fails_without_contacting_it(
    fake_site: FakeSite, other_site: FakeSite, make_fetcher: MakeFetcher
) -> None:
    """A redirect off the allowed hosts is FAILED and the other host never hears from us."""
    other_site.set_page("/x", PAGE)
    # "localhost" reaches the other server but is not an allowed host (127.0.0.1 is).
    fake_site.inject("/old", location=f"http://localhost:{other_site.port}/x")
    result = get(make_fetcher(), fake_site.url("/old"))
    assert (result.outcome, result.status) == (FetchOutcome.FAILED, 302)
    assert result.error == "redirect to localhost not allowed"
    assert other_site.requests == []


def test_redirect_to_other_scheme_fails(fake_site: FakeSite, make_fetcher: MakeFetcher) -> None:
    """A redirect to a non-http(s) URL is refused."""
    fake_site.inject("/old", location="file:///etc/passwd")
    result = get(make_fetcher(), fake_site.url("/old"))
    assert result.outcome is FetchOutcome.FAILED
    assert result.error == "redirect to file: URL not allowed"


def test_redirect_loop_fails(fake_site: FakeSite, make_fetcher: MakeFetcher) -> None:
    """Two pages redirecting to each other give FAILED "redirect loop", not a retry storm."""
    fake_site.inject("/a", location="/b")
    fake_site.inject("/b", location="/a")
    result = get(make_fetcher(), fake_site.url("/a"))
    assert (result.outcome, result.error, result.attempts) == (
        FetchOutcome.FAILED,
        "redirect loop",
        1,
    )
    assert len(fake_site.requests) == 2


def test_too_many_redirects_fail(fake_site: FakeSite, make_fetcher: MakeFetcher) -> None:
    """A chain longer than five hops is abandoned after the fifth redirect is followed."""
    for hop in range(7):
        fake_site.inject(f"/{hop}", location=f"/{hop + 1}")
    result = get(make_fetcher(), fake_site.url("/0"))
    assert (result.outcome, result.error) == (FetchOutcome.FAILED, "more than 5 redirects")
    assert len(fake_site.requests) == 6


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("file:///etc/passwd", "file: URL not allowed"),
        ("ftp://127.0.0.1/peel", "ftp: URL not allowed"),
        ("http://evil.example/peel", "evil.example not allowed"),
    ],
)
def test_disallowed_url_is_refused_unsent(make_fetcher: MakeFetcher, url: str, error: str) -> None:
    """A URL with another scheme or host is FAILED with no attempt made."""
    result = get(make_fetcher(), url)
    assert (result.outcome, result.error, result.attempts) == (FetchOutcome.FAILED, error, 0)


def test_user_agent_is_the_configured_one(fake_site: FakeSite, make_fetcher: MakeFetcher) -> None:
    """Every request carries the configured, honest User-Agent."""
    fake_site.set_page("/peel/kent", PAGE)
    agent = "watcher-test/1.0 (+mailto:alerts@example.org)"
    get(make_fetcher(user_agent=agent), fake_site.url("/peel/kent"))
    assert fake_site.requests_for("/peel/kent")[0].headers["user-agent"] == agent


def test_fetch_all_caps_requests_in_flight(fake_site: FakeSite, make_fetcher: MakeFetcher) -> None:
    """With max_concurrency=2 the server never has more than 2 in flight; every page comes once."""
    urls = []
    for n in range(6):
        fake_site.set_page(f"/p{n}", PAGE)
        fake_site.inject(f"/p{n}", delay=0.2)
        urls.append(fake_site.url(f"/p{n}"))
    results = list(make_fetcher(max_concurrency=2).fetch_all(PageRequest(u) for u in urls))
    assert Counter(r.url for r in results) == Counter(urls)
    assert all(r.outcome is FetchOutcome.OK for r in results)
    assert fake_site.peak_in_flight == 2


def test_fetch_all_yields_results_as_they_finish(
    fake_site: FakeSite, make_fetcher: MakeFetcher
) -> None:
    """A quick page is handed over while a slow one is still downloading."""
    fake_site.set_page("/slow", PAGE)
    fake_site.inject("/slow", delay=0.5)
    fake_site.set_page("/quick", PAGE)
    requests = [PageRequest(fake_site.url("/slow")), PageRequest(fake_site.url("/quick"))]
    results = make_fetcher(max_concurrency=2).fetch_all(requests)
    assert next(results).url == fake_site.url("/quick")
    assert next(results).url == fake_site.url("/slow")


def test_delay_spaces_request_starts_on_a_host(
    fake_site: FakeSite, make_fetcher: MakeFetcher
) -> None:
    """Concurrent requests to one host start at least `delay` seconds apart."""
    for n in range(4):
        fake_site.set_page(f"/p{n}", PAGE)
    requests = [PageRequest(fake_site.url(f"/p{n}")) for n in range(4)]
    fetcher = make_fetcher(sleep=time.sleep, delay=0.25, max_concurrency=2)
    assert len(list(fetcher.fetch_all(requests))) == 4
    starts = sorted(r.at for r in fake_site.requests)
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.2  # arrival jitter


def test_delay_is_paced_by_the_injected_clock(fake_site: FakeSite) -> None:
    """Sequential fetches wait exactly `delay` between starts, measured on the given clock."""
    fake_site.set_page("/peel/kent", PAGE)
    now = [1000.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    settings = HttpSettings(delay=5.0)
    with build_client(settings) as client:
        fetcher = Fetcher(client, settings, ["127.0.0.1"], sleep=sleep, clock=lambda: now[0])
        for _ in range(3):
            assert get(fetcher, fake_site.url("/peel/kent")).outcome is FetchOutcome.OK
    assert waits == [5.0, 5.0]
