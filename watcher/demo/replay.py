"""The demo's replay archive, and a local HTTP server that plays it back one step at a time.

The archive (`watcher/demo/archive/`, built by `scripts/build_demo_archive.py`) holds
illustrative copies of inspectorate pages, each in several successive versions, and a
manifest saying which version the site serves at each step (none: a 404, the page is
not published yet). `ReplaySite` serves the current step on 127.0.0.1 like the real
site: ETag and Last-Modified on every page, 304 for a conditional request that still
matches, 404 for a page not published at that step.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

ARCHIVE_PACKAGE = "watcher.demo"
ARCHIVE_FOLDER = "archive"
# Versions appear on the site at this time on their step's day, before the run at 07:00.
PUBLISHED_AT = time(6, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Step:
    """One run of the replay: its day, and what the site changed before it."""

    day: date
    story: tuple[str, ...]


@dataclass(frozen=True)
class ArchivePage:
    """One page of the archive and the version it has at each step (None: 404)."""

    path: str
    organisation: str
    cycle: str
    schedule: tuple[str | None, ...]


@dataclass(frozen=True)
class Version:
    """One served version of a page: its bytes and validators."""

    body: bytes
    etag: str
    last_modified: datetime


class Archive:
    """The manifest and the page versions, read from the package data."""

    def __init__(self, root: Traversable) -> None:
        manifest = json.loads(root.joinpath("manifest.json").read_text(encoding="utf-8"))
        self.note: str = manifest["note"]
        self.steps = tuple(
            Step(date.fromisoformat(s["date"]), tuple(s["story"])) for s in manifest["steps"]
        )
        self.pages = tuple(
            ArchivePage(p["path"], p["organisation"], p["cycle"], tuple(p["schedule"]))
            for p in manifest["pages"]
        )
        self._versions = {
            name: self._version(root, name, step)
            for page in self.pages
            for step, name in _first_steps(page.schedule).items()
        }

    def _version(self, root: Traversable, name: str, step: int) -> Version:
        body = root.joinpath(name).read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        published = datetime.combine(self.steps[step].day, PUBLISHED_AT)
        return Version(body, etag, published)

    def version(self, path: str, step: int) -> Version | None:
        """What the site serves at `path` at `step`; None for a 404."""
        page = next((p for p in self.pages if p.path == path), None)
        name = page.schedule[step] if page else None
        return self._versions[name] if name else None

    def changed_bytes(self, page: ArchivePage, step: int) -> bool:
        """Whether the page's bytes at `step` differ from a version served before."""
        before, now = (page.schedule[step - 1] if step else None), page.schedule[step]
        return before is not None and now is not None and before != now


def _first_steps(schedule: tuple[str | None, ...]) -> dict[int, str]:
    """Each version name by the first step that serves it."""
    first: dict[str, int] = {}
    for step, name in enumerate(schedule):
        if name is not None:
            first.setdefault(name, step)
    return {step: name for name, step in first.items()}


def load_archive() -> Archive:
    """The archive shipped in the package."""
    return Archive(files(ARCHIVE_PACKAGE).joinpath(ARCHIVE_FOLDER))


class ReplaySite:
    """A threaded HTTP server on 127.0.0.1 serving the archive as it is at `step`."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.step = 0
        self.requests = 0
        self.not_modified = 0
        self._lock = threading.Lock()
        self._server = _Server(self)
        self.port: int = self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _counted(self, not_modified: bool) -> None:
        with self._lock:
            self.requests += 1
            self.not_modified += not_modified

    @contextmanager
    def running(self) -> Iterator[ReplaySite]:
        """Serve in a background thread for the duration of a `with` block."""
        thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: ReplaySite) -> None:
        self.site = site
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when the client hangs up a kept-alive connection; report the rest."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real site
    server: _Server

    def do_GET(self) -> None:
        """The page at this step: 200, 304 when the validators still match, or 404."""
        site = self.server.site
        version = site.archive.version(self.path, site.step)
        if version is None:
            site._counted(not_modified=False)
            self._send(404, b"<h1>Page not found</h1>\n", {"Content-Type": "text/html"})
            return
        headers = {
            "Content-Type": "text/html; charset=UTF-8",
            "ETag": version.etag,
            "Last-Modified": format_datetime(version.last_modified, usegmt=True),
        }
        unchanged = _not_modified(self.headers, version)
        site._counted(not_modified=unchanged)
        self._send(304 if unchanged else 200, b"" if unchanged else version.body, headers)

    do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the demo's output clean."""

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status != 304:
            self.wfile.write(body)


def _not_modified(headers: Any, version: Version) -> bool:
    """RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since is used only without it."""
    if (tags := headers.get("If-None-Match")) is not None:
        return tags.strip() == "*" or version.etag in [t.strip() for t in tags.split(",")]
    if (since := headers.get("If-Modified-Since")) is not None:
        try:
            return bool(version.last_modified <= parsedate_to_datetime(since))
        except (TypeError, ValueError):
            return False
    return False
