"""The state database's layout: its tables, the migrations that build them, opening it.

Also the JSON form of a change, as the `changes.detail` column holds it. Migrations
run by `PRAGMA user_version`, each in its own transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def _migration_page_trust(db: sqlite_utils.Database) -> None:
    """Page columns for the check's trust rules; each added only if missing (any order).

    `absent_seen_at`: when the page was last seen absent (404/410), so only a page seen
    absent can later be announced as newly published. `unreadable_since`: when the
    current run of unreadable readings began. `held_hash`: the content hash of a change
    set held for a second reading (implausibly many findings at once).
    """
    columns = db.table("pages").columns_dict
    for name in ("absent_seen_at", "unreadable_since", "held_hash"):
        if name not in columns:
            db.execute(f"alter table pages add column {name} text")


def _migration_discovery(db: sqlite_utils.Database) -> None:
    """Discovery (`[discover]`): items seen on listing pages, the listings, the pages added.

    Creates only what is missing, so it is safe wherever it lands in `MIGRATIONS`.
    """
    tables = set(db.table_names())
    if "discovered_items" not in tables:
        db.table("discovered_items").create(
            {
                "path": str,  # the item's identity (`catalogue.page_path`)
                "url": str,
                "source": str,  # the listing it was first seen on
                "title": str,
                "label": str,
                "kind": str,
                "organisations": str,  # JSON list; [] for a national item
                "published": str,
                "first_seen_at": str,
                "run_id": int,
                "outcome": str,  # alerted, baseline, old, unwatched, reindex, ...
            },
            pk="path",
        )
    if "discovery_sources" not in tables:
        db.table("discovery_sources").create(
            {"source": str, "first_read_at": str, "last_read_at": str, "last_items": int},
            pk="source",
        )
    if "discovered_pages" not in tables:
        db.table("discovered_pages").create(
            {
                "url": str,
                "path": str,
                "organisation": str,
                "kind": str,
                "title": str,
                "added_at": str,
            },
            pk="url",
        )


def _migration_archive(db: sqlite_utils.Database) -> None:
    """Readings from a web archive (`watcher backfill`), and the captures already processed.

    `assessments.source` is "live" (fetched by a check) or "archive" (a capture read by
    backfill, `fetched_at` being the capture time); `source_url` is the capture's address.
    Safe in any order among other migrations: only what is missing is created.
    """
    columns = db.table("assessments").columns_dict
    if "source" not in columns:
        db.execute("alter table assessments add column source text not null default 'live'")
    if "source_url" not in columns:
        db.execute("alter table assessments add column source_url text")
    if "archive_captures" not in db.table_names():
        db.table("archive_captures").create(
            {
                "capture_url": str,  # <archive>/web/<timestamp>id_/<original>
                "page_url": str,  # the watched page it is a copy of
                "captured_at": str,
                "family": str,
                "outcome": str,  # "full", "anomalies", "unreadable"
                "reason": str,
                "processed_at": str,
            },
            pk="capture_url",
        )
        db.table("archive_captures").create_index(["page_url"])


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


def _migration_run_scope(db: sqlite_utils.Database) -> None:
    """runs.scope: "all" for a run over the whole catalogue, "forced" for `check --force`.

    Only a run over everything counts as the last complete run (catch-up, health).
    Written to be safe in any order among other migrations: adds only what is missing.
    """
    if "scope" not in db.table("runs").columns_dict:
        db.execute("alter table runs add column scope text not null default 'all'")


def _migration_history_index(db: sqlite_utils.Database) -> None:
    """An index for `watcher history <force>`, so it does not read every stored page.

    `force_history` asks for `subject = ?` (all-force pages) or, for one-force pages
    (subject ''), the assessment's organisation; one index on both answers each side
    of that OR without a table scan. `if not exists`: safe in any order.
    """
    db.execute(
        "create index if not exists idx_assessments_subject_organisation on assessments"
        "(subject, json_extract(assessment, '$.organisation'))"
    )


def _migration_baseline_pending(db: sqlite_utils.Database) -> None:
    """baseline_pending: pages read for the first time, until their "now watching" note.

    Written with the page's first reading and removed with the note's queueing, so a
    crash in the first run cannot lose the note. Creates only what is missing: safe in
    any order among the migrations.
    """
    db.execute(
        """create table if not exists baseline_pending (
        url text primary key, run_id integer, assessment text not null, created_at text)"""
    )


def _migration_destinations(db: sqlite_utils.Database) -> None:
    """Routing: each outbox row's destination, and the threads opened per destination.

    `outbox.destination`: null until the row is routed (rows queued before routing
    existed are routed by the next delivery). `slack_threads`: the message that opened
    a report's thread in a destination. Creates only what is missing: safe in any order.
    """
    if "destination" not in db.table("outbox").columns_dict:
        db.table("outbox").add_column("destination", str)
    db.execute(
        """create table if not exists slack_threads (
        destination text not null, url text not null, ts text not null, created_at text,
        primary key (destination, url))"""
    )
    db.execute("create index if not exists idx_outbox_destination on outbox(destination)")


def _migration_parser_stamp(db: sqlite_utils.Database) -> None:
    """assessments.parser: which parser made the reading (`parse.parser_fingerprint`).

    Null for readings stored before it (and for archive backfills): read again before
    a comparison that would say anything. Adds only what is missing: safe in any order.
    """
    if "parser" not in db.table("assessments").columns_dict:
        db.execute("alter table assessments add column parser text")


MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    _migration_1,
    _migration_2,
    _migration_page_trust,
    _migration_discovery,
    _migration_archive,
    _migration_delivery_in_flight,
    _migration_run_scope,
    _migration_history_index,
    _migration_baseline_pending,
    _migration_destinations,
    _migration_parser_stamp,
)


# How long a write waits for another program's write lock on the file (seconds).
BUSY_TIMEOUT = 30.0


def open_database(path: Path) -> sqlite_utils.Database:
    """Open (creating if needed) the state file in WAL mode with migrations applied."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Jobs run on scheduler threads; each run opens its own connection.
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, check_same_thread=False)
        # No sqlite-utils plugins: the state file answers to this program alone (and
        # looking for them scans every installed package's entry points on each start).
        db = sqlite_utils.Database(conn, execute_plugins=False)
        check_version(db, path)  # before anything writes to a newer program's file
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        migrate(db)
    except PermissionError as exc:
        raise StoreError(
            f"cannot write the state database {path}: {exc.strerror}; make its directory "
            "writable by this user or set [state] path (or WATCHER_STATE) elsewhere"
        ) from exc
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(database_problem(path, exc)) from exc
    return db


def scratch_database() -> sqlite_utils.Database:
    """An in-memory database with the current layout: a dry run's, which leaves no file."""
    db = sqlite_utils.Database(memory=True, execute_plugins=False)
    migrate(db)
    return db


def check_version(db: sqlite_utils.Database, path: Path) -> None:
    """Refuse a database a newer watcher wrote: its layout is not this program's to guess."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        db.close()
        raise StoreError(
            f"{path} was written by a newer version of the watcher (schema {version}, this "
            f"one knows up to {len(MIGRATIONS)}): upgrade the watcher, or point [state] path "
            "at another file"
        )


def database_problem(path: Path, exc: BaseException) -> str:
    """What to tell the operator about an SQLite or file error on the state database."""
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and (
        "malformed" in text or "not a database" in text or "corrupt" in text
    ):
        return (
            f"the state database {path} is damaged ({text}): restore it from a backup, or "
            "move it aside and run `watcher check` to start a new baseline"
        )
    if isinstance(exc, sqlite3.OperationalError) and "readonly" in text.replace("-", ""):
        return (
            f"cannot write the state database {path} ({text}): make it and its directory "
            "writable by this user"
        )
    if isinstance(exc, sqlite3.OperationalError) and "disk is full" in text:
        return (
            f"no room to write the state database {path} ({text}): nothing was lost (the "
            "write that did not fit was undone); free space on its disk and run again"
        )
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return (
            f"the state database {path} stayed locked by another program for "
            f"{BUSY_TIMEOUT:.0f} s ({text}): nothing was lost; let that program finish "
            "(a `sqlite3` shell with a transaction open, a copy being made) and run again"
        )
    return f"cannot use the state database {path}: {text}"


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """One transaction that writes: committed whole, or rolled back on any error.

    It takes the write lock first (BEGIN IMMEDIATE), so another process writing the file
    at that moment (a second tool, `sqlite3` at the shell, a backup) is waited out, for
    the connection's busy timeout. A plain BEGIN takes the lock only at the first write,
    after the transaction has read: SQLite then answers "database is locked" at once,
    without waiting, because the read it made might already be stale. Nested inside
    another transaction, it is a savepoint of that one.
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():  # a savepoint
            yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def migrate(db: sqlite_utils.Database) -> None:
    """Apply every migration the database has not seen, each in its own transaction."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, migration in enumerate(MIGRATIONS, start=1):
        if number > version:
            with write_transaction(db):
                migration(db)
                db.execute(f"PRAGMA user_version = {number}")


# ---------------------------------------------------------------- changes.detail


def change_row(change: Change, run_id: int, detected_at: str) -> dict[str, Any]:
    """A change as the `changes` table holds it (its JSON form in `detail`)."""
    return {
        "id": change.id,
        "run_id": run_id,
        "url": change.url,
        "organisation": change.organisation,
        "kind": str(change.kind),
        "unit": change.unit,
        "before": change.before,
        "after": change.after,
        "detail": json.dumps(change_to_dict(change), ensure_ascii=False),
        "detected_at": detected_at,
    }


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
        "since_archived": change.since_archived,
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
        since_archived=data.get("since_archived", ""),
    )
