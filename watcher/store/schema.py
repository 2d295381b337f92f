"""The state database's layout: its tables, the migrations that build them, opening it.

Also the JSON form of a change, as the `changes.detail` column holds it. Migrations
run by `PRAGMA user_version`, each in its own transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils

from watcher.models import Change, ChangeKind, Direction, FindingKind, WordDiff


class StoreError(Exception):
    """The state database cannot be opened or used."""


def _migration_1(db: sqlite_utils.Database) -> None:
    db.table("pages").create(
        {
            "url": str,
            "organisation": str,
            "cycle": str,
            "kind": str,
            "etag": str,
            "last_modified": str,
            "body_sha256": str,
            "last_status": int,
            "last_outcome": str,
            "last_error": str,
            "last_checked_at": str,
            "last_ok_at": str,
            "failing_since": str,
            "consecutive_failures": int,
        },
        pk="url",
        not_null={"url"},
        defaults={"consecutive_failures": 0},
    )
    db.table("bodies").create({"sha256": str, "body": bytes, "size": int}, pk="sha256")
    db.table("assessments").create(
        {
            "id": int,
            "url": str,
            "subject": str,  # "" for a one-organisation page, else the organisation
            "fetched_at": str,
            "body_sha256": str,
            "assessment": str,
            "hash": str,
        },
        pk="id",
        foreign_keys=[("url", "pages", "url"), ("body_sha256", "bodies", "sha256")],
    )
    db.table("assessments").create_index(["url", "subject", "id"])
    db.table("changes").create(
        {
            "id": str,
            "run_id": int,
            "url": str,
            "organisation": str,
            "kind": str,
            "unit": str,
            "before": str,
            "after": str,
            "detail": str,
            "detected_at": str,
        },
        pk="id",
    )
    db.table("changes").create_index(["organisation", "detected_at"])
    db.table("outbox").create(
        {
            "id": str,
            "run_id": int,
            "organisation": str,
            "kind": str,
            "change_id": str,
            "payload": str,
            "state": str,
            "attempts": int,
            "last_error": str,
            "slack_ts": str,
            "created_at": str,
            "sent_at": str,
        },
        pk="id",
        defaults={"state": "pending", "attempts": 0},
    )
    db.table("outbox").create_index(["state"])
    db.table("runs").create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "pages_checked": int,
            "pages_changed": int,
            "pages_failed": int,
            "changes": int,
            "alerts_sent": int,
            "outcome": str,
        },
        pk="id",
    )


def _migration_2(db: sqlite_utils.Database) -> None:
    """Indexes for finding whether a superseded body is still needed."""
    db.table("assessments").create_index(["body_sha256"])
    db.table("pages").create_index(["body_sha256"])


def _migration_delivery_in_flight(db: sqlite_utils.Database) -> None:
    """Exactly-once delivery: when a row went in flight, and the delivery notices.

    `outbox.in_flight_at`: when a post of the row was first attempted, so a run after a
    crash can ask Slack whether it arrived. `delivery_notices`: what the operator must
    know about delivery (e.g. Slack's history cannot be read back). Only what is
    missing is created, so this is safe in any order among the migrations.
    """
    if "in_flight_at" not in db.table("outbox").columns_dict:
        db.table("outbox").add_column("in_flight_at", str)
    if not db.table("delivery_notices").exists():
        db.table("delivery_notices").create({"key": str, "message": str, "noted_at": str}, pk="key")


MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    _migration_1,
    _migration_2,
    _migration_delivery_in_flight,
)


def open_database(path: Path) -> sqlite_utils.Database:
    """Open (creating if needed) the state file in WAL mode with migrations applied."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Jobs run on scheduler threads; each run opens its own connection.
        conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        migrate(db)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open state database {path}: {exc}") from exc
    return db


def migrate(db: sqlite_utils.Database) -> None:
    """Apply every migration the database has not seen, each in its own transaction."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, migration in enumerate(MIGRATIONS, start=1):
        if number > version:
            with db.atomic():
                migration(db)
                db.execute(f"PRAGMA user_version = {number}")


# ---------------------------------------------------------------- changes.detail


def change_to_dict(change: Change) -> dict[str, Any]:
    """A change as `changes.detail` holds it (JSON-ready)."""
    return {
        "kind": str(change.kind),
        "url": change.url,
        "organisation": change.organisation,
        "cycle": change.cycle,
        "unit": change.unit,
        "unit_label": change.unit_label,
        "before": change.before,
        "after": change.after,
        "direction": str(change.direction) if change.direction else None,
        "finding_kind": str(change.finding_kind) if change.finding_kind else None,
        "wording": [list(s) for s in change.wording.segments] if change.wording else None,
        "basis": change.basis,
    }


def change_from_dict(data: dict[str, Any]) -> Change:
    """A change read back from `changes.detail`."""
    wording = data.get("wording")
    return Change(
        kind=ChangeKind(data["kind"]),
        url=data["url"],
        organisation=data["organisation"],
        cycle=data["cycle"],
        unit=data["unit"],
        unit_label=data["unit_label"],
        before=data["before"],
        after=data["after"],
        direction=Direction(data["direction"]) if data["direction"] else None,
        finding_kind=FindingKind(data["finding_kind"]) if data["finding_kind"] else None,
        wording=WordDiff(tuple((op, text) for op, text in wording)) if wording else None,
        basis=data.get("basis", ""),
    )
