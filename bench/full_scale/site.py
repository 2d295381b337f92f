"""The synthetic site: a threaded HTTP/1.1 server on 127.0.0.1 that counts what it sends.

Every answer waits `latency` seconds first (the round trip and server time of the real
site). With `validators` on, 200s carry an ETag and Last-Modified and conditional
requests get 304; with it off the server ignores them and always sends the body, as
some servers do. A path with no page answers 404.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BufferedIOBase
from typing import Any

# Base versions are "published" on this date; each later version a day after the last.
FIRST_PUBLISHED = datetime(2024, 4, 3, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Version:
    """One version of a page, with its validators."""

    body: bytes
    etag: str
    last_modified: datetime
    gzipped: bytes | None = None  # the body gzip'd once, as a site's cache keeps it

    @classmethod
    def of(cls, body: bytes, last_modified: datetime, compress: bool = False) -> Version:
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return cls(body, etag, last_modified, gzip.compress(body, 6) if compress else None)


@dataclass
class Traffic:
    """What the server saw and sent since the counters were last reset."""

    requests: int = 0
    bytes_sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    peak_in_flight: int = 0


class SyntheticSite:
    """Serves page versions by path; see the module docstring."""

    def __init__(
        self, latency: float = 0.05, validators: bool = True, compress: bool = False
    ) -> None:
        self.latency = latency
        self.validators = validators
        self.compress = compress  # answer gzip to a client that accepts it
        self._versions: dict[str, Version] = {}
        self._lock = threading.Lock()
        self._traffic = Traffic()
        self._in_flight = 0
        self._server = _Server(self)
        self.port: int = self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def publish(self, bodies: Mapping[str, bytes]) -> int:
        """Serve these bodies; a changed body gets a new ETag and a later Last-Modified.

        Returns how many pages got a new version.
        """
        changed = 0
        with self._lock:
            for path, body in bodies.items():
                old = self._versions.get(path)
                if old and old.body == body:
                    continue
                when = old.last_modified + timedelta(days=1) if old else FIRST_PUBLISHED
                self._versions[path] = Version.of(body, when, self.compress)
                changed += 1
        return changed

    def take_traffic(self) -> Traffic:
        """The counters so far, resetting them for the next run."""
        with self._lock:
            traffic, self._traffic = self._traffic, Traffic()
        return traffic

    def start(self) -> None:
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _arrived(self) -> None:
        with self._lock:
            self._traffic.requests += 1
            self._in_flight += 1
            peak = max(self._traffic.peak_in_flight, self._in_flight)
            self._traffic.peak_in_flight = peak

    def _answered(self, status: int) -> None:
        with self._lock:
            self._in_flight -= 1
            self._traffic.statuses[status] += 1

    def _sent(self, size: int) -> None:
        with self._lock:
            self._traffic.bytes_sent += size

    def version(self, path: str) -> Version | None:
        with self._lock:
            return self._versions.get(path)


@contextmanager
def serve(latency: float = 0.05, compress: bool = False) -> Iterator[SyntheticSite]:
    """Run a synthetic site for the duration of a `with` block."""
    site = SyntheticSite(latency, compress=compress)
    site.start()
    try:
        yield site
    finally:
        site.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # the default of 5 refuses bursts of new connections

    def __init__(self, site: SyntheticSite) -> None:
        self.site = site
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up early is not the benchmark's concern."""


class _CountingWriter:
    """Counts the bytes written to the socket: headers and bodies alike."""

    def __init__(self, inner: BufferedIOBase, site: SyntheticSite) -> None:
        self._inner = inner
        self._site = site

    def write(self, data: bytes) -> int:
        self._site._sent(len(data))
        return self._inner.write(data)

    def flush(self) -> None:
        self._inner.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real site
    # TCP_NODELAY, as nginx sets it on keep-alive connections: without it a body that
    # fits in a few segments (a gzip'd page) waits out the client's delayed ACK.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.wfile = _CountingWriter(self.wfile, self.server.site)  # type: ignore[assignment]

    def do_GET(self) -> None:
        site = self.server.site
        site._arrived()
        status = 500
        try:
            if site.latency:
                time.sleep(site.latency)
            status = self._answer(site.version(self.path), site.validators)
        finally:
            site._answered(status)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the benchmark counts requests itself."""

    def _answer(self, version: Version | None, validators: bool) -> int:
        if version is None:
            return self._send(404, b"<h1>Page not found</h1>\n", {})
        headers = {"Content-Type": "text/html; charset=UTF-8"}
        if validators:
            headers["ETag"] = version.etag
            headers["Last-Modified"] = format_datetime(version.last_modified, usegmt=True)
            if _not_modified(self.headers, version):
                return self._send(304, b"", headers)
        accepted = self.headers.get("Accept-Encoding") or ""
        if version.gzipped is not None and "gzip" in accepted.lower():
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
            return self._send(200, version.gzipped, headers)
        return self._send(200, version.body, headers)

    def _send(self, status: int, body: bytes, headers: Mapping[str, str]) -> int:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)
        return status


def _not_modified(headers: Any, version: Version) -> bool:
    """RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since only without it."""
    if (tags := headers.get("If-None-Match")) is not None:
        return version.etag in [t.strip() for t in tags.split(",")]
    if (since := headers.get("If-Modified-Since")) is not None:
        try:
            return bool(version.last_modified <= parsedate_to_datetime(since))
        except (TypeError, ValueError):
            return False
    return False
