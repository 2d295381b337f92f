"""Archive: a web archive's captures of the watched pages read into their history.

Only `watcher backfill` uses it, and only the archive host is contacted (a Wayback
Machine's CDX API and raw captures). Exports `backfill`, `Backfill`, `BackfillReport`.
"""

from watcher.archive.backfill import Backfill, backfill
from watcher.archive.cdx import Capture, CdxError, archived_addresses, cdx_query, parse_cdx
from watcher.archive.read import CaptureReading, family, read_capture
from watcher.archive.tally import BackfillReport, FamilyCount, Unreadable

__all__ = [
    "Backfill",
    "BackfillReport",
    "Capture",
    "CaptureReading",
    "CdxError",
    "FamilyCount",
    "Unreadable",
    "archived_addresses",
    "backfill",
    "cdx_query",
    "family",
    "parse_cdx",
    "read_capture",
]
