"""Fetch: polite, conditional, size-capped GETs that never raise for a bad page.

One `httpx.Client` (from `build_client`, or any client in tests) is handed to a
`Fetcher`, which:

- sends the page's stored validators (If-None-Match / If-Modified-Since) so an
  unchanged page costs the site a 304;
- retries transport errors, 429 and 5xx with stamina's backoff, honouring a short
  Retry-After and giving up at once on a long one;
- follows redirects itself, at most `MAX_REDIRECTS` hops, and only to http(s) URLs
  on the allowed hosts (by name, any case, and by port: see `hosts.py`);
- stops reading a body past `HttpSettings.max_body_bytes`;
- keeps at most `max_concurrency` requests in flight per host and starts them at
  least `delay` seconds apart;
- waits out at most `max_wait_per_run` seconds of Retry-After per host in one run
  (one `Fetcher` is one run); after that, the host's pages fail "paused".

Whatever goes wrong comes back as a `FetchResult` with outcome FAILED and a short
reason: the caller treats it as "unknown this time", never as "the page changed".
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable, Collection, Generator, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from enum import StrEnum
from queue import SimpleQueue
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

from watcher.config import HttpSettings
from watcher.fetch.gzipped import GzipBody, GzipError
from watcher.fetch.politeness import BUDGET_SPENT, HostClosed, HostGate, retry_after_seconds
from watcher.fetch.wire import WireTransport
from watcher.hosts import host_allowed, host_listed, is_loopback

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 60.0  # seconds; a server asking for longer is told "see you tomorrow"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_GONE = frozenset({404, 410})
_RETRY_AFTER_STATUSES = {429: "rate limited", 503: "unavailable"}
# Content-Encodings read as such besides gzip (`Accept-Encoding` asks for no others).
_PLAIN_OR_DEFLATE = frozenset(("", "identity", "deflate"))
# A non-200 body up to this size is read away so its connection can be reused (bytes).
_DRAIN_LIMIT = 65_536
# Backoff between attempts when the server gives no Retry-After (seconds).
_WAIT_INITIAL = 1.0
_WAIT_MAX = 30.0


class FetchOutcome(StrEnum):
    """What a fetch tells the rest of the pipeline about the page."""

    OK = "ok"  # 200 with a body
    NOT_MODIFIED = "not_modified"  # 304: same as the stored version
    GONE = "gone"  # 404 or 410
    FAILED = "failed"  # anything else: unknown this time


@dataclass(frozen=True)
class PageRequest:
    """A page to fetch, with the validators stored from its last 200."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """The outcome of fetching one page.

    `etag` and `last_modified` are the validators to store for the next run: the
    new ones after a 200 (None if the server sent none), the server's or the sent
    ones after a 304, the sent ones after a failure (nothing was learnt), None
    when the page is gone. `final_url` is where redirects ended (the requested URL
    when there were none), `attempts` counts tries, each following its own
    redirects (0 when the URL was refused unsent), `error` is a short reason for
    FAILED and None otherwise. `gzipped` is a 200's body as the server sent it, when
    that was one gzip member (`store.pack_body` keeps it rather than recompress).
    """

    url: str
    outcome: FetchOutcome
    status: int | None
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    final_url: str = ""
    error: str | None = None
    attempts: int = 0
    elapsed: float = 0.0
    gzipped: bytes | None = field(default=None, repr=False)  # `body` as sent, if one member

    def __post_init__(self) -> None:
        if not self.final_url:
            object.__setattr__(self, "final_url", self.url)


def build_client(settings: HttpSettings) -> httpx.Client:
    """The one HTTP client: honest User-Agent, timeouts on, redirects left to `Fetcher`,
    and the environment's proxies (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY)."""
    client = httpx.Client(
        # gzip, not brotli even where httpx could: the store keeps a gzip member as sent.
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        timeout=httpx.Timeout(settings.timeout),
        follow_redirects=False,  # Fetcher follows them, checking each hop's host
        transport=SchemeTransport(urllib.request.getproxies()),
    )
    # httpx's setter would wrap the jar in a plain `Cookies`; where its attribute is not
    # there (another httpx), the client keeps its own jar: only the speed differs.
    if isinstance(getattr(client, "_cookies", None), httpx.Cookies):
        client._cookies = CookiesWhenSet()
    return client


class CookiesWhenSet(httpx.Cookies):
    """The client's cookies, read from the responses that set one.

    A site's cookies are kept for the run and sent back as a browser would (a redirect
    that sets one, then wants it); httpx wraps every response for `http.cookiejar`
    first, ~0.1 ms a request, though a page that answers 304 sets none.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        headers = response.headers
        if "set-cookie" in headers or "set-cookie2" in headers:
            super().extract_cookies(response)


class SchemeTransport(httpx.BaseTransport):
    """A `WireTransport` per URL scheme, each built when first needed; through a proxy,
    httpx's own transport, one per scheme and proxy.

    Loading the CA bundle costs ~25 ms of CPU, on every start; a run that never
    fetches over https has no use for it. https verifies certificates with httpx's
    trust store; plain http never makes a TLS connection, so it needs none.

    `proxies` is `urllib.request.getproxies()`'s shape: a proxy URL per scheme ("http",
    "https", or "all" for both) and, under "no", the NO_PROXY list of host suffixes
    (or "*"). A loopback host is never proxied: a proxy cannot reach this machine's own
    servers. Through a proxy, plain http is forwarded and https tunnelled (CONNECT), the
    certificate still checked against the page's host name here.
    """

    def __init__(self, proxies: Mapping[str, str] | None = None) -> None:
        self._transports: dict[str, WireTransport] = {}
        self._proxies = {
            scheme: url for scheme, url in (proxies or {}).items() if url and url.strip()
        }
        self._proxied: dict[tuple[str, str], httpx.BaseTransport] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        scheme = request.url.scheme
        if self._proxies and (proxy := self.proxy_for(request.url)):
            return self._through(scheme, proxy).handle_request(request)
        return self.for_scheme(scheme).handle_request(request)

    def proxy_for(self, url: httpx.URL) -> str | None:
        """The proxy URL a request to `url` goes through, or None to go direct."""
        proxy = self._proxies.get(url.scheme) or self._proxies.get("all")
        host = url.host
        if proxy is None or is_loopback(host):
            return None
        return None if _bypassed(host, url.port, self._proxies.get("no", "")) else proxy

    def for_scheme(self, scheme: str) -> WireTransport:
        """The transport for `scheme` ("http" or "https"), building it on first use."""
        if built := self._transports.get(scheme):
            return built  # the common case, without the lock: a dict read is atomic
        if scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {scheme!r}")
        with self._lock:
            if scheme not in self._transports:
                context = _ssl_context() if scheme == "https" else None
                self._transports[scheme] = WireTransport(scheme, context)
            return self._transports[scheme]

    def _through(self, scheme: str, proxy: str) -> httpx.BaseTransport:
        """httpx's transport for `scheme` through `proxy`, building it on first use."""
        key = (scheme, proxy)
        if built := self._proxied.get(key):
            return built
        with self._lock:
            if key not in self._proxied:
                try:
                    transport = httpx.HTTPTransport(proxy=proxy, verify=_ssl_context())
                except (ValueError, ImportError, httpx.InvalidURL) as exc:
                    # The URL (it may hold a password) is never repeated, only its variable.
                    raise httpx.ConnectError(
                        f"cannot use the {scheme} proxy set in the environment "
                        f"({type(exc).__name__})"
                    ) from None
                log.info("%s pages go through the proxy at %s", scheme, _proxy_host(proxy))
                self._proxied[key] = transport
            return self._proxied[key]

    def built(self) -> frozenset[str]:
        """The schemes whose direct transport exists so far."""
        with self._lock:
            return frozenset(self._transports)

    def close(self) -> None:
        with self._lock:
            transports: list[httpx.BaseTransport] = [
                *self._transports.values(),
                *self._proxied.values(),
            ]
            self._transports, self._proxied = {}, {}
        for transport in transports:
            transport.close()


def _ssl_context() -> ssl.SSLContext:
    """httpx's trust store, with certificate and host-name checks."""
    try:
        return httpx.create_ssl_context(verify=True)
    except OSError as exc:  # an unreadable trust store (SSL_CERT_FILE...)
        raise httpx.ConnectError(f"cannot set up TLS: {exc}") from exc


def _bypassed(host: str, port: int | None, no_proxy: str) -> bool:
    """Whether NO_PROXY names the host: "*", the host itself or a domain it is in (a
    leading dot or not), with or without the port.

    >>> [_bypassed(h, None, ".gov.uk, Example.org:8080") for h in ("a.gov.uk", "gov.uk")]
    [True, True]
    >>> [_bypassed("example.org", p, ".gov.uk, Example.org:8080") for p in (None, 8080)]
    [False, True]
    """
    host = host.lower().rstrip(".")
    for entry in no_proxy.lower().split(","):
        name, _, entry_port = entry.strip().lstrip(".").partition(":")
        if name == "*":
            return True
        if not name or (entry_port and entry_port != str(port)):
            continue
        if host == name or host.endswith(f".{name}"):
            return True
    return False


def _proxy_host(proxy: str) -> str:
    """A proxy's host and port, without any user name or password its URL holds."""
    try:
        parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
    except ValueError:
        return "(unreadable address)"


@dataclass(frozen=True)
class _Reply:
    """The last response of one attempt, after redirects, with its body if it was a 200."""

    status: int
    headers: httpx.Headers
    body: bytes
    url: str
    gzipped: bytes | None = None  # the body as the server sent it, one gzip member


class _Failure(Exception):
    """This attempt cannot give the page; `reason` is what the result will say."""

    def __init__(self, reason: str, *, reply: _Reply | None = None, url: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.reply = reply
        self.url = reply.url if reply else url


class _Transient(_Failure):
    """A failure worth another attempt (transport error, 429, 5xx)."""

    def __init__(self, reason: str, *, reply: _Reply | None = None, url: str = "") -> None:
        super().__init__(reason, reply=reply, url=url)
        self.waited_at_gate = False  # set when a Retry-After already delays the host


def _retry_hook(exc: Exception) -> bool | float:
    """Tell stamina whether to retry, and with no extra wait if Retry-After applies."""
    if not isinstance(exc, _Transient):
        return False
    # The host gate already holds the Retry-After wait for every request to this
    # host; a custom backoff of 0 keeps stamina from adding its own on top.
    return 0.0 if exc.waited_at_gate else True


class Fetcher:
    """Fetches pages from the allowed hosts politely; see the module docstring."""

    def __init__(
        self,
        client: httpx.Client,
        settings: HttpSettings,
        allowed_hosts: Collection[str],
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`sleep` and `clock` pace the politeness and Retry-After waits (swap them in tests)."""
        self._client = client
        self._settings = settings
        self._allowed_hosts = tuple(allowed_hosts)  # compared by `host_allowed`
        self._sleep = sleep
        self._clock = clock
        self._gates: dict[str, HostGate] = {}
        self._gates_lock = threading.Lock()

    def fetch(self, request: PageRequest) -> FetchResult:
        """Fetch one page; every problem becomes a FAILED result, never an exception."""
        started = self._clock()
        if refused := self._refusal(request.url):
            return _failed(request, _Failure(f"{refused} not allowed"), 0, 0.0)
        reply, attempts = self._attempts(request)
        elapsed = self._clock() - started
        if isinstance(reply, _Failure):
            return _failed(request, reply, attempts, elapsed)
        return _result(request, reply, attempts, elapsed)

    def fetch_all(self, requests: Iterable[PageRequest]) -> Generator[FetchResult, None, None]:
        """Fetch pages concurrently (within each host's cap), yielding results as they finish."""
        by_host: dict[str, list[PageRequest]] = {}
        for request in requests:
            by_host.setdefault(_host(request.url), []).append(request)
        with ExitStack() as stack:
            # Futures are handed over as they finish and then let go of: a list of them
            # would hold every page's body in memory until the run ends.
            finished: SimpleQueue[Future[FetchResult]] = SimpleQueue()
            count = 0
            for host, host_requests in by_host.items():
                # One pool per host: a busy host cannot starve the others of workers.
                pool = ThreadPoolExecutor(self._settings.max_concurrency, f"fetch-{host}")
                stack.callback(pool.shutdown, wait=True, cancel_futures=True)
                for request in host_requests:
                    pool.submit(self.fetch, request).add_done_callback(finished.put)
                    count += 1
            for _ in range(count):
                yield finished.get().result()

    def _attempts(self, request: PageRequest) -> tuple[_Reply | _Failure, int]:
        """Run attempts until one gives a final answer or stamina gives up."""
        import stamina  # here, not at the top: a run with no page to fetch never loads it

        attempts = 0
        try:
            for attempt in stamina.retry_context(
                on=_retry_hook,
                attempts=self._settings.retries,
                timeout=None,  # attempts and per-request timeouts bound the total
                wait_initial=_WAIT_INITIAL,
                wait_max=_WAIT_MAX,
            ):
                with attempt:
                    attempts = attempt.num
                    try:
                        return self._attempt(request), attempts
                    except _Transient as exc:
                        _log_retry(request.url, exc.reason, attempts, self._settings.retries)
                        raise
        except _Failure as failure:
            return failure, attempts
        raise AssertionError("stamina always makes at least one attempt")

    def _attempt(self, request: PageRequest) -> _Reply:
        """One try: follow redirects to a final response; raise if it is worth retrying."""
        url = request.url
        seen = {urldefrag(url).url}
        for _ in range(MAX_REDIRECTS + 1):
            reply = self._exchange(url, request)
            if reply.status not in _REDIRECTS:
                self._raise_if_transient(reply)
                return reply
            url = self._redirect_target(reply)
            if urldefrag(url).url in seen:
                raise _Failure("redirect loop", reply=reply)
            seen.add(urldefrag(url).url)
        raise _Failure(f"more than {MAX_REDIRECTS} redirects", reply=reply)

    def _exchange(self, url: str, request: PageRequest) -> _Reply:
        """Send one GET (politely) and read a 200's body within the cap."""
        host = _host(url)
        # The stored validators describe the page at the end of any redirects, so
        # they go with every hop; a redirecting URL simply answers with its redirect.
        headers = _conditional_headers(request)
        try:
            with (
                self._gate(host).turn(host),
                self._client.stream("GET", url, headers=headers) as response,
            ):
                if response.status_code != 200:
                    self._discard_body(response)
                    return _Reply(response.status_code, response.headers, b"", url)
                body, gzipped = self._read_body(response, url)
                return _Reply(200, response.headers, body, url, gzipped)
        except HostClosed as exc:
            raise _Failure(str(exc), url=url) from None
        except httpx.TransportError as exc:
            raise _Transient(_describe(exc), url=url) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _Failure(_describe(exc), url=url) from exc

    def _discard_body(self, response: httpx.Response) -> None:
        """Read away a small non-200 body (a 304's is empty) so the connection is reused.

        httpx closes a connection whose response was not read to the end: every 304
        would cost a new TCP connection. A large, slow or broken body is left unread:
        closing the connection is cheaper, and it must not change what the reply means.
        """
        deadline = self._clock() + self._settings.timeout
        read = 0
        try:
            for chunk in response.iter_raw():
                read += len(chunk)
                if read > _DRAIN_LIMIT or self._clock() > deadline:
                    return
        except httpx.HTTPError:
            return

    def _read_body(self, response: httpx.Response, url: str) -> tuple[bytes, bytes | None]:
        """Read the body, refusing it as soon as it would pass the size cap; with it, the
        gzip member it came in (`store.pack_body` keeps that rather than recompress)."""
        cap = self._settings.max_body_bytes
        declared: str = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _Failure(f"body over {cap} bytes", url=url)
        # The read timeout bounds each wait for bytes; this bounds a slow drip.
        deadline = self._clock() + self._settings.timeout
        encoding = response.headers.get("content-encoding", "").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            gzip_body = GzipBody(cap)
            try:
                for chunk in response.iter_raw():
                    gzip_body.feed(chunk)
                    if self._clock() > deadline:
                        raise _Transient("timed out", url=url)
                return gzip_body.finish()
            except GzipError as exc:
                raise _Failure(str(exc), url=url) from None
        if encoding not in _PLAIN_OR_DEFLATE:  # br, zstd, compress, or several at once
            raise _Failure(f"content encoding {encoding!r}, which was not asked for", url=url)
        body = bytearray()
        for chunk in response.iter_bytes():
            if len(body) + len(chunk) > cap:
                raise _Failure(f"body over {cap} bytes", url=url)
            body += chunk
            if self._clock() > deadline:
                raise _Transient("timed out", url=url)
        return bytes(body), None

    def _raise_if_transient(self, reply: _Reply) -> None:
        """Raise for 429 and 5xx, honouring (or refusing to wait for) a Retry-After."""
        if reply.status != 429 and reply.status < 500:
            return
        gate = self._gate(_host(reply.url))
        label = _RETRY_AFTER_STATUSES.get(reply.status)
        wait = retry_after_seconds(reply.headers.get("retry-after")) if label else None
        if wait is not None and wait > MAX_RETRY_AFTER:
            gate.close(wait)
            raise _Failure(f"{label}: Retry-After {wait:.0f} s", reply=reply)
        failure = _Transient(f"HTTP {reply.status}", reply=reply)
        if wait is not None:
            if not gate.defer(wait):
                raise _Failure(BUDGET_SPENT, reply=reply)
            failure.waited_at_gate = True
        raise failure

    def _redirect_target(self, reply: _Reply) -> str:
        """The absolute URL a redirect points to, if it is one we may follow."""
        location: str | None = reply.headers.get("location")
        if not location:
            raise _Failure(f"HTTP {reply.status} without Location", reply=reply)
        target = urljoin(reply.url, location)
        if refused := self._refusal(target):
            raise _Failure(f"redirect to {refused} not allowed", reply=reply)
        return target

    def _refusal(self, url: str) -> str | None:
        """What makes `url` off limits (its scheme or its host), or None if it is fine."""
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
            port = parts.port  # raises ValueError for a malformed port
        except ValueError:
            return "malformed URL"
        if parts.scheme not in ("http", "https"):
            return f"{parts.scheme}: URL" if parts.scheme else "relative URL"
        if not host:
            return "URL without a host"
        if not host_allowed(self._allowed_hosts, parts.scheme, host, port):
            # The port is named only when it, not the host, is what is refused.
            listed = host_listed(self._allowed_hosts, host)
            return f"{host}:{port}" if listed and port is not None else host
        return None

    def _gate(self, host: str) -> HostGate:
        with self._gates_lock:
            if host not in self._gates:
                self._gates[host] = HostGate(self._settings, self._clock, self._sleep)
            return self._gates[host]


def _log_retry(url: str, reason: str, attempt: int, attempts: int) -> None:
    """One line per retry, naming the page and why; INFO, so `-q` stays silent for it."""
    if attempt < attempts:
        log.info("retrying %s: %s (attempt %d of %d)", url, reason, attempt + 1, attempts)


class _OwnRetriesLogged(logging.Filter):
    """Drops stamina's own WARNING for our retries: `_log_retry` says it better, at INFO.

    Stamina logs "stamina.retry_scheduled" at WARNING without naming the page, so a
    retry that then succeeded still printed under `-q`. Other users of stamina keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        caused_by = str(getattr(record, "stamina.caused_by", ""))
        return not caused_by.startswith(f"{_Transient.__name__}(")


logging.getLogger("stamina").addFilter(_OwnRetriesLogged())


def _host(url: str) -> str:
    """The host politeness is counted against (lower-case, no port)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _conditional_headers(request: PageRequest) -> dict[str, str]:
    headers = {}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    return headers


def _describe(exc: Exception) -> str:
    """A short reason for a failed exchange."""
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect: {exc}"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return f"connection broken: {exc}"
    return f"{type(exc).__name__}: {exc}"


def _result(request: PageRequest, reply: _Reply, attempts: int, elapsed: float) -> FetchResult:
    """Classify a final response."""
    base = FetchResult(
        url=request.url,
        outcome=FetchOutcome.FAILED,
        status=reply.status,
        etag=request.etag,
        last_modified=request.last_modified,
        content_type=reply.headers.get("content-type"),
        final_url=reply.url,
        attempts=attempts,
        elapsed=elapsed,
    )
    etag, last_modified = reply.headers.get("etag"), reply.headers.get("last-modified")
    if reply.status == 200 and reply.body:
        return replace(
            base,
            outcome=FetchOutcome.OK,
            body=reply.body,
            gzipped=reply.gzipped,
            etag=etag,
            last_modified=last_modified,
        )
    if reply.status == 200:
        # An empty 200 is a glitch, not a page that lost everything.
        return replace(base, error="HTTP 200 with an empty body")
    if reply.status == 304 and not (request.etag or request.last_modified):
        # "Not modified" since what? A broken cache's answer: nothing was learnt.
        return replace(base, error="HTTP 304 to a request that sent no validators")
    if reply.status == 304:
        return replace(
            base,
            outcome=FetchOutcome.NOT_MODIFIED,
            etag=etag or request.etag,
            last_modified=last_modified or request.last_modified,
        )
    if reply.status in _GONE:
        return replace(base, outcome=FetchOutcome.GONE, etag=None, last_modified=None)
    return replace(base, error=f"HTTP {reply.status}")


def _failed(request: PageRequest, failure: _Failure, attempts: int, elapsed: float) -> FetchResult:
    """A FAILED result; a retried failure says how many attempts it took."""
    reply = failure.reply
    retried = isinstance(failure, _Transient) and attempts > 1
    return FetchResult(
        url=request.url,
        outcome=FetchOutcome.FAILED,
        status=reply.status if reply else None,
        etag=request.etag,
        last_modified=request.last_modified,
        content_type=reply.headers.get("content-type") if reply else None,
        final_url=failure.url or request.url,
        error=f"{failure.reason} after {attempts} attempts" if retried else failure.reason,
        attempts=attempts,
        elapsed=elapsed,
    )
