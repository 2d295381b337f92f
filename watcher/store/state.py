"""The state database: one SQLite file, read and written through sqlite-utils.

Tables: pages (validators and health), bodies (each distinct raw body once,
compressed), assessments (a row only when a page's assessment changed), changes,
outbox (alerts waiting for or done with delivery) and runs; `schema` creates them
and opens the file in WAL mode. JSON happens here (and in `schema`'s change codec):
the rest of the program deals in domain values.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from watcher.faults import Stage, crash_point
from watcher.models import Assessment, Change, ChangeKind
from watcher.store.archived import ArchiveRecords
from watcher.store.baselines import BaselineRecords
from watcher.store.bodies import body_hash, pack_body, unpack_body
from watcher.store.outbox import OutboxRecords
from watcher.store.schema import change_row, write_transaction


@dataclass(frozen=True)
class PageState:
    """What the store remembers of a page between runs."""

    url: str
    etag: str | None
    last_modified: str | None
    body_sha256: str | None
    last_status: int | None
    consecutive_failures: int
    ever_ok: bool
    failing_since: str | None = None  # when the current run of failures began
    absent_seen: bool = False  # seen absent (404/410) at some point: its arrival is news
    unreadable_since: str | None = None  # when the current run of unreadable readings began
    held_hash: str | None = None  # a change set held for a second reading (its content hash)


def _page_state(row: dict[str, Any]) -> PageState:
    return PageState(
        url=row["url"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        body_sha256=row["body_sha256"],
        last_status=row["last_status"],
        consecutive_failures=row["consecutive_failures"] or 0,
        ever_ok=row["last_ok_at"] is not None,
        failing_since=row["failing_since"],
        absent_seen=row.get("absent_seen_at") is not None,
        unreadable_since=row.get("unreadable_since"),
        held_hash=row.get("held_hash"),
    )


# Each page-health kind and the alert that opens its episode: "reachable" follows
# "unreachable" (dated by `failing_since`), "readable" follows "unreadable".
_HEALTH_OPENERS = {
    ChangeKind.PAGE_UNREACHABLE: ChangeKind.PAGE_UNREACHABLE,
    ChangeKind.PAGE_REACHABLE: ChangeKind.PAGE_UNREACHABLE,
    ChangeKind.PAGE_UNREADABLE: ChangeKind.PAGE_UNREADABLE,
    ChangeKind.PAGE_READABLE: ChangeKind.PAGE_UNREADABLE,
}


def _health_since(state: PageState | None, opener: ChangeKind) -> str | None:
    if state is None:
        return None
    if opener is ChangeKind.PAGE_UNREADABLE:
        return state.unreadable_since
    return state.failing_since


# A page's readings in time order: archived ones (backfill) are dated by their capture
# and may be stored after newer live ones, so the row id alone is not the order.
NEWEST_FIRST = "order by fetched_at desc, id desc"


class Store(ArchiveRecords, BaselineRecords, OutboxRecords):
    """Reads and writes the state database; every multi-row write is one transaction.

    Readings from a web archive (`watcher backfill`) are written by `ArchiveRecords`;
    pages waiting for their "now watching" note are kept by `BaselineRecords`; the
    outbox, per destination, by `OutboxRecords`.
    """

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with write_transaction(self.db):
            yield

    # -- pages -------------------------------------------------------------------

    def page_states(self) -> dict[str, PageState]:
        """Every known page's state, read once at the start of a run."""
        return {row["url"]: _page_state(row) for row in self.db.query("select * from pages")}

    def page_state(self, url: str) -> PageState | None:
        rows = list(self.db.query("select * from pages where url = ?", [url]))
        return _page_state(rows[0]) if rows else None

    def body(self, sha256: str) -> bytes | None:
        """A stored raw body by its hash (the last good copy of a page, say)."""
        rows = list(self.db.query("select body from bodies where sha256 = ?", [sha256]))
        return unpack_body(rows[0]["body"]) if rows else None

    def reading_parser(self, reading_id: int) -> str | None:
        """Which parser made a stored reading (None: one from before it was kept)."""
        rows = list(self.db.query("select parser from assessments where id = ?", [reading_id]))
        return str(rows[0]["parser"]) if rows and rows[0]["parser"] else None

    def reading_body(self, reading_id: int) -> bytes | None:
        """The stored raw body a stored assessment was read from, if it is kept."""
        rows = list(
            self.db.query(
                """select b.body from assessments a join bodies b on b.sha256 = a.body_sha256
                where a.id = ?""",
                [reading_id],
            )
        )
        return unpack_body(rows[0]["body"]) if rows else None

    def latest_assessment(self, url: str, subject: str = "") -> Assessment | None:
        """The page's last good assessment (of one organisation, on an all-force page)."""
        latest = self.latest_reading(url, subject)
        return latest[1] if latest else None

    def latest_reading(self, url: str, subject: str = "") -> tuple[int, Assessment] | None:
        """The last good assessment with its row id (the basis of changes found against it)."""
        rows = list(
            self.db.query(
                f"""select id, assessment from assessments where url = ? and subject = ?
                {NEWEST_FIRST} limit 1""",
                [url, subject],
            )
        )
        if not rows:
            return None
        return rows[0]["id"], Assessment.from_dict(json.loads(rows[0]["assessment"]))

    def subjects(self, url: str) -> list[str]:
        """The organisations an all-force page has had assessments for."""
        rows = self.db.query(
            "select distinct subject from assessments where url = ? order by subject", [url]
        )
        return [row["subject"] for row in rows]

    def assessments(self, url: str, subject: str = "") -> list[tuple[str, Assessment]]:
        """Every stored assessment of a page, oldest first, with when it was fetched."""
        rows = self.db.query(
            """select fetched_at, assessment from assessments where url = ? and subject = ?
            order by fetched_at, id""",
            [url, subject],
        )
        return [(r["fetched_at"], Assessment.from_dict(json.loads(r["assessment"]))) for r in rows]

    def _upsert_page(self, url: str, now: datetime, **fields: Any) -> None:
        # One statement per page, not sqlite-utils' upsert (about six): on a warm run
        # of hundreds of unchanged pages this is most of the bookkeeping.
        fields["url"] = url
        fields["last_checked_at"] = now.isoformat()
        columns = ", ".join(fields)
        updates = ", ".join(f"{name} = excluded.{name}" for name in fields if name != "url")
        self.db.execute(
            f"""insert into pages ({columns}) values ({", ".join("?" * len(fields))})
            on conflict(url) do update set {updates}""",
            list(fields.values()),
        )

    def record_unchanged(self, url: str, status: int, now: datetime, **validators: Any) -> None:
        """A 304, or a body identical to the last one: the page is healthy and unchanged."""
        with self.transaction():
            self._record_ok(url, status, now, validators)

    def _record_ok(self, url: str, status: int, now: datetime, extra: dict[str, Any]) -> None:
        self._upsert_page(
            url,
            now,
            last_status=status,
            last_outcome="ok",
            last_error=None,
            last_ok_at=now.isoformat(),
            failing_since=None,
            consecutive_failures=0,
            unreadable_since=None,
            held_hash=None,
            **{k: v for k, v in extra.items() if v is not None},
        )

    def record_absent(self, url: str, status: int, now: datetime, organisation: str) -> None:
        """A page not published (yet): remembered so its appearance is news."""
        with self.transaction():
            self._upsert_page(
                url,
                now,
                organisation=organisation,
                last_status=status,
                last_outcome="absent",
                last_error=None,
                failing_since=None,
                consecutive_failures=0,
                absent_seen_at=now.isoformat(),
            )

    def record_failure(self, url: str, status: int | None, reason: str, now: datetime) -> int:
        """The page could not be read this time; returns its consecutive failure count."""
        with self.transaction():
            state = self.page_state(url)
            count = (state.consecutive_failures if state else 0) + 1
            since = None
            if state and state.consecutive_failures:
                row = self.db.table("pages").get(url)
                since = row["failing_since"]
            self._upsert_page(
                url,
                now,
                last_status=status,
                last_outcome="failed",
                last_error=reason,
                failing_since=since or now.isoformat(),
                consecutive_failures=count,
            )
        return count

    def record_unreadable(self, url: str, status: int | None, reason: str, now: datetime) -> None:
        """The page answered but cannot be read reliably: nothing stored, the reason kept.

        Not a network failure: the failure count is not raised (the page answered), and
        `unreadable_since` marks the start of this run of unreadable readings.
        """
        with self.transaction():
            state = self.page_state(url)
            since = state.unreadable_since if state else None
            self._upsert_page(
                url,
                now,
                last_status=status,
                last_outcome="unreadable",
                last_error=reason,
                failing_since=None,
                consecutive_failures=0,
                unreadable_since=since or now.isoformat(),
            )

    def record_held(self, url: str, digest: str, reason: str, now: datetime) -> None:
        """A change set too large to trust on one reading: remembered, not stored."""
        with self.transaction():
            self._upsert_page(url, now, last_outcome="held", last_error=reason, held_hash=digest)

    def record_assessment(
        self,
        *,
        run_id: int,
        url: str,
        status: int,
        body: bytes,
        validators: dict[str, str | None],
        readings: Sequence[tuple[str, Assessment]],
        changes: Sequence[Change],
        now: datetime,
        baseline: Assessment | None = None,
        sha256: str | None = None,
        packed: Callable[[], bytes] | None = None,
        parser: str | None = None,
    ) -> int:
        """Store a fetched page's body, its assessments (by subject) and changes; queue alerts.

        `baseline`: the page is read for the first time; it waits for its "now watching"
        note in the same transaction (see `BaselineRecords`). `sha256` (`body_hash`)
        and `packed` (gives `pack_body(body)`, asked only if the body is not stored
        yet) spare the work when the caller has done it already. `parser`: which
        parser made the readings (`parse.parser_fingerprint`), kept with each.

        All in one transaction: a crash leaves either none of it or all of it, so
        the next run either redoes the comparison or finds the alerts queued.
        Returns how many new assessment rows were written.
        """
        sha = sha256 or body_hash(body)
        with self.transaction():
            previous = self.page_state(url)
            if not list(self.db.query("select 1 from bodies where sha256 = ?", [sha])):
                self.db.execute(
                    "insert into bodies (sha256, body, size) values (?, ?, ?)",
                    [sha, packed() if packed else pack_body(body), len(body)],
                )
            first = readings[0][1] if readings else None
            identity = (
                {"organisation": first.organisation, "cycle": first.cycle, "kind": str(first.kind)}
                if first
                else {}
            )
            self._record_ok(url, status, now, {"body_sha256": sha, **identity})
            # The validators of the body stored now, even none: a 200 without an ETag
            # must not leave the old body's, or the next request gets a 304 against it.
            self._upsert_page(url, now, **validators)
            written = sum(
                self._insert_assessment(url, subject, sha, assessment, now, parser)
                for subject, assessment in readings
            )
            crash_point(Stage.ASSESSMENT_STORED)  # the fault tests' switch; a no-op otherwise
            for change in changes:
                self._insert_change(run_id, change, now)
            if baseline is not None:
                self._add_pending_baseline(url, run_id, baseline, now)
            if previous and previous.body_sha256 and previous.body_sha256 != sha:
                self._forget_body(previous.body_sha256)
        return written

    def _forget_body(self, sha: str) -> None:
        """Drop a superseded body that no assessment was read from and no page points at.

        Bodies behind every stored assessment are kept (the history), and so is each
        page's latest (the last good copy); a page whose banner or date changes every
        day would otherwise add a full copy of itself to the database every day.
        """
        self.db.execute(
            """delete from bodies where sha256 = ?
            and not exists (select 1 from assessments where body_sha256 = ?)
            and not exists (select 1 from pages where body_sha256 = ?)""",
            [sha, sha, sha],
        )

    def _insert_assessment(
        self,
        url: str,
        subject: str,
        sha: str,
        assessment: Assessment,
        now: datetime,
        parser: str | None,
    ) -> bool:
        digest = assessment.content_hash()
        latest = list(
            self.db.query(
                f"""select hash from assessments where url = ? and subject = ?
                {NEWEST_FIRST} limit 1""",
                [url, subject],
            )
        )
        if latest and latest[0]["hash"] == digest:
            return False
        self.db.execute(
            """insert into assessments
            (url, subject, fetched_at, body_sha256, assessment, hash, parser)
            values (?, ?, ?, ?, ?, ?, ?)""",
            [
                url,
                subject,
                now.isoformat(),
                sha,
                json.dumps(assessment.to_dict(), ensure_ascii=False),
                digest,
                parser,
            ],
        )
        return True

    def _insert_change(self, run_id: int, change: Change, now: datetime) -> None:
        change_id = change.id
        if list(self.db.query("select 1 from changes where id = ?", [change_id])):
            return  # already recorded (and alerted) once: never twice
        self.db.table("changes").insert(change_row(change, run_id, now.isoformat()))
        self._queue(change_id, run_id, change.organisation, "change", change_id, None, now)

    def queue_page_health(self, run_id: int, change: Change, now: datetime) -> bool:
        """Queue a page-health alert at most once per run of failures; True if queued.

        "Unreachable" goes out once per run of failures, however long it lasts;
        "reachable again" only after an "unreachable", and once. Safe to repeat after a
        crash: what was committed is found and not queued twice.
        """
        with self.transaction():
            state = self.page_state(change.url)
            opener = _HEALTH_OPENERS[change.kind]
            since = _health_since(state, opener)
            if since is None:
                return False
            if self._health_alert_since(change.url, change.kind, since):
                return False
            if change.kind is not opener and not self._health_alert_since(
                change.url, opener, since
            ):
                return False  # it never was reported unreachable (unreadable): stay quiet
            self._insert_change(run_id, change, now)
        return True

    def _health_alert_since(self, url: str, kind: ChangeKind, since: str) -> bool:
        rows = self.db.query(
            "select 1 from changes where url = ? and kind = ? and detected_at >= ? limit 1",
            [url, str(kind), since],
        )
        return bool(list(rows))

    def queue_baseline(
        self, run_id: int, payload: dict[str, Any], now: datetime, noted: Sequence[str] = ()
    ) -> None:
        """Queue the run's one "now watching" summary; the `noted` pages stop waiting for it."""
        with self.transaction():
            self._queue(f"baseline-{run_id}", run_id, "", "baseline", None, payload, now)
            self._clear_pending_baselines(noted)

    def _queue(
        self,
        alert_id: str,
        run_id: int,
        organisation: str,
        kind: str,
        change_id: str | None,
        payload: dict[str, Any] | None,
        now: datetime,
    ) -> None:
        self.db.table("outbox").insert(
            {
                "id": alert_id,
                "run_id": run_id,
                "organisation": organisation,
                "kind": kind,
                "change_id": change_id,
                "payload": json.dumps(payload) if payload is not None else None,
                "state": "pending",
                "attempts": 0,
                "created_at": now.isoformat(),
            },
            ignore=True,
        )

    # -- runs --------------------------------------------------------------------

    def start_run(self, now: datetime) -> int:
        with self.transaction():
            table = self.db.table("runs").insert(
                {"started_at": now.isoformat(), "outcome": "running"}
            )
        assert table.last_pk is not None
        return int(table.last_pk)

    def last_success(self) -> datetime | None:
        """When the last run that checked the whole catalogue finished."""
        row = self.db.execute(
            "select max(finished_at) from runs where outcome in ('ok', 'partial') "
            "and scope = 'all'"  # a `check --force` run checked only some pages
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def mark_run_forced(self, run_id: int) -> None:
        """This run checked only the pages named by `--force`: not a complete run."""
        with self.transaction():
            self.db.table("runs").update(run_id, {"scope": "forced"})

    def finish_run(self, run_id: int, now: datetime, **counts: Any) -> None:
        with self.transaction():
            self.db.table("runs").update(run_id, {"finished_at": now.isoformat(), **counts})
