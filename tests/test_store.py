"""The state database: migrations, content-addressed bodies, history, outbox."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from watcher.diff import diff
from watcher.models import Assessment, Grade, Judgement, PageKind
from watcher.store import Store, body_hash
from watcher.store.schema import MIGRATIONS, open_database

NOW = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
URL = "https://h.example/peel-reports/kent-2023-25/"


def assessment(grade: Grade) -> Assessment:
    return Assessment(
        "kent",
        "peel-2023-25",
        PageKind.PEEL_REPORT,
        URL,
        judgements=(Judgement("investigating-crime", "Investigating crime", grade),),
    )


def store_at(path: Path) -> Store:
    return Store(open_database(path))


def record(store: Store, run_id: int, body: bytes, after: Assessment, before: Assessment | None):
    return store.record_assessment(
        run_id=run_id,
        url=URL,
        status=200,
        body=body,
        validators={"etag": '"v1"', "last_modified": None},
        readings=[("", after)],
        changes=diff(before, after),
        now=NOW,
    )


def test_migrations_are_applied_once(tmp_path: Path) -> None:
    """Opening twice keeps the schema version and data; the file is in WAL mode."""
    path = tmp_path / "w.db"
    first = store_at(path)
    first.start_run(NOW)
    again = store_at(path)
    assert again.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert again.db.table("runs").count == 1


def test_history_keeps_only_changed_assessments(tmp_path: Path) -> None:
    """Same assessment twice is one row; a changed one adds a row; bodies stored once."""
    store = store_at(tmp_path / "w.db")
    run = store.start_run(NOW)
    good, ri = assessment(Grade.GOOD), assessment(Grade.REQUIRES_IMPROVEMENT)
    assert record(store, run, b"<p>v1</p>", good, None) == 1
    assert record(store, run, b"<p>v1</p>", good, good) == 0
    assert record(store, run, b"<p>v2</p>", ri, good) == 1
    assert store.db.table("assessments").count == 2
    assert store.db.table("bodies").count == 2
    assert store.latest_assessment(URL) == ri
    assert store.page_state(URL).etag == '"v1"'  # type: ignore[union-attr]


def test_a_change_is_queued_once(tmp_path: Path) -> None:
    """Recording the same change twice queues one alert, and sent alerts stay sent."""
    store = store_at(tmp_path / "w.db")
    run = store.start_run(NOW)
    good, ri = assessment(Grade.GOOD), assessment(Grade.REQUIRES_IMPROVEMENT)
    record(store, run, b"a", good, None)
    record(store, run, b"b", ri, good)
    record(store, run, b"b", ri, good)
    [pending] = store.pending_alerts()
    assert pending.change is not None
    assert (pending.change.before, pending.change.after) == ("good", "requires_improvement")
    store.mark_attempt_failed([pending.id], "HTTP 503")
    assert store.pending_alerts()[0].attempts == 1
    store.mark_sent([pending.id], "123.456", NOW)
    assert store.pending_alerts() == []
    record(store, run, b"b", ri, good)
    assert store.pending_alerts() == []


def test_failures_count_up_and_reset(tmp_path: Path) -> None:
    """Consecutive failures are counted from the first one and reset by a good fetch."""
    store = store_at(tmp_path / "w.db")
    assert store.record_failure(URL, 503, "HTTP 503", NOW) == 1
    assert store.record_failure(URL, None, "timed out", NOW) == 2
    store.record_unchanged(URL, 304, NOW)
    state = store.page_state(URL)
    assert state is not None
    assert state.consecutive_failures == 0


def test_cosmetic_versions_do_not_pile_up(tmp_path: Path) -> None:
    """Bodies behind assessments and each page's latest are kept; cosmetic ones in between go."""
    store = store_at(tmp_path / "w.db")
    run = store.start_run(NOW)
    good, ri = assessment(Grade.GOOD), assessment(Grade.REQUIRES_IMPROVEMENT)
    record(store, run, b"<p>v1</p>", good, None)
    for day in range(2, 6):  # a new banner every day, the same grades
        record(store, run, f"<p>v1</p><p>banner {day}</p>".encode(), good, good)
    kept = {row["sha256"] for row in store.db.query("select sha256 from bodies")}
    assert kept == {body_hash(b"<p>v1</p>"), body_hash(b"<p>v1</p><p>banner 5</p>")}
    record(store, run, b"<p>v6</p>", ri, good)
    kept = {row["sha256"] for row in store.db.query("select sha256 from bodies")}
    assert kept == {body_hash(b"<p>v1</p>"), body_hash(b"<p>v6</p>")}
