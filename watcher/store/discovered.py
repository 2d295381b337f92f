"""What discovery remembers: items seen on listing pages, the listings, the pages added.

One run's findings on one listing (its items, the pages added to the watch list, the
alerts queued) are written in one transaction, so a crash leaves either none of it
(the next run finds the same items new and alerts them) or all of it (never twice).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from watcher.models import Change
from watcher.store.schema import change_row
from watcher.store.state import Store


@dataclass(frozen=True)
class SeenItem:
    """One listed item as stored; `outcome` says why it was or was not alerted."""

    path: str
    url: str
    source: str
    title: str
    label: str
    kind: str
    organisations: tuple[str, ...]
    published: str | None
    outcome: str


@dataclass(frozen=True)
class DiscoveredPage:
    """A page added to the watch list because a listing announced it."""

    url: str
    path: str
    organisation: str
    kind: str
    title: str
    added_at: str


@dataclass(frozen=True)
class QueuedAlert:
    """An outbox row with its own message, and the changes it announces."""

    id: str
    organisation: str
    payload: dict[str, Any]
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class SourceState:
    source: str
    first_read_at: str
    last_items: int


class Discoveries:
    """Reads and writes discovery's tables through the run's `Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    def source(self, source: str) -> SourceState | None:
        rows = list(self.db.query("select * from discovery_sources where source = ?", [source]))
        if not rows:
            return None
        row = rows[0]
        return SourceState(row["source"], row["first_read_at"], row["last_items"] or 0)

    def known(self, paths: Iterable[str]) -> set[str]:
        """Which of these item identities were seen before, on any listing."""
        wanted = list(dict.fromkeys(paths))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.db.query(
                f"select path from discovered_items where path in ({marks})", chunk
            )
            found |= {row["path"] for row in rows}
        return found

    def pages(self) -> list[DiscoveredPage]:
        """The pages added to the watch list, oldest first."""
        rows = self.db.query("select * from discovered_pages order by added_at, url")
        return [DiscoveredPage(**row) for row in rows]

    def read_before(self, urls: Iterable[str]) -> set[str]:
        """Which of these pages have a stored assessment (their first read is behind them)."""
        rows = self.db.query("select distinct url from assessments")
        have = {row["url"] for row in rows}
        return {url for url in urls if url in have}

    def record(
        self,
        *,
        run_id: int,
        sources: Sequence[tuple[str, int]],
        items: Sequence[SeenItem],
        pages: Sequence[DiscoveredPage],
        alerts: Sequence[QueuedAlert],
        now: datetime,
    ) -> None:
        """One run's readings: the listings (with how many items each listed), the new
        items, the pages added and the alerts, all or nothing."""
        stamp = now.isoformat()
        with self.store.transaction():
            for item in items:
                row = {**item.__dict__, "organisations": json.dumps(list(item.organisations))}
                self.db.table("discovered_items").insert(
                    {**row, "first_seen_at": stamp, "run_id": run_id}, ignore=True
                )
            for page in pages:
                self.db.table("discovered_pages").insert(page.__dict__, ignore=True)
            for alert in alerts:
                self._queue(run_id, alert, stamp)
            for source, listed in sources:
                self.db.execute(
                    """insert into discovery_sources
                    (source, first_read_at, last_read_at, last_items) values (?, ?, ?, ?)
                    on conflict(source) do update set
                    last_read_at = excluded.last_read_at, last_items = excluded.last_items""",
                    [source, stamp, stamp, listed],
                )

    def _queue(self, run_id: int, alert: QueuedAlert, stamp: str) -> None:
        for change in alert.changes:
            self.db.table("changes").insert(change_row(change, run_id, stamp), ignore=True)
        self.db.table("outbox").insert(
            {
                "id": alert.id,
                "run_id": run_id,
                "organisation": alert.organisation,
                "kind": "publication",
                "change_id": alert.changes[0].id if alert.changes else None,
                "payload": json.dumps(alert.payload),
                "state": "pending",
                "attempts": 0,
                "created_at": stamp,
            },
            ignore=True,
        )
