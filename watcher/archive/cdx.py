"""The Wayback Machine's CDX API, as values: the queries to send and the answers read. Pure.

A CDX query asks for a URL's captures (`<base>/cdx/search/cdx?url=...`); the answer is
JSON (a header row of field names, then one row per capture) or the plain form (one
capture per line, space-separated, in the default field order). Either may end with
a resume key (after an empty row or a blank line) when `showResumeKey` was asked for
and there are more pages. Raw captures are at `<base>/web/<timestamp>id_/<original>`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from watcher.catalogue import page_path

# Every host and prefix the site has used (hmicfrs-pages.md §1), oldest first: the
# archive knows a page under each, whatever `site.base_url` says today.
SITE_PREFIXES = (
    "http://www.justiceinspectorates.gov.uk/hmic",
    "https://www.justiceinspectorates.gov.uk/hmicfrs",
    "https://hmicfrs.justiceinspectorates.gov.uk",
)
# The plain form's columns when no `fl` is given.
PLAIN_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
PAGE_SIZE = 500  # captures per CDX answer


class CdxError(ValueError):
    """A CDX answer that cannot be read: the page's captures are unknown this time."""


@dataclass(frozen=True)
class Capture:
    """One capture the archive lists."""

    timestamp: str  # 14 digits, UTC: 20160301120000
    original: str  # the address the archive fetched
    statuscode: str  # "200", "301", "-" (revisits), ...
    digest: str
    mimetype: str = ""

    @property
    def captured_at(self) -> datetime:
        return datetime.strptime(self.timestamp[:14].ljust(14, "0"), "%Y%m%d%H%M%S").replace(
            tzinfo=UTC
        )

    def address(self, base_url: str) -> str:
        """The raw capture (`id_`: the page as archived, without the archive's toolbar)."""
        return f"{base_url.rstrip('/')}/web/{self.timestamp}id_/{self.original}"


@dataclass(frozen=True)
class CdxPage:
    """One CDX answer: its captures, and the key of the next page if there is one."""

    captures: tuple[Capture, ...]
    resume_key: str | None = None


def archived_addresses(page_url: str) -> list[str]:
    """The addresses a watched page has had: its path under every prefix the site used."""
    path = page_path(page_url)
    return [prefix + path for prefix in SITE_PREFIXES]


def cdx_query(
    base_url: str, address: str, *, since: int | None = None, resume_key: str | None = None
) -> str:
    """The CDX request for an address's successful captures, one per digest, paged."""
    params = [
        ("url", address),
        ("output", "json"),
        ("filter", "statuscode:200"),
        ("collapse", "digest"),
        ("showResumeKey", "true"),
        ("limit", str(PAGE_SIZE)),
    ]
    if since is not None:
        params.append(("from", str(since)))
    if resume_key:
        params.append(("resumeKey", resume_key))
    return f"{base_url.rstrip('/')}/cdx/search/cdx?{urlencode(params)}"


def parse_cdx(body: bytes) -> CdxPage:
    """A CDX answer in either form; raises CdxError for one that is neither."""
    try:
        text = body.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise CdxError("CDX answer is not UTF-8") from exc
    if not text:
        return CdxPage(())
    if text.startswith("["):
        return _parse_json(text)
    return _parse_plain(text)


def _parse_json(text: str) -> CdxPage:
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CdxError(f"CDX answer is not valid JSON: {exc}") from exc
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise CdxError("CDX JSON is not a list of rows")
    if not rows:
        return CdxPage(())
    header, data = rows[0], rows[1:]
    resume_key = None
    if len(data) >= 2 and data[-2] == [] and len(data[-1]) == 1:
        resume_key, data = str(data[-1][0]), data[:-2]
    return CdxPage(tuple(_capture(header, row) for row in data if row), resume_key)


def _parse_plain(text: str) -> CdxPage:
    lines = text.splitlines()
    resume_key = None
    if len(lines) >= 2 and not lines[-2].strip() and len(lines[-1].split()) == 1:
        resume_key, lines = lines[-1].strip(), lines[:-2]
    return CdxPage(
        tuple(_capture(PLAIN_FIELDS, line.split()) for line in lines if line.strip()), resume_key
    )


def _capture(header: Sequence[object], row: Sequence[object]) -> Capture:
    if len(row) != len(header):
        raise CdxError(f"CDX row has {len(row)} fields, expected {len(header)}")
    fields = {str(name): str(value) for name, value in zip(header, row, strict=True)}
    try:
        capture = Capture(
            fields["timestamp"],
            fields["original"],
            fields.get("statuscode", "-"),
            fields.get("digest", ""),
            fields.get("mimetype", ""),
        )
    except KeyError as exc:
        raise CdxError(f"CDX answer has no {exc.args[0]} field") from exc
    if not (capture.timestamp.isdigit() and len(capture.timestamp) >= 4):
        raise CdxError(f"CDX timestamp {capture.timestamp!r} is not a date")
    return capture


def worth_reading(captures: Iterable[Capture], since: int | None = None) -> list[Capture]:
    """Successful captures, oldest first, one per distinct digest, from `since` on.

    The archive is asked for exactly this, but its filters are not trusted: a
    redirect or a 404 capture is never a reading of the page, and `collapse` only
    folds neighbouring rows, not the same bytes under another prefix.
    """
    seen: set[str] = set()
    kept = []
    for capture in sorted(captures, key=lambda c: (c.timestamp, c.original)):
        if capture.statuscode != "200" or (capture.digest and capture.digest in seen):
            continue
        if since is not None and int(capture.timestamp[:4]) < since:
            continue
        if capture.mimetype and "html" not in capture.mimetype.lower():
            continue
        seen.add(capture.digest)
        kept.append(capture)
    return kept
