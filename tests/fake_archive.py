"""A fake Wayback Machine: a real HTTP server on 127.0.0.1 with a CDX API and raw captures.

The `fake_archive` fixture starts one on a free port::

    def test_backfill(fake_archive):
        fake_archive.add("https://hmicfrs.justiceinspectorates.gov.uk/peel/kent/",
                         "20160301120000", b"<html>...</html>")
        fake_archive.form = "plain"       # answer CDX queries in the space-separated form
        fake_archive.page_size = 1        # page every answer, with resume keys
        fake_archive.fail_next("/web/", status=429, retry_after="0", times=2)

`<url>/cdx/search/cdx?url=...` lists the captures of one address, oldest first. Like
a careless archive it ignores `filter` and `collapse` unless `honour_filters` is set,
so redirect and 404 captures and repeated digests reach the client, which must skip
them. `<url>/web/<timestamp>id_/<original>` serves a capture's body.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass(frozen=True)
class FakeCapture:
    """One capture of one address."""

    original: str
    timestamp: str
    body: bytes
    status: int = 200
    digest: str = ""  # derived from the body when empty
    mimetype: str = "text/html"
    location: str = ""  # for a redirect capture

    @property
    def sha(self) -> str:
        return self.digest or base64.b32encode(hashlib.sha1(self.body).digest()).decode()


@dataclass
class _Fault:
    prefix: str
    status: int
    retry_after: str | None
    times: int


class FakeArchive:
    """The archive's captures, its answer form, faults, and every path requested."""

    def __init__(self) -> None:
        self.captures: list[FakeCapture] = []
        self.form = "json"  # or "plain": the answer form of CDX queries
        self.page_size = 1000
        self.honour_filters = False
        self.requests: list[str] = []
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._server = _Server(self)
        self.port: int = self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, original: str, timestamp: str, body: bytes, **fields: Any) -> FakeCapture:
        capture = FakeCapture(original, timestamp, body, **fields)
        self.captures.append(capture)
        return capture

    def fail_next(
        self, prefix: str, *, status: int, retry_after: str | None = None, times: int = 1
    ) -> None:
        """Answer the next `times` requests whose path starts with `prefix` with `status`."""
        self._faults.append(_Fault(prefix, status, retry_after, times))

    def recover(self) -> None:
        """Clear every fault: the archive answers normally again."""
        with self._lock:
            self._faults.clear()

    def capture_requests(self) -> list[str]:
        return [p for p in self.requests if p.startswith("/web/")]

    def cdx_requests(self) -> list[str]:
        return [p for p in self.requests if p.startswith("/cdx/")]

    def start(self) -> None:
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _fault_for(self, path: str) -> _Fault | None:
        with self._lock:
            self.requests.append(path)
            for fault in self._faults:
                if path.startswith(fault.prefix) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def cdx(self, query: dict[str, list[str]]) -> bytes:
        """The CDX answer for one query, in `form`, paged by `page_size`."""
        address = query.get("url", [""])[0]
        rows = sorted(
            (c for c in self.captures if c.original == address), key=lambda c: c.timestamp
        )
        if self.honour_filters:
            rows = [c for c in rows if c.status == 200]
        if since := query.get("from", [""])[0]:
            rows = [c for c in rows if c.timestamp[: len(since)] >= since]
        start = int(base64.urlsafe_b64decode(query["resumeKey"][0])) if "resumeKey" in query else 0
        page = rows[start : start + self.page_size]
        more = start + self.page_size < len(rows) and "showResumeKey" in query
        key = base64.urlsafe_b64encode(str(start + self.page_size).encode()).decode()
        fields = [[_urlkey(c.original), c.timestamp, c.original, c.mimetype, str(c.status),
                   c.sha, str(len(c.body))] for c in page]  # fmt: skip
        if self.form == "plain":
            lines = [" ".join(row) for row in fields] + (["", key] if more else [])
            return ("\n".join(lines) + "\n").encode()
        header = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
        table: list[list[str]] = [header, *fields] + ([[], [key]] if more else [])
        return json.dumps(table).encode()

    def capture(self, path: str) -> FakeCapture | None:
        """The capture a `/web/<timestamp>id_/<original>` path names."""
        rest = path.removeprefix("/web/")
        stamp, _, original = rest.partition("id_/")
        return next(
            (c for c in self.captures if c.timestamp == stamp and c.original == original), None
        )


def _urlkey(original: str) -> str:
    parts = urlsplit(original)
    host = ",".join(reversed((parts.hostname or "").split(".")))
    return f"{host}){parts.path}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, archive: FakeArchive) -> None:
        self.archive = archive
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        """A fault, else a CDX answer, else a capture, else 404."""
        archive = self.server.archive
        if fault := archive._fault_for(self.path):
            self._send(fault.status, b"slow down\n", {"Retry-After": fault.retry_after})
            return
        parts = urlsplit(self.path)
        if parts.path == "/cdx/search/cdx":
            self._send(200, archive.cdx(parse_qs(parts.query)), {"Content-Type": "text/plain"})
            return
        capture = archive.capture(self.path)
        if capture is None:
            self._send(404, b"not archived\n", {})
            return
        headers = {"Content-Type": capture.mimetype, "Location": capture.location or None}
        self._send(capture.status, capture.body, headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str | None]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if value is not None:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""


@pytest.fixture
def fake_archive() -> Iterator[FakeArchive]:
    """A running fake archive with no captures yet."""
    archive = FakeArchive()
    archive.start()
    try:
        yield archive
    finally:
        archive.stop()
