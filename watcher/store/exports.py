"""What the dashboard, the exports and the feed read from the state database, as values.

Read-only, like `queries`: every stored reading (oldest first), every change with its
run, the pages' last good checks, the last run. Columns added by later migrations
(an archived reading's `source`) are read when present and ignored when not.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, replace

import sqlite_utils

from watcher.models import Assessment, Change
from watcher.store.queries import FailingPage, failing_page
from watcher.store.schema import change_from_dict


@dataclass(frozen=True)
class StoredReading:
    """One stored assessment: a page's (or one organisation's on an all-force page)."""

    id: int
    url: str
    subject: str  # "" for a one-organisation page
    fetched_at: str
    assessment: Assessment

    @property
    def organisation(self) -> str:
        return self.subject or self.assessment.organisation


@dataclass(frozen=True)
class StoredChange:
    """One recorded change, with the run that found it and when."""

    id: str
    run_id: int
    detected_at: str
    change: Change


@dataclass(frozen=True)
class RunInfo:
    """The run a report is drawn after."""

    id: int
    started_at: str
    finished_at: str | None
    outcome: str | None


@dataclass(frozen=True)
class Snapshot:
    """Everything the outputs draw on, read in one go."""

    readings: tuple[StoredReading, ...]
    changes: tuple[StoredChange, ...]
    last_ok: dict[str, str]  # page url -> its last good check
    last_run: RunInfo | None
    failing: tuple[FailingPage, ...] = ()  # pages whose last check failed: shown as stale

    def only(self, organisations: Collection[str]) -> Snapshot:
        """What the snapshot holds about these organisations (all of it when none)."""
        if not organisations:
            return self
        keep = frozenset(organisations)
        return replace(
            self,
            readings=tuple(r for r in self.readings if r.organisation in keep),
            changes=tuple(c for c in self.changes if c.change.organisation in keep),
            failing=tuple(p for p in self.failing if p.organisation in keep),
        )


def snapshot(db: sqlite_utils.Database) -> Snapshot:
    """Read the readings, changes, pages' last good checks and the last run."""
    return Snapshot(
        readings=tuple(stored_readings(db)),
        changes=tuple(stored_changes(db)),
        last_ok={
            row["url"]: row["last_ok_at"]
            for row in db.query("select url, last_ok_at from pages where last_ok_at is not null")
        },
        last_run=last_run(db),
        failing=tuple(failing_pages(db)),
    )


def failing_pages(db: sqlite_utils.Database) -> list[FailingPage]:
    """Pages whose last check failed: what is shown of them is their last good reading."""
    rows = db.query("select * from pages where last_outcome = 'failed' order by url")
    return [failing_page(row) for row in rows]


def stored_readings(db: sqlite_utils.Database) -> list[StoredReading]:
    """Every stored assessment, oldest first (archived readings included)."""
    rows = db.query(
        "select id, url, subject, fetched_at, assessment from assessments order by fetched_at, id"
    )
    return [
        StoredReading(
            row["id"],
            row["url"],
            row["subject"] or "",
            row["fetched_at"],
            Assessment.from_dict(json.loads(row["assessment"])),
        )
        for row in rows
    ]


def stored_changes(db: sqlite_utils.Database) -> list[StoredChange]:
    """Every recorded change, oldest first."""
    rows = db.query(
        "select id, run_id, detected_at, detail from changes order by detected_at, rowid"
    )
    return [
        StoredChange(
            row["id"],
            row["run_id"],
            row["detected_at"],
            change_from_dict(json.loads(row["detail"])),
        )
        for row in rows
    ]


def last_run(db: sqlite_utils.Database) -> RunInfo | None:
    """The newest run, finished or not."""
    rows = list(db.query("select * from runs order by id desc limit 1"))
    if not rows:
        return None
    row = rows[0]
    return RunInfo(row["id"], row["started_at"], row["finished_at"], row["outcome"])
