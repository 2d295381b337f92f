"""Readings from a web archive (`watcher backfill`): stored as a page's history, by capture time.

A mixin of `Store`. Each capture is recorded in `archive_captures` in the same
transaction as its readings, so a backfill killed half-way resumes after the last
capture it finished, and a second backfill adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from watcher.models import Assessment
from watcher.store.bodies import body_hash, pack_body
from watcher.store.schema import write_transaction


@dataclass(frozen=True)
class ArchivedCapture:
    """What one capture came to: the page it copies, when, and whether it could be read."""

    capture_url: str
    page_url: str
    captured_at: datetime
    family: str
    outcome: str  # "full", "anomalies" or "unreadable"
    reason: str = ""  # why a capture was unreadable


class ArchiveRecords:
    """The archive side of `Store` (needs its `db`)."""

    db: sqlite_utils.Database

    def processed_captures(self, page_url: str) -> dict[str, ArchivedCapture]:
        """The captures of a page already read by an earlier backfill, by capture address."""
        rows = self.db.query("select * from archive_captures where page_url = ?", [page_url])
        return {
            row["capture_url"]: ArchivedCapture(
                row["capture_url"],
                row["page_url"],
                datetime.fromisoformat(row["captured_at"]),
                row["family"],
                row["outcome"],
                row["reason"] or "",
            )
            for row in rows
        }

    def record_capture(
        self,
        capture: ArchivedCapture,
        *,
        identity: dict[str, str],
        body: bytes,
        readings: Sequence[tuple[str, Assessment]],
        now: datetime,
    ) -> int:
        """Store a capture's readings (if it read) and mark it processed; one transaction.

        A reading is stored only when it differs from the page's reading just before
        it in time, so the history has one step per change. Returns the rows written.
        """
        with write_transaction(self.db):
            written = 0
            if readings:
                # No validators or health from the archive: a check's first fetch of
                # the page is still its own.
                self.db.execute(
                    """insert or ignore into pages (url, organisation, cycle, kind)
                    values (?, ?, ?, ?)""",
                    [capture.page_url, *(identity[k] for k in ("organisation", "cycle", "kind"))],
                )
                sha = self._keep_body(body)
                written = sum(
                    self._insert_archived(capture, subject, sha, assessment)
                    for subject, assessment in readings
                )
            self.db.execute(
                "insert or replace into archive_captures values (?, ?, ?, ?, ?, ?, ?)",
                [
                    capture.capture_url,
                    capture.page_url,
                    capture.captured_at.isoformat(),
                    capture.family,
                    capture.outcome,
                    capture.reason or None,
                    now.isoformat(),
                ],
            )
        return written

    def archived_date(self, reading_id: int) -> str:
        """The capture time of a stored reading if it came from the archive, else ""."""
        rows = list(
            self.db.query("select fetched_at, source from assessments where id = ?", [reading_id])
        )
        return str(rows[0]["fetched_at"]) if rows and rows[0]["source"] == "archive" else ""

    def _keep_body(self, body: bytes) -> str:
        sha = body_hash(body)
        self.db.execute(
            "insert or ignore into bodies (sha256, body, size) values (?, ?, ?)",
            [sha, pack_body(body), len(body)],
        )
        return sha

    def _insert_archived(
        self, capture: ArchivedCapture, subject: str, sha: str, assessment: Assessment
    ) -> bool:
        digest = assessment.content_hash()
        when = capture.captured_at.isoformat()
        before = list(
            self.db.query(
                """select hash from assessments where url = ? and subject = ?
                and fetched_at <= ? order by fetched_at desc, id desc limit 1""",
                [capture.page_url, subject, when],
            )
        )
        if before and before[0]["hash"] == digest:
            return False
        self.db.table("assessments").insert(
            {
                "url": capture.page_url,
                "subject": subject,
                "fetched_at": when,
                "body_sha256": sha,
                "assessment": json.dumps(assessment.to_dict(), ensure_ascii=False),
                "hash": digest,
                "source": "archive",
                "source_url": capture.capture_url,
            }
        )
        return True
