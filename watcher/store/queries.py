"""What the operator asks of the state database, answered as values.

Recent runs, failing pages and pending alerts (`watcher status`); a force's grades
and findings across cycles (`watcher history`); every force's current grades
(`watcher forces`). A page's versions side by side (`watcher diff`) are in
`versions`. Read-only: nothing here writes, and the schema is `store`'s.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from watcher.catalogue import CYCLES, FORCES, REGIONS, organisation_name, region_of
from watcher.models import Assessment, ChangeKind, FindingKind, Grade, Judgement
from watcher.store.discovered import DiscoveredPage
from watcher.store.schema import MIGRATIONS, StoreError, check_version, database_problem

FINDING_CHANGES = frozenset(
    {
        ChangeKind.FINDING_ADDED,
        ChangeKind.FINDING_RESOLVED,
        ChangeKind.FINDING_REWORDED,
        ChangeKind.MONITORING_ENTERED,
        ChangeKind.MONITORING_LEFT,
    }
)


def open_readonly(path: Path) -> sqlite_utils.Database:
    """Open the state file for reading only; it must exist and be up to date.

    `mode=ro` never writes; where even the WAL's shared-memory file cannot be made (a
    read-only copy in a read-only directory) it is opened as immutable instead.
    """
    if not path.is_file():
        raise StoreError(f"no state database at {path} yet: run `watcher check` first")
    try:
        conn = _connect_readonly(path)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(database_problem(path, exc)) from exc
    if version < len(MIGRATIONS):
        conn.close()
        raise StoreError(f"{path} predates this version: run `watcher check` to upgrade it")
    db = sqlite_utils.Database(conn, execute_plugins=False)
    check_version(db, path)
    return db


def _connect_readonly(path: Path) -> sqlite3.Connection:
    uri = path.resolve().as_uri()
    immutable = f"{uri}?mode=ro&immutable=1"
    wal = path.with_name(path.name + "-wal")
    if _read_only_folder(path.parent) and not (wal.is_file() and wal.stat().st_size):
        # Nothing can be writing here, and there is no log to replay: read the file as
        # it is, without making the WAL's shared-memory file beside it.
        return sqlite3.connect(immutable, uri=True, check_same_thread=False)
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
        conn.execute("select count(*) from sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        if not _read_only_folder(path.parent):
            raise
    return sqlite3.connect(immutable, uri=True, check_same_thread=False)


def _read_only_folder(folder: Path) -> bool:
    """No one may write here: by this user's access, or by its mode (root ignores it)."""
    try:
        return not os.access(folder, os.W_OK) or not folder.stat().st_mode & 0o222
    except OSError:
        return True


# -- status -----------------------------------------------------------------------


@dataclass(frozen=True)
class RunSummary:
    """One row of the runs table."""

    id: int
    started_at: str
    finished_at: str | None
    pages_checked: int
    pages_changed: int
    pages_failed: int
    changes: int
    alerts_sent: int
    # "ok", "partial", "stopped", "running", or "interrupted" (never finished, and no
    # run holds the lock now: the process was killed or the machine went down).
    outcome: str


@dataclass(frozen=True)
class FailingPage:
    """A page whose last check failed, since when and why."""

    url: str
    organisation: str
    failing_since: str | None
    consecutive_failures: int
    last_status: int | None
    reason: str


@dataclass(frozen=True)
class UnreadablePage:
    """A page that answered but cannot be read reliably now (a parsing reason, not the
    network), or whose change set is held for a second reading; since when and why."""

    url: str
    organisation: str
    since: str | None
    state: str  # "unreadable" or "held"
    reason: str


@dataclass(frozen=True)
class WaitingAlert:
    """An outbox row Slack has not confirmed yet."""

    id: str
    organisation: str
    kind: str
    created_at: str
    attempts: int
    last_error: str | None
    destination: str | None = None  # its destination key (`notify.routes`); None: not routed yet


@dataclass(frozen=True)
class Status:
    """The operator's overview: recent runs, failing pages, alerts waiting."""

    runs: tuple[RunSummary, ...]
    failing: tuple[FailingPage, ...]
    pending: tuple[WaitingAlert, ...]
    unreadable: tuple[UnreadablePage, ...] = ()
    # Pages a listing announced and the watcher checks since (`[discover]`).
    discovered: tuple[DiscoveredPage, ...] = ()
    notices: tuple[str, ...] = ()  # what delivery cannot promise now, and why
    # When the last run over the whole catalogue finished (a `--force` run is not one).
    last_complete: datetime | None = None

    @property
    def interrupted(self) -> bool:
        """The newest run never finished and no run holds the lock: it was killed."""
        return bool(self.runs) and self.runs[0].outcome == "interrupted"

    @property
    def healthy(self) -> bool:
        return (
            not self.failing and not self.pending and not self.unreadable and not self.interrupted
        )


def status(db: sqlite_utils.Database, *, runs: int = 5, in_progress: bool = True) -> Status:
    """The last `runs` runs (newest first), the pages failing now, the alerts pending.

    `in_progress`: whether a run holds the lock now; if not, an unfinished run died.
    """
    run_rows = db.query("select * from runs order by id desc limit ?", [runs])
    failing_rows = db.query(
        """select * from pages where last_outcome = 'failed'
        order by failing_since, url"""
    )
    unreadable_rows = db.query(
        """select * from pages where last_outcome in ('unreadable', 'held')
        order by unreadable_since, url"""
    )
    pending_rows = db.query(
        "select * from outbox where state = 'pending' order by created_at, rowid"
    )
    complete = db.execute(
        "select max(finished_at) from runs where outcome in ('ok', 'partial') and scope = 'all'"
    ).fetchone()[0]
    return Status(
        last_complete=datetime.fromisoformat(complete) if complete else None,
        runs=tuple(_run(row, in_progress) for row in run_rows),
        failing=tuple(failing_page(row) for row in failing_rows),
        pending=tuple(
            WaitingAlert(
                id=row["id"],
                organisation=row["organisation"] or "",
                kind=row["kind"],
                created_at=row["created_at"],
                attempts=row["attempts"] or 0,
                last_error=row["last_error"],
                destination=row.get("destination"),
            )
            for row in pending_rows
        ),
        unreadable=tuple(
            UnreadablePage(
                url=row["url"],
                organisation=row["organisation"] or "",
                since=row["unreadable_since"] or row["last_checked_at"],
                state=row["last_outcome"],
                reason=row["last_error"] or "",
            )
            for row in unreadable_rows
        ),
        discovered=_discovered(db),
        notices=_notices(db),
    )


def _discovered(db: sqlite_utils.Database) -> tuple[DiscoveredPage, ...]:
    if "discovered_pages" not in db.table_names():
        return ()
    rows = db.query("select * from discovered_pages order by added_at desc, url")
    return tuple(DiscoveredPage(**row) for row in rows)


def _notices(db: sqlite_utils.Database) -> tuple[str, ...]:
    if not db.table("delivery_notices").exists():
        return ()  # a database from before the table (opened read-only, not migrated)
    rows = db.query("select message, noted_at from delivery_notices order by key")
    return tuple(f"{row['message']} (since {row['noted_at'][:16]})" for row in rows)


def failing_page(row: dict[str, Any]) -> FailingPage:
    """A `pages` row whose last check failed, as the operator sees it."""
    return FailingPage(
        url=row["url"],
        organisation=row["organisation"] or "",
        failing_since=row["failing_since"],
        consecutive_failures=row["consecutive_failures"] or 0,
        last_status=row["last_status"],
        reason=row["last_error"] or "",
    )


def _run(row: dict[str, Any], in_progress: bool) -> RunSummary:
    unfinished = "running" if in_progress else "interrupted"
    return RunSummary(
        id=row["id"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        pages_checked=row["pages_checked"] or 0,
        pages_changed=row["pages_changed"] or 0,
        pages_failed=row["pages_failed"] or 0,
        changes=row["changes"] or 0,
        alerts_sent=row["alerts_sent"] or 0,
        outcome=unfinished if row["outcome"] in (None, "running") else row["outcome"],
    )


# -- history ----------------------------------------------------------------------


@dataclass(frozen=True)
class GradeStep:
    """A grade as first seen at a time."""

    seen_at: str
    grade: Grade
    source: str = "live"  # "archive": read from a web archive's capture (`watcher backfill`)


@dataclass(frozen=True)
class UnitTimeline:
    """The grades one unit (a pillar, a question, an area) has had in one cycle."""

    cycle: str
    unit: str
    label: str
    steps: tuple[GradeStep, ...]


@dataclass(frozen=True)
class FindingEvent:
    """A finding first seen, added, resolved or reworded; or monitoring entered or left."""

    seen_at: str
    cycle: str
    unit: str
    event: str  # "present" (at the first check), "added", "resolved", "reworded", ...
    finding_kind: FindingKind | None
    text: str
    before: str | None = None  # the old wording of a reworded finding


@dataclass(frozen=True)
class ForceHistory:
    """A force's grades per unit across cycles, and its findings' comings and goings."""

    force: str
    units: tuple[UnitTimeline, ...]
    findings: tuple[FindingEvent, ...]


_EVENTS = {
    ChangeKind.FINDING_ADDED: "added",
    ChangeKind.FINDING_RESOLVED: "resolved",
    ChangeKind.FINDING_REWORDED: "reworded",
    ChangeKind.MONITORING_ENTERED: "entered monitoring",
    ChangeKind.MONITORING_LEFT: "left monitoring",
}


def force_history(
    db: sqlite_utils.Database,
    force: str,
    *,
    unit: str | None = None,
    since: date | None = None,
) -> ForceHistory:
    """Everything stored about `force`, oldest first; `unit` includes its questions."""
    steps: dict[tuple[str, str], list[GradeStep]] = {}
    labels: dict[tuple[str, str], str] = {}
    findings: list[FindingEvent] = []
    latest: dict[tuple[str, str], Assessment] = {}
    for page, (seen_at, source), assessment in _readings_of(db, force):
        for judgement in assessment.judgements:
            key = (assessment.cycle, judgement.unit)
            labels[key] = judgement.label
            history = steps.setdefault(key, [])
            if not history or history[-1].grade is not judgement.grade:
                history.append(GradeStep(seen_at, judgement.grade, source))
        findings += _finding_events(latest.get(page), assessment, seen_at)
        latest[page] = assessment
    units = [
        UnitTimeline(
            cycle,
            key,
            labels[(cycle, key)],
            tuple(s for s in found if _on_or_after(s.seen_at, since)),
        )
        for (cycle, key), found in sorted(steps.items(), key=lambda item: _cycle_order(item[0][0]))
        if _in_unit(key, unit)
    ]
    return ForceHistory(
        force=force,
        units=tuple(u for u in units if u.steps),
        findings=tuple(
            f for f in findings if _in_unit(f.unit, unit) and _on_or_after(f.seen_at, since)
        ),
    )


def _readings_of(
    db: sqlite_utils.Database, organisation: str
) -> Iterable[tuple[tuple[str, str], tuple[str, str], Assessment]]:
    """Every stored assessment of one organisation, oldest first, with its page and source."""
    rows = db.query(
        """select url, subject, fetched_at, source, assessment from assessments
        where subject = :org
           or (subject = '' and json_extract(assessment, '$.organisation') = :org)
        order by fetched_at, id""",
        {"org": organisation},
    )
    for row in rows:
        assessment = Assessment.from_dict(json.loads(row["assessment"]))
        yield (row["url"], row["subject"]), (row["fetched_at"], row["source"]), assessment


def _finding_events(
    before: Assessment | None, after: Assessment, seen_at: str
) -> list[FindingEvent]:
    if before is None:  # the first check of a page: what it already said
        present = [
            FindingEvent(seen_at, after.cycle, f.unit, "present", f.kind, f.text)
            for f in after.findings
            if f.kind.alerts
        ]
        if after.monitoring:
            present.append(
                FindingEvent(seen_at, after.cycle, "", "in monitoring", None, after.monitoring)
            )
        return present
    from watcher.diff import diff  # rapidfuzz: loaded by `history`, not by every command

    return [
        FindingEvent(
            seen_at,
            after.cycle,
            change.unit,
            _EVENTS[change.kind],
            change.finding_kind,
            change.after or change.before or "",
            change.before if change.kind is ChangeKind.FINDING_REWORDED else None,
        )
        for change in diff(before, after)
        if change.kind in FINDING_CHANGES
    ]


def _in_unit(key: str, unit: str | None) -> bool:
    return unit is None or key == unit or key.startswith(unit + "/")


def _on_or_after(seen_at: str, since: date | None) -> bool:
    return since is None or datetime.fromisoformat(seen_at).date() >= since


def _cycle_order(cycle: str) -> int:
    keys = list(CYCLES)
    return keys.index(cycle) if cycle in keys else len(keys)


def known_organisation(db: sqlite_utils.Database, organisation: str) -> bool:
    """A catalogue force, or an organisation the database holds assessments of."""
    return organisation in FORCES or any(True for _ in _readings_of(db, organisation))


# -- forces -----------------------------------------------------------------------


@dataclass(frozen=True)
class ForceGrades:
    """A force's current top-level grades in its latest graded cycle."""

    slug: str
    name: str
    cycle: str | None
    grades: tuple[Judgement, ...]
    monitoring: str | None
    last_checked_at: str | None
    region: str | None = None  # its region's slug (`catalogue.REGIONS`)

    @property
    def region_name(self) -> str:
        return REGIONS.get(self.region or "", "")


def current_grades(
    db: sqlite_utils.Database, forces: Sequence[str] = tuple(FORCES)
) -> list[ForceGrades]:
    """One row per force: the latest stored grades of its newest cycle, and monitoring."""
    latest = _latest_assessments(db)
    checked = {
        row["organisation"]: row["checked"]
        for row in db.query(
            """select organisation, max(last_checked_at) as checked from pages
            group by organisation"""
        )
    }
    return [_force_grades(slug, latest.get(slug, []), checked.get(slug)) for slug in forces]


def _latest_assessments(db: sqlite_utils.Database) -> dict[str, list[Assessment]]:
    """Each page's latest assessment (per organisation), grouped by organisation."""
    rows = db.query(
        # Newest by date, not by row: an archived reading (backfill) may be stored
        # after a newer live one.
        """select assessment from (select assessment, fetched_at, id, row_number() over
            (partition by url, subject order by fetched_at desc, id desc) as n
            from assessments) where n = 1
        order by fetched_at, id"""
    )
    grouped: dict[str, list[Assessment]] = {}
    for row in rows:
        assessment = Assessment.from_dict(json.loads(row["assessment"]))
        grouped.setdefault(assessment.organisation, []).append(assessment)
    return grouped


def _force_grades(slug: str, latest: list[Assessment], checked: str | None) -> ForceGrades:
    graded = [a for a in latest if a.is_graded]
    cycle = max((a.cycle for a in graded), key=_cycle_order, default=None)
    grades: dict[str, Judgement] = {}
    for assessment in graded:
        if assessment.cycle == cycle:
            # Later assessments win: a pillar page fetched after the force page.
            grades |= {j.unit: j for j in assessment.judgements if "/" not in j.unit}
    monitoring = next((a.monitoring for a in latest if a.monitoring), None)
    return ForceGrades(
        slug,
        organisation_name(slug),
        cycle,
        tuple(grades.values()),
        monitoring,
        checked,
        region_of(slug),
    )
