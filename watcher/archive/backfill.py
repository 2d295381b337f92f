"""`watcher backfill`: a web archive's captures of each watched page read into its history.

For each page: list its captures under every prefix the site used (CDX, paged), keep
the successful ones, one per digest, oldest first; download each not yet processed
(through a `Fetcher` on the archive host alone, at the archive's own rate), read it
as a check would, and store its readings dated by the capture, with the capture's
address as their source. Each capture is committed with its record of having been
processed, so a second run adds nothing and a killed run carries on where it died.
Sends nothing anywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from watcher.archive.cdx import (
    Capture,
    CdxError,
    archived_addresses,
    cdx_query,
    parse_cdx,
    worth_reading,
)
from watcher.archive.read import UNREADABLE, CaptureReading, family, read_capture
from watcher.archive.tally import BackfillReport, Unreadable
from watcher.catalogue import Page
from watcher.faults import BackfillStage, crash_point
from watcher.fetch import Fetcher, FetchOutcome, PageRequest
from watcher.models import Assessment
from watcher.store import ArchivedCapture, Store

log = logging.getLogger(__name__)

MAX_CDX_PAGES = 200  # per address: a resume key that never ends is the archive's bug


@dataclass(frozen=True)
class Backfill:
    """What one backfill needs: the archive client, the store, and its options."""

    fetcher: Fetcher  # allowed the archive host only
    store: Store
    base_url: str  # the archive's
    now: Callable[[], datetime]
    since: int | None = None  # only captures from this year on
    dry_run: bool = False  # read everything, store nothing


def backfill(pages: Sequence[Page], job: Backfill) -> BackfillReport:
    """Read every page's archived captures into its history; see the module docstring."""
    report = BackfillReport(dry_run=job.dry_run)
    for page in pages:
        captures = _captures(page, job, report)
        if captures is not None:
            _read_page(page, captures, job, report)
    return report


def _captures(page: Page, job: Backfill, report: BackfillReport) -> list[Capture] | None:
    """The page's captures worth reading, or None when any lookup failed this time."""
    found: list[Capture] = []
    for address in archived_addresses(page.url):
        listed = _lookup(address, job)
        if isinstance(listed, str):
            # Part of a page's list would store its history out of order: none of it.
            log.warning("%s: archive lookup failed: %s", address, listed)
            report.lookup_failures.append((address, listed))
            return None
        found += listed
    return worth_reading(found, job.since)


def _lookup(address: str, job: Backfill) -> list[Capture] | str:
    """Every capture the archive lists for one address (following resume keys), or why not."""
    captures: list[Capture] = []
    resume_key: str | None = None
    seen_keys: set[str] = set()
    for _ in range(MAX_CDX_PAGES):
        query = cdx_query(job.base_url, address, since=job.since, resume_key=resume_key)
        result = job.fetcher.fetch(PageRequest(query))
        if result.outcome is FetchOutcome.GONE:
            return captures  # the archive knows nothing of this address
        if result.outcome is not FetchOutcome.OK:
            return result.error or f"HTTP {result.status}"
        try:
            answer = parse_cdx(result.body)
        except CdxError as exc:
            return str(exc)
        captures += answer.captures
        resume_key = answer.resume_key
        if not resume_key:
            return captures
        if resume_key in seen_keys:
            return f"the archive repeated resume key {resume_key!r}"
        seen_keys.add(resume_key)
    return f"more than {MAX_CDX_PAGES} pages of captures"


def _read_page(
    page: Page, captures: Sequence[Capture], job: Backfill, report: BackfillReport
) -> None:
    """Read the captures not processed before, oldest first; count every one."""
    name = family(page)
    done = job.store.processed_captures(page.url)
    previous: tuple[bytes, Assessment] | None = None
    for capture in captures:
        address = capture.address(job.base_url)
        if earlier := done.get(address):
            _count(report, name, earlier)  # read by an earlier backfill: counted, not fetched
            continue
        result = job.fetcher.fetch(PageRequest(address))
        if result.outcome is not FetchOutcome.OK:
            reason = result.error or f"HTTP {result.status}"
            log.warning("%s: capture not fetched: %s", address, reason)
            report.download_failures.append((address, reason))
            continue
        reading = read_capture(page, result.body, previous)
        record = ArchivedCapture(
            address, page.url, capture.captured_at, name, reading.outcome, reading.reason
        )
        _count(report, name, record)
        report.new_captures += 1
        if reading.readings:
            previous = (result.body, reading.readings[0][1])
        if not job.dry_run:
            report.stored += _store(page, record, result.body, reading, job)


def _store(
    page: Page, record: ArchivedCapture, body: bytes, reading: CaptureReading, job: Backfill
) -> int:
    first = reading.readings[0][1] if reading.readings else None
    identity = {
        "organisation": first.organisation if first else page.organisation,
        "cycle": first.cycle if first else page.cycle,
        "kind": str(first.kind) if first else "",
    }
    written = job.store.record_capture(
        record, identity=identity, body=body, readings=reading.readings, now=job.now()
    )
    log.info("%s: %s, %d readings stored", record.capture_url, record.outcome, written)
    crash_point(BackfillStage.CAPTURE_STORED)  # the fault tests' switch; a no-op otherwise
    return written


def _count(report: BackfillReport, name: str, record: ArchivedCapture) -> None:
    unreadable = None
    if record.outcome == UNREADABLE:
        unreadable = Unreadable(record.capture_url, record.page_url, record.reason)
    report.count(name, record.outcome, unreadable)
