"""Pages read for the first time, waiting for their "now watching" note.

A mixin of `Store`. A new page's entry is written in the same transaction as its
first reading (`record_assessment(..., baseline=...)`), and removed in the one that
queues the note (`queue_baseline(..., noted=...)`). A run killed between the two
leaves the entries behind, so the next run's note still names those pages: the
note is never lost to a crash in the first run, and never sent twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import sqlite_utils

from watcher.models import Assessment


class BaselineRecords:
    """The "now watching" side of `Store` (needs its `db`)."""

    db: sqlite_utils.Database

    def pending_baselines(self) -> list[tuple[str, Assessment]]:
        """Pages read for the first time and not yet in a "now watching" note, oldest first."""
        rows = self.db.query("select url, assessment from baseline_pending order by rowid")
        return [(r["url"], Assessment.from_dict(json.loads(r["assessment"]))) for r in rows]

    def _add_pending_baseline(
        self, url: str, run_id: int, assessment: Assessment, now: datetime
    ) -> None:
        """Called inside the transaction that stores the page's first reading."""
        self.db.execute(
            """insert or replace into baseline_pending (url, run_id, assessment, created_at)
            values (?, ?, ?, ?)""",
            [url, run_id, json.dumps(assessment.to_dict()), now.isoformat()],
        )

    def _clear_pending_baselines(self, urls: Sequence[str]) -> None:
        """Called inside the transaction that queues their note."""
        self.db.conn.executemany("delete from baseline_pending where url = ?", [(u,) for u in urls])
