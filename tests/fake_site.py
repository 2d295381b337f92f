"""A fake HMICFRS site: a real HTTP/1.1 server on 127.0.0.1 for end-to-end and fault tests.

The `fake_site` fixture starts one on a free port and stops it after the test::

    def test_grade_change(fake_site):
        fake_site.set_page("/peel/kent", b"<html>v1</html>")
        ...  # fetch fake_site.url("/peel/kent"): 200 with ETag and Last-Modified
        fake_site.set_page("/peel/kent", b"<html>v2</html>")  # the next version
        fake_site.inject("/peel/kent", status=503, retry_after="1", times=1)
        fake_site.requests_for("/peel/kent")[-1].headers["if-none-match"]

`other_site` is a second server, e.g. for a host redirects must not reach.
Pages live in `fake_site.pages` (path -> `Page`); a path without a page answers 404.
Faults (`Fault`, set with `inject`) take precedence over pages and apply to every
request for the path, or to the next `times` requests only. Paths are matched with
their query string. `with fake_site.offline():` refuses connections for a while.
"""

from __future__ import annotations

import hashlib
import socket
import struct
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

_CHUNK = bytes(64 * 1024)  # one shared buffer, so an oversized body costs no memory


@dataclass
class Page:
    """One version of a page; its ETag is derived from the body."""

    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    last_modified: datetime = field(default_factory=lambda: datetime.now(UTC))
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers

    @property
    def etag(self) -> str:
        """A strong validator: the same bytes always give the same ETag."""
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'

    @property
    def last_modified_http(self) -> str:
        """Last-Modified as an HTTP date."""
        return format_datetime(self.last_modified, usegmt=True)


@dataclass
class Fault:
    """What goes wrong for one path; unset fields leave normal behaviour alone."""

    status: int | None = None  # answer with this status (302 when only location is set)
    retry_after: str | None = None  # Retry-After header value, seconds or an HTTP date
    delay: float = 0.0  # seconds to wait before answering (for client timeouts)
    location: str | None = None  # Location header: a redirect to any URL
    cut_body: bool = False  # promise the full body, send half, close the connection
    reset: bool = False  # promise the full body, send half, reset the connection (RST)
    oversize: int = 0  # stream this many bytes (no Content-Length, close ends the body)
    times: int | None = None  # only the next N requests; None means until cleared


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it; header names are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic() when it arrived


class FakeSite:
    """The server's state: pages, faults, switches, and every request received."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.faults: dict[str, Fault] = {}
        self.validators = True  # False: no ETag/Last-Modified, conditionals ignored
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server(self)
        self.port: int = self._server.server_address[1]

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def set_page(self, path: str, body: bytes, **page: Any) -> Page:
        """Publish `body` at `path`, replacing any earlier version with a newer one."""
        new = Page(body, **page)
        if (old := self.pages.get(path)) and "last_modified" not in page:
            # HTTP dates have one-second resolution: a new version must look newer.
            new.last_modified = max(new.last_modified, old.last_modified + timedelta(seconds=1))
        new.last_modified = new.last_modified.replace(microsecond=0)
        self.pages[path] = new
        return new

    def inject(self, path: str, **fault: Any) -> Fault:
        """Make requests for `path` go wrong; keyword arguments are `Fault` fields."""
        self.faults[path] = Fault(**fault)
        return self.faults[path]

    def requests_for(self, path: str) -> list[RecordedRequest]:
        """The requests received for `path`, oldest first."""
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> None:
        """Serve in a background thread."""
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    @contextmanager
    def offline(self) -> Iterator[None]:
        """Close the listening socket, so connections are refused, then listen again.

        The site comes back on the same port with the same pages and faults.
        """
        self._server.shutdown()
        self._server.server_close()
        try:
            yield
        finally:
            self._server = _Server(self, self.port)
            self.start()

    def stop(self) -> None:
        """Stop serving; requests still waiting out a delay give up at once."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def _arrived(self, handler: BaseHTTPRequestHandler) -> Fault | None:
        """Record a request and take the fault that applies to it, if any."""
        headers = {name.lower(): value for name, value in handler.headers.items()}
        with self._lock:
            request = RecordedRequest(handler.command, handler.path, headers, time.monotonic())
            self.requests.append(request)
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            fault = self.faults.get(handler.path)
            if fault and fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    del self.faults[handler.path]
            return fault

    def _finished(self) -> None:
        with self._lock:
            self.in_flight -= 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler stuck in a delay must not hold up stop()

    def __init__(self, site: FakeSite, port: int = 0) -> None:
        self.site = site
        super().__init__(("127.0.0.1", port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when the client hangs up first: that is what fault tests do."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real site
    server: _Server

    def do_GET(self) -> None:
        """Answer with the fault for this path, else the page, else 404."""
        site = self.server.site
        fault = site._arrived(self)
        try:
            if fault and fault.delay and site._stopping.wait(fault.delay):
                return
            if fault and self._answer_fault(fault):
                return
            self._answer_page(site.pages.get(self.path))
        finally:
            site._finished()

    do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""

    def _answer_fault(self, fault: Fault) -> bool:
        if fault.oversize:
            self._stream_zeros(fault.oversize)
        elif fault.cut_body or fault.reset:
            self._cut_body(reset=fault.reset)
        elif fault.status or fault.location:
            headers = {"Location": fault.location, "Retry-After": fault.retry_after}
            self._send(fault.status or 302, b"fault\n", headers)
        else:
            return False  # a delay alone: answer normally afterwards
        return True

    def _answer_page(self, page: Page | None) -> None:
        if page is None:
            self._send(404, b"not found\n", {})
            return
        headers = {"Content-Type": page.content_type, **page.headers}
        if self.server.site.validators:
            headers |= {"ETag": page.etag, "Last-Modified": page.last_modified_http}
            if page.status == 200 and _not_modified(self.headers, page):
                self._send(304, b"", headers)
                return
        self._send(page.status, page.body, headers)

    def _send(self, status: int, body: bytes, headers: Mapping[str, str | None]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if value is not None:
                self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status != 304:
            self.wfile.write(body)

    def _cut_body(self, *, reset: bool = False) -> None:
        page = self.server.site.pages.get(self.path)
        body = page.body if page and len(page.body) > 1 else b"x" * 1000
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True
        if reset:
            # Linger on with a zero timeout: closing then sends RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        # shutdown() sends the FIN now, before the client could wait out a timeout.
        self.connection.shutdown(socket.SHUT_RDWR)

    def _stream_zeros(self, size: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        with suppress(OSError):  # the client stops reading at its cap and hangs up
            for offset in range(0, size, len(_CHUNK)):
                self.wfile.write(_CHUNK[: size - offset])


def _not_modified(headers: Any, page: Page) -> bool:
    """RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since is used only without it."""
    if (tags := headers.get("If-None-Match")) is not None:
        return tags.strip() == "*" or page.etag in [t.strip() for t in tags.split(",")]
    if (since := headers.get("If-Modified-Since")) is not None:
        try:
            return bool(page.last_modified <= parsedate_to_datetime(since))
        except (TypeError, ValueError):
            return False
    return False


@contextmanager
def serve_fake_site() -> Iterator[FakeSite]:
    """Run a fake site for the duration of a `with` block (for a second server)."""
    site = FakeSite()
    site.start()
    try:
        yield site
    finally:
        site.stop()


@pytest.fixture
def fake_site() -> Iterator[FakeSite]:
    """A running fake site with no pages, faults or requests yet."""
    with serve_fake_site() as site:
        yield site


@pytest.fixture
def other_site() -> Iterator[FakeSite]:
    """A second, independent fake site (say, a host the watcher must not contact)."""
    with serve_fake_site() as site:
        yield site
